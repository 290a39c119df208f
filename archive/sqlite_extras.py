"""SQLite-only parts of the schema, isolated here: the FTS5 full-text table and its sync triggers,
and the JSON-list form of an IN clause.

Everything else in the schema is portable SQLAlchemy. A PostgreSQL store would replace this
module with a tsvector column; migrations call these functions only on SQLite.

Migrations that recreate the ``documents`` table (Alembic batch mode) drop these triggers
silently: such a migration must call :func:`drop_fts` first and :func:`create_fts` after.
"""

from __future__ import annotations

from collections.abc import Callable

# The ids a statement takes as one JSON list bound to ``:ids``, however many (one statement,
# where IN lists of bound parameters need many): ``... WHERE id IN ({LISTED_IDS})``.
LISTED_IDS = "SELECT value FROM json_each(:ids)"

FTS_COLUMNS = ("title", "text", "author", "source")
_cols = ", ".join(FTS_COLUMNS)
_new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)

CREATE_FTS = [
    f"""CREATE VIRTUAL TABLE documents_fts USING fts5(
        {_cols}, content='documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    f"""CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old});
    END""",
    f"""CREATE TRIGGER documents_fts_update AFTER UPDATE OF {_cols} ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old});
        INSERT INTO documents_fts(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    # Fill from rows that already exist (a no-op on an empty table).
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
]

DROP_FTS = [
    "DROP TRIGGER IF EXISTS documents_fts_insert",
    "DROP TRIGGER IF EXISTS documents_fts_delete",
    "DROP TRIGGER IF EXISTS documents_fts_update",
    "DROP TABLE IF EXISTS documents_fts",
]

FTS_OBJECTS = frozenset(
    {"documents_fts", "documents_fts_insert", "documents_fts_delete", "documents_fts_update"}
)


def create_fts(execute: Callable[[str], object]) -> None:
    for statement in CREATE_FTS:
        execute(statement)


def drop_fts(execute: Callable[[str], object]) -> None:
    for statement in DROP_FTS:
        execute(statement)
