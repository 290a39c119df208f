"""Which texts the store already holds, asked a batch at a time by the reader.

A re-ingest of unchanged files would otherwise fingerprint every text again (tokens and telltales,
as costly as normalising) only for the writer to find it unchanged. Looking up each batch's ids
through an index on ``documents`` (external_id, content_hash) costs the same whatever the archive's size,
where reading every stored pair at the start of a run was a scan of the table of texts.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from archive.errors import StoreError
from archive.storefile import connect_readonly

# (external id, content hash) pairs of a batch -> the pairs among them that the store holds.
StoredLookup = Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]]

# Ids per query, under the 999 host parameters that SQLite builds before 3.32 allow.
_CHUNK = 900

# The covering index (migration 0002) answers this without reading the rows: content_hash sits
# after text in a row, so reaching it through the unique index on external_id alone would read
# every matched text's overflow pages. SQLite's planner prefers the unique index, hence the hint.
_HELD = ("SELECT external_id, content_hash FROM documents "
         "INDEXED BY ix_documents_external_id_content_hash WHERE external_id IN ({marks})")


class StoredTexts:
    """A :data:`StoredLookup` over the store at ``path``, read-only.

    The reader runs in a forked child, which must not share its parent's SQLite connection, so
    each process opens its own on first use. Each lookup is its own read: it sees every batch the
    writer has committed by then, and a text that changes after the look is fingerprinted by the
    writer (see ``store_writer``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        ids = list(dict.fromkeys(external_id for external_id, _ in pairs))
        held: set[tuple[str, str]] = set()
        try:
            conn = self._connection()
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                rows = conn.execute(_HELD.format(marks=",".join("?" * len(chunk))), chunk)
                held.update((external_id, digest) for external_id, digest in rows)
        except (sqlite3.Error, StoreError):
            # Only a saving: the writer checks every text against the rows themselves, and
            # reports a damaged or locked store as it does for any write.
            return set()
        return {pair for pair in pairs if pair in held}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn = connect_readonly(self.path)
            self._pid = os.getpid()
        return self._conn

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None


def nothing_stored(pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The lookup for a store that is new or not on disk: every text gets its fingerprint."""
    return set()
