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


def test_evidence_names_the_text_each_direction_signal_reads_as_the_source() -> None:
    from types import SimpleNamespace

    from archive.provenance import Link
    from archive.render import evidence_lines

    docs = {1: SimpleNamespace(id=1, text="the original report"), 2: SimpleNamespace(id=2, text="the copy of it")}
    link = Link(2, 1, "rewrite", 0.5, 0.6, {"direction": [
        {"signal": "artefacts", "source": 2, "weight": 2.0, "reason": "spinner artefacts only in the copy"},
        {"signal": "style", "source": 1, "weight": 2.5, "reason": "LLM-style phrases: 0.4 vs 2.1"},
    ]})
    lines = evidence_lines(link, docs)
    assert "direction: [2] as the source (weight 2.00, outweighed): spinner artefacts only in the copy" in lines
    assert "direction: [1] as the source (weight 2.50): LLM-style phrases: 0.4 vs 2.1" in lines
