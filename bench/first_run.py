"""First-run search latency: each query in a fresh process, as every `archive search` runs.

    .venv/bin/python bench/first_run.py HOME [--base /path/to/other/checkout] [--rounds 2] [--profile]

A query's first run in a process pays what a repeated one does not: opening the segments,
decoding its postings (the per-process cache is empty), and numpy's import when it reads a long
posting list. For each query a new process imports the search modules (as `archive search` does
before it searches; not timed), opens the index's searcher (timed apart: "open"), runs the query
once (timed: CPU and wall, "first") and then again ("warm"). With ``--base`` both checkouts
run, alternating which goes first query by query, and their results are compared (total, ids,
scores); without it only this checkout runs. ``--profile`` prints, per query, where the first
run's CPU went (cProfile, own time, by function), which costs time itself: read the shares.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, percentile  # noqa: E402
from queries import QUERIES  # noqa: E402


def one(home: str, number: int, profile: bool) -> None:
    """The searching side: one fresh process, one query, run twice; prints one JSON line."""
    # Loaded by every search before it reads postings: not counted in the first run's time.
    for module in ("archive.search.postings", "archive.search.searcher"):
        importlib.import_module(module)
    from archive.api import Archive

    opened = Archive(home)
    started_cpu = time.process_time()
    with opened.search_index().view():
        pass
    open_cpu = (time.process_time() - started_cpu) * 1000
    spec = QUERIES[number]
    options = {k: v for k, v in spec.items() if k not in ("name", "query")}
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, started_cpu = time.perf_counter(), time.process_time()
    results = opened.search(spec["query"], **options)
    first_cpu = (time.process_time() - started_cpu) * 1000
    first_wall = (time.perf_counter() - started) * 1000
    numpy = "numpy" in sys.modules
    if profiler is not None:
        profiler.disable()
    started, started_cpu = time.perf_counter(), time.process_time()
    opened.search(spec["query"], **options)
    warm_cpu = (time.process_time() - started_cpu) * 1000
    warm_wall = (time.perf_counter() - started) * 1000
    out: dict[str, Any] = {
        "open_cpu": open_cpu, "first_cpu": first_cpu, "first_wall": first_wall, "warm_cpu": warm_cpu, "warm_wall": warm_wall,
        "numpy": numpy, "results": [results.total, [(hit.id, hit.score) for hit in results.hits]],
    }
    if profiler is not None:
        import pstats

        stats = pstats.Stats(profiler)
        rows = sorted(((v[2], f"{Path(k[0]).name}:{k[2]}") for k, v in stats.stats.items()), reverse=True)  # type: ignore[attr-defined]
        out["profile"] = [(round(t * 1000, 1), name) for t, name in rows[:12]]
    print(json.dumps(out), flush=True)


def run(checkout: Path, home: str, number: int, profile: bool) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    argv = [sys.executable, __file__, home, "--one", str(number)] + (["--profile"] if profile else [])
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home")
    parser.add_argument("--base", type=Path, help="the other checkout (its archive/ package is used)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", help="comma-separated query names")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        one(args.home, args.one, args.profile)
        return 0
    names = set(args.only.split(",")) if args.only else {spec["name"] for spec in QUERIES}
    chosen = [number for number, spec in enumerate(QUERIES) if spec["name"] in names]
    sides = {"this": REPO} if args.base is None else {"base": args.base.resolve(), "this": REPO}
    samples: dict[str, dict[str, list[list[float]]]] = {
        side: {kind: [[] for _ in QUERIES] for kind in ("open_cpu", "first_cpu", "first_wall", "warm_cpu", "warm_wall")}
        for side in sides}
    differing: set[str] = set()
    flip = False
    for _ in range(args.rounds):
        for number in chosen:
            order = list(sides)[::-1] if flip else list(sides)
            flip = not flip
            answers = {side: run(sides[side], args.home, number, args.profile) for side in order}
            for side, answer in answers.items():
                for kind in samples[side]:
                    samples[side][kind][number].append(answer[kind])
                if args.profile:
                    print(f"{side} {QUERIES[number]['name']} first {answer['first_cpu']:.1f} ms CPU, "
                          f"numpy {answer['numpy']}: {answer['profile']}")
            if len({json.dumps(a["results"]) for a in answers.values()}) > 1:
                differing.add(QUERIES[number]["name"])
    print(f"{'query':28s} " + " ".join(f"{side + ' first':>11s} {side + ' warm':>10s}" for side in sides)
          + "   median CPU ms")
    for number in chosen:
        cells = " ".join(f"{statistics.median(samples[side]['first_cpu'][number]):11.1f} "
                         f"{statistics.median(samples[side]['warm_cpu'][number]):10.1f}" for side in sides)
        print(f"{QUERIES[number]['name']:28s} {cells}")
    for side in sides:
        parts = []
        for kind in ("open_cpu", "first_cpu", "first_wall", "warm_cpu", "warm_wall"):
            values = [x for number in chosen for x in samples[side][kind][number]]
            parts.append(f"{kind} p50 {percentile(values, 0.5):.1f} p95 {percentile(values, 0.95):.1f}")
        print(f"{side}: " + "; ".join(parts) + " ms")
    if args.base is not None:
        print("same results" if not differing else f"DIFFERENT RESULTS: {', '.join(sorted(differing))}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
