"""Keeping the Whoosh index in step with the store.

The store commits first and records what the index still owes in ``index_queue``; the index
commits next, then the queue rows go. A crash between the two leaves rows that the next write
(or ``archive index check``) applies, so the index never silently drifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from archive.models import Document, IndexQueue
from archive.search.index import Drift, SearchIndex
from archive.search.schema import IndexDoc

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
        with engine.begin() as conn:
            conn.execute(delete(index_queue).where(index_queue.c.document_id.in_(ids)))
        done += len(ids)


def store_hashes(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {row.id: row.content_hash for row in conn.execute(select(documents.c.id, documents.c.content_hash))}


@dataclass
class IndexCheck:
    drift: Drift
    documents: int
    indexed: int
    repaired: int = 0


def check(engine: Engine, index: SearchIndex, *, repair: bool) -> IndexCheck:
    if repair:
        drain_queue(engine, index)
    hashes = store_hashes(engine)
    drift = index.check(hashes)
    result = IndexCheck(drift=drift, documents=len(hashes), indexed=index.doc_count())
    if repair and not drift.ok:
        result.repaired = index.repair(drift, lambda ids: fetch_index_docs(engine, ids))
    return result


def rebuild(engine: Engine, path: object) -> SearchIndex:
    with engine.begin() as conn:
        conn.execute(delete(index_queue))
    docs: Iterable[IndexDoc] = all_index_docs(engine)
    return SearchIndex.rebuild(path, docs)  # type: ignore[arg-type]
