"""A chunked linking run ranks each candidate pool once and keeps the list in the PoolBook until
the pool changes (provenance_store._ranked): every list it hands out must be the list a fresh
search of the whole index among the documents up to the chunk gives, also for documents whose
pools later documents entered after their list was kept, and the run must link exactly as one
that ranks every list again."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance.candidates import TOP_K, CandidateIndex, PoolBook
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
def test_kept_lists_are_those_of_a_fresh_search_while_pools_change(monkeypatch: pytest.MonkeyPatch, block: int,
                                                                    cap: int, stock: int, todo: int) -> None:
    monkeypatch.setattr(provenance_store, "_SIZING_BLOCK", block)
    monkeypatch.setattr(provenance_store, "MAX_SCOPE_DOCS", cap)
    index = _archive(400, stock, 3)
    book = PoolBook(len(index))
    rng = random.Random(5)
    # The pool each row had when its list was last handed out: asked again, a row's pool is the
    # same (the list must come from the book) or was entered since (it must be ranked again).
    handed: dict[int, tuple[list[int], list[float]]] = {}
    kept_reads = changed_reads = 0
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
                for d in doc_ids:
                    row = index.row_of[d]
                    if row in handed:
                        kept_reads += handed[row] == _pool(book, row)
                        changed_reads += handed[row] != _pool(book, row)
                got = provenance_store._ranked(index, doc_ids, end, book, offer=offer)
                assert got == index.neighbours(doc_ids, among=end)
                assert all(book.is_ranked[index.row_of[d]] for d in doc_ids)
                handed.update((index.row_of[d], _pool(book, index.row_of[d])) for d in doc_ids)
            lo = end
    # Both cases happened: lists read from the book, and lists of pools entered since kept.
    assert kept_reads > 50 and changed_reads > 50


def test_a_pool_changed_after_its_list_was_kept_is_ranked_again() -> None:
    index = _archive(120, 40, 2)
    book = PoolBook(len(index))
    with index.searching():
        book.start = 60
        first = index.pools(index.ids[:60], 60)
        book.hold(list(range(60)), [pool for pool, _ in first])
        lists = index.ranked(index.ids[:60], [pool for pool, _ in first])
        book.keep_ranked(list(range(60)), [lists[d] for d in index.ids[:60]], index.row_of)
        assert all(book.ranked(row, index.ids) == lists[index.ids[row]] for row in range(60))
        later = index.pools(index.ids[60:], 120, book)
        book.take_offers(list(range(60, 120)), [offers for _, offers in later])
        entered = [row for row in range(60) if not book.is_ranked[row]]
        assert entered and len(entered) < 60
        for row in entered:
            with pytest.raises(KeyError):
                book.ranked(row, index.ids)
        now = index.neighbours(index.ids[:60], among=120)
        assert all(book.ranked(row, index.ids) == now[index.ids[row]] for row in range(60) if row not in entered)
        with pytest.raises(ValueError):
            book.keep_ranked([0], [[(index.ids[1], 0.5)] * (TOP_K + 1)], index.row_of)


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


def test_a_chunked_run_with_kept_lists_links_as_one_that_ranks_every_list_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 30)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 20)
    folder = tmp_path / "docs"
    folder.mkdir()
    _recombined(folder, 120)
    # Lists kept when a chunk was sized, lists ranked when a chunk asked for them, lists read.
    sized, ranked_when_asked, read = [], [], []
    asking = [False]
    keep_ranked, ranked, asked = PoolBook.keep_ranked, PoolBook.ranked, provenance_store._ranked

    def counted_keep(self: PoolBook, rows: list[int], lists: list, row_of: dict) -> None:
        (ranked_when_asked if asking[0] else sized).extend(rows)
        keep_ranked(self, rows, lists, row_of)

    def counted_read(self: PoolBook, row: int, ids: list[int]) -> list:
        read.append(row)
        return ranked(self, row, ids)

    def counted_ask(*args: object, **kwargs: object) -> dict:
        asking[0] = True
        try:
            return asked(*args, **kwargs)
        finally:
            asking[0] = False

    monkeypatch.setattr(PoolBook, "keep_ranked", counted_keep)
    monkeypatch.setattr(PoolBook, "ranked", counted_read)
    monkeypatch.setattr(provenance_store, "_ranked", counted_ask)
    with Archive(tmp_path / "kept") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        with_kept = _stored(archive)
    # Linked in chunks; the new documents' lists ranked when their chunk was sized were read
    # from the book, not ranked again.
    assert with_kept[0] and change.examined > 120 and sized
    assert len(read) - len(ranked_when_asked) >= 100

    def forgetting(self: PoolBook, row: int, ids: list[int]) -> list:
        found = ranked(self, row, ids)
        self.is_ranked[row] = False  # (so every list is ranked again when asked for)
        return found

    monkeypatch.setattr(PoolBook, "ranked", forgetting)
    with Archive(tmp_path / "ranked") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        archive.refresh_provenance()
        assert _stored(archive) == with_kept
