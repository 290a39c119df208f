"""Computing provenance over the store and writing it back as a minimal diff.

The provenance library is pure; this module feeds it the stored documents and fingerprints and
writes links, stories, attributions and flags in one transaction. Rows that did not change are
left alone (ids stay stable), so re-running on an unchanged archive writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, exists, insert, or_, select, update

from archive.models import Attribution, Document, DocumentFlag, Fingerprint, ProvenanceLink, Story
from archive.provenance import FINGERPRINT_VERSION, METHOD_VERSION, DocInput, ProvenanceResult, build
from archive.provenance import Fingerprint as ProvFingerprint

documents = Document.__table__
fingerprints = Fingerprint.__table__
links_table = ProvenanceLink.__table__
stories_table = Story.__table__
attributions_table = Attribution.__table__
flags_table = DocumentFlag.__table__


@dataclass
class ProvenanceChange:
    documents: int
    links: int
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    fingerprints_computed: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


def load_inputs(conn: Connection) -> Iterator[tuple[DocInput, bytes | None]]:
    query = (
        select(
            documents.c.id, documents.c.text, documents.c.title, documents.c.published_at,
            documents.c.source, documents.c.url, fingerprints.c.data,
        )
        .outerjoin(
            fingerprints,
            (fingerprints.c.document_id == documents.c.id)
            & (fingerprints.c.method_version == FINGERPRINT_VERSION),
        )
        .order_by(documents.c.id)
    )
    for row in conn.execution_options(yield_per=2000).execute(query):
        doc = DocInput(id=row.id, text=row.text, title=row.title, published_at=row.published_at,
                       source=row.source, url=row.url)
        yield doc, row.data


def compute(engine: Engine) -> tuple[ProvenanceResult, int, int]:
    """Provenance of the whole archive; returns the result, the document count and how many
    fingerprints had to be computed (missing or from an older method version)."""
    docs: list[DocInput] = []
    prints: dict[int, ProvFingerprint] = {}
    with engine.connect() as conn:
        for doc, data in load_inputs(conn):
            docs.append(doc)
            if data is not None:
                prints[doc.id] = ProvFingerprint.from_bytes(data)
    missing = len(docs) - len(prints)
    return build(docs, prints), len(docs), missing


def _link_row(link: Any) -> dict[str, Any]:
    return {
        "derived_id": link.derived_id, "source_id": link.source_id, "relation": link.relation,
        "score": min(1.0, max(0.0, round(float(link.score), 6))),
        "direction_confidence": min(1.0, max(0.0, round(float(link.direction_confidence), 6))),
        # Through JSON and back, so it compares equal to what the database returns.
        "evidence": json.loads(json.dumps(link.evidence, sort_keys=True, default=str)),
        "method_version": METHOD_VERSION,
    }


def write(conn: Connection, result: ProvenanceResult, n_docs: int) -> ProvenanceChange:
    change = ProvenanceChange(documents=n_docs, links=len(result.links))
    wanted = {(l.derived_id, l.source_id): _link_row(l) for l in result.links}
    present = {
        (row.derived_id, row.source_id): row
        for row in conn.execute(select(links_table))
    }
    compared = ("relation", "score", "direction_confidence", "evidence", "method_version")
    for key, row in present.items():
        if key not in wanted:
            conn.execute(delete(links_table).where(links_table.c.id == row.id))
            change.deleted += 1
        elif any(getattr(row, name) != wanted[key][name] for name in compared):
            conn.execute(update(links_table).where(links_table.c.id == row.id).values(wanted[key]))
            change.updated += 1
    new_rows = [row for key, row in wanted.items() if key not in present]
    if new_rows:
        conn.execute(insert(links_table), new_rows)
        change.inserted += len(new_rows)

    _replace_if_changed(
        conn, stories_table, ("document_id", "story_id"),
        [{"document_id": d, "story_id": s} for d, s in sorted(result.story_of.items())],
    )
    _replace_if_changed(
        conn, attributions_table, ("document_id", "outlet", "phrase", "start", "end"),
        [{"document_id": a.doc_id, "outlet": a.outlet, "phrase": a.phrase, "start": a.start, "end": a.end}
         for a in result.attributions],
    )
    flag_rows = [
        {"document_id": doc_id, "flag": flag, "evidence": result.doc_evidence.get(doc_id, {})}
        for doc_id, names in sorted(result.flags.items()) for flag in names
    ]
    _replace_if_changed(conn, flags_table, ("document_id", "flag", "evidence"), flag_rows)
    return change


def _replace_if_changed(conn: Connection, table: Any, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Small derived tables are replaced wholesale, but only when their content differs."""
    key = lambda r: tuple(str(r[c]) for c in columns)  # noqa: E731
    current = sorted(key(r._mapping) for r in conn.execute(select(*[table.c[c] for c in columns])))
    if current == sorted(key(r) for r in rows):
        return
    conn.execute(delete(table))
    if rows:
        conn.execute(insert(table), rows)


def is_stale(engine: Engine) -> bool:
    """True when some document has no story yet (added or changed by a run killed before its
    provenance step) or stored links come from another version of the method."""
    unlinked = select(documents.c.id).where(documents.c.id.not_in(select(stories_table.c.document_id)))
    outdated = select(links_table.c.id).where(links_table.c.method_version != METHOD_VERSION)
    with engine.connect() as conn:
        return bool(conn.execute(select(or_(exists(unlinked), exists(outdated)))).scalar())


def refresh(engine: Engine) -> ProvenanceChange:
    """Recompute provenance for the whole archive and store what changed, in one transaction."""
    result, n_docs, missing = compute(engine)
    with engine.begin() as conn:
        change = write(conn, result, n_docs)
    change.fingerprints_computed = missing
    return change
