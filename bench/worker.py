"""One measured job in its own process, so its memory and imports are its own.

    python bench/worker.py ingest HOME PATH... [--no-provenance] [--refresh-provenance]
    python bench/worker.py search HOME [--repeat N]      # the queries in bench/queries.py
    python bench/worker.py link HOME [--progress] [--chunked-beyond N] [--max-scope N] [--stop-after N] [--resume]
                                                          # provenance of an archive ingested without it

Prints one JSON line (the last line of stdout) with the result; ``bench/run.py`` reads it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import resource
import sys
import threading
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


def _tree_cpu_s() -> float:
    """CPU seconds of this process and its waited-for children (the forked linking workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return pids


def _tree_memory_kb() -> tuple[int, int]:
    """(RSS, PSS) summed over this process and its children, in kB (Linux smaps_rollup)."""
    rss = pss = 0
    for pid in _tree_pids(os.getpid()):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


class _MemorySampler(threading.Thread):
    """Peak RSS and PSS of the process tree, sampled every ``every`` seconds (forked workers
    share most pages: RSS counts them once per process, PSS splits them)."""

    def __init__(self, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.every, self.peak_rss_kb, self.peak_pss_kb = every, 0, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, pss = _tree_memory_kb()
            self.peak_rss_kb, self.peak_pss_kb = max(self.peak_rss_kb, rss), max(self.peak_pss_kb, pss)
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def link(home: str, progress: bool = False, chunked_beyond: int | None = None,
         max_scope: int | None = None, stop_after: int | None = None, resume: bool = False) -> dict[str, Any]:
    """Link an archive ingested with --no-provenance: what its ingest would have run last
    (a first link recomputes everything, in chunks beyond 40,000 documents, or beyond
    ``chunked_beyond``; ``max_scope``: a chunk's core at most, see provenance_store.MAX_SCOPE_DOCS).
    ``progress``: a line on stderr per chunk (documents linked, CPU of the process tree, peak RSS / PSS).
    ``stop_after``: end the process once a chunked run has linked this many documents (its chunks are
    committed: a later ingest or ``archive provenance`` links the rest), printing the result so far.
    ``resume``: link only the documents without links yet (as the next ingest would), e.g. after
    a run stopped that way, instead of recomputing everything."""
    from archive import provenance_store
    from archive.api import Archive

    if chunked_beyond is not None:
        provenance_store.FULL_BUILD_MAX_DOCS = chunked_beyond
    if max_scope is not None:
        provenance_store.MAX_SCOPE_DOCS = max_scope

    started, started_self, started_cpu = time.perf_counter(), time.process_time(), _tree_cpu_s()
    sampler = _MemorySampler()
    sampler.start()

    def measured() -> dict[str, Any]:
        return {"seconds": round(time.perf_counter() - started, 3), "cpu_self_s": round(time.process_time() - started_self, 3),
                "cpu_tree_s": round(_tree_cpu_s() - started_cpu, 3), "maxrss_self_mb": _maxrss_mb(resource.RUSAGE_SELF),
                "peak_rss_tree_mb": round(sampler.peak_rss_kb / 1024, 1),
                "peak_pss_tree_mb": round(sampler.peak_pss_kb / 1024, 1)}

    if progress or stop_after is not None:
        class _Progress(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if progress:
                    print(f"{time.strftime('%H:%M:%S')} wall {time.perf_counter() - started:8.1f} s "
                          f"cpu {_tree_cpu_s() - started_cpu:8.1f} s peak rss/pss {sampler.peak_rss_kb // 1024} / "
                          f"{sampler.peak_pss_kb // 1024} MB: {record.getMessage()}", file=sys.stderr, flush=True)
                done = getattr(record, "linked", None)
                if stop_after is not None and done is not None and done >= stop_after:
                    print(json.dumps({**measured(), "stopped_after": done}), flush=True)
                    os._exit(0)  # (the chunk is committed; nothing else is pending)

        logger = logging.getLogger("archive.provenance_store")
        logger.addHandler(_Progress())
        logger.setLevel(logging.INFO)
    with Archive(home) as archive:
        change = provenance_store.update(archive.engine) if resume else archive.refresh_provenance()
    sampler.stop()
    provenance = {**_change(change), "examined": change.examined, "pairs_aligned": change.aligned,
                  "pairs_reused": change.reused}
    return {**measured(), "provenance_change": provenance}


def search(home: str, repeat: int) -> dict[str, Any]:
    """Each query once cold (in this fresh process), then ``repeat`` times after that warm-up.

    Before the first query the process imports the search modules and opens the index, timed
    apart ("open"): a once-per-process cost that `archive search`'s whole-process figure counts,
    not a query's own first run."""
    from queries import QUERIES

    from archive.api import Archive

    started, started_cpu = time.perf_counter(), time.process_time()
    importlib.import_module("archive.search.searcher")  # what every search imports first
    archive = Archive(home)
    with archive.search_index().view():
        pass
    open_ms = (time.perf_counter() - started) * 1000
    open_cpu_ms = (time.process_time() - started_cpu) * 1000
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
        "open_ms": round(open_ms, 2), "open_cpu_ms": round(open_cpu_ms, 2),
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
    p_link.add_argument("--progress", action="store_true", help="a line on stderr per chunk linked")
    p_link.add_argument("--chunked-beyond", type=int, help="link in chunks beyond this many documents (default 40,000)")
    p_link.add_argument("--max-scope", type=int, help="documents in a chunk's core at most (MAX_SCOPE_DOCS)")
    p_link.add_argument("--stop-after", type=int, help="stop once a chunked run has linked this many documents")
    p_link.add_argument("--resume", action="store_true", help="link only the documents not linked yet")
    args = parser.parse_args()
    if args.job == "ingest":
        result = ingest(args.home, args.paths, not args.no_provenance, args.refresh_provenance)
    elif args.job == "link":
        result = link(args.home, args.progress, args.chunked_beyond, args.max_scope, args.stop_after, args.resume)
    else:
        result = search(args.home, args.repeat)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
