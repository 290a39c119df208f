"""Set operations on sorted arrays of distinct term hashes, cheaper than numpy's general ones.

``np.isin`` and ``np.intersect1d`` sort the concatenation of both inputs on every call; term
arrays kept sorted once (``np.unique`` output) only need a binary search of one in the other.
Results are exactly those of the numpy functions on such inputs. Linking calls these hundreds of
thousands of times on small arrays, so term hashes (int64) are looked up by the compiled
kernels of _calign.c where it was built; the numpy forms below are the reference.
"""

from __future__ import annotations

import numpy as np

from .compiled import calign as _calign


def _compiled(*arrays: np.ndarray) -> bool:
    return _calign is not None and all(a.dtype == np.int64 and a.flags.c_contiguous for a in arrays)


def in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted ``sorted_set`` (boolean mask over values)."""
    if _compiled(values, sorted_set):
        out = np.empty(values.shape[0], dtype=bool)
        _calign.member(values, sorted_set, out)  # type: ignore[union-attr]
        return out
    return _in_sorted_np(values, sorted_set)


def _in_sorted_np(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    n = sorted_set.shape[0]
    if n == 0 or values.shape[0] == 0:
        return np.zeros(values.shape[0], dtype=bool)
    pos = sorted_set.searchsorted(values)
    np.minimum(pos, n - 1, out=pos)  # past the end: compare with the last, which is smaller
    return sorted_set[pos] == values


def weighted_sum_in(values: np.ndarray, weights: np.ndarray, sorted_set: np.ndarray) -> float:
    """``float(weights[in_sorted(values, sorted_set)].sum())``: the weight of the values found in
    the sorted set (a containment: the idf of a text's terms that another text has). Compiled,
    it sums as numpy's ``sum`` does (pairwise), so both give the same float."""
    if _calign is not None:
        # The kernel checks the arrays itself (what _compiled asks, ~0.5 us, a fifth of a call
        # on the containments linking reads ~300,000 times) and refuses others.
        try:
            return _calign.weighted_sum_in(values, weights, sorted_set)  # type: ignore[no-any-return]
        except (TypeError, ValueError, BufferError):
            pass  # another dtype or a strided view: the numpy form
    return float(weights[_in_sorted_np(values, sorted_set)].sum())


def shares_in(parts: list[np.ndarray], weights: list[np.ndarray], sorted_set: np.ndarray) -> list[float]:
    """For each of ``parts`` (term arrays, any order) with its ``weights``: the weight of its
    terms found in the sorted set over all its weight (0.0 for a part that weighs nothing),
    each sum taken in order (as ``np.bincount`` sums), compiled or not."""
    if _calign is not None:
        try:  # (the kernel checks the arrays, as in weighted_sum_in)
            return _calign.shares_in(parts, weights, sorted_set)  # type: ignore[no-any-return]
        except (TypeError, ValueError, BufferError):
            pass
    return _shares_in_np(parts, weights, sorted_set)


def _shares_in_np(parts: list[np.ndarray], weights: list[np.ndarray], sorted_set: np.ndarray) -> list[float]:
    if not parts:
        return []
    found = _in_sorted_np(np.concatenate(parts), sorted_set)
    flat = np.concatenate(weights)
    owner = np.repeat(np.arange(len(parts)), [part.shape[0] for part in parts])
    totals = np.bincount(owner, weights=flat, minlength=len(parts))
    kept = np.bincount(owner, weights=np.where(found, flat, 0.0), minlength=len(parts))
    return [k / t if t else 0.0 for k, t in zip(kept.tolist(), totals.tolist())]


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index arrays of ``np.intersect1d(a, b, assume_unique=True, return_indices=True)``
    for sorted ``a`` and ``b`` of distinct values: positions of the common values in each,
    in ascending order of value."""
    if _compiled(a, b):
        ia, ib = np.empty(a.shape[0], dtype=np.int64), np.empty(a.shape[0], dtype=np.int64)
        found = _calign.intersect(a, b, ia, ib)  # type: ignore[union-attr]
        return ia[:found], ib[:found]
    return _intersect_sorted_np(a, b)


def _intersect_sorted_np(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ia = np.flatnonzero(_in_sorted_np(a, b))
    return ia, b.searchsorted(a[ia])


def any_in(values: np.ndarray, others: np.ndarray) -> bool:
    """``np.isin(values, others).any()`` for a few ``values`` (a lead's names) among unsorted
    ``others`` (a text's tokens): every pair compared at once, without np.isin's two sorts."""
    return bool((others[:, None] == values[None, :]).any())
