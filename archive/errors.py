"""One exception family for everything a user can cause.

The CLI catches :class:`ArchiveError` once and prints its message; anything else is a bug.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator

from archive.names import shown


class ArchiveError(Exception):
    """A problem the user can act on. ``str(err)`` is the message shown to them."""

    exit_code: int = 1


def place(origin: str, record_ref: str | None) -> str:
    """Where a record is, as messages name it: ``FILE [RECORD]``, or the file alone (its name
    shown on one line, names.shown)."""
    return f"{shown(origin)} [{record_ref}]" if record_ref else shown(origin)


class InputError(ArchiveError):
    """An input file or record could not be read. Names the file (and record) and the reason."""

    def __init__(self, path: str, reason: str, record: str | None = None) -> None:
        self.path = path
        self.record = record
        self.reason = reason
        super().__init__(f"{place(path, record)}: {reason}")


class QueryError(ArchiveError):
    """A search query that cannot be run as written."""

    exit_code = 2


class StoreError(ArchiveError):
    """The database cannot be opened or is not in a usable state."""


class IndexStateError(ArchiveError):
    """The full-text index is missing, damaged or out of step with the database."""


class BusyError(ArchiveError):
    """Another process holds the write lock and did not release it in time."""

    exit_code = 75  # EX_TEMPFAIL


class NotFound(ArchiveError):
    """A document or other object the user named does not exist."""


# What the machine, not the archive or the input, says when it refuses a write.
_REFUSALS = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
             errno.EROFS: "a read-only file system", errno.ENOSPC: "no space left on the device",
             errno.EDQUOT: "the disk quota is used up"}


def _wrapped(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors it wraps, however: SQLAlchemy keeps SQLite's error as ``orig``,
    Python chains the rest (a few deep, and never round a loop)."""
    seen: list[BaseException] = []
    err: BaseException | None = exc
    while err is not None and err not in seen and len(seen) < 5:
        seen.append(err)
        yield err
        err = getattr(err, "orig", None) or err.__cause__ or err.__context__


def refused_write(exc: BaseException) -> str | None:
    """The message for an error that is the machine refusing a write (permissions, a full disk,
    a read-only file system), from the OS or from SQLite, however wrapped; None for anything
    else, which stays a bug to report."""
    for err in _wrapped(exc):
        if isinstance(err, OSError) and err.errno in _REFUSALS:
            where = f": {err.filename}" if err.filename else ""
            return f"cannot write, {_REFUSALS[err.errno]}{where}"
        if isinstance(err, sqlite3.OperationalError):
            text = str(err)
            if "readonly database" in text:
                return "cannot write the archive database: it is read-only to this user or on a read-only file system"
            if "disk is full" in text:
                return "cannot write the archive database: no space left on the device"
    return None


LOCKED_BY_ANOTHER = ("the archive database is locked by another program (a sqlite3 shell or a script with an open "
                     "write transaction?); try again when it has finished")


def locked_by_another(exc: BaseException) -> str | None:
    """The message for SQLite's "database is locked" (SQLITE_BUSY, however wrapped): a write
    waited out the busy timeout behind another connection's transaction. archive's own writers
    queue on the home's lock file and its readers never block a write (WAL), so the holder is
    another program. None for anything else."""
    for err in _wrapped(exc):
        if isinstance(err, sqlite3.OperationalError) and (
                getattr(err, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY or "database is locked" in str(err)):
            return LOCKED_BY_ANOTHER
    return None
