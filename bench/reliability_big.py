"""Full-size hostile inputs, too big for the test suite (tests/test_reliability_hostile.py runs the
same cases at small scale with lowered ReadLimits).

Each case runs the real CLI (`archive ingest`) on a fresh home in a temporary folder and reports the
exit status, the summary line, wall time and the peak memory of the ingest (parent and its reader
child), so a regression to "read it all into memory" shows as a number.

    .venv/bin/python bench/reliability_big.py            # full size: several GB of temporary disk
    .venv/bin/python bench/reliability_big.py --scale 0.02   # a quick smoke run of the same cases
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MiB = 1024 * 1024
ARCHIVE = [sys.executable, "-m", "archive"]


def big_jsonl(path: Path, size: int) -> None:
    """Many ordinary articles: the streaming path (one line at a time)."""
    line_number = 0
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < size:
            line_number += 1
            words = " ".join(f"word{(line_number * 7 + k) % 5000}" for k in range(150))
            handle.write(json.dumps({"id": f"big-{line_number}", "title": f"Article {line_number}",
                                     "text": f"{words} end{line_number}."}) + "\n")


def long_line(path: Path, size: int) -> None:
    """One JSON line of ``size`` bytes between two normal ones: refused by the record cap (64 MiB)."""
    good = json.dumps({"id": "ok-1", "text": "a normal article before the long line"}) + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(good)
        handle.write('{"id": "long", "text": "')
        chunk = "x" * MiB
        for _ in range(size // MiB):
            handle.write(chunk)
        handle.write('"}\n')
        handle.write(good.replace("ok-1", "ok-2"))


def gzip_bomb(path: Path, expanded: int) -> None:
    """``expanded`` bytes of zeros in a few MB: refused once past the decompressed-size cap (1 GiB),
    inflating ~1,000 times where news text inflates 3-10 times (ReadLimits.max_gzip_ratio)."""
    zeros = b"\x00" * (16 * MiB)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(expanded // len(zeros)):
            handle.write(zeros)


def big_text(path: Path, size: int) -> None:
    """A plain-text file bigger than one article may be: refused by the record cap."""
    with path.open("w", encoding="utf-8") as handle:
        line = "All work and no play makes a very long article. " * 20 + "\n"
        while handle.tell() < size:
            handle.write(line)


def run_case(name: str, make, size: int, workdir: Path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    folder = workdir / name
    folder.mkdir()
    suffix = {"gzip_bomb": ".jsonl.gz", "big_text": ".txt"}.get(name, ".jsonl")
    target = folder / f"input{suffix}"
    make(target, size)
    home = workdir / f"home-{name}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([*ARCHIVE, "--home", str(home), "ingest", "-q", str(folder)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        "case": name, "input_mb": round(target.stat().st_size / MiB, 1), "exit": done.returncode,
        "summary": done.stdout.strip(), "messages": done.stderr.strip().splitlines()[-3:],
        "seconds": round(seconds, 1), "peak_rss_mb_so_far": round(max(before, peak) / 1024, 1),
        "traceback": "Traceback" in done.stderr,
    }
    target.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    parser.add_argument("--only", action="append", help="run only these cases")
    args = parser.parse_args()
    cases = {
        "big_jsonl": (big_jsonl, 400 * MiB),    # several hundred MB of articles: must stream
        "long_line": (long_line, 100 * MiB),    # one 100 MB line: refused, the others kept
        "gzip_bomb": (gzip_bomb, 2048 * MiB),   # 2 GiB of zeros: refused by the 1 GiB cap
        "big_text": (big_text, 128 * MiB),      # one 128 MB text file: refused by the record cap
    }
    with tempfile.TemporaryDirectory(prefix="archive-reliability-big-") as tmp:
        for name, (make, size) in cases.items():
            if args.only and name not in args.only:
                continue
            print(json.dumps(run_case(name, make, max(MiB, int(size * args.scale)), Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
