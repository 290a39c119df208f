"""Turn input paths into batches of normalised, hashed, fingerprinted articles.

This stage is CPU-bound and independent of the store, so :func:`prepare_in_background` runs it
in a child process while the parent writes the store and the index.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from archive.ingest.normalize import content_hash, detect_languages, normalize_record, without_lone_surrogates
from archive.ingest.readers import iter_records
from archive.ingest.records import InputNaming, RawRecord, RecordFailure
from archive.ingest.stored_texts import StoredLookup, nothing_stored
from archive.provenance import DocInput, fingerprint
from archive.search.schema import Posting, analyse, texts_to_index

BATCH_SIZE = 500


@dataclass
class PreparedDoc:
    record: RawRecord
    content_hash: str
    # None when the reader did not make it: either the store held this text under this id when
    # the reader looked (``held``, see stored_texts: the writer then finds it unchanged, or makes
    # the fingerprint after all), or the writer was idle and makes it itself (see
    # prepared_batches and make_missing_fingerprints).
    fingerprint: bytes | None
    # The text fields' search-index postings (schema.analyse), made by the reader process when
    # the writer is behind it (see prepared_batches); otherwise None and the writer analyses.
    postings: dict[str, list[Posting]] | None = None
    held: bool = False


def fingerprint_bytes(record: RawRecord) -> bytes:
    """The stored provenance fingerprint (tokens and telltales) of a normalised record."""
    doc = DocInput(id=0, text=record.text, title=record.title, published_at=record.published_at,
                   source=record.source, url=record.url)
    return fingerprint(doc).to_bytes()


@dataclass
class Batch:
    items: list[PreparedDoc | RecordFailure] = field(default_factory=list)
    # Seconds spent per stage on this batch ("read", "normalize", "fingerprint"), for benchmarks.
    seconds: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


def prepare_record(raw: RawRecord, batch: Batch | None = None) -> PreparedDoc | RecordFailure:
    started = time.perf_counter()
    record = normalize_record(without_lone_surrogates(raw))
    if batch is not None:
        batch.add_time("normalize", time.perf_counter() - started)
    if not record.text.strip():
        return _emptied(raw)
    return _finish(record, content_hash(record.text), False, batch)


def _emptied(raw: RawRecord) -> RecordFailure:
    return RecordFailure(raw.origin, "no text left after normalisation", raw.record_ref)


def _finish(record: RawRecord, digest: str, stored: bool, batch: Batch | None,
            with_postings: bool = False, with_fingerprint: bool = True) -> PreparedDoc:
    """Fingerprint (if asked) and analyse (if asked) a normalised record, unless the store holds
    its text under its id."""
    if stored:
        return PreparedDoc(record, digest, None, held=True)
    started = time.perf_counter()
    prepared = PreparedDoc(record, digest, fingerprint_bytes(record) if with_fingerprint else None)
    analysed = time.perf_counter()
    if with_postings:
        prepared.postings = analyse(texts_to_index(record.title, record.text, record.author, record.source, record.url))
    if batch is not None:
        batch.add_time("fingerprint", analysed - started)
        batch.add_time("analyse", time.perf_counter() - analysed)
    return prepared


def prepared_batches(
    paths: Sequence[str], stdin: BinaryIO | None = None, batch_size: int = BATCH_SIZE,
    stored: StoredLookup = nothing_stored, with_postings: Callable[[], bool] = lambda: False,
    naming: InputNaming = InputNaming(), with_fingerprints: Callable[[], bool] = lambda: True,
) -> Iterator[Batch]:
    """Batches of prepared records; ``stored`` tells which texts the store holds already, to
    spare their fingerprints: a re-ingest of unchanged files would otherwise read every text's
    tokens and telltales for nothing. ``with_postings``, asked before each batch, says whether
    to analyse its texts for the search index too (work the writer would otherwise do);
    ``with_fingerprints``, asked once a batch is normalised, whether to fingerprint its new texts
    (if not, the writer does: see make_missing_fingerprints).
    ``naming``: the publisher of the records that name none, a prefix for their ids."""
    path_ids = PathIds()
    records = (path_ids.check(naming.apply(item)) for item in iter_records(paths, stdin=stdin))
    while True:
        batch = Batch()
        raws: list[RawRecord | RecordFailure] = []
        started = time.perf_counter()
        for item in records:
            raws.append(item)
            if len(raws) >= batch_size:
                break
        batch.add_time("read", time.perf_counter() - started)
        if not raws:
            return
        yield _prepare_batch(raws, batch, stored, with_postings(), with_fingerprints)


class PathIds:
    """The ids of one run made from paths (records without ids of their own), by the file each
    came from. Two inputs may name two articles alike (``txtA/story.txt`` and ``txtB/story.txt``
    are both ``story.txt``), and the later would silently replace the earlier: it is refused."""

    def __init__(self) -> None:
        self._origins: dict[str, str] = {}

    def check(self, item: RawRecord | RecordFailure) -> RawRecord | RecordFailure:
        if isinstance(item, RecordFailure) or not item.id_from_path:
            return item
        first = self._origins.setdefault(item.external_id, item.origin)
        if first == item.origin:
            return item
        return RecordFailure(
            item.origin, f"its id {item.external_id!r}, made from its path under the folder or file given, is also "
                         f"that of a record of {first}, read earlier in this run; ingest the two separately, "
                         f"each with its own --id-prefix", item.record_ref)


def _prepare_batch(raws: list[RawRecord | RecordFailure], batch: Batch, stored: StoredLookup = nothing_stored,
                   with_postings: bool = False,
                   with_fingerprints: Callable[[], bool] = lambda: True) -> Batch:
    """Normalise each record, hash the texts, ask the store which of them it holds (one lookup
    a batch), detect the missing languages of the others all at once, then fingerprint them. A
    text the store holds under its id is not written again, so its language is not needed (nor
    the language model loaded, ~0.5 s, for a re-ingest of unchanged files)."""
    started = time.perf_counter()
    normalised: list[tuple[RawRecord, str] | RecordFailure] = [
        item if isinstance(item, RecordFailure) else _safe(item, lambda: _normalised_and_hashed(item))
        for item in raws
    ]
    hashed: dict[int, tuple[RawRecord, str]] = {}  # position -> (normalised record, content hash)
    for i, done in enumerate(normalised):
        if not isinstance(done, RecordFailure):
            hashed[i] = done
    batch.add_time("normalize", time.perf_counter() - started)
    started = time.perf_counter()
    held = stored([(record.external_id, digest) for record, digest in hashed.values()])
    batch.add_time("read", time.perf_counter() - started)
    started = time.perf_counter()
    new = [i for i, (record, digest) in hashed.items() if (record.external_id, digest) not in held]
    for i, record in zip(new, detect_languages([hashed[i][0] for i in new])):
        hashed[i] = (record, hashed[i][1])
    batch.add_time("normalize", time.perf_counter() - started)
    fingerprinted = with_fingerprints()
    for i, (raw, item) in enumerate(zip(raws, normalised)):
        if isinstance(item, RecordFailure):
            batch.items.append(item)
            continue
        assert not isinstance(raw, RecordFailure)
        record, digest = hashed[i]
        known = (record.external_id, digest) in held
        batch.items.append(_safe(raw, lambda: _finish(record, digest, known, batch, with_postings, fingerprinted)))
    return batch


def _normalised_and_hashed(raw: RawRecord) -> tuple[RawRecord, str] | RecordFailure:
    """``raw`` normalised (its language left to detect_languages) with its text's hash, or the
    failure of a record whose text normalisation empties."""
    record = normalize_record(without_lone_surrogates(raw), detect_language=False)
    if not record.text.strip():
        return _emptied(raw)
    return record, content_hash(record.text)


def make_missing_fingerprints(batch: Batch) -> int:
    """Fingerprint the new texts the reader left to the writer (see prepared_batches), in place;
    a text that cannot be fingerprinted becomes that record's failure, as in the reader. Returns
    how many texts it fingerprinted or failed."""
    made = 0
    for i, item in enumerate(batch.items):
        if isinstance(item, PreparedDoc) and item.fingerprint is None and not item.held:
            made += 1
            fingerprint = _safe(item.record, lambda: fingerprint_bytes(item.record))
            if isinstance(fingerprint, RecordFailure):
                batch.items[i] = fingerprint
            else:
                item.fingerprint = fingerprint
    return made


def _safe_prepare(raw: RawRecord, batch: Batch) -> PreparedDoc | RecordFailure:
    return _safe(raw, lambda: prepare_record(raw, batch))


def _safe(raw: RawRecord, step: Callable[[], Any]) -> Any:
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 - the last resort: one record's failure, not the run's
        return RecordFailure(raw.origin, f"cannot normalise: {type(exc).__name__}: {exc}", raw.record_ref)


_DONE = "done"
_QUEUED = 4  # batches the reader may get ahead of the writer
_BEHIND = 2  # batches waiting for the writer from which the reader takes on analysis


def _produce(paths: Sequence[str], out: Any, parent: int, stored: StoredLookup, naming: InputNaming) -> None:
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    try:
        for batch in prepared_batches(paths, stored=stored, with_postings=lambda: _writer_is_behind(out),
                                      naming=naming, with_fingerprints=lambda: not _writer_is_idle(out)):
            _put(out, ("batch", batch), parent)
        _put(out, (_DONE, None), parent)
    except BaseException as exc:  # report, don't die silently: the parent turns it into an error
        _put(out, ("error", f"{type(exc).__name__}: {exc}"), parent)


def _writer_is_behind(out: Any) -> bool:
    """Whether batches are waiting for the writer. The two processes share the work of analysing
    texts for the search index: whichever has slack does it (the index is the same either way),
    so neither waits for the other for long."""
    try:
        return bool(out.qsize() >= _BEHIND)
    except NotImplementedError:  # macOS has no qsize: the writer, Whoosh's, is usually the slower
        return True


def _writer_is_idle(out: Any) -> bool:
    """Whether the writer has taken every batch made so far, so is waiting for the next one or
    soon will be. The reader, the slower process when it fingerprints every text, then leaves the
    batch's fingerprints to the writer (the same bytes either way): the two share that work as
    they share the analysis, and the ingest ends sooner (Reuters: the writer idled 6 of 23 s)."""
    try:
        return bool(out.qsize() == 0)
    except NotImplementedError:  # macOS: no qsize, so the reader fingerprints everything, as before
        return False


def _exit_when_orphaned(parent: int) -> None:
    """Stop the reader soon after the writer dies (e.g. killed), wherever the reader is.

    Without this, a reader whose last batches fit the queue would finish and then block for ever
    at exit, flushing them into a pipe nobody reads; and it inherited the writer's ``flock``, so
    the archive would stay locked until someone killed it.
    """
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def _put(out: Any, item: Any, parent: int) -> None:
    while True:
        try:
            out.put(item, timeout=1.0)
            return
        except queue.Full:
            if os.getppid() != parent:  # the writer died (e.g. killed): stop quietly
                os._exit(0)


def prepare_in_background(paths: Sequence[str], stored: StoredLookup = nothing_stored,
                          naming: InputNaming = InputNaming()) -> Iterator[Batch]:
    """Like :func:`prepared_batches`, computed in a child process a few batches ahead (forked:
    ``stored`` is inherited, not sent)."""
    context = mp.get_context("fork")
    out = context.Queue(maxsize=_QUEUED)
    child = context.Process(target=_produce, args=(list(paths), out, os.getpid(), stored, naming),
                            daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=5.0)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError("the reader process died unexpectedly") from None
                continue
            if kind == _DONE:
                break
            if kind == "error":
                raise RuntimeError(f"reading inputs failed: {payload}")
            yield payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)


__all__ = ["BATCH_SIZE", "PreparedDoc", "fingerprint_bytes", "make_missing_fingerprints", "prepare_in_background",
           "prepared_batches"]
