"""Give the C heap's free pages back to the system.

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


@cache
def _malloc_trim() -> object | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)  # type: ignore[operator]
    return True
