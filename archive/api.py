"""The library's front door: :class:`Archive` owns a home folder, its store and its index.

Heavy modules (SQLAlchemy, Alembic, the ingest and provenance code) are imported inside the
methods that need them, so a search or a show starts in a fraction of a second.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from archive.config import Home, resolve_home
from archive.readstore import (NO_SOURCE, UNDATED, DocumentRecord, Families, Family, NearText, ReadStore, RefKind,
                               ranked)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from archive.db import StoreReport
    from archive.indexsync import IndexCheck
    from archive.ingest.pipeline import IngestSummary, ProgressCallback
    from archive.provenance_store import ProvenanceChange
    from archive.removal import Removal
    from archive.search.index import SearchIndex
    from archive.search.searcher import SearchResults


class Archive:
    def __init__(self, home: Home | str | Path | None = None, *, lock_wait: float = 60.0) -> None:
        self.home = home if isinstance(home, Home) else resolve_home(home)
        self.lock_wait = lock_wait
        self._engine: Engine | None = None

    # -- store -------------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The read-write engine; opening it creates or migrates the database."""
        if self._engine is None:
            from archive.db import open_store

            self._engine = open_store(self.home.db_path)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_lock(self):  # type: ignore[no-untyped-def]
        from archive.locking import write_lock

        return write_lock(self.home.lock_path, wait=self.lock_wait)

    def _require_archive(self) -> None:
        """Refuse a home without an archive before anything (the lock file, the store) is made in
        it: a check, repair or rebuild of nothing would create an empty database and compare the
        index with that."""
        from archive.storefile import require_archive

        require_archive(self.home.db_path)

    def upgrade(self) -> StoreReport:
        """Create or migrate the database, then check it."""
        from archive.db import check_store

        with self._write_lock():
            return check_store(self.engine)

    def check_store(self) -> StoreReport:
        """Check the database without writing to it: a missing, foreign, older or newer one is
        reported as such (as a search reports it), not created or migrated."""
        from archive.db import check_store, open_readonly

        engine = open_readonly(self.home.db_path)
        try:
            return check_store(engine)
        finally:
            engine.dispose()

    def reader(self) -> ReadStore:
        return ReadStore(self.home.db_path)

    # -- ingest ------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        stdin: BinaryIO | None = None,
        progress: ProgressCallback | None = None,
        background: bool = True,
        provenance: bool = True,
        default_source: str | None = None,
        id_prefix: str | None = None,
    ) -> IngestSummary:
        """Ingest files, folders or stdin (``-``); then update the index and provenance.
        ``default_source``: the publisher of the records that name none (a folder of one outlet's
        articles); a document stored without a publisher takes it too. ``id_prefix``: put before
        every external id (``PREFIX:ID``), for inputs that number their records like others.
        ``paths``: a list of paths, or one (a string is one path, not its characters)."""
        from archive import indexsync, provenance_store
        from archive.ingest.pipeline import ending, mark_killed_runs, mark_run, run_ingest
        from archive.ingest.records import InputNaming
        from archive.search.index import SearchIndex

        started = time.perf_counter()
        paths = [os.fspath(paths)] if isinstance(paths, (str, os.PathLike)) else [os.fspath(p) for p in paths]
        with self._write_lock():
            engine = self.engine
            mark_killed_runs(engine)  # left `running` by processes that died: a live one would hold the lock
            index = SearchIndex.open_or_create(self.home.index_path)
            indexsync.drain_queue(engine, index)  # what a killed run left undone
            summary: IngestSummary | None = None
            try:
                with indexsync.IndexFeeder(engine, index) as feeder:
                    summary = run_ingest(
                        engine, paths, stdin=stdin, progress=progress, background=background,
                        after_batch=feeder.feed, naming=InputNaming(default_source, id_prefix),
                    )
                    committing = time.perf_counter()
                summary.add_time("commit", time.perf_counter() - committing)
                if provenance and (summary.added or summary.updated or provenance_store.is_stale(engine)):
                    linked = time.perf_counter()
                    summary.provenance = provenance_store.update(engine)
                    summary.add_time("provenance", time.perf_counter() - linked)
            except BaseException as error:
                if summary is not None:  # (run_ingest records its own end when it is the one stopped)
                    mark_run(engine, summary.run_id, ending(error))
                raise
            # Only now: a run reads `ok` when its documents are searchable and linked too.
            mark_run(engine, summary.run_id, summary.status)
        from archive.ingest.readers import skipped_files

        summary.skipped = skipped_files(paths)
        summary.add_time("wall", time.perf_counter() - started)
        return summary

    def remove(self, refs: Sequence[str | int], *, dry_run: bool = False, provenance: bool = True,
               by: RefKind = None) -> Removal:
        """Remove documents (ids or external ids) with their links, fingerprints and index entries,
        all or nothing; then link again the documents that were linked to them. ``dry_run``: only
        say what would go. ``by``: every reference is a document id ("id") or an external id
        ("external_id"); without it, one that is either, naming two documents, removes nothing."""
        from archive import indexsync, provenance_store, removal
        from archive.search.index import SearchIndex

        wanted = removal.clean_refs(str(ref) for ref in refs)
        with self.reader():  # a missing archive is the error to report, not one to create
            pass
        with self._write_lock():  # (a dry run too: opening the store may migrate it)
            engine = self.engine
            if dry_run:
                with engine.connect() as conn:
                    return removal.plan(conn, removal.resolve(conn, wanted, by))
            result = removal.remove_documents(engine, wanted, by)
            indexsync.drain_queue(engine, SearchIndex.open_or_create(self.home.index_path))
            if provenance:
                result.provenance = provenance_store.update(engine)
        return result

    # -- provenance --------------------------------------------------------------------------
    def also_named(self, ref: str | int) -> tuple[DocumentRecord, DocumentRecord | None]:
        """The document ``ref`` names (an id first), and the other one whose external id it is
        when it is both (ReadStore.named_too)."""
        with self.reader() as store:
            doc = store.document(ref)
            return doc, store.named_too(ref, doc)

    def family(self, ref: str | int) -> Family:
        with self.reader() as store:
            return store.family(ref)

    def families(self, limit: int | None = 50) -> Families:
        """The ``limit`` largest families (None: all) and how many there are."""
        with self.reader() as store:
            return store.families(limit=limit)

    def nearest(self, ref: str | int, k: int = 10) -> tuple[DocumentRecord, list[NearText]]:
        """The document ``ref`` and the ``k`` stored texts nearest it as linking's candidate
        search ranks them, each with what provenance says of the two (linked, one story, or
        neither): leads where provenance found no source. Reads every stored fingerprint."""
        from archive import provenance_store
        from archive.db import open_readonly

        engine = open_readonly(self.home.db_path)
        try:
            with self.reader() as store:
                focus = store.document(ref)
                return focus, store.near_texts(focus.id, provenance_store.nearest(engine, focus.id, k))
        finally:
            engine.dispose()

    def refresh_provenance(self) -> ProvenanceChange:
        """Recompute provenance for the whole archive; stores only what changed."""
        from archive import provenance_store

        self._require_archive()
        with self._write_lock():
            return provenance_store.refresh(self.engine)

    # -- index -------------------------------------------------------------------------------
    def search_index(self) -> SearchIndex:
        from archive.search.index import SearchIndex

        return SearchIndex.open(self.home.index_path)

    def rebuild_index(self) -> int:
        """Build a fresh index from the store beside the old one and swap it in."""
        from archive import indexsync

        self._require_archive()
        with self._write_lock():
            return indexsync.rebuild(self.engine, self.home.index_path).doc_count()

    def check_index(self, *, repair: bool = True, deep: bool = False) -> IndexCheck:
        """Compare the index with the store; ``repair``: bring the index in step. Without
        repair nothing is written, so an archive this user may only read can be checked.
        ``deep``: read every posting and stored document too (IndexStateError if damaged)."""
        from archive import indexsync
        from archive.db import open_readonly
        from archive.locking import lock_if_writable
        from archive.search.index import SearchIndex

        self._require_archive()
        if repair:
            with self._write_lock():
                engine = self.engine  # the store first: a foreign or damaged file is the error to report
                return indexsync.check(engine, SearchIndex.open(self.home.index_path), repair=True, deep=deep)
        # (The reader opens the store first: a foreign or damaged file is the error to report, as above.)
        with lock_if_writable(self.home.lock_path, wait=self.lock_wait), self.reader():
            engine = open_readonly(self.home.db_path)
            try:
                return indexsync.check(engine, SearchIndex.open(self.home.index_path), repair=False, deep=deep)
            finally:
                engine.dispose()

    def count(self, query: str, **options: Any) -> int:
        """How many documents match ``query`` (options: ``since``, ``until``)."""
        return self.counted(query, **options).total

    def counted(self, query: str, **options: Any) -> SearchResults:
        """``count`` as results without hits, with the warnings ``search`` would give."""
        from archive.search.searcher import counted

        with self.reader() as store:  # a missing, foreign, newer or damaged store is the error to report
            hidden, changed = store.pending_index()
            results = counted(self.search_index(), query, hidden=hidden, **options)
        results.warnings.extend(_index_lag(hidden, changed))
        return results

    def search(self, query: str, *, collapse: bool = False, **options: Any) -> SearchResults:
        """Run a query (see the README's query language); options as ``searcher.search``.
        Each hit says which copy family it belongs to; ``collapse``: one hit per family."""
        from archive.search.searcher import search

        with self.reader() as store:  # the store first: its problems explain an index's
            hidden, changed = store.pending_index()
            results = search(self.search_index(), query, texts_for=store.texts, families_for=store.copy_families,
                             collapse=store.copy_roots if collapse else None, hidden=hidden, **options)
        results.warnings.extend(_index_lag(hidden, changed))
        return _counting_missing(results) if results.facets else results

    # -- look --------------------------------------------------------------------------------
    def document(self, ref: str | int, *, by: RefKind = None) -> DocumentRecord:
        with self.reader() as store:
            return store.document(ref, by)

    def document_with_provenance(self, ref: str | int, *, by: RefKind = None
                                 ) -> tuple[DocumentRecord, dict[str, Any], DocumentRecord | None]:
        """A document (``by``: ``ref`` is only that kind of reference, else an id first), what
        provenance says of it (ReadStore.provenance_of), and the other document ``ref`` names
        when it is one's id and another's external id, found by the id."""
        with self.reader() as store:
            doc = store.document(ref, by)
            return doc, store.provenance_of(doc.id), store.named_too(ref, doc) if by is None else None

    def failures(self, run: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        with self.reader() as store:
            return store.failures(run, limit)

    def stats(self) -> dict[str, Any]:
        with self.reader() as store:
            return store.counts()


def _index_lag(deleted: list[int], changed: int) -> list[str]:
    """What a search should say of the changes the index has not taken yet (ReadStore.pending_index)."""
    said = []
    if changed:
        said.append(f"{changed} document(s) added or changed in the database are not in the search index yet "
                    "(an ingest still running, or an edit made in SQL): `archive index check` takes them in")
    if deleted:
        # (Left out of every search, which costs each one a query of them: noticeable by thousands.)
        said.append(f"{len(deleted)} document(s) deleted from the database are still in the search index, left out "
                    "of the results: `archive index check` removes them")
    return said


# A facet's bucket for the matches without a value, named as `archive stats` names them.
_FACET_MISSING = {"source": NO_SOURCE, "year": UNDATED}


def _counting_missing(results: SearchResults) -> SearchResults:
    """``results`` with each facet counting the matches that have no value in it too (no
    publisher, no date): the index counts values only, and a facet that leaves matches out
    does not add up to the total. Each match has at most one value, so the rest are those."""
    from archive.search.searcher import SearchResults

    facets = {}
    for name, counts in results.facets.items():
        missing = results.total - sum(n for _, n in counts)
        facets[name] = ranked([*counts, (None, missing)], _FACET_MISSING[name]) if missing > 0 else counts
    return SearchResults(results.total, results.hits, facets, results.suggestion, results.warnings)
