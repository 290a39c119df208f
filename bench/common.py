"""What every benchmark shares: where the data is, the machine and commit, timing and memory.

The machine these run on is small and shared, so absolute times are noisy; every figure in the
results stands next to a baseline measured in the same run, and the ratio is what to read.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# $ARCHIVE_BENCH_DATA points elsewhere (e.g. to check the message a missing folder gives).
DATA = Path(os.environ.get("ARCHIVE_BENCH_DATA") or REPO.parent / "shared" / "data")
REUTERS = DATA / "reuters21578" / "reuters21578.jsonl.gz"
SPUN = DATA / "spun_dev" / "spun.jsonl.gz"
PYTHON = Path(sys.executable)
ARCHIVE_CLI = PYTHON.parent / "archive"


def print_report(report: dict[str, Any], json_path: Path | None) -> None:
    """Print a probe's report as JSON, and write it to ``json_path`` too when one is given."""
    text = json.dumps(report, indent=1)
    print(text)
    if json_path:
        json_path.write_text(text)


def require_data(*paths: Path) -> None:
    """Exit with status 2 and a plain message (no traceback) when the shared corpora are missing."""
    for path in (DATA, *paths):
        if not path.exists():
            print(
                f"bench: the benchmark data is missing: {path} does not exist.\n"
                f"bench: the benchmarks read the shared corpora from {DATA} (the 'shared/data' folder "
                f"next to the project checkout, or $ARCHIVE_BENCH_DATA); they are never copied into "
                f"the repository.",
                file=sys.stderr,
            )
            raise SystemExit(2)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")


# ------------------------------------------------------------------ machine and commit


def git_commit() -> str:
    """Short HEAD, with "-dirty" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "commit": git_commit(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return info


# ------------------------------------------------------------------ timing and memory


class Stopwatch:
    def __init__(self) -> None:
        self.seconds = 0.0

    @property
    def value(self) -> float:
        return self.seconds


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation: with 20 samples p95 is the 19th)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-int(round(share * 1000)) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return float("nan")
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants every ``interval`` seconds,
    and their summed PSS every ``pss_interval`` (see __init__); keeps the peaks.

    ``getrusage(RUSAGE_CHILDREN)`` only gives the largest single child, and an ingest is two
    processes working at once (reader child + writer), so their sum is sampled instead.
    """

    def __init__(self, pid: int, interval: float = 0.05, pss_interval: float = 0.5) -> None:
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        # RSS is one read of /proc/PID/statm; PSS walks every page table of the process
        # (smaps_rollup: ~6 ms for a 1 GB process, in the kernel and under its memory map's
        # lock). Read every 50 ms over an ingest and its forked linking workers, PSS took a
        # quarter of a core, which a run using both cores lost (worker.py link of Reuters +
        # spun: 10.2-10.6 s plain, 11.6-11.7 s so sampled) and single-threaded raw Whoosh did
        # not: so PSS is read less often.
        self.pss_interval = pss_interval
        self._pss_due = 0.0
        self.peak_bytes = 0
        # Summed proportional set size: pages shared by the processes (forked linking workers
        # share most of the parent's memory copy-on-write) counted once, not once per process.
        self.peak_pss_bytes = 0
        self.peak_by_process: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        psutil = self._psutil
        total = total_pss = 0
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        now = time.perf_counter()
        with_pss = now >= self._pss_due
        if with_pss:
            self._pss_due = now + self.pss_interval
        for proc in procs:
            try:
                rss = proc.memory_info().rss
                pss = getattr(proc.memory_full_info(), "pss", rss) if with_pss else 0
            except psutil.Error:
                continue
            total += rss
            total_pss += pss
            self.peak_by_process[proc.pid] = max(self.peak_by_process.get(proc.pid, 0), rss)
        self.peak_bytes = max(self.peak_bytes, total)
        if with_pss:
            self.peak_pss_bytes = max(self.peak_pss_bytes, total_pss)


class Measured(subprocess.CompletedProcess):  # type: ignore[type-arg]
    cpu_s: float = 0.0
    peak_pss_bytes: int = 0


def run_measured(argv: list[str], *, timeout: float | None = None, env: dict[str, str] | None = None
                 ) -> tuple[Measured, float, int]:
    """Run a command, sampling the peak summed RSS of its process tree; (result, seconds, peak bytes).

    ``result.cpu_s`` is the user+system CPU time of the command and every descendant it waited for
    (the ingest's reader process included): on a loaded machine it moves far less than wall time.
    Commands run one at a time, so the difference of RUSAGE_CHILDREN is this command's alone.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with TreeMemory(proc.pid) as memory:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = Measured(argv, proc.returncode, out, err)
    result.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result.peak_pss_bytes = memory.peak_pss_bytes
    return result, seconds, memory.peak_bytes


def mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def last_json_line(stdout: str) -> dict[str, Any]:
    """Workers print progress freely and their result as the last line of stdout, in JSON."""
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("the worker printed no JSON result")
