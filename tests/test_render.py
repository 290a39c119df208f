"""Terminal rendering that a person sees: the ingest progress bar."""

from __future__ import annotations

import io

from archive.ingest.pipeline import IngestSummary
from archive.render import ProgressLine


def summary(files: int, added: int) -> IngestSummary:
    result = IngestSummary(run_id=1, added=added)
    result.origins = {f"file{i}" for i in range(files)}
    return result


def test_progress_bar_counts_finished_files_and_records() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, enabled=True, total_files=4)
    progress(summary(files=3, added=120))
    line = stream.getvalue()
    assert "[############............] 2/4 files" in line
    assert "120 records (+120" in line


def test_progress_is_silent_when_nobody_watches() -> None:
    stream = io.StringIO()  # not a terminal
    progress = ProgressLine(stream)
    progress(summary(files=1, added=5))
    progress.done()
    assert stream.getvalue() == ""
