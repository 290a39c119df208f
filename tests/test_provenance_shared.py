"""What a chunked linking run holds for the whole archive, and how little of it a forked worker
takes in with the fork."""

from __future__ import annotations

import mmap
import os
import sys

import numpy as np
import pytest

from archive.provenance.candidates import POOL_K, AscendingRows, CandidateIndex, PoolBook
from archive.provenance.features import WORD, Tokens
from archive.provenance.shared import shared_copy, shared_zeros

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

_MB = 1 << 20


def _rss_kb() -> int:
    with open("/proc/self/smaps_rollup") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("Rss:"))


def _growth_on_reading_in_a_child(array: np.ndarray) -> int:
    """How much a forked child's resident set grows (kB) when it reads ``array`` whole."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reports and leaves without running the parent's clean-up
        before = _rss_kb()
        array.sum()
        os.write(write, str(_rss_kb() - before).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        grown = int(fh.read())
    os.waitpid(pid, 0)
    return grown


@linux_only
def test_a_forked_worker_maps_a_shared_array_only_once_it_reads_it() -> None:
    private = np.arange(8 * _MB, dtype=np.int64)  # 64 MB, written, so resident
    shared = shared_copy(private)
    assert np.array_equal(shared, private)
    # The private pages came with the fork; the shared ones are mapped as the child reads them.
    assert _growth_on_reading_in_a_child(private) < 8 * 1024
    assert _growth_on_reading_in_a_child(shared) > 48 * 1024


@linux_only
def test_a_pool_book_holds_pages_for_the_pools_held_only() -> None:
    before = _rss_kb()
    book = PoolBook(200_000)  # three arrays of 32 MB
    assert _rss_kb() - before < 8 * 1024
    cols = np.arange(POOL_K, dtype=np.int32)
    book.hold([7], [(cols[:3], np.ones(3, dtype=np.float32))])
    assert book.pool(7)[0].tolist() == [0, 1, 2]
    assert np.isnan(book.cosines[7]).all()
    assert _rss_kb() - before < 8 * 1024


def _mapped(array: np.ndarray) -> bool:
    base: object = array
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def test_a_released_index_searches_from_shared_arrays_and_finds_rows_by_bisection_as_before() -> None:
    rng = np.random.default_rng(3)
    index = CandidateIndex()
    docs = []
    for k in range(300):
        words = rng.integers(1, 2_000, size=int(rng.integers(20, 80)))
        n = words.shape[0]
        docs.append((k + 1, Tokens(words.astype(np.int64), np.full(n, WORD, dtype=np.uint8),
                                   np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32) + 1)))
    index.add_many(docs)
    ids = index.ids[:50]
    rows = dict(index.row_of)
    terms = np.array(list(index.vocab), dtype=np.int64)
    frequencies = index.df_of(terms)
    index._df_table = None  # (built again by release_rows, from the vocabulary it then drops)
    with index.searching():
        expected = index.neighbours(ids, among=200)
        index.release_rows()
        assert not index.vocab and np.array_equal(index.df_of(terms), frequencies)
        assert isinstance(index.row_of, AscendingRows) and dict(index.row_of) == rows
        assert 0 not in index.row_of and 301 not in index.row_of and 300 in index.row_of
        with pytest.raises(KeyError):
            index.row_of[301]
        search = index._search
        assert search is not None
        arrays = [getattr(m, name) for m in (search.full_unit, search.inverted) for name in ("data", "indices", "indptr")]
        assert all(_mapped(a) for a in arrays)
        assert index.neighbours(ids, among=200) == expected
        assert shared_zeros(0, np.int32).shape == (0,)
