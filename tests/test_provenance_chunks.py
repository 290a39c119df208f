"""Work handed out in chunks on demand: the same results, and a slow process takes fewer chunks."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from archive import parallel
from archive.provenance.candidates import _by_document_then, _ranks
from archive.parallel import _chunk_bounds, map_forked, map_shares_forked


@pytest.mark.parametrize("n, workers", [(8, 2), (127, 2), (128, 2), (1000, 2), (49_155, 2), (10_000, 3), (5, 4)])
def test_chunks_cover_the_items_in_order_with_one_for_each_process(n: int, workers: int) -> None:
    bounds = _chunk_bounds(n, workers)
    assert bounds[0] == 0 and bounds[-1] == n
    assert all(lo < hi for lo, hi in zip(bounds, bounds[1:])) or n < workers
    assert len(bounds) - 1 >= workers


def test_few_items_go_one_share_to_a_process() -> None:
    assert _chunk_bounds(40, 3) == [0, 13, 26, 40]


def test_a_slow_parent_leaves_most_chunks_to_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    parent = os.getpid()

    def item(k: int) -> tuple[int, int]:
        if os.getpid() == parent:
            time.sleep(0.002)  # this process is busy with something else as well
        return k * 3, os.getpid()

    out = map_forked(item, list(range(2000)), workers=2)
    assert [v for v, _ in out] == [k * 3 for k in range(2000)]
    by_parent = sum(1 for _, pid in out if pid == parent)
    assert 0 < by_parent < 1000  # it still computed its first chunk, but less than half
    # This process's items are the first ones (it takes chunks from the front).
    assert all(pid == parent for _, pid in out[:by_parent])


def test_share_functions_get_chunks_and_their_results_join_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)

    def tagged(share: list[int]) -> list[tuple[int, int]]:
        return [(k + 1, share[0]) for k in share]

    out = map_shares_forked(tagged, list(range(3000)), workers=2)
    assert [v for v, _ in out] == [k + 1 for k in range(3000)]
    firsts = sorted({first for _, first in out})
    assert firsts == _chunk_bounds(3000, 2)[:-1]  # one call per chunk


def test_ranks_and_the_combined_sort_equal_numpy() -> None:
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 50, 5000):
        values = rng.integers(-(2**62), 2**62, n) if n % 2 else rng.integers(-3, 3, n)
        assert np.array_equal(_ranks(values), np.unique(values, return_inverse=True)[1].reshape(-1))
        doc_of = np.sort(rng.integers(0, 40, n))
        assert np.array_equal(_by_document_then(doc_of, _ranks(values)), np.lexsort((values, doc_of)))
