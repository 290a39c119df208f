"""One measured job in its own process, so its memory and imports are its own.

    python bench/worker.py ingest HOME PATH... [--no-provenance] [--refresh-provenance]
    python bench/worker.py search HOME [--repeat N]      # the queries in bench/queries.py
    python bench/worker.py link HOME                     # provenance of an archive ingested without it

Prints one JSON line (the last line of stdout) with the result; ``bench/run.py`` reads it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _maxrss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024.0, 1)  # Linux: kilobytes


def _change(change: Any) -> dict[str, Any]:
    return {name: getattr(change, name) for name in ("documents", "links", "inserted", "updated", "deleted")
            if hasattr(change, name)}


def ingest(home: str, paths: list[str], provenance: bool, refresh: bool) -> dict[str, Any]:
    from archive.api import Archive

    started = time.perf_counter()
    with Archive(home) as archive:
        summary = archive.ingest(paths, background=True, provenance=provenance)
        result: dict[str, Any] = {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "failed": summary.failed,
            "failures": [str(f) for f in summary.failures[:5]],
            "seconds": {k: round(v, 3) for k, v in summary.seconds.items()},
        }
        if summary.provenance is not None:
            result["provenance_change"] = _change(summary.provenance)
        if refresh:
            refreshed, refreshed_cpu = time.perf_counter(), time.process_time()
            change = archive.refresh_provenance()
            result["refresh_provenance_s"] = round(time.perf_counter() - refreshed, 3)
            result["refresh_provenance_cpu_s"] = round(time.process_time() - refreshed_cpu, 3)
            result["provenance_change"] = _change(change)
    result["process_s"] = round(time.perf_counter() - started, 3)
    result["maxrss_self_mb"] = _maxrss_mb(resource.RUSAGE_SELF)
    result["maxrss_children_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
    return result


def link(home: str) -> dict[str, Any]:
    """Link an archive ingested with --no-provenance: what its ingest would have run last
    (a first link recomputes everything, in chunks beyond 40,000 documents)."""
    from archive.api import Archive

    started, started_cpu = time.perf_counter(), time.process_time()
    with Archive(home) as archive:
        change = archive.refresh_provenance()
    provenance = {**_change(change), "examined": change.examined, "pairs_aligned": change.aligned,
                  "pairs_reused": change.reused}
    return {"seconds": round(time.perf_counter() - started, 3), "cpu_self_s": round(time.process_time() - started_cpu, 3),
            "provenance_change": provenance, "maxrss_self_mb": _maxrss_mb(resource.RUSAGE_SELF)}


def search(home: str, repeat: int) -> dict[str, Any]:
    """Each query once cold (in this fresh process), then ``repeat`` times after that warm-up."""
    from queries import QUERIES

    from archive.api import Archive

    archive = Archive(home)
    cold: list[float] = []
    cold_cpu: list[float] = []
    totals: list[int] = []
    for spec in QUERIES:
        options = {k: v for k, v in spec.items() if k not in ("name", "query")}
        started, started_cpu = time.perf_counter(), time.process_time()
        results = archive.search(spec["query"], **options)
        cold.append(time.perf_counter() - started)
        cold_cpu.append(time.process_time() - started_cpu)
        totals.append(results.total)
    warm: list[list[float]] = []
    warm_cpu: list[list[float]] = []
    for spec in QUERIES:
        options = {k: v for k, v in spec.items() if k not in ("name", "query")}
        runs, runs_cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            archive.search(spec["query"], **options)
            runs.append(time.perf_counter() - started)
            runs_cpu.append(time.process_time() - started_cpu)
        warm.append(runs)
        warm_cpu.append(runs_cpu)
    return {
        "queries": [
            {"name": spec["name"], "query": spec["query"], "options": {k: v for k, v in spec.items()
             if k not in ("name", "query")}, "total": total, "cold_ms": round(c * 1000, 2),
             "warm_ms": [round(w * 1000, 2) for w in runs], "cold_cpu_ms": round(cc * 1000, 2),
             "warm_cpu_ms": [round(w * 1000, 2) for w in runs_cpu]}
            for spec, total, c, runs, cc, runs_cpu in zip(QUERIES, totals, cold, warm, cold_cpu, warm_cpu)
        ],
        "maxrss_self_mb": _maxrss_mb(resource.RUSAGE_SELF),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="job", required=True)
    p_ingest = sub.add_parser("ingest")
    p_ingest.add_argument("home")
    p_ingest.add_argument("paths", nargs="+")
    p_ingest.add_argument("--no-provenance", action="store_true")
    p_ingest.add_argument("--refresh-provenance", action="store_true")
    p_search = sub.add_parser("search")
    p_search.add_argument("home")
    p_search.add_argument("--repeat", type=int, default=5)
    p_link = sub.add_parser("link")
    p_link.add_argument("home")
    args = parser.parse_args()
    if args.job == "ingest":
        result = ingest(args.home, args.paths, not args.no_provenance, args.refresh_provenance)
    elif args.job == "link":
        result = link(args.home)
    else:
        result = search(args.home, args.repeat)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
