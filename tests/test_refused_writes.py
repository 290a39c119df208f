"""When the machine refuses a write (permissions, a full disk, a read-only file system) the
user is told so in one line, and an archive in a folder they may only read can still be read."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from archive import db, storefile
from archive.errors import StoreError, refused_write
from archive.storefile import connect_readonly


def test_refusals_are_read_from_the_os_and_from_sqlite_however_wrapped() -> None:
    assert refused_write(PermissionError(errno.EACCES, "Permission denied", "/h/write.lock")) == (
        "cannot write, permission denied: /h/write.lock")
    assert refused_write(OSError(errno.ENOSPC, "No space left on device")) == (
        "cannot write, no space left on the device")
    wrapped = OperationalError("INSERT INTO ingest_runs ...", {}, sqlite3.OperationalError("database or disk is full"))
    assert refused_write(wrapped) == "cannot write the archive database: no space left on the device"
    try:
        try:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        except sqlite3.OperationalError as exc:
            raise RuntimeError("writing the batch failed") from exc
    except RuntimeError as chained:
        assert refused_write(chained) is not None and "read-only" in str(refused_write(chained))
    # Anything else stays a bug to report.
    assert refused_write(ValueError("bad")) is None
    assert refused_write(sqlite3.OperationalError("no such table: documents")) is None
    assert refused_write(FileNotFoundError(errno.ENOENT, "No such file", "/x")) is None


@pytest.mark.parametrize("error,message", [
    (OSError(errno.ENOSPC, "No space left on device", "/h/index/gen-3"),
     "archive: error: cannot write, no space left on the device: /h/index/gen-3"),
    (OperationalError("INSERT INTO ingest_runs (...) VALUES (?)", {"x": 1},
                      sqlite3.OperationalError("attempt to write a readonly database")),
     "archive: error: cannot write the archive database: it is read-only to this user or on a read-only file system"),
])
def test_a_refused_write_is_one_line_not_an_internal_error(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           error: Exception, message: str) -> None:
    from archive.api import Archive

    def refused(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(Archive, "ingest", refused)
    data = tmp_path / "a.jsonl"
    data.write_text('{"id": "a", "title": "t", "text": "A story about the harbour."}\n', encoding="utf-8")
    result = run_cli("ingest", str(data))
    assert result.exit_code == 1
    assert result.output.strip() == message  # no SQL text, no "internal error"


def test_an_archive_in_a_folder_one_may_only_read_is_read_as_a_file_that_does_not_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "archive.db"
    db.open_store(path).dispose()
    # What SQLite says when a WAL database's shared-memory file cannot be made beside it.
    opened: list[str] = []
    connect = sqlite3.connect

    def recording(database: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(database)
        conn = connect(database, *args, **kwargs)
        return conn if "immutable=1" in database else _Refusing(conn)

    monkeypatch.setattr(storefile.sqlite3, "connect", recording)
    monkeypatch.setattr(storefile.os, "access", lambda p, mode: False)  # (the folder may not be written)
    conn = connect_readonly(path)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert [uri.split("?")[1] for uri in opened] == ["mode=ro", "mode=ro&immutable=1"]
    # Where the folder may be written, SQLite's refusal is the user's to see, not worked around.
    monkeypatch.setattr(storefile.os, "access", lambda p, mode: True)
    with pytest.raises(StoreError, match="readonly"):
        connect_readonly(path)


class _Refusing:
    """A connection whose first query fails as SQLite's does in a folder it may not write."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def close(self) -> None:
        self._conn.close()


def test_an_index_in_a_home_one_may_only_read_is_checked_without_repairing(
        run_cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import locking

    data = tmp_path / "a.jsonl"
    data.write_text('{"id": "a", "title": "t", "text": "A story about the harbour."}\n', encoding="utf-8")
    assert run_cli("ingest", str(data)).exit_code == 0
    opening = locking.os.open

    def read_only_home(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == "write.lock":
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return opening(path, *args, **kwargs)

    monkeypatch.setattr(locking.os, "open", read_only_home)
    checked = run_cli("index", "check", "--no-repair")
    assert checked.exit_code == 0, checked.output
    assert "index is in step with the database" in checked.output
    repairing = run_cli("index", "check")
    assert repairing.exit_code == 1
    assert repairing.output.strip() == (
        f"archive: error: cannot write, a read-only file system: {home / 'write.lock'}; "
        "`archive index check --no-repair` checks without writing")


def test_checking_without_repair_still_waits_for_a_writer_where_the_lock_can_be_taken(tmp_path: Path) -> None:
    from archive.api import Archive
    from archive.errors import BusyError
    from archive.locking import write_lock

    data = tmp_path / "a.txt"
    data.write_text("A story about the harbour.", encoding="utf-8")
    archive = Archive(tmp_path / "home", lock_wait=0)
    archive.ingest([str(data)], background=False)
    with write_lock(archive.home.lock_path), pytest.raises(BusyError):
        archive.check_index(repair=False)  # a half-written ingest would read as drift
    assert archive.check_index(repair=False).drift.ok
