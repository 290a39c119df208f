"""A chunked linking run ranks the candidate pools it keeps (candidates.PoolBook) with the full
cosines it computed when it last ranked them, computing only those of documents that entered a
pool since (CandidateIndex.ranked_in_book): every list must be the list a fresh search of the
whole index among the documents up to the chunk gives, and the run must link exactly as one
that computes every cosine again."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance.candidates import CandidateIndex, PoolBook
from archive.provenance.features import WORD, Tokens

FIXTURES = Path(__file__).parent / "fixtures" / "provenance"


def _archive(n_docs: int, stock: int, most: int) -> CandidateIndex:
    """Documents made of up to ``most`` "paragraphs" from a shared ``stock`` (as the scale
    articles are): pools fill up and later documents keep entering older pools."""
    rng = random.Random(11)
    paragraphs = [[rng.randrange(3000) for _ in range(rng.randrange(3, 12))] for _ in range(stock)]
    index = CandidateIndex()
    docs = []
    for k in range(n_docs):
        words = [w for p in rng.sample(paragraphs, rng.randrange(1, most + 1)) for w in p]
        n = len(words)
        docs.append((1000 + k, Tokens(np.array(words, dtype=np.int64), np.full(n, WORD, dtype=np.uint8),
                                      np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32) + 1)))
    index.add_many(docs)
    return index


def _pool(book: PoolBook, row: int) -> tuple[list[int], list[float]]:
    cols, scores = book.pool(row)
    return cols.tolist(), scores.tolist()


@pytest.mark.parametrize(("block", "cap", "stock", "todo"), [(16, 60, 60, 120), (8, 10_000, 400, 20)])
def test_pools_ranked_with_kept_cosines_give_the_lists_of_a_fresh_search(monkeypatch: pytest.MonkeyPatch, block: int,
                                                                         cap: int, stock: int, todo: int) -> None:
    monkeypatch.setattr(provenance_store, "_SIZING_BLOCK", block)
    monkeypatch.setattr(provenance_store, "MAX_SCOPE_DOCS", cap)
    index = _archive(400, stock, 3)
    book = PoolBook(len(index))
    rng = random.Random(5)
    # Lists whose pools were ranked before and entered since: ranked with some cosines kept
    # and some new.
    mixed = 0
    with index.searching():
        lo = 0
        while lo < len(index):
            size = provenance_store._chunk_size(index, index.ids[lo:lo + todo], book)
            end = lo + size
            new = index.ids[lo:end]
            book.start = lo
            # As a chunk asks: its new documents first, then older ones of its core.
            older = sorted(rng.sample(index.ids[:lo], min(lo, 80)))
            for doc_ids, offer in ((new, True), (older, False)):
                kept = ~np.isnan(book.cosines[[index.row_of[d] for d in doc_ids]])
                known = (book.cols[[index.row_of[d] for d in doc_ids]] >= 0) & kept
                got = provenance_store._ranked(index, doc_ids, end, book, offer=offer)
                assert got == index.neighbours(doc_ids, among=end)
                rows = [index.row_of[d] for d in doc_ids]
                # Every cosine of every pool ranked is kept now, and equal to a fresh one.
                held = book.cols[rows] >= 0
                assert not np.isnan(book.cosines[rows][held]).any()
                pools = [book.pool(row) for row in rows]
                fresh = index.ranked(doc_ids, pools, k=40)
                assert [sorted(c for _, c in fresh[d]) for d in doc_ids] == [
                    sorted(np.round(book.cosines[row][held[i]].astype(np.float64), 6).tolist())
                    for i, row in enumerate(rows)]
                mixed += int((known.any(axis=1) & (known.sum(axis=1) < held.sum(axis=1))).sum())
            lo = end
    assert book.cosines_reused > book.cosines_computed > 0 and mixed > 50


def test_a_pool_keeps_the_cosines_of_the_documents_that_stay_in_it() -> None:
    index = _archive(120, 40, 2)
    book = PoolBook(len(index))
    with index.searching():
        book.start = 60
        first = index.pools(index.ids[:60], 60)
        book.hold(list(range(60)), [pool for pool, _ in first])
        assert np.isnan(book.cosines[:60]).all()  # (rows not held are never read)
        assert index.ranked_in_book(index.ids[:60], book) == index.ranked(index.ids[:60], [p for p, _ in first])
        before = {row: dict(zip(book.pool(row)[0].tolist(), book.cosines[row].tolist())) for row in range(60)}
        later = index.pools(index.ids[60:], 120, book)
        book.take_offers(list(range(60, 120)), [offers for _, offers in later])
        entered = 0
        for row in range(60):
            for col, cosine in zip(book.pool(row)[0].tolist(), book.cosines[row].tolist()):
                if col >= 60:
                    entered += 1
                    assert np.isnan(cosine)
                else:
                    assert cosine == before[row][col]
        assert entered > 0
        reused = book.cosines_reused
        assert index.ranked_in_book(index.ids[:60], book) == index.neighbours(index.ids[:60], among=120)
        assert book.cosines_reused > reused
        # A pool held anew forgets its cosines.
        book.hold([0], [index.pools(index.ids[:1], 30)[0][0]])
        assert np.isnan(book.cosines[0]).all()
        assert index.ranked_in_book(index.ids[:1], book) == index.neighbours(index.ids[:1], among=30)


def _stored(archive: Archive) -> list[list[tuple[str, ...]]]:
    with archive.engine.connect() as conn:
        rows = [conn.exec_driver_sql(sql).all() for sql in (
            "SELECT derived_id, source_id, relation, score, direction_confidence, evidence, method_version FROM provenance",
            "SELECT document_id, story_id FROM stories", "SELECT document_id, flag, evidence FROM document_flags",
            "SELECT document_id, outlet, phrase, start, \"end\" FROM attributions")]
    return [sorted(tuple(map(str, r)) for r in table) for table in rows]


def _recombined(folder: Path, n_docs: int) -> None:
    """``n_docs`` articles of sentences drawn from the fixtures (as the scale articles draw
    Reuters paragraphs): many share sentences, so pools fill up and only some of them change
    from chunk to chunk."""
    rng = random.Random(1987)
    sentences = [s.strip() + "." for path in sorted(FIXTURES.glob("*.txt"))
                 for s in path.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s.split()) > 5]
    for k in range(n_docs):
        body = " ".join(rng.sample(sentences, rng.randrange(2, 6)))
        (folder / f"article_{k:03d}.txt").write_text(body, encoding="utf-8")


def test_a_chunked_run_with_kept_cosines_links_as_one_that_computes_them_all_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 30)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 20)
    folder = tmp_path / "docs"
    folder.mkdir()
    _recombined(folder, 120)
    reused = []
    ranked_in_book = CandidateIndex.ranked_in_book

    def counted(self: CandidateIndex, doc_ids: list[int], book: PoolBook, k: int = 12) -> dict:
        before = book.cosines_reused
        found = ranked_in_book(self, doc_ids, book, k)
        reused.append(book.cosines_reused - before)
        return found

    monkeypatch.setattr(CandidateIndex, "ranked_in_book", counted)
    with Archive(tmp_path / "kept") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        with_kept = _stored(archive)
    # Linked in chunks, and cosines were taken from the book.
    assert with_kept[0] and change.examined > 120 and sum(reused) > 0

    def forgetting(self: CandidateIndex, doc_ids: list[int], book: PoolBook, k: int = 12) -> dict:
        book.cosines[:] = np.nan  # (so every cosine is computed again)
        return ranked_in_book(self, doc_ids, book, k)

    monkeypatch.setattr(CandidateIndex, "ranked_in_book", forgetting)
    with Archive(tmp_path / "ranked") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        archive.refresh_provenance()
        assert _stored(archive) == with_kept
