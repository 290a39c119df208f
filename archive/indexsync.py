"""Keeping the Whoosh index in step with the store.

The store commits first and records what the index still owes in ``index_queue``; the index
commits next, then the queue rows go. A crash between the two leaves rows that the next write
(or ``archive index check``) applies, so the index never silently drifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select

from archive.ingest.prepare import PreparedDoc
from archive.models import Document, IndexQueue
from archive.search.index import Drift, SearchIndex
from archive.search.document import IndexDoc
from archive.search.schema import to_fields

documents = Document.__table__
index_queue = IndexQueue.__table__
INDEX_COLUMNS = (
    documents.c.id, documents.c.external_id, documents.c.title, documents.c.text,
    documents.c.author, documents.c.source, documents.c.url, documents.c.language,
    documents.c.published_at, documents.c.content_hash,
)
CHUNK = 500


def _index_doc(row: object) -> IndexDoc:
    return IndexDoc(**{column.name: getattr(row, column.name) for column in INDEX_COLUMNS})


def fetch_index_docs(engine: Engine, ids: list[int]) -> list[IndexDoc]:
    found: list[IndexDoc] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = conn.execute(select(*INDEX_COLUMNS).where(documents.c.id.in_(chunk)))
            found += [_index_doc(row) for row in rows]
    return found


def all_index_docs(engine: Engine) -> Iterator[IndexDoc]:
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=CHUNK).execute(
            select(*INDEX_COLUMNS).order_by(documents.c.id)
        )
        for row in result:
            yield _index_doc(row)


def drain_queue(engine: Engine, index: SearchIndex) -> int:
    """Apply every pending index change; returns how many documents it touched."""
    done = 0
    while True:
        with engine.connect() as conn:
            pending = conn.execute(
                select(index_queue.c.document_id, index_queue.c.operation)
                .order_by(index_queue.c.document_id)
                .limit(CHUNK)
            ).all()
        if not pending:
            return done
        ids = [row.document_id for row in pending]
        upserts = fetch_index_docs(engine, [r.document_id for r in pending if r.operation == "upsert"])
        present = {doc.id for doc in upserts}
        gone = [i for i in ids if i not in present]  # deleted, or deleted since it was queued
        if gone:
            index.delete(gone)
        if upserts:
            index.replace(upserts)
        _dequeue(engine, ids)
        done += len(ids)


def _dequeue(engine: Engine, ids: list[int]) -> None:
    """Delete the queue rows of documents whose index entries are committed."""
    with engine.begin() as conn:
        for start in range(0, len(ids), CHUNK):
            conn.execute(delete(index_queue).where(index_queue.c.document_id.in_(ids[start : start + CHUNK])))


def store_hashes(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {row.id: row.content_hash for row in conn.execute(select(documents.c.id, documents.c.content_hash))}


@dataclass
class IndexCheck:
    drift: Drift
    documents: int
    indexed: int
    repaired: int = 0
    older_word_rule: bool = False  # built before this version's word rule: rebuild it
    # Changes queued in index_queue (a killed run's, or edits made in SQL) applied before comparing.
    applied: int = 0
    postings_read: int | None = None  # with ``deep``: every posting was read, this many
    queued: int = 0  # without repair: changes in index_queue the index has not taken yet

    @property
    def ok(self) -> bool:
        return self.drift.ok and not self.queued


def check(engine: Engine, index: SearchIndex, *, repair: bool, deep: bool = False) -> IndexCheck:
    """Compare the index with the store (``repair``: apply the queue first, then mend the
    drift); ``deep``: first read all of the index, so damage inside its files is found too."""
    applied = drain_queue(engine, index) if repair else 0
    with engine.connect() as conn:
        queued = conn.execute(select(func.count()).select_from(index_queue)).scalar_one()
    postings_read = index.read_everything() if deep else None
    hashes = store_hashes(engine)
    indexed = index.doc_count()
    # An index with no segments yet (created, nothing committed) has no columns to read.
    drift = index.check(hashes) if indexed else Drift(tuple(sorted(hashes)), (), ())
    if indexed != len(hashes) - len(drift.missing) + len(drift.extra):
        # Some id is indexed twice (e.g. the store was replaced and re-ingested under the old
        # index): the id -> hash comparison cannot see that, so treat those ids as stale.
        twice = _indexed_twice(index)
        stale = tuple(sorted({*drift.stale, *(i for i in twice if i in hashes)}))
        extra = tuple(sorted({*drift.extra, *(i for i in twice if i not in hashes)}))
        drift = Drift(drift.missing, stale, extra)
    result = IndexCheck(drift=drift, documents=len(hashes), indexed=indexed, older_word_rule=index.older_word_rule(),
                        applied=applied, postings_read=postings_read, queued=queued)
    if repair and not drift.ok:
        result.repaired = index.repair(drift, lambda ids: fetch_index_docs(engine, ids))
    return result


def _indexed_twice(index: SearchIndex) -> set[int]:
    seen: set[int] = set()
    twice: set[int] = set()
    with index.view() as view:
        reader = view.reader()
        ids = reader.column_reader("id")
        for docnum in reader.all_doc_ids():
            doc_id = int(ids[docnum])
            (twice if doc_id in seen else seen).add(doc_id)
    return twice


def forget_foreign_entries(engine: Engine, index: SearchIndex) -> int:
    """Repair the index first when it holds another number of documents than the store.

    The ingest adds new documents to the index without a delete pass, which is only right while
    the index holds no id the store has not assigned. That fails when the store was replaced
    under an existing index (a damaged file moved away, an older backup restored): the new ids
    would be indexed twice. Counting both sides is cheap; the full check runs only on a mismatch.
    """
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(documents)).scalar_one()
    if index.doc_count() == stored:
        return 0
    return check(engine, index, repair=True).repaired


def rebuild(engine: Engine, path: object) -> SearchIndex:
    with engine.begin() as conn:
        conn.execute(delete(index_queue))
    docs: Iterable[IndexDoc] = all_index_docs(engine)
    return SearchIndex.rebuild(path, docs)  # type: ignore[arg-type]


def index_doc_from_prepared(doc_id: int, doc: PreparedDoc) -> IndexDoc:
    record = doc.record
    return IndexDoc(
        id=doc_id, external_id=record.external_id, title=record.title, text=record.text,
        author=record.author, source=record.source, url=record.url, language=record.language,
        published_at=record.published_at, content_hash=doc.content_hash,
    )


class IndexFeeder:
    """Feeds what each store batch committed to one Whoosh writer for the whole ingest.

    One writer and a commit every ``commit_every`` documents (instead of one per batch) keeps
    Whoosh from writing and merging dozens of small segments. Safe because the store already
    holds the work in ``index_queue``: a crash before an index commit leaves queue rows that
    the next write applies.
    """

    def __init__(self, engine: Engine, index: SearchIndex, *, commit_every: int = 20_000) -> None:
        self.engine = engine
        self.index = index
        self.commit_every = commit_every
        self._writer_cm: Any = None
        self._writer: Any = None
        self._pending: list[int] = []
        forget_foreign_entries(engine, index)  # new documents are added without a delete pass

    def feed(self, written: list[tuple[int, PreparedDoc, bool]]) -> None:
        if self._writer is None:
            self._writer_cm = self.index.writer()
            self._writer = self._writer_cm.__enter__()
        for doc_id, doc, is_new in written:
            if not is_new:
                self._writer.delete_by_term("id", str(doc_id))
            self._writer.add_document(**to_fields(index_doc_from_prepared(doc_id, doc), doc.postings))
            self._pending.append(doc_id)
        if len(self._pending) >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        if self._writer is None:
            return
        cm, self._writer_cm, self._writer = self._writer_cm, None, None
        cm.__exit__(None, None, None)  # commits
        done, self._pending = self._pending, []
        _dequeue(self.engine, done)

    def cancel(self, exc: BaseException) -> None:
        if self._writer is not None:
            cm, self._writer_cm, self._writer = self._writer_cm, None, None
            cm.__exit__(type(exc), exc, exc.__traceback__)  # cancels; queue rows stay for repair
            self._pending = []

    def __enter__(self) -> IndexFeeder:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.commit()
            return
        if isinstance(exc, Exception):
            # Batches the store committed before the error are good: index them too.
            try:
                self.commit()
                return
            except Exception:
                pass
        self.cancel(exc)  # an interrupt, or the index itself failed: the queue keeps the work
