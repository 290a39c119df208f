"""A chunked linking run gives the heap's free pages back to the system between chunks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive import provenance_store
from archive.api import Archive
from archive import heap

from conftest import provenance_folder
from test_provenance_incremental import ALL

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


# A large block freed raises glibc's threshold for mapping blocks apart above 5 MB; blocks of 5 MB
# then come from the heap, pinned there by the small blocks above each.
_LARGE_BLOCKS = """
import sys
import numpy as np
from archive.heap import map_large_blocks_apart

def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4

apart = sys.argv[1] == "apart" and map_large_blocks_apart()
np.ones(16 << 20, dtype=np.uint8).sum()  # (allocated and freed)
blocks, pins = [], []
for _ in range(30):
    blocks.append(np.ones(5 << 20, dtype=np.uint8))  # written, so resident
    pins.append(bytearray(200_000))
before = rss_kb()
del blocks
print(int(apart), before - rss_kb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; mallopt is glibc's")
def test_large_blocks_mapped_apart_go_back_to_the_system_when_freed() -> None:
    def dropped_kb(how: str) -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", _LARGE_BLOCKS, how], check=True, capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[1]).stdout.split()
        return int(out[0]), int(out[1])

    applied, apart = dropped_kb("apart")
    if not applied:
        pytest.skip("the C library has no mallopt")
    assert apart > 120_000  # all 150 MB, give or take
    assert dropped_kb("default")[1] < 50_000


def test_a_chunked_run_maps_large_blocks_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    calls: list[int] = []
    monkeypatch.setattr(provenance_store, "map_large_blocks_apart", lambda: calls.append(1) or True)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(provenance_folder(tmp_path, "docs", ALL))], background=False, provenance=False)
        archive.refresh_provenance()
    assert calls == [1]


def test_a_chunked_run_releases_free_memory_once_ready_and_after_each_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    calls: list[bool] = []
    real = heap.release_free_memory
    monkeypatch.setattr(provenance_store, "release_free_memory", lambda: calls.append(real()) or calls[-1])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(provenance_folder(tmp_path, "docs", ALL))], background=False, provenance=False)
        archive.refresh_provenance()
    # Once the whole index is prepared, then once per chunk of at most 3 of the 8 documents.
    assert len(calls) >= 1 + 3
