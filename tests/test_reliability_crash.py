"""Crash consistency: ``archive ingest`` killed with SIGKILL at pseudo-random moments.

Each chain works on its own home: start the real CLI in a subprocess and SIGKILL it at a seeded
random point, check the store's invariants, run ``archive index check``, and start the same ingest
again; the last run of a chain completes. The completed home must then equal one uninterrupted run
on a fresh home. Kill points are chosen by what the test can see from outside, not by hooks in the
product: a random delay after start (start-up, lock, migration, replaying the index queue), or a
random delay of up to half a second after the run's row appears in ``ingest_runs`` and the store
holds a randomly chosen number of committed batches (so kills land in reading, batch commits,
index commits and provenance alike; a re-run of a complete store is killed while it re-reads).

"Exactly the same ids": batches commit in input order, each in one transaction, and a killed
transaction inserts nothing (ids are ``INTEGER PRIMARY KEY`` without AUTOINCREMENT, so rolled-back
inserts use up no ids). Re-running therefore skips the committed batches as unchanged and gives the
remaining records the very ids the uninterrupted run gave them. The test compares documents by id
*and* external id and content hash, provenance links by id, and search results by id sets.
(Ranking order is not compared: deleted-and-re-added index entries from replayed queue rows can
shift BM25 statistics slightly until segments merge; the set of hits and their count cannot change.)
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from archive.ingest.prepare import BATCH_SIZE
from fixtures.reliability.corpus import write_corpus

FILES, PER_FILE = 2, 500  # 1000 records: two batches, two index commits, then provenance
TOTAL = FILES * PER_FILE
CHAINS = 4
KILLS_PER_CHAIN = 5  # 20 kills in all
QUERIES = ("storm", '"oil prices"', "title:story AND copper", "source:wire -coffee", "markerc1*", "court OR ruling")


def archive_cmd(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), *args]


def run_archive(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(archive_cmd(home, *args), capture_output=True, text=True, timeout=300)


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_gone(pids: list[int], timeout: float = 30.0) -> None:
    """The reader child of a killed ingest notices its parent is gone and exits on its own."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            try:
                if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                    break
            except OSError:
                break
            time.sleep(0.05)


def snapshot(home: Path) -> dict[str, Any]:
    """Everything a user can observe: documents, provenance, stories, search results."""
    conn = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)
    try:
        docs = conn.execute("SELECT id, external_id, content_hash FROM documents ORDER BY id").fetchall()
        links = conn.execute(
            "SELECT derived_id, source_id, relation, round(score, 6), round(direction_confidence, 6) "
            "FROM provenance ORDER BY derived_id, source_id"
        ).fetchall()
        stories = conn.execute("SELECT document_id, story_id FROM stories ORDER BY document_id").fetchall()
        pending = conn.execute("SELECT count(*) FROM index_queue").fetchone()[0]
    finally:
        conn.close()
    archive = Archive(home)
    searches = {}
    for query in QUERIES:
        results = archive.search(query, limit=10_000)
        searches[query] = (results.total, sorted(hit.id for hit in results.hits), archive.count(query))
    return {"documents": docs, "links": links, "stories": stories, "pending": pending, "searches": searches}


def progress(home: Path) -> tuple[int, int]:
    """(ingest runs started, documents committed), as any reader of the database sees them."""
    try:
        conn = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True, timeout=30)
        try:
            runs = conn.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
            docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0, 0  # not created, or not migrated, yet
    return runs, docs


def store_invariants(home: Path) -> int:
    """What a kill may leave: whole batches only, each with its fingerprints; returns the count."""
    if not (home / "archive.db").exists():
        return 0
    conn = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:
            return 0  # killed while the database was being created; the next open migrates it
        docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        unprinted = conn.execute(
            "SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM fingerprints)"
        ).fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM index_queue WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        ids = [row[0] for row in conn.execute("SELECT id FROM documents ORDER BY id")]
    finally:
        conn.close()
    assert docs % BATCH_SIZE == 0 or docs == TOTAL, f"{docs} documents: a batch was half written"
    assert unprinted == 0 and orphans == 0
    assert ids == list(range(1, docs + 1)), "ids are dense and in input order"
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash-corpus")
    write_corpus(folder, prefix="c", files=FILES, per_file=PER_FILE, seed=20261123)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float]:
    """One uninterrupted run on a fresh home, and how long it took."""
    home = tmp_path_factory.mktemp("crash-reference") / "home"
    started = time.monotonic()
    done = run_archive(home, "ingest", "-q", str(corpus))
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    state = snapshot(home)
    assert len(state["documents"]) == TOTAL and state["links"] and state["pending"] == 0
    return state, duration


