"""A chunked linking run gives the heap's free pages back to the system between chunks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive import provenance_store
from archive.api import Archive
from archive import heap

from test_provenance_incremental import ALL, _folder

# Blocks above pymalloc's 512 bytes and below glibc's mmap threshold come from the heap itself.
_FREED_IN_THE_MIDDLE = """
import sys
from archive.heap import release_free_memory

def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4

size = int(sys.argv[1])  # (not a constant: the compiler would fold one block for all)
blocks = [b"x" * size for _ in range(25_000)]  # ~100 MB, written, so resident
last = b"y" * size  # above them: the heap's top cannot shrink past it
del blocks
before = rss_kb()
released = release_free_memory()
print(int(released), before - rss_kb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; malloc_trim is glibc's")
def test_memory_freed_amid_the_heap_goes_back_to_the_system() -> None:
    out = subprocess.run([sys.executable, "-c", _FREED_IN_THE_MIDDLE, "4000"], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    released, dropped_kb = int(out[0]), int(out[1])
    if not released:
        pytest.skip("the C library has no malloc_trim")
    assert dropped_kb > 50_000


def test_a_chunked_run_releases_free_memory_once_ready_and_after_each_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    calls: list[bool] = []
    real = heap.release_free_memory
    monkeypatch.setattr(provenance_store, "release_free_memory", lambda: calls.append(real()) or calls[-1])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(_folder(tmp_path, "docs", ALL))], background=False, provenance=False)
        archive.refresh_provenance()
    # Once the whole index is prepared, then once per chunk of at most 3 of the 8 documents.
    assert len(calls) >= 1 + 3
