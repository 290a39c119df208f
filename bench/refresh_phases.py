"""Where the wall time of ``archive provenance --refresh`` goes, phase by phase.

    .venv/bin/python bench/refresh_phases.py HOME [--keep] [--stop-after N]

Copies HOME (an archive, e.g. one ingested with ``bench/worker.py ingest ... --no-provenance``)
to a temporary directory, unless ``--keep``: then HOME itself is refreshed, and runs
``refresh_provenance`` there with timers wrapped around its phases. Each row is a phase's wall
and CPU time in this process and the CPU time of the workers it forked meanwhile, inclusive of
the phases nested in it; ``map_forked@caller`` rows are the forked sections, named by the
function that started them. On a busy machine wall times follow the load, CPU times much less. A cProfile would distort the forked
sections (the children inherit the profiler), so only timers are used. An archive larger than
``provenance_store.FULL_BUILD_MAX_DOCS`` is linked in chunks (its own phases are timed too);
``--stop-after N`` prints the table once a chunked run has linked N documents and ends there.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (wall s, cpu s, calls, cpu s of the workers forked and reaped meanwhile) per phase name, in
# order of first call.
_TIMES: dict[str, list[float]] = {}


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(name: str | None, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its wall and CPU time added to the phase ``name`` (None: the caller's name
    after '@', for the forked maps called from several places)."""
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        label = name or f"{fn.__name__}@{sys._getframe(1).f_code.co_name}"
        wall, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            row = _TIMES.setdefault(label, [0.0, 0.0, 0, 0.0])
            row[0] += time.perf_counter() - wall
            row[1] += time.process_time() - cpu
            row[2] += 1
            row[3] += _children_cpu() - workers
    return timed


def _instrument() -> None:
    from archive import provenance_store
    from archive import parallel
    from archive.provenance import engine
    from archive.provenance.candidates import CandidateIndex
    from archive.provenance.carry import Carried

    for owner, attr in ((provenance_store, "_store_missing_fingerprints"), (provenance_store, "compute"),
                        (provenance_store, "write"), (provenance_store, "_write_links"),
                        (provenance_store, "_sync_stories"), (provenance_store, "_replace_if_changed"),
                        (engine, "build"), (engine.ProvenanceIndex, "update"), (engine.ProvenanceIndex, "result"),
                        (engine.ProvenanceIndex, "_decide"), (engine.ProvenanceIndex, "_choose_parents"),
                        (engine.ProvenanceIndex, "_family_roots"), (engine.ProvenanceIndex, "_add"),
                        # the family rules inside _choose_parents
                        (engine.ProvenanceIndex, "_consensus_rounds"), (engine.ProvenanceIndex, "_family_consensus"),
                        (engine.ProvenanceIndex, "_neighbour_consensus"), (engine.ProvenanceIndex, "_nearest_originals"),
                        (engine.ProvenanceIndex, "_opening_originals"), (engine.ProvenanceIndex, "_opening_sources"),
                        (engine.ProvenanceIndex, "_rewrite_sources"), (engine.ProvenanceIndex, "_paired_texts"),
                        (engine.ProvenanceIndex, "_no_rewrite_chains"), (engine.ProvenanceIndex, "_no_unsourced_sibling_sources"),
                        (engine.ProvenanceIndex, "_family_hubs"), (engine.ProvenanceIndex, "_no_spin_chains"),
                        (engine.ProvenanceIndex, "_pick_versions"),
                        (engine.ProvenanceIndex, "flags"), (engine, "stories"),
                        (CandidateIndex, "add_many"), (CandidateIndex, "_prepare_search"),
                        # the chunked path (archives beyond FULL_BUILD_MAX_DOCS)
                        (provenance_store, "_update_in_chunks"), (provenance_store, "_chunk_size"),
                        (provenance_store, "_update_part"), (provenance_store, "_background"),
                        (provenance_store, "_ranked"), (provenance_store, "_align_neighbourhood"),
                        (provenance_store, "_add"), (provenance_store, "_docs_with_prints"),
                        (provenance_store, "_stored_links"), (provenance_store, "merge_links"),
                        (provenance_store, "_sync_stories_around"), (provenance_store, "release_free_memory"),
                        (provenance_store.gc, "collect"), (Carried, "keep_pairs"), (Carried, "keep_decisions"),
                        (Carried, "analyses"), (Carried, "pairs"), (Carried, "decisions")):
        setattr(owner, attr, _timed(f"{getattr(owner, '__name__', '')}.{attr}", getattr(owner, attr)))
    parallel.map_shares_forked = _shares_timed(parallel.map_shares_forked)
    engine.map_forked = _timed(None, engine.map_forked)
    engine.map_shares_forked = _timed(None, parallel.map_shares_forked)


