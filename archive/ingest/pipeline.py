"""The ingest workflow: prepared batches -> store (one transaction each) -> index.

Interface-agnostic: the CLI passes a progress callback; nothing here prints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, insert, update

from archive.ingest.prepare import (Batch, PreparedDoc, make_missing_fingerprints, prepare_in_background,
                                    prepared_batches)
from archive.ingest.records import InputNaming, RecordFailure
from archive.ingest.store_writer import COUNTED_NOTES, write_batch
from archive.ingest.stored_texts import StoredLookup, StoredTexts, nothing_stored
from archive.models import Document, IngestRun, utcnow
from archive.provenance import FINGERPRINT_VERSION

runs = IngestRun.__table__
documents = Document.__table__


@dataclass
class IngestSummary:
    run_id: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[RecordFailure] = field(default_factory=list)
    unknown_fields: dict[str, set[str]] = field(default_factory=dict)
    # Records that took another's external id (see store_writer.BatchOutcome), in words.
    replaced_elsewhere: list[str] = field(default_factory=list)
    repeated_ids: list[str] = field(default_factory=list)
    summaries_only: int = 0  # feed entries stored with only their feed's summary of the article
    unreadable_dates: int = 0  # records stored undated: their date could not be read
    first_unreadable_date: str | None = None  # the first of them, in words
    mended_records: int = 0  # records stored with U+FFFD for lone surrogates
    first_mended_record: str | None = None  # the first of them, in words
    merged_rows: int = 0  # table rows that seem to hold the next rows (a quote left open)
    first_merged_row: str | None = None  # the first of them, in words
    repeated_columns: int = 0  # table rows with cells of a column named as an earlier one
    first_repeated_column: str | None = None  # the first of them, in words
    extra_cells: int = 0  # table rows with cells past the header's names
    first_extra_cells: str | None = None  # the first of them, in words
    skipped: list[str] = field(default_factory=list)  # files inside folders of no format read here
    origins: set[str] = field(default_factory=set)  # input files seen so far (for progress)
    provenance: Any = None  # ProvenanceChange when provenance was refreshed
    # Seconds per stage: read, normalize, fingerprint, analyse (in the reader process when it
    # runs in the background), waiting (for the reader's next batch; without a reader process,
    # the reading itself), fingerprint_writer (the fingerprints the reader left to the writer),
    # store, index (feeding the index writer), commit (writing the index's new segment),
    # provenance; and "wall" for the whole call.
    seconds: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.failed

    @property
    def status(self) -> str:
        """How the run ended, having read all its inputs: ``ok``, or ``partial`` when some failed."""
        return "partial" if self.failures else "ok"


ProgressCallback = Callable[[IngestSummary], None]
# Gets (document id, prepared doc, is new) for what a committed batch added or changed.
AfterBatch = Callable[[list[tuple[int, PreparedDoc, bool]]], None]


def batches_for(paths: Sequence[str], stdin: BinaryIO | None, background: bool,
                stored: StoredLookup = nothing_stored, naming: InputNaming = InputNaming()) -> Iterable[Batch]:
    # stdin belongs to this process, so it is read here; files are read by a child process.
    if background and "-" not in paths:
        return prepare_in_background(paths, stored, naming)
    return prepared_batches(paths, stdin=stdin, stored=stored, naming=naming)


def stored_texts(engine: Engine) -> StoredTexts | None:
    """The reader's lookup of texts the store holds; None for a store that is not a file."""
    database = engine.url.database
    return StoredTexts(Path(database)) if database and database != ":memory:" else None


def run_ingest(
    engine: Engine,
    paths: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    after_batch: AfterBatch | None = None,
    progress: ProgressCallback | None = None,
    background: bool = True,
    naming: InputNaming = InputNaming(),
) -> IngestSummary:
    """Ingest ``paths``; ``after_batch`` gets what each committed batch added or changed;
    ``naming``: the publisher of the records that name none, a prefix for their ids. A run
    stopped here is recorded as it ended; one that read all its inputs stays ``running`` for
    the caller to record (``mark_run(..., summary.status)``) once what follows the batches (the
    index's commit, provenance) is done too."""
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(runs).returning(runs.c.id),
            {"arguments": json.dumps(list(paths)), "started_at": utcnow(), "status": "running"},
        ).scalar_one()
    summary = IngestSummary(run_id=run_id)
    stopped: str | None = None  # how an error stopped the run (None: read to the end)
    stored = stored_texts(engine)
    try:
        batches = iter(batches_for(paths, stdin, background, stored or nothing_stored, naming))
        while True:
            waiting = time.perf_counter()
            batch = next(batches, None)
            summary.add_time("waiting", time.perf_counter() - waiting)
            if batch is None:
                break
            for stage, seconds in batch.seconds.items():
                summary.add_time(stage, seconds)
            started = time.perf_counter()
            if make_missing_fingerprints(batch):  # before the transaction: it holds the store's lock
                summary.add_time("fingerprint_writer", time.perf_counter() - started)
            summary.origins.update(
                item.origin if isinstance(item, RecordFailure) else item.record.origin for item in batch.items
            )
            started = time.perf_counter()
            with engine.begin() as conn:
                outcome = write_batch(conn, run_id, batch, FINGERPRINT_VERSION)
                added, updated = len(outcome.added), len(outcome.updated)
                conn.execute(
                    update(runs).where(runs.c.id == run_id).values(
                        added=runs.c.added + added,
                        updated=runs.c.updated + updated,
                        unchanged=runs.c.unchanged + outcome.unchanged,
                        failed=runs.c.failed + len(outcome.failures),
                    )
                )
            summary.add_time("store", time.perf_counter() - started)
            summary.added += added
            summary.updated += updated
            summary.unchanged += outcome.unchanged
            summary.failures += outcome.failures
            for origin, names in outcome.unknown_fields.items():
                summary.unknown_fields.setdefault(origin, set()).update(names)
            summary.replaced_elsewhere += outcome.replaced_elsewhere
            summary.repeated_ids += outcome.repeated_ids
            summary.summaries_only += outcome.summaries_only
            for count, first in COUNTED_NOTES:
                setattr(summary, count, getattr(summary, count) + getattr(outcome, count))
                setattr(summary, first, getattr(summary, first) or getattr(outcome, first))
            if after_batch and outcome.written:
                started = time.perf_counter()
                after_batch(outcome.written)
                summary.add_time("index", time.perf_counter() - started)
            if progress:
                progress(summary)
    except BaseException as error:
        stopped = ending(error)
        raise
    finally:
        if stored is not None:
            stored.close()
        if stopped is not None:
            mark_run(engine, run_id, stopped)
    return summary


def mark_run(engine: Engine, run_id: int, status: str) -> None:
    """Record how the run ended: ``ok``, ``partial`` (some inputs failed), ``aborted`` (an
    error stopped it) or ``interrupted`` (Ctrl-C)."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(status=status, finished_at=utcnow()))


def mark_killed_runs(engine: Engine) -> None:
    """Record the runs still ``running`` as ``killed``, their end time unknown (NULL). Only for
    a caller holding the home's write lock: an ingest holds it until it has recorded its end,
    so a run still ``running`` then is one whose process died first (SIGKILL, a crash, a power
    cut) or could not write its end (another program held the database)."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.status == "running").values(status="killed"))


def ending(error: BaseException) -> str:
    """The status of a run stopped by ``error``, while reading its inputs or after (while the
    index committed or provenance was linked): ``interrupted`` by Ctrl-C, else ``aborted``."""
    return "interrupted" if isinstance(error, KeyboardInterrupt) else "aborted"
