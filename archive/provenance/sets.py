"""Set operations on sorted arrays of distinct term hashes, cheaper than numpy's general ones.

``np.isin`` and ``np.intersect1d`` sort the concatenation of both inputs on every call; term
arrays kept sorted once (``np.unique`` output) only need a binary search of one in the other.
Results are exactly those of the numpy functions on such inputs.
"""

from __future__ import annotations

import numpy as np


def in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted ``sorted_set`` (boolean mask over values)."""
    n = sorted_set.shape[0]
    if n == 0 or values.shape[0] == 0:
        return np.zeros(values.shape[0], dtype=bool)
    pos = sorted_set.searchsorted(values)
    np.minimum(pos, n - 1, out=pos)  # past the end: compare with the last, which is smaller
    return sorted_set[pos] == values


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index arrays of ``np.intersect1d(a, b, assume_unique=True, return_indices=True)``
    for sorted ``a`` and ``b`` of distinct values: positions of the common values in each,
    in ascending order of value."""
    ia = np.flatnonzero(in_sorted(a, b))
    return ia, b.searchsorted(a[ia])


def any_in(values: np.ndarray, others: np.ndarray) -> bool:
    """``np.isin(values, others).any()`` for a few ``values`` (a lead's names) among unsorted
    ``others`` (a text's tokens): every pair compared at once, without np.isin's two sorts."""
    return bool((others[:, None] == values[None, :]).any())
