"""The store's schema: migrations, models and the file checks agree."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from archive import db, sqlite_extras
from archive.errors import StoreError
from archive.models import Base
from archive.storefile import SCHEMA_REVISION, connect_readonly


def test_storefile_revision_is_alembic_head() -> None:
    assert SCHEMA_REVISION == db.head_revision()


def test_migrating_up_from_empty_matches_the_models(tmp_path: Path) -> None:
    engine = db.open_store(tmp_path / "archive.db")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": db._ignore_fts})
        assert compare_metadata(context, Base.metadata) == []
    report = db.check_store(engine)
    assert report.ok, report.problems


def _downgraded(path: Path, revision: str) -> Engine:
    """A store created at ``path`` and migrated down to ``revision``."""
    from alembic import command

    engine = db.open_store(path)
    db.migrate(engine, lambda config: command.downgrade(config, revision))
    return engine


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    engine = _downgraded(path, "base")
    names = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}  # (SQLite's own)
    assert names <= {"alembic_version"}
    db.upgrade(engine, path)
    assert db.check_store(engine).ok


def test_the_views_names_come_and_go_with_their_migration(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "archive.db"
    engine = db.open_store(path)
    config = db.alembic_config()

    def view_columns() -> list[str]:
        return [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(provenance_view)")]

    assert view_columns()[-2:] == ["derived_name", "source_name"]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    assert "derived_name" not in view_columns() and view_columns()[-1] == "evidence"
    db.upgrade(engine, path)
    assert view_columns()[-2:] == ["derived_name", "source_name"] and db.check_store(engine).ok


def test_fts_mirror_follows_inserts_updates_and_deletes(tmp_path: Path) -> None:
    engine = db.open_store(tmp_path / "archive.db")
    insert = text(
        "INSERT INTO documents (external_id, path, format, title, text, content_hash, raw_meta, "
        "ingested_at, updated_at) VALUES ('a', 'a.txt', 'txt', 'Oil prices', 'Crude rose today', "
        "'h', '{}', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"
    )
    match = text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q")
    with engine.begin() as conn:
        conn.execute(insert)
        assert conn.execute(match, {"q": "crude"}).all() == [(1,)]
        conn.execute(text("UPDATE documents SET text = 'Wheat fell' WHERE id = 1"))
        assert conn.execute(match, {"q": "crude"}).all() == []
        assert conn.execute(match, {"q": "wheat"}).all() == [(1,)]
        conn.execute(text("DELETE FROM documents WHERE id = 1"))
        assert conn.execute(match, {"q": "wheat"}).all() == []


def test_opening_an_up_to_date_store_imports_no_alembic(tmp_path: Path) -> None:
    """Alembic (~90 ms of imports) is for migrating and checking: a writing command that opens a
    store at SCHEMA_REVISION does without it; a new store is still created through it."""
    path = tmp_path / "archive.db"
    opens = ("import sys; from pathlib import Path; from archive import db; "
             f"db.open_store(Path({str(path)!r})).dispose(); print('alembic' in sys.modules)")
    for expected in ("True", "False"):  # creating it, then opening it
        done = subprocess.run([sys.executable, "-c", opens], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_REVISION


def test_older_revision_is_backed_up_then_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database at the previous revision is copied aside before a new migration runs."""
    path = tmp_path / "archive.db"
    db.open_store(path).dispose()
    migrations = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9000_test_column.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9000'\ndown_revision = '{SCHEMA_REVISION}'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n    op.add_column('documents', sa.Column('extra_note', sa.Text()))\n"
        "def downgrade():\n    op.drop_column('documents', 'extra_note')\n"
    )
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    # A release with a new migration names it as its schema revision too (checked above).
    monkeypatch.setattr(db, "SCHEMA_REVISION", "9000")
    engine = db.open_store(path)
    backups = list(tmp_path.glob("archive.db.bak-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_REVISION
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9000"
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(documents)"))}
    assert "extra_note" in columns


def test_checking_an_older_database_says_to_upgrade_and_writes_nothing(tmp_path: Path) -> None:
    from archive.api import Archive

    path = tmp_path / "archive.db"
    _downgraded(path, "0002").dispose()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="run `archive db upgrade`"):
        Archive(tmp_path).check_store()
    assert path.read_bytes() == before and not list(tmp_path.glob("archive.db.bak-*"))


def test_newer_revision_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    db.open_store(path).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    with pytest.raises(StoreError, match="newer archive"):
        db.open_store(path)
    with pytest.raises(StoreError, match="revision ffff"):
        connect_readonly(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE songs (id INTEGER)")
    with pytest.raises(StoreError, match="not an archive"):
        db.open_store(path)
    assert {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")} == {"songs"}


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    path.write_bytes(b"this is not a database at all" * 10)
    with pytest.raises(StoreError, match="not an SQLite database"):
        db.open_store(path)
    with pytest.raises(StoreError, match="not an SQLite database"):
        connect_readonly(path)


def test_a_locked_database_is_reported_as_locked_not_as_a_foreign_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers meet a lock when the journal is not WAL (a copied or restored file): the revision
    read must fail as such, not pass for a file without Alembic's table."""
    path = tmp_path / "archive.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (SCHEMA_REVISION,))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr("archive.storefile.BUSY_TIMEOUT_MS", 0)
    try:
        with pytest.raises(StoreError) as raised:
            connect_readonly(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in str(raised.value) and "not an archive" not in str(raised.value)


_CHILD_TABLES = ("provenance", "fingerprints", "stories", "attributions", "document_flags", "index_queue")


def _rows_everywhere(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        found = {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
                 for table in ("documents", *_CHILD_TABLES)}
        found["documents_fts"] = sorted(conn.execute(
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'the'").fetchall())
        return found
    finally:
        conn.close()


def test_revision_0005_builds_documents_again_keeping_every_row_that_refers_to_it(tmp_path: Path) -> None:
    from archive.api import Archive
    from conftest import provenance_folder

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story", "duplicate", "spun", "rewrite"]))],
                       background=False)
    path = home / "archive.db"
    before = _rows_everywhere(path)
    assert before["provenance"] and before["fingerprints"] and before["documents_fts"]
    with sqlite3.connect(path) as conn:  # (as a store at 0004 is: 0005's downgrade changes nothing)
        conn.execute("UPDATE alembic_version SET version_num = '0004'")

    with Archive(home) as archive:
        archive.upgrade()
    assert _rows_everywhere(path) == before
    conn = sqlite3.connect(path)
    assert "AUTOINCREMENT" in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} == (
        sqlite_extras.EDIT_TRIGGERS | sqlite_extras.FTS_OBJECTS - {"documents_fts"})


def test_revision_0005_refuses_to_run_with_foreign_keys_on(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "archive.db"
    engine = db.open_store(path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    config = db.alembic_config()
    with pytest.raises(RuntimeError, match="foreign keys off"), engine.begin() as conn:  # (the engine sets them on)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert db.current_revision(engine) == "0004"


def test_a_removed_newest_documents_id_is_not_given_again(tmp_path: Path) -> None:
    from archive.api import Archive
    from conftest import provenance_folder

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "first", ["story", "duplicate"]))], background=False)
        newest = max(archive.document(name).id for name in ("story.txt", "duplicate.txt"))
        archive.remove([newest])
        archive.ingest([str(provenance_folder(tmp_path, "later", ["spun"]))], background=False)
        assert archive.document("spun.txt").id == newest + 1
    with sqlite3.connect(home / "archive.db") as conn:  # (in SQL too)
        conn.execute(f"DELETE FROM documents WHERE id = {newest + 1}")
        conn.execute("INSERT INTO documents (external_id, path, format, text, content_hash, raw_meta, ingested_at, "
                     "updated_at) VALUES ('hand', '-', 'txt', 'A text.', 'h', '{}', '2026-12-08T00:00:00Z', "
                     "'2026-12-08T00:00:00Z')")
        assert conn.execute("SELECT id FROM documents WHERE external_id = 'hand'").fetchone()[0] == newest + 2
