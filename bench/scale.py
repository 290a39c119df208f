"""Scale run: archives of 10k, 50k, 200k new articles recombined from Reuters paragraphs.

    .venv/bin/python bench/scale.py [--sizes 10000,50000] [--seed 1987] [--keep DIR]   # also via run.py --scale

Each generated article has its own id, a title, a date spread over 1980-2025 and one of a few
source names; its body is N paragraphs drawn at random from all Reuters stories, where N follows
the paragraph counts of real Reuters stories (so articles are as long as Reuters ones on average
and docs/s figures are comparable). The corpora are written as JSONL.gz to a temporary folder
outside the repository. For each size: throughput and peak RSS (process tree) of the ingest
without its provenance linking step, per-stage seconds, index/DB size, search latency over
bench/queries.py, then the linking (what that ingest would have run last) measured apart: time,
CPU time, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REUTERS, load_jsonl, require_data, write_jsonl  # noqa: E402

# 200,000 is not in the default: on this 2-core machine it takes well over an hour.
# Ask for it with --sizes 10000,50000,200000.
DEFAULT_SIZES = (10_000, 50_000)
SOURCES = ("Reuters", "Daily Ledger", "Metro Wire", "Harbour Times", "Capital Post")
_PARAGRAPH_BREAK = re.compile(r"\n\s{2,}")
_FIRST = datetime(1980, 1, 1, tzinfo=timezone.utc)
_SPAN_S = int((datetime(2025, 12, 31, tzinfo=timezone.utc) - _FIRST).total_seconds())


def reuters_paragraphs() -> tuple[list[str], list[int], list[str]]:
    """All Reuters paragraphs (lines re-joined), the paragraph count of each story, all titles."""
    paragraphs: list[str] = []
    counts: list[int] = []
    titles: list[str] = []
    for row in load_jsonl(REUTERS):
        parts = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(row["text"])]
        # Drop the "Reuter" sign-off so it does not become a shared paragraph of every article.
        parts = [p for p in parts if p and p.lower() not in ("reuter", "reuters")]
        if parts:
            paragraphs.extend(parts)
            counts.append(len(parts))
        if row.get("title"):
            titles.append(row["title"])
    return paragraphs, counts, titles


def generate(size: int, out: Path, seed: int = 1987) -> Path:
    """Write ``size`` articles to ``out`` (a .jsonl.gz); same seed and size give the same file."""
    paragraphs, counts, titles = reuters_paragraphs()
    rng = random.Random(f"{seed}-{size}")
    rows = []
    for k in range(size):
        body = [rng.choice(paragraphs) for _ in range(rng.choice(counts))]
        # A headline that no Reuters story has: the first words of one title, the tail of another.
        head, tail = rng.choice(titles).split(), rng.choice(titles).split()
        title = " ".join(head[: max(1, len(head) // 2)] + tail[len(tail) // 2 :]).title()
        published = _FIRST + timedelta(seconds=rng.randrange(_SPAN_S))
        rows.append({
            "id": f"scale-{seed}-{k}",
            "title": title,
            "text": "\n\n".join(body),
            "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": rng.choice(SOURCES),
        })
    write_jsonl(out, rows)
    return out


def run_size(size: int, workdir: Path, seed: int, search_repeat: int = 5) -> dict[str, Any]:
    """Generate; ingest without provenance linking in a fresh home (issue 5's "full ingest": store,
    index, provenance signatures); search; then link, measured apart (its own time, CPU and
    peak memory), as the ingest would have done last."""
    from run import ingest_measured, link_measured, log, search_measured, store_sizes

    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / f"scale-{size}.jsonl.gz"
    started = time.perf_counter()
    generate(size, corpus, seed)
    generated_s = time.perf_counter() - started
    home = workdir / f"home-{size}"
    # The machine is shared: its 1-minute load average before and after says how far wall times
    # are stretched (CPU times much less so).
    load_before = round(os.getloadavg()[0], 2)
    ingest = ingest_measured(home, [str(corpus)], provenance=False)
    result: dict[str, Any] = {"size": size, "generate_s": round(generated_s, 1), "ingest": ingest}
    if ingest.get("ok"):
        result["store"] = store_sizes(home)
        result["search"] = search_measured(home, repeat=search_repeat)
        log(f"scale: {size}: ingest without linking {ingest.get('docs_per_s')} docs/s, wall "
            f"{ingest['seconds']['wall']} s, CPU {ingest.get('cpu_s')} s, peak {ingest.get('peak_rss_tree_mb')} MB; "
            f"search p95 warm {result['search'].get('warm_p95_ms')} ms; linking ...")
        result["linking"] = link_measured(home)
    result["load_average"] = [load_before, round(os.getloadavg()[0], 2)]
    return result


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s.replace("_", "").replace("k", "000")) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes numbers separated by commas, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes needs at least one positive number")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES)
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--keep", type=Path, help="work here and keep the corpora and homes")
    args = parser.parse_args()
    require_data(REUTERS)
    with tempfile.TemporaryDirectory(prefix="archive-scale-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(json.dumps(run_size(size, workdir, args.seed)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
