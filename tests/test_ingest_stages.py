"""An ingest times its stages: the reader's (in its own process), and the writer's, which run one
after another in this process and so add up to at most the whole call."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.api import Archive


@pytest.mark.parametrize("background", [True, False])
def test_ingest_times_each_stage(tmp_path: Path, background: bool) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        (folder / f"{number}.txt").write_text(
            f"Story {number}\n\nThe harbour authority in Port {number} said cargo volumes rose in March.\n")
    with Archive(tmp_path / "home") as archive:
        summary = archive.ingest([str(folder)], background=background, provenance=False)
    assert summary.added == 3
    seconds = summary.seconds
    assert {"read", "normalize", "fingerprint", "waiting", "store", "index", "commit", "wall"} <= set(seconds)
    assert all(value >= 0 for value in seconds.values())
    writer = (seconds["waiting"] + seconds.get("fingerprint_writer", 0.0) + seconds["store"] + seconds["index"]
              + seconds["commit"])
    assert writer <= seconds["wall"]
