"""Concurrency: two ingests, an impatient third writer and several searchers on one home at once.

All real CLI processes. The second ingest waits on the home's write lock (``--wait`` long enough
for the first ingest and its linking on a loaded 2-core machine: the default 60 s was not);
the impatient writer (``--wait 0.2``) either gets the lock or exits 75 with the documented message.
Searchers run ``search --count``, ``search --json`` and ``stats --json`` in loops the whole time.

What must hold:
- no command fails (exit 0, or 75 with the busy message for the impatient writer), no traceback;
- afterwards every external id of both corpora is stored exactly once, and index and store agree;
- every answer comes from a consistent snapshot: a batch (500 documents, one transaction, one index
  commit) becomes visible whole, so every count is the seed document plus a multiple of 500, and
  counts never go down in any one searcher's sequence, since only adds happen.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from archive.api import Archive
from archive.ingest.prepare import BATCH_SIZE
from fixtures.reliability.corpus import write_corpus

PER_CORPUS = 2 * 500
SEARCHERS = 2
PAUSE = 0.25  # between one searcher's commands: leave the two cores to the writers
TIME_LIMIT = 300.0  # seconds; the run normally takes a fraction of this
WRITER_WAIT = "240"  # the waiting ingest's --wait, within TIME_LIMIT
BUSY = 75


def archive_cmd(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), *args]


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(archive_cmd(home, *args), capture_output=True, text=True, timeout=TIME_LIMIT)


def test_two_ingests_and_searches_at_once(tmp_path: Path) -> None:
    corpus_a, corpus_b, seed = tmp_path / "a", tmp_path / "b", tmp_path / "seed"
    write_corpus(corpus_a, prefix="a", files=2, per_file=500, seed=1)
    write_corpus(corpus_b, prefix="b", files=2, per_file=500, seed=2)
    write_corpus(seed, prefix="s", files=1, per_file=1, seed=3)
    home = tmp_path / "home"
    assert run(home, "ingest", "-q", str(seed)).returncode == 0  # searches need an archive to exist

    problems: list[str] = []
    observed: dict[str, list[int]] = {}
    busy_runs: list[int] = []
    writers_done = threading.Event()
    deadline = time.monotonic() + TIME_LIMIT

    def allowed_count(n: int) -> bool:
        return n >= 1 and (n - 1) % BATCH_SIZE == 0 and n <= 1 + 2 * PER_CORPUS

    def searcher(name: str, args: tuple[str, ...], read: object) -> None:
        seen = observed.setdefault(name, [])
        while not writers_done.is_set() and time.monotonic() < deadline:
            done = run(home, *args)
            if done.returncode != 0 or "Traceback" in done.stderr:
                problems.append(f"{name}: exit {done.returncode}: {done.stderr.strip()}")
                continue
            try:
                n = read(done.stdout)  # type: ignore[operator]
            except ValueError as err:
                problems.append(f"{name}: unparseable output {done.stdout!r}: {err}")
                continue
            if not allowed_count(n):
                problems.append(f"{name}: count {n} is not a whole number of committed batches")
            if seen and n < seen[-1]:
                problems.append(f"{name}: count went down from {seen[-1]} to {n}")
            seen.append(n)
            time.sleep(PAUSE)

    def impatient_writer() -> None:
        while not writers_done.is_set() and time.monotonic() < deadline:
            done = run(home, "--wait", "0.2", "ingest", "-q", str(corpus_a))
            busy_runs.append(done.returncode)
            if done.returncode == BUSY:
                if "another archive process is writing" not in done.stderr or "--wait" not in done.stderr:
                    problems.append(f"impatient writer: unclear busy message {done.stderr!r}")
            elif done.returncode != 0:
                problems.append(f"impatient writer: exit {done.returncode}: {done.stderr.strip()}")
            time.sleep(0.3)

    loops = [
        threading.Thread(target=searcher, args=(f"count-{i}", ("search", "--count", "story"), lambda out: int(out.strip())))
        for i in range(SEARCHERS)
    ]
    loops.append(threading.Thread(target=searcher, args=(
        "json", ("search", "--json", "-n", "3", "story"), lambda out: int(json.loads(out)["total"]))))
    loops.append(threading.Thread(target=searcher, args=(
        "stats", ("stats", "--json"), lambda out: int(json.loads(out)["documents"]))))
    loops.append(threading.Thread(target=impatient_writer))
    for thread in loops:
        thread.start()
    ingest_a = subprocess.Popen(archive_cmd(home, "--wait", WRITER_WAIT, "ingest", "-q", str(corpus_a)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ingest_b = subprocess.Popen(archive_cmd(home, "--wait", WRITER_WAIT, "ingest", "-q", str(corpus_b)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    results = [proc.communicate(timeout=TIME_LIMIT) for proc in (ingest_a, ingest_b)]
    writers_done.set()
    print(f"ingests took {time.monotonic() - started:.1f}s")
    for thread in loops:
        thread.join(timeout=TIME_LIMIT)
    print(f"loops ended after {time.monotonic() - started:.1f}s")
    for proc, (out, err) in zip((ingest_a, ingest_b), results):
        assert proc.returncode == 0, err
        assert "Traceback" not in err

    assert not problems, "\n".join(problems[:20])
    total = 1 + 2 * PER_CORPUS
    conn = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)
    try:
        external = [row[0] for row in conn.execute("SELECT external_id FROM documents")]
        pending = conn.execute("SELECT count(*) FROM index_queue").fetchone()[0]
    finally:
        conn.close()
    expected = {"s-1"} | {f"a-{n}" for n in range(1, PER_CORPUS + 1)} | {f"b-{n}" for n in range(1, PER_CORPUS + 1)}
    assert len(external) == len(set(external)) == total, "no lost and no duplicated document"
    assert set(external) == expected
    assert pending == 0
    with Archive(home) as archive:
        assert archive.count("story") == total
        assert archive.check_index(repair=False).drift.ok
    searches = sum(len(seen) for seen in observed.values())
    assert searches >= 10, f"only {searches} searches ran during the ingests"
    print(f"{searches} searches/stats during 2 ingests; impatient writer exits: {busy_runs}")
