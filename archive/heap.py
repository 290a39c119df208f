"""Give the C heap's free pages back to the system, and keep large blocks out of the heap.

glibc's ``free`` returns memory to the system only from the top of the heap; pages freed in
the middle stay resident in the process (and in every worker forked from it) until something
reuses them. A chunked linking run frees large structures in the middle of the heap (reading the
whole archive's candidate index leaves ~95 MB of it free at 200,000 documents, and each chunk
its neighbourhood), so it asks glibc to release them (``malloc_trim``) at those points, and
before each fork of workers (archive.parallel), which would map them too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


# mallopt's parameter for the size from which blocks are mapped apart (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
# Blocks this large or larger are mapped apart once linking sets it (see map_large_blocks_apart).
LARGE_BLOCK = 4 << 20


@cache
def _glibc(function: str) -> object | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), function)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim(0)  # type: ignore[operator]
    return True


def map_large_blocks_apart() -> bool:
    """From now on, serve every block of LARGE_BLOCK bytes or more from a mapping of its own,
    returned to the system when it is freed; False where the C library cannot.

    glibc does so for blocks from 128 kB, but raises that threshold to the size of each mapped
    block freed, up to 32 MB: a chunked linking run's arrays of a few MB (sparse products, a
    chunk's search) then come from the heap, and the heap grows and stays fragmented (at 200,000
    documents its free pages were ~110 MB of ~250 MB). A fixed threshold of 4 MB: 1 MB and 256 kB
    cut the heap about as much, but cost more CPU in page faults (see docs/benchmarks.md). For
    the rest of the process: glibc cannot go back to its moving threshold."""
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))  # type: ignore[operator]
