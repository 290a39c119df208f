"""a removed document's id is never given to another (documents.id AUTOINCREMENT)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

``documents.id`` was SQLite's plain rowid, which takes the largest id plus one: removing the
newest documents handed their ids to the next ones added, so an id kept outside the archive (a
list of search hits, a note "see [42]") came to name another article. AUTOINCREMENT never reuses
an id, and SQLite adds it to a table only by building the table again, by its own procedure:
with foreign keys off (db.migrate turns them off before the transaction; this refuses to run
with them on, where dropping the old table would delete its rows and cascade to every link),
the new table is made, filled with the same rows and ids, the old one dropped and the new one
renamed (``legacy_alter_table`` on: the view and the full-text table keep naming ``documents``),
its indexes and triggers made again. The full-text table keeps its rows (same ids, same texts).
db.migrate checks the foreign keys before it commits.

Downgrade changes nothing: AUTOINCREMENT adds no column, index or constraint that the code of
revision 0004 reads, and building the table again to take it away would cost as much as this.
"""

from __future__ import annotations

from alembic import op

from archive import sqlite_extras

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_COLUMNS = ("id, external_id, path, format, title, author, source, url, published_at, language, text, "
            "content_hash, raw_meta, ingested_at, updated_at")
_TABLE = """CREATE TABLE documents_new (
    id INTEGER NOT NULL CONSTRAINT pk_documents PRIMARY KEY AUTOINCREMENT,
    external_id VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    format VARCHAR(8) NOT NULL,
    title TEXT,
    author TEXT,
    source VARCHAR,
    url TEXT,
    published_at VARCHAR(20),
    language VARCHAR(16),
    text TEXT NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    raw_meta TEXT NOT NULL,
    ingested_at VARCHAR(20) NOT NULL,
    updated_at VARCHAR(20) NOT NULL,
    CONSTRAINT uq_documents_external_id UNIQUE (external_id)
)"""
_INDEXES = (
    "CREATE INDEX ix_documents_content_hash ON documents (content_hash)",
    "CREATE INDEX ix_documents_published_at ON documents (published_at)",
    "CREATE INDEX ix_documents_source ON documents (source)",
    "CREATE INDEX ix_documents_external_id_content_hash ON documents (external_id, content_hash)",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":  # (elsewhere an identity column never reuses an id)
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("revision 0005 builds the documents table again: run it with foreign keys off "
                           "(`archive db upgrade` does), or dropping the old table would delete every link")
    fts_triggers = [s for s in sqlite_extras.CREATE_FTS if s.startswith("CREATE TRIGGER")]
    for name in sorted(sqlite_extras.FTS_OBJECTS - {"documents_fts"}):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    sqlite_extras.drop_edit_triggers(op.execute)
    op.execute(_TABLE)
    op.execute(f"INSERT INTO documents_new ({_COLUMNS}) SELECT {_COLUMNS} FROM documents ORDER BY id")
    op.execute("DROP TABLE documents")
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute("ALTER TABLE documents_new RENAME TO documents")
    op.execute("PRAGMA legacy_alter_table = OFF")
    for statement in (*_INDEXES, *fts_triggers):
        op.execute(statement)
    sqlite_extras.create_edit_triggers(op.execute)


def downgrade() -> None:
    pass
