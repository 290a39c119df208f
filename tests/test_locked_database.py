"""Another program (the sqlite3 shell, a GUI, a script) holding a write transaction on archive.db
longer than SQLite's busy timeout: a writing command says so in one line and exits 75, as when
another archive writer holds the home's lock, and leaves the store as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import storefile
from archive.errors import LOCKED_BY_ANOTHER, locked_by_another
from archive.ingest import pipeline
from conftest import SEEDS

LOCKED = f"archive: error: {LOCKED_BY_ANOTHER}"


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 0.1 s instead of 30 s."""
    monkeypatch.setattr(storefile, "BUSY_TIMEOUT_MS", 100)


@pytest.fixture
def holder(home: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the archive's database, as another program would open it (creating an
    empty file when there is none yet)."""
    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / "archive.db", isolation_level=None)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def article(tmp_path: Path) -> Path:
    path = tmp_path / "new.jsonl"
    path.write_text('{"id": "new-1", "title": "Harbour", "text": "A story about the harbour and its ships."}\n',
                    encoding="utf-8")
    return path


def stored(home: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(home / "archive.db") as conn:
        return conn.execute("SELECT id, external_id FROM documents ORDER BY id").fetchall()


def test_busy_is_read_from_sqlite_however_wrapped_and_nothing_else_is() -> None:
    from sqlalchemy.exc import OperationalError

    busy = sqlite3.OperationalError("database is locked")
    assert locked_by_another(OperationalError("INSERT INTO documents ...", {}, busy)) == LOCKED_BY_ANOTHER
    assert locked_by_another(sqlite3.OperationalError("no such table: documents")) is None
    assert locked_by_another(ValueError("database is locked")) is None


@pytest.mark.parametrize("command", [("ingest", "NEW"), ("remove", "1"), ("provenance", "--refresh")])
def test_a_write_transaction_held_by_another_program_is_one_line_and_status_75(
        run_cli, home: Path, tmp_path: Path, short_wait: None, holder: sqlite3.Connection,
        command: tuple[str, ...]) -> None:
    assert run_cli("ingest", "-q", str(SEEDS)).exit_code == 0
    before = stored(home)
    holder.execute("BEGIN IMMEDIATE")
    result = run_cli(*(str(article(tmp_path)) if arg == "NEW" else arg for arg in command))
    holder.execute("ROLLBACK")
    assert result.exit_code == 75
    assert result.output.strip() == LOCKED  # no SQL, no article text, no "internal error"
    assert stored(home) == before


def test_an_ingest_locked_out_before_its_first_batch_stores_nothing_and_records_the_abort(
        run_cli, home: Path, tmp_path: Path, short_wait: None, holder: sqlite3.Connection,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("ingest", "-q", str(SEEDS)).exit_code == 0
    before = stored(home)
    # The other program begins after the run's row is written, and finishes while the run is
    # being marked (as the report's 45-second transaction did, within the marking's own wait).
    making = pipeline.make_missing_fingerprints

    def then_locked(batch):  # type: ignore[no-untyped-def]
        if not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")
        return making(batch)

    marking = pipeline.mark_run

    def released_then_marked(engine, run_id, status):  # type: ignore[no-untyped-def]
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        marking(engine, run_id, status)

    monkeypatch.setattr(pipeline, "make_missing_fingerprints", then_locked)
    monkeypatch.setattr(pipeline, "mark_run", released_then_marked)
    result = run_cli("ingest", str(article(tmp_path)))
    assert (result.exit_code, result.output.strip()) == (75, LOCKED)
    assert stored(home) == before
    with sqlite3.connect(home / "archive.db") as conn:
        assert conn.execute("SELECT status FROM ingest_runs ORDER BY id DESC LIMIT 1").fetchone() == ("aborted",)
    monkeypatch.undo()
    assert run_cli("ingest", "-q", str(article(tmp_path))).output.startswith("added 1,")


def test_a_migration_waits_for_another_programs_transaction_as_any_write_does(
        run_cli, home: Path, short_wait: None, holder: sqlite3.Connection) -> None:
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE scratch (x)")  # (a database another program is still creating)
    result = run_cli("db", "upgrade")
    assert (result.exit_code, result.output.strip()) == (75, LOCKED)
