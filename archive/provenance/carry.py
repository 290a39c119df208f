"""What linking derives from texts alone, carried from one chunk of a linking run to the next.

A recomputation in chunks (archive.provenance_store) links each chunk's neighbourhood in an index
of its own, and the neighbourhoods of chunks overlap: in articles that share passages most
documents are recomputed by several chunks, and the further the run, the more of a chunk's
neighbourhood lies anywhere in the archive before it (200,000 recombined articles: ~11 documents
held per new one). A document's analysis, and an aligned pair's features (all but the cosine,
which each chunk sets from its own candidate index), depend only on the texts, so a later chunk
takes them from here instead of computing them again: the links are the same. When every chunk
searches one index of the whole archive (``whole``), a pair's cosine and the word frequencies
that its decision reads are the same in every chunk too, so its decision is carried as well:
late in a large run most of a chunk's pairs were decided by earlier chunks (200,000 recombined
articles: ~17,000 of a chunk's ~24,000), and deciding them again was most of its cost.

They are kept pickled in a private temporary SQLite file for the whole run (deleted when it is
closed), not in memory: every document and pair is then analysed or aligned once per run, and
the run's memory does not grow with what is kept (SQLite's page cache is capped at
``CACHE_KB``). On disk about 3.5 KB a document (its analysis and share of the pairs and their
decisions; ~2.5 KB without decisions).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

_PROTOCOL = pickle.HIGHEST_PROTOCOL
# SQLite's page cache for the file (kB): what is read back is mostly a few pages per document,
# scattered over the archive, so a larger cache would hold little that is read again soon; and
# the cache is in the heap, which every worker forked maps too (a full 16 MB cache held up to
# ~10 MB of resident pages in the linking process, and as many in each worker).
CACHE_KB = 2_048
_IN_CHUNK = 900  # ids per IN (...) list, under SQLite's default variable limit


class Carried:
    """Per-document analyses and per-pair features of one linking run, by id."""

    def __init__(self, whole: bool = False) -> None:
        """``whole``: every index of the run takes cosines and word frequencies from one index of
        the whole archive, so pair decisions hold for the whole run and are kept (see
        :meth:`decisions`)."""
        self.whole = whole
        # "": a private temporary database on disk, removed when the connection closes.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE analyses (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        self._db.execute("CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, data BLOB NOT NULL, "
                         "PRIMARY KEY (a, b)) WITHOUT ROWID")
        self._db.execute("CREATE TABLE decisions (a INTEGER NOT NULL, b INTEGER NOT NULL, data BLOB NOT NULL, "
                         "PRIMARY KEY (a, b)) WITHOUT ROWID")
        self._db.execute("CREATE TEMP TABLE wanted (a INTEGER NOT NULL, b INTEGER NOT NULL)")
        # What the latest update took from here and what it had to compute, for reports and tests.
        self.reused_analyses = 0
        self.reused_pairs = 0
        self.computed_analyses = 0
        self.computed_pairs = 0
        self.reused_decisions = 0
        self.computed_decisions = 0

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Carried:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def analyses(self, doc_ids: Sequence[int]) -> dict[int, Any]:
        """The kept analyses of those of ``doc_ids`` that have one."""
        return {doc_id: pickle.loads(data) for doc_id, data in self._analysis_rows("id, data", doc_ids)}

    def analysed(self, doc_ids: Sequence[int]) -> set[int]:
        """Those of ``doc_ids`` that have a kept analysis (read without unpickling it)."""
        return {doc_id for (doc_id,) in self._analysis_rows("id", doc_ids)}

    def _analysis_rows(self, columns: str, doc_ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
        for chunk in _chunks(list(doc_ids)):
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"SELECT {columns} FROM analyses WHERE id IN ({marks})", chunk)

    def pairs(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Any]:
        """The kept features of those of the pairs ``keys`` that have them."""
        return self._by_pair("pairs", keys)

    def decisions(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Any]:
        """The kept decisions of those of the pairs ``keys`` that have one (None is a decision:
        the pair is unrelated). Only a ``whole`` run keeps any."""
        return self._by_pair("decisions", keys)

    def _by_pair(self, table: str, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Any]:
        out: dict[tuple[int, int], Any] = {}
        if not keys:
            return out
        with self._transaction():
            self._db.execute("DELETE FROM wanted")
            self._db.executemany("INSERT INTO wanted VALUES (?, ?)", keys)
            rows = self._db.execute(f"SELECT p.a, p.b, p.data FROM wanted w JOIN {table} p ON p.a = w.a AND p.b = w.b")
            for a, b, data in rows:
                out[(a, b)] = pickle.loads(data)
        return out

    def keep_analyses(self, analyses: Mapping[int, Any]) -> None:
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?)",
                                 ((doc_id, pickle.dumps(a, protocol=_PROTOCOL)) for doc_id, a in analyses.items()))

    def keep_pairs(self, features: Mapping[tuple[int, int], Any]) -> None:
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)",
                                 ((a, b, pickle.dumps(f, protocol=_PROTOCOL)) for (a, b), f in features.items()))

    def keep_decisions(self, decisions: Mapping[tuple[int, int], Any]) -> None:
        if not self.whole:
            raise ValueError("pair decisions hold for the whole run only when it has one whole-archive index")
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?)",
                                 ((a, b, pickle.dumps(d, protocol=_PROTOCOL)) for (a, b), d in decisions.items()))

    def counts(self) -> tuple[int, int]:
        """(analyses, pairs) kept."""
        return (self._db.execute("SELECT count(*) FROM analyses").fetchone()[0],
                self._db.execute("SELECT count(*) FROM pairs").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for lo in range(0, len(ids), _IN_CHUNK):
        yield ids[lo:lo + _IN_CHUNK]
