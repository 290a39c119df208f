"""Chunk-by-chunk A/B of a chunked linking run between two checkouts, one running at a time.

    .venv/bin/python bench/link_ab_chunked.py HOME --base ../wt-base --stop-after 40000 [--work DIR]

HOME is an archive ingested without provenance and larger than ``FULL_BUILD_MAX_DOCS`` (so a
refresh links it in chunks; e.g. the first 60,000 documents of the 200,000 scale corpus). Each
side links a copy of it with its own checkout's ``bench/worker.py link --progress --stop-after N``
(its own process tree and virtualenv). The two runs take turns a chunk at a time: one is stopped
(SIGSTOP to its process group) while the other links its next chunk, so both see the machine in
the same state as nearly as a shared machine allows, and only one of them loads it at a time.
Prints per chunk the documents linked and examined and the CPU of each side's process tree (its
forked workers included) with their ratio, then each side's totals and peak RSS / PSS, and
whether the stored provenance, stories, flags and attributions tables are identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"cpu +(?P<cpu>[\d.]+) s peak rss/pss (?P<rss>\d+) / (?P<pss>\d+) MB: chunk of (?P<size>\d+) "
                   r"linked: (?P<linked>\d+) of \d+; (?P<examined>\d+) documents examined")
TABLES = {
    "provenance": "SELECT derived_id, source_id, relation, score, direction_confidence, evidence, method_version "
                  "FROM provenance ORDER BY 1, 2",
    "stories": "SELECT document_id, story_id FROM stories ORDER BY 1",
    "flags": "SELECT document_id, flag, evidence FROM document_flags ORDER BY 1, 2",
    "attributions": "SELECT document_id, outlet, phrase, start, \"end\" FROM attributions ORDER BY 1, 2, 3, 4",
}


class _Side:
    def __init__(self, name: str, checkout: Path, home: Path, stop_after: int) -> None:
        self.name, self.chunks, self.result = name, [], None  # type: ignore[var-annotated]
        self.proc = subprocess.Popen(
            [str(checkout / ".venv/bin/python"), str(checkout / "bench/worker.py"), "link", str(home), "--progress",
             "--stop-after", str(stop_after)],
            cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, start_new_session=True)
        self.pause()

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def next_chunk(self) -> bool:
        """Let the run link its next chunk; False when it has ended instead."""
        os.killpg(self.proc.pid, signal.SIGCONT)
        stderr: IO[str] = self.proc.stderr  # type: ignore[assignment]
        for line in stderr:
            found = _LINE.search(line)
            if found:
                self.pause()
                self.chunks.append({k: float(v) for k, v in found.groupdict().items()} | {"load": os.getloadavg()[0]})
                return True
        self.proc.wait()
        out = self.proc.stdout.read() if self.proc.stdout else ""  # type: ignore[union-attr]
        self.result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"returncode": self.proc.returncode}
        return False


def _digests(home: Path) -> dict[str, tuple[int, str]]:
    db = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)
    out = {}
    for name, sql in TABLES.items():
        rows = db.execute(sql).fetchall()
        out[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    db.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare with (its own .venv)")
    parser.add_argument("--stop-after", type=int, default=40_000)
    parser.add_argument("--work", type=Path, help="where the two copies go (default: beside HOME); kept afterwards")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="link-ab-chunked-", dir=args.home.parent))
    sides = []
    for name, checkout in (("base", args.base.resolve()), ("new", HERE)):
        home = work / name
        if home.exists():
            shutil.rmtree(home)
        shutil.copytree(args.home, home)
        sides.append(_Side(name, checkout, home, args.stop_after))
    running, shown = list(sides), 0
    while running:
        for side in list(running):
            if not side.next_chunk():
                running.remove(side)
        # (Both runs cut the same chunks: they stop after the same one.)
        while shown < min(len(s.chunks) for s in sides):
            base, new = (s.chunks[shown] for s in sides)
            b_cpu, n_cpu = (s.chunks[shown]["cpu"] - (s.chunks[shown - 1]["cpu"] if shown else 0.0) for s in sides)
            print(f"linked {int(base['linked']):6d} / {int(new['linked']):6d}  examined {int(base['examined']):6d} / "
                  f"{int(new['examined']):6d}  cpu {b_cpu:7.1f} -> {n_cpu:7.1f} s ({n_cpu / b_cpu:.2f})  "
                  f"peak rss {int(base['rss'])} -> {int(new['rss'])} MB  load {base['load']:.1f} / {new['load']:.1f}",
                  flush=True)
            shown += 1
    for side in sides:
        print(f"{side.name}: {json.dumps(side.result)}")
    digests = [_digests(work / s.name) for s in sides]
    for table in TABLES:
        same = "same" if digests[0][table] == digests[1][table] else "DIFFERENT"
        print(f"{table}: {digests[0][table]} {digests[1][table]} {same}")
    print(f"copies kept in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
