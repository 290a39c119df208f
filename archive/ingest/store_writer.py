"""Write one prepared batch to the store in one transaction.

A batch's documents, fingerprints, index to-do rows and failures commit together or not at all,
so an ingest killed at any point leaves whole documents only, and re-running it completes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from archive.errors import place
from archive.ingest.normalize import detect_languages
from archive.ingest.prepare import Batch, PreparedDoc, fingerprint_bytes
from archive.ingest.records import RawRecord, RecordFailure
from archive.models import Document, Fingerprint, IngestFailure, Story, utcnow
from archive.names import shown

documents = Document.__table__
fingerprints = Fingerprint.__table__
failures_table = IngestFailure.__table__
stories = Story.__table__


@dataclass
class BatchOutcome:
    # (document id, prepared doc, is new) for everything added or changed: what the index needs.
    written: list[tuple[int, PreparedDoc, bool]] = field(default_factory=list)
    unchanged: int = 0
    failures: list[RecordFailure] = field(default_factory=list)
    unknown_fields: dict[str, set[str]] = field(default_factory=dict)
    # Records whose external id was another record's: what each replaced, in words.
    replaced_elsewhere: list[str] = field(default_factory=list)  # a document read from another file
    repeated_ids: list[str] = field(default_factory=list)  # an earlier record of this batch
    # Feed entries stored (added or changed) whose feed carried only a summary of the article.
    summaries_only: int = 0
    # Records stored undated because their date could not be read (raw_meta.published_raw), and
    # the first of them in words.
    unreadable_dates: int = 0
    first_unreadable_date: str | None = None
    # Records stored with U+FFFD for lone surrogates (raw_meta.lone_surrogates_replaced), the first in words.
    mended_records: int = 0
    first_mended_record: str | None = None
    # Table rows that seem to hold the next rows, merged by a quote left open (raw_meta.unclosed_quote).
    merged_rows: int = 0
    first_merged_row: str | None = None
    # Table rows with cells no field took, kept in raw_meta: those of a column named as an earlier
    # one (repeated_columns), and those past the header's names (extra_cells); the first of each.
    repeated_columns: int = 0
    first_repeated_column: str | None = None
    extra_cells: int = 0
    first_extra_cells: str | None = None

    @property
    def added(self) -> list[int]:
        return [doc_id for doc_id, _, is_new in self.written if is_new]

    @property
    def updated(self) -> list[int]:
        return [doc_id for doc_id, _, is_new in self.written if not is_new]


def _document_row(doc: PreparedDoc, now: datetime) -> dict[str, Any]:
    record = doc.record
    meta = dict(record.extra)
    if record.record_ref:
        meta.setdefault("record_ref", record.record_ref)
    return {
        "external_id": record.external_id,
        "path": record.origin,
        "format": record.fmt,
        "title": record.title,
        "author": record.author,
        "source": record.source,
        "url": record.url,
        "published_at": record.published_at,
        "language": record.language,
        "text": record.text,
        "content_hash": doc.content_hash,
        "raw_meta": meta,
        "updated_at": now,
    }


_SHOWN_CHARS = 60  # of a value quoted in a note (a "date" may be a number of 400 digits)


# The notes a batch counts, each with its first record in words: (count, first) fields, named
# alike in IngestSummary, which adds up the batches'.
COUNTED_NOTES = (
    ("unreadable_dates", "first_unreadable_date"), ("mended_records", "first_mended_record"),
    ("merged_rows", "first_merged_row"), ("repeated_columns", "first_repeated_column"),
    ("extra_cells", "first_extra_cells"),
)


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…")


def _counted(records: list[RawRecord], said: Callable[[RawRecord], str]) -> tuple[int, str | None]:
    """How many ``records`` a note counts, and the first of them in words: where it is, and
    what ``said`` tells of it (see COUNTED_NOTES)."""
    if not records:
        return 0, None
    return len(records), place(records[0].origin, records[0].record_ref) + said(records[0])


def _table_kept(record: RawRecord, key: str, kind: type) -> bool:
    """Whether the table reader kept cells no field took under ``key`` (a JSON field or a
    column of that name is the input's own, and not of that kind)."""
    return record.fmt == "csv" and isinstance(record.extra.get(key), kind)


def write_batch(conn: Connection, run_id: int, batch: Batch, method_version: str) -> BatchOutcome:
    outcome = BatchOutcome()
    latest: dict[str, PreparedDoc] = {}
    for item in batch.items:
        if isinstance(item, RecordFailure):
            outcome.failures.append(item)
            continue
        if item.record.unknown_fields:
            outcome.unknown_fields.setdefault(item.record.origin, set()).update(item.record.unknown_fields)
        earlier = latest.get(item.record.external_id)
        if earlier is not None:
            outcome.unchanged += 1  # the later record with the same id wins within a batch
            if earlier.content_hash != item.content_hash:
                outcome.repeated_ids.append(
                    f"{place(item.record.origin, item.record.record_ref)} repeats id {item.record.external_id!r} "
                    f"of {place(earlier.record.origin, earlier.record.record_ref)}")
        latest[item.record.external_id] = item

    # Through the rows, not the reader's covering index: these are the rows this batch may
    # update, and a damaged table page surfaces here rather than after the writes.
    existing = {
        row.external_id: row
        for row in conn.execute(
            select(documents.c.id, documents.c.external_id, documents.c.content_hash, documents.c.source,
                   documents.c.path).where(documents.c.external_id.in_(list(latest)))
        )
    } if latest else {}

    now = utcnow()
    new_docs: list[PreparedDoc] = []
    changed: list[tuple[int, PreparedDoc]] = []
    for external_id, doc in latest.items():
        stored = existing.get(external_id)
        if stored is None:
            new_docs.append(doc)
        elif stored.content_hash != doc.content_hash or (stored.source is None and doc.record.source):
            # (A publisher named now for a text stored without one, e.g. by ingest --source,
            # fills the gap: provenance reads it.)
            changed.append((stored.id, doc))
            if stored.path != doc.record.origin and stored.content_hash != doc.content_hash:
                # Two inputs numbering their records alike (1, 2, 3...), or an export saved again
                # under a new name: the text is replaced either way, and the user is told.
                outcome.replaced_elsewhere.append(
                    f"{place(doc.record.origin, doc.record.record_ref)} (id {external_id!r}) replaced the text "
                    f"read from {shown(stored.path)}")
        else:
            outcome.unchanged += 1
    # A text the reader took for one the store held, which changed since: its language was not
    # detected then (prepare._prepare_batch), nor its fingerprint made (below).
    late = [doc for doc in new_docs + [doc for _, doc in changed] if doc.fingerprint is None]
    for doc, record in zip(late, detect_languages([doc.record for doc in late])):
        doc.record = record

    to_write = new_docs + [doc for _, doc in changed]
    outcome.summaries_only = sum(1 for doc in to_write if doc.record.extra.get("text_is_summary"))
    records = [doc.record for doc in to_write]
    outcome.unreadable_dates, outcome.first_unreadable_date = _counted(
        [r for r in records if "published_raw" in r.extra], lambda r: f": {_shown(r.extra['published_raw'])}")
    outcome.mended_records, outcome.first_mended_record = _counted(
        [r for r in records if "lone_surrogates_replaced" in r.extra], lambda r: "")
    outcome.merged_rows, outcome.first_merged_row = _counted(
        [r for r in records if "unclosed_quote" in r.extra], lambda r: f" holds the line {r.extra['unclosed_quote']!r}")
    outcome.repeated_columns, outcome.first_repeated_column = _counted(
        [r for r in records if _table_kept(r, "repeated_columns", dict)],
        lambda r: f": {', '.join(map(_shown, r.extra['repeated_columns']))}")
    outcome.extra_cells, outcome.first_extra_cells = _counted(
        [r for r in records if _table_kept(r, "extra_cells", list)],
        lambda r: f": {_shown(next(c for c in r.extra['extra_cells'] if c.strip()))}")
    if new_docs:
        rows = [_document_row(doc, now) | {"ingested_at": now} for doc in new_docs]
        result = conn.execute(
            insert(documents).returning(documents.c.id, sort_by_parameter_order=True), rows
        )
        outcome.written += [(row.id, doc, True) for row, doc in zip(result, new_docs)]
    for doc_id, doc in changed:
        conn.execute(update(documents).where(documents.c.id == doc_id).values(_document_row(doc, now)))
        outcome.written.append((doc_id, doc, False))
    updated = outcome.updated
    if updated:
        conn.execute(delete(fingerprints).where(fingerprints.c.document_id.in_(updated)))
        # Their provenance is out of date until the next refresh. Without a story row they count
        # as stale, so a run killed before its refresh leaves the work visible to the next run
        # (which finds this content already stored, and so nothing "changed").
        conn.execute(delete(stories).where(stories.c.document_id.in_(updated)))
    if outcome.written:
        conn.execute(insert(fingerprints), [
            # None: the reader took the text for one the store held, which changed since.
            {"document_id": doc_id, "method_version": method_version,
             "data": doc.fingerprint if doc.fingerprint is not None else fingerprint_bytes(doc.record)}
            for doc_id, doc, _ in outcome.written
        ])

    # (The rows written queue their index entries themselves: sqlite_extras.CREATE_EDIT_TRIGGERS.)
    if outcome.failures:
        conn.execute(
            insert(failures_table),
            [
                {"run_id": run_id, "path": f.origin, "record": f.record_ref, "reason": f.reason,
                 "created_at": now}
                for f in outcome.failures
            ],
        )
    return outcome
