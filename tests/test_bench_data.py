"""The evaluation scripts read their corpora from $ARCHIVE_BENCH_DATA when it is set (held-out
data of the dev data's layout), and a missing corpus is a plain message, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

_TOPICS = [
    "Inheritance in object oriented programming lets a class reuse the fields and methods of another "
    "class, so that a subclass extends its parent with new behaviour while keeping what it inherited.",
    "PageRank scores each web page by the pages that link to it, weighting every inbound link by the "
    "score of the page it comes from, so that a link from an important page counts for more.",
    "The vector space model represents documents and queries as vectors of term weights and ranks the "
    "documents by the cosine of the angle between each document vector and the query vector.",
    "Bayes theorem relates the probability of a hypothesis given the evidence to the probability of "
    "the evidence given the hypothesis, scaled by the prior probability of the hypothesis itself.",
    "Dynamic programming solves a problem by combining the solutions of overlapping subproblems, "
    "storing each result in a table so that no subproblem is ever solved more than once.",
]


def _run(script: str, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_BENCH_DATA": str(data)}
    return subprocess.run([sys.executable, str(BENCH / script), *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("command", [["provenance_eval.py", "spun"], ["provenance_eval.py", "llmfake"],
                                     ["spin_probe.py"]])
def test_a_missing_corpus_is_named_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    done = _run(*command, data=tmp_path / "nowhere")
    assert done.returncode == 2
    assert str(tmp_path / "nowhere") in done.stderr and "Traceback" not in done.stderr


def test_the_clough_evaluation_reads_the_corpus_that_archive_bench_data_names(tmp_path: Path) -> None:
    folder = tmp_path / "clough_stevenson"
    folder.mkdir()
    rows = ["File,Task,Category"]
    for task, text in zip("abcde", _TOPICS):
        (folder / f"orig_task{task}.txt").write_text(
            f"{text} It was first described in task {task} of the course, with worked examples for the "
            f"students. Later chapters of the textbook return to it in exercises {task}1 to {task}9, each "
            f"harder than the one before, and the final examination always includes one of them.",
            encoding="utf-8")
    # A cut answer copies most of task b's text; an independent one shares only the topic of task c.
    (folder / "g0pA_taskb.txt").write_text(
        f"{_TOPICS[1]} It was first described in task b of the course, with worked examples for the "
        f"students. That is all I remember of it.", encoding="utf-8")
    (folder / "g0pA_taskc.txt").write_text(
        "Search engines compare a query with documents by turning both into lists of numbers and "
        "measuring how closely those lists point the same way.", encoding="utf-8")
    rows += ["g0pA_taskb.txt,b,cut", "g0pA_taskc.txt,c,non"]
    (folder / "file_information.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    done = _run("provenance_eval.py", "clough", "--json", str(out), data=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())["clough"]
    assert report["cut"] == 1.0 and report["non"] == 1.0 and report["accuracy"] == 1.0
