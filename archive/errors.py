"""One exception family for everything a user can cause.

The CLI catches :class:`ArchiveError` once and prints its message; anything else is a bug.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """A problem the user can act on. ``str(err)`` is the message shown to them."""

    exit_code: int = 1


def place(origin: str, record_ref: str | None) -> str:
    """Where a record is, as messages name it: ``FILE [RECORD]``, or the file alone."""
    return f"{origin} [{record_ref}]" if record_ref else origin


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
