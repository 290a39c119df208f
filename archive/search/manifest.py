"""A size manifest per index commit, so a deleted or truncated file is caught before Whoosh reads it.

Whoosh keeps no checksums or sizes: a missing or cut-short segment file surfaces later as whatever
the codec trips over (TypeError, CorruptIndexError, wrong results). After every commit, under the
writer lock, we record the size of each file the new table of contents refers to, in
``MANIFEST_<generation>.json``; opening a searcher or writer compares them (a few stat calls).
A commit in progress has no manifest yet, so it is not checked rather than wrongly reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh.index import FileIndex

from archive.errors import IndexStateError

PREFIX = "MANIFEST_"


def record(directory: Path, ix: FileIndex) -> None:
    """Write the manifest of the latest commit and remove those of earlier ones."""
    generation = ix.latest_generation()
    files = {name: (directory / name).stat().st_size for name in _referenced_files(directory, ix, generation)}
    target = directory / f"{PREFIX}{generation}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(files, sort_keys=True), encoding="utf-8")
    os.replace(temporary, target)
    for old in directory.glob(f"{PREFIX}*.json"):
        if old != target:
            old.unlink(missing_ok=True)


def verify(directory: Path, ix: FileIndex, hint: str) -> None:
    """Raise ``IndexStateError`` naming the first file that is missing or has the wrong size.

    A commit that lands while we check deletes the files it merged away; when the generation has
    moved on, the newer manifest is checked instead of reporting those files as missing.
    """
    generation = ix.latest_generation()
    while (problem := _problem(directory, generation)) is not None:
        newer = ix.latest_generation()
        if newer == generation:
            raise IndexStateError(f"the search index at {directory.parent} is damaged ({problem}); {hint}")
        generation = newer


def _problem(directory: Path, generation: int) -> str | None:
    try:
        files: dict[str, int] = json.loads((directory / f"{PREFIX}{generation}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    # os.stat of joined strings: checked on every search, a hundred files at 200,000 documents
    # (10 segments), where building a Path per file cost more than the stat.
    base = os.path.join(directory, "")
    for name, size in files.items():
        try:
            actual = os.stat(base + name).st_size
        except FileNotFoundError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} has {actual} bytes, expected {size}"
    return None


def _referenced_files(directory: Path, ix: FileIndex, generation: int) -> list[str]:
    segment_ids = [segment.segment_id() for segment in ix._segments()]
    names = [f"_{ix.indexname}_{generation}.toc"]
    for entry in sorted(os.listdir(directory)):
        if any(entry.startswith(f"{segment_id}.") for segment_id in segment_ids):
            names.append(entry)
    return names
