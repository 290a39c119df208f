"""Light checks on the database file with the standard library only.

Read-only commands (search, show) use these instead of SQLAlchemy and Alembic, whose imports
cost more than the rest of a search call.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from archive.errors import StoreError

# The newest migration in migrations/versions; tests/test_store.py checks it matches Alembic's head.
SCHEMA_REVISION = "0005"
SQLITE_MAGIC = b"SQLite format 3\x00"
# How long a connection waits for another's write transaction; read at each connect (tests shorten it).
BUSY_TIMEOUT_MS = 30_000
DAMAGED_HINT = (
    "Restore a backup (archive.db.bak-*) from the same folder, or move the file away and re-ingest "
    "your sources with `archive ingest PATH`."
)


def damaged_message(path: Path, err: BaseException | None) -> str:
    """What to tell the user when SQLite fails on ``path``: corruption names its remedy."""
    if type(err) is sqlite3.DatabaseError:  # SQLITE_CORRUPT / SQLITE_NOTADB, not "locked" and the like
        return f"the database {path} is damaged ({err}). {DAMAGED_HINT}"
    return f"{path} cannot be opened as an archive database: {err}"


def check_sqlite_file(path: Path) -> None:
    """Fail with a clear message when ``path`` exists but is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read the database {path}: {exc.strerror}") from None
    if header and header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an SQLite database (damaged or a foreign file). {DAMAGED_HINT}")


def read_revision(conn: sqlite3.Connection) -> str | None:
    """The schema revision in Alembic's version table; None for a database without one (new, or
    not an archive's). Errors reading the file (locked, damaged) are raised, not taken for None,
    which would tell the user the file is not an archive."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone() is None:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def require_archive(path: Path) -> None:
    """Refuse a home without an archive database at ``path``, saying how to make one: only an
    ingest (or ``db upgrade``) creates one, never a read, a check or a repair."""
    if not path.exists():
        raise StoreError(f"no archive at {path.parent} (run `archive ingest PATH` to create one)")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to an archive at the current schema revision."""
    require_archive(path)
    check_sqlite_file(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            revision = read_revision(conn)
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) or os.access(path.parent, os.W_OK):
                raise
            # A WAL database in a folder this user may not write (an archive shared read-only):
            # a reader needs the shared-memory file beside it, which SQLite cannot create there.
            # With none to share, no writer has the database open, so it is read as a file that
            # does not change.
            conn.close()
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            revision = read_revision(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(damaged_message(path, exc)) from None
    if revision != SCHEMA_REVISION:
        conn.close()
        if revision is None:
            raise StoreError(f"{path} is an SQLite file but not an archive database")
        raise StoreError(
            f"{path} is at schema revision {revision}, this archive expects {SCHEMA_REVISION}: "
            f"run `archive db upgrade` if it is older; if it was written by a newer archive, upgrade archive"
        )
    conn.row_factory = sqlite3.Row
    return conn
