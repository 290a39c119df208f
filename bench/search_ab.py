"""Search latency of two checkouts on one archive, query by query, interleaved.

    .venv/bin/python bench/search_ab.py HOME --base /path/to/other/checkout [--rounds 2] [--only NAME,...]

On a shared machine the load changes from minute to minute; two runs one after the other compare
the load as much as the code. Here each checkout searches in a process of its own (its package
first on PYTHONPATH), both warmed by every query once, and each query runs 5 times on one side,
then on the other, round after round. Reported: each query's median CPU milliseconds, the p50/p95
of all CPU and wall samples per side, and whether both gave the same results (total, ids, scores).
The queries are bench/queries.py.

    .venv/bin/python bench/search_ab.py HOME --base /path/to/other/checkout --cli 20

compares whole `archive search` processes instead (bench/run.py's two CLI searches, each run
RUNS times per side, the sides alternating): median CPU (user + system of the process) and wall
time, and whether the output is the same. Compile both checkouts first (python -m compileall)
if PYTHONDONTWRITEBYTECODE is set, as bench/run.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, percentile  # noqa: E402
from queries import QUERIES  # noqa: E402

REPEAT = 5


def serve(home: str) -> None:
    """The searching side: reads a query number per line, answers one JSON line."""
    from archive.api import Archive

    archive = Archive(home)

    def run(spec: dict[str, Any]) -> Any:
        return archive.search(spec["query"], **{k: v for k, v in spec.items() if k not in ("name", "query")})

    for spec in QUERIES:
        run(spec)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        spec = QUERIES[int(line)]
        cpu: list[float] = []
        wall: list[float] = []
        for _ in range(REPEAT):
            started, started_cpu = time.perf_counter(), time.process_time()
            results = run(spec)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        hits = [(hit.id, hit.score) for hit in results.hits]
        print(json.dumps({"cpu": cpu, "wall": wall, "results": [results.total, hits]}), flush=True)


def start(checkout: Path, home: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    process = subprocess.Popen([sys.executable, __file__, home, "--serve"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdin is not None and process.stdout is not None
    json.loads(process.stdout.readline())
    return process


def ask(process: subprocess.Popen[str], number: int) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{number}\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


CLI_SEARCHES = [["search", '"oil prices" AND title:opec'], ["search", "coffee", "--sort", "-date"]]


def compare_cli(home: str, base: Path, runs: int) -> int:
    """Whole-process `archive search` of each checkout, alternating which goes first."""
    cli = Path(sys.executable).with_name("archive")
    checkouts = {"base": base, "this": REPO}
    samples = {(side, i): ([], []) for side in checkouts for i in range(len(CLI_SEARCHES))}
    outputs: dict[tuple[str, int], set[bytes]] = {key: set() for key in samples}
    for run in range(runs):
        for i, argv in enumerate(CLI_SEARCHES):
            for side in (list(checkouts) if run % 2 == 0 else list(checkouts)[::-1]):
                env = dict(os.environ, PYTHONPATH=str(checkouts[side]))
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                done = subprocess.run([str(cli), "--home", home, *argv], env=env, capture_output=True, check=True)
                wall = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                samples[(side, i)][0].append(cpu * 1000)
                samples[(side, i)][1].append(wall * 1000)
                outputs[(side, i)].add(done.stdout)
    same = True
    for i, argv in enumerate(CLI_SEARCHES):
        for side in checkouts:
            cpu_ms, wall_ms = samples[(side, i)]
            print(f"archive {' '.join(argv):40s} {side:5s} CPU median {statistics.median(cpu_ms):6.0f} ms, "
                  f"wall median {statistics.median(wall_ms):6.0f} ms")
        same = same and outputs[("base", i)] == outputs[("this", i)]
    print("same output" if same else "DIFFERENT OUTPUT")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home")
    parser.add_argument("--base", type=Path, help="the other checkout (its archive/ package is used)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", help="comma-separated query names: run just these (while working on them)")
    parser.add_argument("--cli", type=int, metavar="RUNS", help="compare whole `archive search` processes, RUNS each")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.home)
        return 0
    if args.base is None:
        parser.error("--base is required")
    if args.cli:
        return compare_cli(args.home, args.base.resolve(), args.cli)
    names = set(args.only.split(",")) if args.only else {spec["name"] for spec in QUERIES}
    unknown = names - {spec["name"] for spec in QUERIES}
    if unknown:
        parser.error(f"no such query: {', '.join(sorted(unknown))}")
    chosen = [number for number, spec in enumerate(QUERIES) if spec["name"] in names]
    sides = {"base": start(args.base.resolve(), args.home), "this": start(REPO, args.home)}
    cpu: dict[str, list[list[float]]] = {side: [[] for _ in QUERIES] for side in sides}
    wall: dict[str, list[float]] = {side: [] for side in sides}
    differing: set[str] = set()
    for _ in range(args.rounds):
        for number in chosen:
            spec = QUERIES[number]
            answers = {side: ask(process, number) for side, process in sides.items()}
            for side, answer in answers.items():
                cpu[side][number] += answer["cpu"]
                wall[side] += answer["wall"]
            if answers["base"]["results"] != answers["this"]["results"]:
                differing.add(spec["name"])
    for process in sides.values():
        process.communicate("")
    print(f"{'query':28s} {'base':>8s} {'this':>8s}   median CPU ms")
    for number in chosen:
        spec = QUERIES[number]
        print(f"{spec['name']:28s} {statistics.median(cpu['base'][number]):8.1f} {statistics.median(cpu['this'][number]):8.1f}")
    for side in sides:
        samples = [x for runs in cpu[side] for x in runs]
        print(f"{side}: CPU p50 {percentile(samples, 0.5):.1f} p95 {percentile(samples, 0.95):.1f} ms; "
              f"wall p50 {percentile(wall[side], 0.5):.1f} p95 {percentile(wall[side], 0.95):.1f} ms")
    print("same results" if not differing else f"DIFFERENT RESULTS: {', '.join(sorted(differing))}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