@pytest.mark.parametrize("chain", range(CHAINS))
def test_killed_ingests_then_rerun_equal_one_uninterrupted_run(
    chain: int, corpus: Path, reference: tuple[dict[str, Any], float], tmp_path: Path
) -> None:
    expected, _ = reference
    home = tmp_path / "home"
    rnd = random.Random(1000 + chain)
    kills = 0
    states: set[int] = set()
    attempts = 0
    while kills < KILLS_PER_CHAIN:
        attempts += 1
        assert attempts < 3 * KILLS_PER_CHAIN, "the ingest kept finishing before the kill"
        runs_before, docs_before = progress(home)
        proc = subprocess.Popen(archive_cmd(home, "ingest", "-q", str(corpus)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rnd.random() < 0.2:
            time.sleep(rnd.uniform(0.05, 1.0))
        else:
            target = rnd.choice(range(docs_before, TOTAL + 1, BATCH_SIZE))
            while proc.poll() is None:
                runs, docs = progress(home)
                if runs > runs_before and docs >= target:
                    break
                time.sleep(0.02)
            # A re-run of a complete store only re-reads its files (no fingerprints, no language
            # model): a fraction of a second, so it is killed sooner.
            time.sleep(rnd.uniform(0.0, 0.5) * (0.2 if docs_before >= TOTAL else 1.0))
        reader = children_of(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        wait_gone(reader)
        states.add(store_invariants(home))
        if not (home / "archive.db").exists():
            continue
        checked = CliRunner().invoke(cli, ["--home", str(home), "index", "check"])
        if "there is no search index" in checked.output:
            continue  # killed before the index was first created: ingest creates it
        assert checked.exit_code == 0, checked.output
        if (home / "index" / "CURRENT").exists():
            with Archive(home) as archive:
                after = archive.check_index(repair=False)
            assert after.drift.ok, after.drift

    finished = run_archive(home, "ingest", "-q", str(corpus))
    assert finished.returncode == 0, finished.stderr
    assert "Traceback" not in finished.stderr
    store_invariants(home)
    got = snapshot(home)
    assert got["documents"] == expected["documents"]
    assert got["links"] == expected["links"]
    assert got["stories"] == expected["stories"]
    assert got["searches"] == expected["searches"]
    assert got["pending"] == 0
    with Archive(home) as archive:
        assert archive.check_index(repair=False).drift.ok
    print(f"chain {chain}: {kills} kills; document counts seen after kills: {sorted(states)}")


def rewrite_corpus(source: Path, target: Path, every: int = 7) -> int:
    """A second version of the corpus: every ``every``-th article now copies another's text
    (new duplicate links) and some former copies get their own text (links gone)."""
    import json

    target.mkdir(parents=True, exist_ok=True)
    changed = 0
    texts: list[str] = []
    for path in sorted(source.glob("*.jsonl")):
        lines = []
        for number, line in enumerate(path.read_text().splitlines()):
            record = json.loads(line)
            texts.append(record["text"])
            if number % every == 3:
                record["text"] = texts[(number * 31) % len(texts)] + " Republished."
                changed += 1
            elif "Distributed by a wire service." in record["text"]:
                record["text"] = f"An own report number {number} on {record['title']}."
                changed += 1
            lines.append(json.dumps(record))
        (target / path.name).write_text("\n".join(lines) + "\n")
    return changed


UPDATE_KILLS = 2
UPDATE_SIZE = 300


def test_killed_update_then_rerun_equals_uninterrupted_update(tmp_path: Path) -> None:
    """Re-ingesting changed content, killed after its batches committed (while the index and
    provenance are being brought up to date): the re-run finds the content already stored
    ('unchanged') and must still finish the index and provenance work for it."""
    import shutil

    corpus, v2 = tmp_path / "v1-sources", tmp_path / "v2"
    write_corpus(corpus, prefix="u", files=1, per_file=UPDATE_SIZE, seed=99)
    assert rewrite_corpus(corpus, v2) > UPDATE_SIZE // 10
    reference_home, v1_home = tmp_path / "reference", tmp_path / "v1"
    assert run_archive(v1_home, "ingest", "-q", str(corpus)).returncode == 0
    shutil.copytree(v1_home, reference_home)
    assert run_archive(reference_home, "ingest", "-q", str(v2)).returncode == 0
    expected = snapshot(reference_home)
    rnd = random.Random(77)
    for kill in range(UPDATE_KILLS):
        home = tmp_path / f"killed-{kill}"
        shutil.copytree(v1_home, home)
        runs_before, _ = progress(home)
        proc = subprocess.Popen(archive_cmd(home, "ingest", "-q", str(v2)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and stored_by_last_run(home, runs_before) < UPDATE_SIZE:
            time.sleep(0.01)
        time.sleep(rnd.uniform(0.0, 0.1))
        reader = children_of(proc.pid)
        proc.kill()
        proc.wait()
        wait_gone(reader)
        assert CliRunner().invoke(cli, ["--home", str(home), "index", "check"]).exit_code == 0
        finished = run_archive(home, "ingest", "-q", str(v2))
        assert finished.returncode == 0, finished.stderr
        got = snapshot(home)
        assert got["documents"] == expected["documents"]
        assert got["searches"] == expected["searches"]
        assert got["links"] == expected["links"], f"kill {kill}: provenance still describes the old texts"
        assert got["stories"] == expected["stories"]


def stored_by_last_run(home: Path, runs_before: int) -> int:
    """Records the newest ingest run has committed (added + updated + unchanged)."""
    conn = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute(
            "SELECT id, added + updated + unchanged FROM ingest_runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return row[1] if row and row[0] > runs_before else 0
