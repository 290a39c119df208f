"""The reader process leaves a batch's fingerprints to the writer when the writer is idle: the
store must hold the same fingerprints either way, a text the store already holds must not be
fingerprinted for nothing, and a text that cannot be fingerprinted is that record's failure."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from archive.api import Archive
from archive.ingest import prepare
from archive.ingest.prepare import PreparedDoc, fingerprint_bytes, make_missing_fingerprints, prepared_batches
from archive.ingest.records import RawRecord
from archive.models import Document, Fingerprint
from fixtures.search.corpus import build_corpus


def _write_corpus(path: Path, size: int = 120) -> None:
    records = [{"id": doc.external_id, "title": doc.title, "text": doc.text, "source": doc.source, "url": doc.url}
               for doc in (r.doc for r in build_corpus(size, seed=11))]
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")


def _stored_fingerprints(archive: Archive) -> dict[str, bytes]:
    with archive.engine.connect() as conn:
        rows = conn.execute(select(Document.external_id, Fingerprint.data)
                            .join(Fingerprint, Fingerprint.document_id == Document.id))
        return {external_id: bytes(data) for external_id, data in rows}


def test_fingerprints_left_to_the_writer_are_the_readers(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    _write_corpus(path, 10)
    turns = itertools.cycle([False, True])  # every other batch left to the writer
    batches = list(prepared_batches([str(path)], batch_size=3, with_fingerprints=lambda: next(turns)))
    docs = [item for batch in batches for item in batch.items]
    assert len(batches) == 4 and all(isinstance(doc, PreparedDoc) for doc in docs)
    left = [doc for batch in batches[::2] for doc in batch.items]
    assert left and all(doc.fingerprint is None and not doc.held for doc in left)
    assert all(doc.fingerprint is not None for batch in batches[1::2] for doc in batch.items)
    for batch in batches:
        make_missing_fingerprints(batch)
    assert all(doc.fingerprint == fingerprint_bytes(doc.record) for doc in docs)


def test_a_text_the_store_holds_is_not_fingerprinted_by_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    _write_corpus(path, 4)
    (first,) = prepared_batches([str(path)], with_fingerprints=lambda: False)
    every_text = {(doc.record.external_id, doc.content_hash) for doc in first.items if isinstance(doc, PreparedDoc)}
    (batch,) = prepared_batches([str(path)], stored=lambda keys: set(keys) & every_text,
                                with_fingerprints=lambda: False)
    make_missing_fingerprints(batch)
    assert len(batch.items) == 4
    assert all(isinstance(doc, PreparedDoc) and doc.held and doc.fingerprint is None for doc in batch.items)


@pytest.mark.parametrize("writer_idle", [True, False])
def test_an_ingest_stores_the_same_fingerprints_whoever_makes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer_idle: bool) -> None:
    path = tmp_path / "in.jsonl"
    _write_corpus(path)
    with Archive(tmp_path / "alone") as archive:
        archive.ingest([str(path)], background=False, provenance=False)  # one process: the reader's way
        expected = _stored_fingerprints(archive)
    monkeypatch.setattr(prepare, "_writer_is_idle", lambda out: writer_idle)
    with Archive(tmp_path / "shared") as archive:
        summary = archive.ingest([str(path)], background=True, provenance=False)
        assert summary.added == 120 and not summary.failures
        assert ("fingerprint_writer" in summary.seconds) == writer_idle
        assert _stored_fingerprints(archive) == expected


def test_a_text_the_writer_cannot_fingerprint_is_that_records_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "in.jsonl"
    _write_corpus(path, 5)
    broken = json.loads(path.read_text(encoding="utf-8").splitlines()[2])["id"]
    real = prepare.fingerprint_bytes

    def fingerprint_or_fail(record: RawRecord) -> bytes:
        if record.external_id == broken:
            raise ValueError("no tokens to fingerprint")
        return real(record)

    # Every batch is left to the writer, so only the writer meets the failing text.
    monkeypatch.setattr(prepare, "_writer_is_idle", lambda out: True)
    monkeypatch.setattr(prepare, "fingerprint_bytes", fingerprint_or_fail)
    with Archive(tmp_path / "home") as archive:
        summary = archive.ingest([str(path)], background=True, provenance=False)
        stored = _stored_fingerprints(archive)
    assert summary.added == 4
    (failure,) = summary.failures
    assert failure.origin == str(path) and failure.record_ref == "3"
    assert "no tokens to fingerprint" in failure.reason
    assert broken not in stored and len(stored) == 4


def test_the_writer_counts_as_idle_only_when_no_batch_waits_for_it() -> None:
    import multiprocessing as mp

    out = mp.get_context("fork").Queue()
    assert prepare._writer_is_idle(out)
    out.put(("batch", None))  # (counted at once: qsize reads the queue's semaphore, not its pipe)
    assert not prepare._writer_is_idle(out)

    class NoSize:  # macOS: a queue that cannot say how full it is
        def qsize(self) -> int:
            raise NotImplementedError

    assert not prepare._writer_is_idle(NoSize())  # then the reader fingerprints everything itself
