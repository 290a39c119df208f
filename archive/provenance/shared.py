"""Arrays that forked workers do not copy the page tables of.

Forking copies the page table of every private mapping the parent has written to, so a worker's
resident set starts as the parent's: everything a chunked linking run holds for the whole
archive (the candidate index's search arrays, the pool book: ~250 MB at 200,000 documents)
counted once more for each worker, though the workers never read most of it. A shared mapping
(anonymous ``MAP_SHARED``, what ``mmap.mmap(-1, n)`` gives on Linux) is not copied at a fork: a
worker maps its pages when it first reads them, from the same memory. Unlike a private page, a
page a worker writes to is written for the parent too, so only arrays that workers read, and
that only the parent writes, belong here.
"""

from __future__ import annotations

import mmap

import numpy as np
from numpy.typing import DTypeLike


def shared_zeros(shape: int | tuple[int, ...], dtype: DTypeLike) -> np.ndarray:
    """A zeroed array in a shared mapping (a new anonymous mapping reads as zeros), whose pages
    become resident only as they are first touched."""
    dims = (shape,) if isinstance(shape, int) else shape
    kind = np.dtype(dtype)
    count = int(np.prod(dims, dtype=np.int64))
    # (A mapping cannot be empty; the array keeps the mapping alive as its base.)
    buffer = mmap.mmap(-1, max(1, count * kind.itemsize))
    return np.frombuffer(buffer, dtype=kind, count=count).reshape(dims)


def shared_copy(array: np.ndarray) -> np.ndarray:
    """``array`` copied into a shared mapping."""
    out = shared_zeros(array.shape, array.dtype)
    out[...] = array
    return out
