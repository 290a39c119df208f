"""What a chunked linking run reads from the whole archive's candidate index instead of doing
again: candidate pools kept across chunks (candidates.PoolBook) give exactly the lists a search
of the whole index among the documents up to each chunk gives, and a chunk's own index takes its
pair cosines from the whole one's rows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from archive.provenance.candidates import POOL_K, CandidateIndex, PoolBook
from archive.provenance.features import WORD, Tokens


def _tokens(words: list[int]) -> Tokens:
    n = len(words)
    return Tokens(np.array(words, dtype=np.int64), np.full(n, WORD, dtype=np.uint8),
                  np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32) + 1)


def _docs(n_docs: int, stock: int, most: int) -> list[tuple[int, Tokens]]:
    """Documents of up to ``most`` "paragraphs" drawn from a shared ``stock``, as the scale
    articles are: most documents share terms with far more than POOL_K others, and with a small
    stock many are the same text (their scores tie)."""
    rng = random.Random(7)
    paragraphs = [[rng.randrange(3000) for _ in range(rng.randrange(3, 12))] for _ in range(stock)]
    return [(1000 + k, _tokens([w for p in rng.sample(paragraphs, rng.randrange(1, most + 1)) for w in p]))
            for k in range(n_docs)]


def _archive(n_docs: int, stock: int, most: int) -> CandidateIndex:
    index = CandidateIndex()
    index.add_many(_docs(n_docs, stock, most))
    return index


@pytest.mark.parametrize(("stock", "most"), [(150, 4), (25, 2)])
def test_pools_kept_across_chunks_give_the_lists_of_a_whole_search(stock: int, most: int) -> None:
    index = _archive(700, stock, most)
    book = PoolBook(len(index))
    rng = random.Random(3)
    with index.searching():
        lo = 0
        for size in (150, 40, 1, 90, 200, 219):
            new = index.ids[lo:lo + size]
            among = lo + size
            book.start = lo
            # The chunk's documents are searched, offer themselves to older pools, are held ...
            searched = index.pools(new, among, book)
            book.take_offers(list(range(lo, among)), [offers for _, offers in searched])
            book.hold(list(range(lo, among)), [pool for pool, _ in searched])
            # ... and older documents read their lists from the book (some first searched now).
            older = sorted(rng.sample(index.ids[:lo], min(lo, 60)))
            unheld = [d for d in older if not book.held[index.row_of[d]]]
            book.hold([index.row_of[d] for d in unheld], [pool for pool, _ in index.pools(unheld, among)])
            pools = [book.pool(index.row_of[d]) for d in older + new]
            searched = [pool for pool, _ in index.pools(older + new, among)]
            assert [(c.tolist(), s.tolist()) for c, s in pools] == [(c.tolist(), s.tolist()) for c, s in searched]
            assert index.ranked(older + new, pools) == index.neighbours(older + new, among=among)
            lo = among
    assert book.held.sum() == len(index)
    # The pools are full and their scores tie often: the order of ties is part of what is checked.
    assert (book.cols[:, -1] >= 0).mean() > 0.5
    assert any(len(set(book.scores[row].tolist())) < POOL_K for row in range(len(index)))


def test_a_part_of_a_prepared_background_takes_its_cosines_and_indexes_only_to_search() -> None:
    docs = _docs(300, 150, 4)
    whole = CandidateIndex()
    whole.add_many(docs)
    a, b = [d for d, _ in docs[100:140]], [d for d, _ in docs[160:200]]
    expected = whole.pair_cosines(a, b)
    with whole.searching():
        part = CandidateIndex(background=whole)
        part.add_many(docs[100:140] + docs[160:200])
        assert len(part) == 0  # nothing indexed: the background's rows serve
        assert np.array_equal(part.pair_cosines(a, b), expected)
        with pytest.raises(ValueError):
            part.add_many(docs[100:101])
        with part.searching():
            found = part.neighbours(a[:5] + b[:5], k=8)
            # Searched again, the part reuses the background's columns it took for its rows.
            held = part._background_held
            fresh = CandidateIndex(background=whole)
            fresh.add_many(docs[100:140] + docs[160:200])
            assert part.neighbours(a[5:9], k=8) == fresh.neighbours(a[5:9], k=8)
            assert held is not None and part._background_held is held
        assert len(part) == 0 and all(other in a + b for d in a[:5] for other, _ in found[d])
    # Outside the background's search, a part indexes what it is given at once, and searches
    # among its own documents as the part read from the background did.
    own = CandidateIndex(background=whole)
    own.add_many(docs[100:140] + docs[160:200])
    assert len(own) == 80 and own.neighbours(a[:5] + b[:5], k=8) == found


def test_a_part_searched_again_and_again_sees_the_documents_added_since() -> None:
    # A chunk's family rules search its neighbourhood one text at a time; what the part keeps of
    # its documents' rows in the background between searches goes when documents are added.
    docs = _docs(300, 150, 4)
    whole = CandidateIndex()
    whole.add_many(docs)
    with whole.searching():
        part = CandidateIndex(background=whole)
        part.add_many(docs[100:140])
        probe = [docs[100][0]]
        before = part.neighbours(probe, k=8)[probe[0]]
        part.add_many(docs[140:200])
        after = part.neighbours(probe, k=8)[probe[0]]
        fresh = CandidateIndex(background=whole)
        fresh.add_many(docs[100:200])
        assert after == fresh.neighbours(probe, k=8)[probe[0]]
        added = {d for d, _ in docs[140:200]}
        assert any(other in added for other, _ in after) and not any(other in added for other, _ in before)
        assert len(part) == 0, "premise: still read from the background"


def test_an_index_whose_rows_are_released_searches_as_before() -> None:
    kept, released = _archive(400, 150, 4), _archive(400, 150, 4)
    ids = kept.ids[::7]
    with kept.searching(), released.searching():
        released.release_rows()
        assert released.ids.typecode == "q" and list(released.ids) == kept.ids  # (an array, not a list)
        for among in (None, 200):
            ours = [(c.tolist(), s.tolist()) for (c, s), _ in released.pools(ids, among)]
            assert ours == [(c.tolist(), s.tolist()) for (c, s), _ in kept.pools(ids, among)]
            assert released.neighbours(ids, among=among) == kept.neighbours(ids, among=among)
        with pytest.raises(RuntimeError):
            released.matrix()


@pytest.mark.parametrize(("block", "cap"), [(16, 60), (7, 25), (64, 10_000)])
def test_sizing_a_chunk_leaves_the_pools_a_search_up_to_its_end_gives(monkeypatch: pytest.MonkeyPatch,
                                                                       block: int, cap: int) -> None:
    """provenance_store._chunk_size searches each block of the next documents among those up to
    the block's end and keeps the pools in the book, where the chunk reads them instead of
    searching again: they (and the older pools the chunk's documents entered) must be the pools
    of a search among the documents up to the chunk's end, wherever the cut falls (at a block's
    end, inside one, or not at all)."""
    from archive import provenance_store

    monkeypatch.setattr(provenance_store, "_SIZING_BLOCK", block)
    monkeypatch.setattr(provenance_store, "MAX_SCOPE_DOCS", cap)
    index = _archive(400, 60, 3)
    book = PoolBook(len(index))
    sizes = []
    with index.searching():
        lo = 0
        while lo < len(index):
            size = provenance_store._chunk_size(index, index.ids[lo:lo + 120], book)
            sizes.append(size)
            end = lo + size
            assert book.held[:end].all() and not book.held[end:].any()
            pools = [book.pool(row) for row in range(end)]
            searched = [pool for pool, _ in index.pools(index.ids[:end], end)]
            assert [(c.tolist(), s.tolist()) for c, s in pools] == [(c.tolist(), s.tolist()) for c, s in searched]
            lo = end
    # The cuts fell inside blocks and at their ends, or the chunks took all they were offered.
    assert sum(sizes) == len(index)
    if cap < 10_000:
        assert len({size % block for size in sizes}) > 1
    else:
        assert set(sizes[:-1]) == {120}


@pytest.mark.parametrize("threads", [2, 3])
def test_pools_searched_on_threads_are_those_of_one_thread(monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    from archive.provenance import candidates

    index = _archive(700, 25, 2)
    book = PoolBook(len(index))
    book.hold(list(range(100)), [pool for pool, _ in index.pools(index.ids[:100], 100)])
    made = []
    real = candidates._products
    monkeypatch.setattr(candidates, "_products", lambda left, right: (made.append(len(left)), real(left, right))[1])

    def search(n: int) -> list:
        with index.searching():
            return [(c.tolist(), s.tolist(), None if o is None else [x.tolist() for x in o])
                    for (c, s), o in index.pools(index.ids[100:], 650, book)]

    monkeypatch.setattr(candidates, "cores_free", lambda: 1)
    alone = search(1)
    assert set(made) == {1}
    made.clear()
    monkeypatch.setattr(candidates, "cores_free", lambda: threads)
    assert search(threads) == alone
    assert max(made) == threads, "the products ran on several threads"


def test_work_inside_a_forked_map_starts_no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import parallel

    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    assert parallel.cores_free() == 2
    inside = parallel.map_shares_forked(lambda share: [parallel.cores_free() for _ in share], list(range(8)))
    assert inside == [1] * 8 and parallel.cores_free() == 2


def test_columns_read_as_rows_by_lookup_are_scipys_column_selection() -> None:
    """A released index reads a document's capped row back from the inverted index by looking up
    each of its terms there (_columns_as_rows), not by scipy's column selection, which reads the
    whole inverted index for every search: the arrays must be the same, whatever order the
    columns are asked in, for columns with no entry too, and however many rows ``among`` names
    beyond those holding an entry."""
    import scipy.sparse as sp

    from archive.provenance.candidates import _columns_as_rows

    rng = np.random.default_rng(3)
    matrix = sp.random(300, 500, density=0.02, format="csr", random_state=4, dtype=np.float32)
    matrix.data[::11] = 0.0  # explicit zeros are entries too
    cols = rng.permutation(500)[:120]
    cols[5] = cols[9]  # asked twice
    held = matrix.T.tocsr()[cols]
    # Every row holding an entry of the column (explicit zeros too), and others.
    among = (sp.csr_matrix((np.ones(held.nnz, np.int8), held.indices, held.indptr), shape=held.shape)
             + sp.random(120, 300, density=0.05, format="csr", random_state=5, dtype=np.float32)).tocsr()
    ours = _columns_as_rows(matrix, cols, among)
    theirs = matrix[:, cols].T.tocsr()
    assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data) and ours.data.dtype == theirs.data.dtype
    assert ours.shape == theirs.shape
    # In a released index: each document's capped row as scipy's selection gives it.
    index = _archive(300, 120, 4)
    with index.searching():
        index.release_rows()
        search = index._search
        assert search is not None
        rows = np.array([index.row_of[d] for d in index.ids[::5][::-1]], dtype=np.int64)
        ours = index._capped_rows(rows, search)
        theirs = search.inverted[:, rows].T.tocsr()
        assert (np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
                and np.array_equal(ours.data, theirs.data))


@pytest.mark.parametrize("rows", [50_000, 3_000_000])
def test_pool_entries_are_ordered_as_a_lexsort_of_pool_score_and_document_orders_them(rows: int) -> None:
    """PoolBook merges offers into pools by one sort of a one-number key (_pool_order); beyond
    the rows the key holds it falls back on the lexsort it stands for."""
    from archive.provenance.candidates import _pool_order

    rng = np.random.default_rng(11)
    n = 200_000
    pairs = np.unique(rng.integers(0, rows, size=(n, 2)), axis=0)  # (pool, document) once each
    to, by = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int32)
    score = np.round(rng.random(to.shape[0]).astype(np.float32), 6)
    score[::5] = np.float32(0.25)  # ties go to the lower document
    score[::97] = np.round(np.float32(1.0000004), 6)  # a cosine a little over 1
    score[::89] = np.float32(0.0)
    ours, theirs = _pool_order(to, score, by), np.lexsort((by, -score, to))
    assert np.array_equal(ours, theirs)