def _shares_timed(map_shares: Callable[..., Any]) -> Callable[..., Any]:
    """``map_shares_forked`` whose share function prints, on stderr, how long each process took
    over its share: an uneven split leaves a core idle while the parent waits."""
    @functools.wraps(map_shares)
    def timed_map(fn: Callable[..., Any], items: Any, workers: int | None = None,
                  meanwhile: Callable[[], None] | None = None) -> Any:
        started = time.perf_counter()

        def share(part: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(part)
            finally:
                print(f"    share of {len(part):6d} items in pid {os.getpid()}: started at +{wall - started:.2f} s, "
                      f"wall {time.perf_counter() - wall:.2f} s, cpu {time.process_time() - cpu:.2f} s",
                      file=sys.stderr, flush=True)
        return map_shares(share, items, workers, meanwhile)
    return timed_map


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--keep", action="store_true", help="refresh HOME itself instead of a copy")
    parser.add_argument("--stop-after", type=int, help="a chunked run: stop once this many documents are linked")
    args = parser.parse_args()
    _instrument()
    from archive.api import Archive

    with tempfile.TemporaryDirectory(prefix="refresh-phases-", dir=args.home.parent) as tmp:
        home = args.home
        if not args.keep:
            home = Path(tmp) / "home"
            shutil.copytree(args.home, home)
        load = os.getloadavg()[0]
        if args.stop_after is not None:
            _stop_after(args.stop_after, load, lambda: shutil.rmtree(tmp, ignore_errors=True))
        wall, cpu = time.perf_counter(), time.process_time()
        with Archive(home) as archive:
            change = archive.refresh_provenance()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"refresh: wall {wall:.2f} s, cpu (this process) {cpu:.2f} s, load at start {load:.2f}, "
          f"links {change.links}, changed {change.changed}")
    _print_times()
    return 0


def _print_times() -> None:
    for label, (w, c, n, workers) in _TIMES.items():
        print(f"  {label:48s} wall {w:7.2f} s  cpu {c:7.2f} s  workers' cpu {workers:6.2f} s  calls {n}")


def _stop_after(linked: int, load: float, cleanup: Callable[[], None]) -> None:
    """Print the phases and end the process (after ``cleanup``) once a chunked run has linked
    ``linked`` documents."""
    import logging

    started, started_cpu, started_workers = time.perf_counter(), time.process_time(), _children_cpu()

    class _Stop(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            done = getattr(record, "linked", None)
            if done is not None and done >= linked:
                print(f"stopped after {done} linked: wall {time.perf_counter() - started:.2f} s, "
                      f"cpu (this process) {time.process_time() - started_cpu:.2f} s, "
                      f"workers' cpu {_children_cpu() - started_workers:.2f} s, load at start {load:.2f}")
                _print_times()
                sys.stdout.flush()
                cleanup()
                os._exit(0)  # (the chunk is committed; nothing else is pending)

    logger = logging.getLogger("archive.provenance_store")
    logger.addHandler(_Stop())
    logger.setLevel(logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
