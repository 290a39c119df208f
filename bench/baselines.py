"""Baselines: what someone would do directly with each library, on the same texts as the archive.

    .venv/bin/python bench/baselines.py [--input X.jsonl.gz] [--limit N] [--only whoosh|fts5|minhash]

- whoosh: one writer, ``add_document`` per story, one commit; a plain schema (id ID stored, title
  TEXT, text TEXT, StandardAnalyzer) with Whoosh's default writer settings.
- fts5: SQLite FTS5 (porter over unicode61), one transaction of inserts.
- minhash: datasketch MinHash, 128 permutations over word 5-gram shingles, inserted into a
  MinHashLSH (threshold 0.5).

Each timing starts from the stories already in memory: reading the file is timed once, apart,
and reported as ``read_s`` so it can be added where a comparison needs it.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REUTERS, dir_size, load_jsonl, mb, require_data  # noqa: E402

Story = dict[str, Any]
_WORD = re.compile(r"\w+")


def read_stories(path: Path = REUTERS, limit: int | None = None) -> tuple[list[Story], float]:
    started = time.perf_counter()
    rows = load_jsonl(path)
    if limit:
        rows = rows[:limit]
    return rows, time.perf_counter() - started


def whoosh_baseline(stories: list[Story], workdir: Path) -> dict[str, Any]:
    from whoosh import fields, index
    from whoosh.analysis import StandardAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
        text=fields.TEXT(analyzer=StandardAnalyzer()),
    )
    path = workdir / "whoosh"
    path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ix = index.create_in(str(path), schema)
    writer = ix.writer()
    for story in stories:
        writer.add_document(id=story["id"], title=story.get("title") or "", text=story["text"])
    added = time.perf_counter()
    writer.commit()
    seconds = time.perf_counter() - started
    return {
        "docs": len(stories),
        "seconds": round(seconds, 3),
        "add_s": round(added - started, 3),
        "commit_s": round(seconds - (added - started), 3),
        "docs_per_s": round(len(stories) / seconds, 1),
        "index_mb": mb(dir_size(path)),
    }


def fts5_baseline(stories: list[Story], workdir: Path, tokenizer: str = "porter unicode61") -> dict[str, Any]:
    path = workdir / "fts5.db"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='{tokenizer}')")
    with db:
        db.executemany("INSERT INTO docs (id, title, text) VALUES (?, ?, ?)",
                       ((s["id"], s.get("title") or "", s["text"]) for s in stories))
    db.close()
    seconds = time.perf_counter() - started
    return {
        "docs": len(stories),
        "tokenizer": tokenizer,
        "seconds": round(seconds, 3),
        "docs_per_s": round(len(stories) / seconds, 1),
        "db_mb": mb(dir_size(path)),
    }


def shingles(text: str, n: int = 5) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


def minhash_baseline(stories: list[Story], num_perm: int = 128, threshold: float = 0.5) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    signatures = []
    for story in stories:
        sig = MinHash(num_perm=num_perm)
        sig.update_batch(list(shingles(story["text"])))
        signatures.append(sig)
    signed = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for story, sig in zip(stories, signatures):
        lsh.insert(story["id"], sig)
    seconds = time.perf_counter() - started
    return {
        "docs": len(stories),
        "num_perm": num_perm,
        "threshold": threshold,
        "seconds": round(seconds, 3),
        "minhash_s": round(signed - started, 3),
        "lsh_insert_s": round(seconds - (signed - started), 3),
        "docs_per_s": round(len(stories) / seconds, 1),
    }


BASELINES = ("whoosh", "fts5", "minhash")


def run_baselines(stories: list[Story], read_s: float, workdir: Path,
                  only: tuple[str, ...] = BASELINES) -> dict[str, Any]:
    results: dict[str, Any] = {"read_s": round(read_s, 3)}
    if "whoosh" in only:
        results["whoosh"] = whoosh_baseline(stories, workdir)
    if "fts5" in only:
        results["fts5"] = fts5_baseline(stories, workdir)
    if "minhash" in only:
        results["minhash"] = minhash_baseline(stories)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=REUTERS, help="a JSONL.gz of stories (default Reuters)")
    parser.add_argument("--limit", type=int, help="only the first N stories")
    parser.add_argument("--only", action="append", choices=BASELINES)
    parser.add_argument("--workdir", type=Path, help="build the indexes here and keep them")
    args = parser.parse_args()
    require_data(args.input)
    stories, read_s = read_stories(args.input, limit=args.limit)
    with tempfile.TemporaryDirectory(prefix="archive-baselines-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = run_baselines(stories, read_s, workdir, tuple(args.only or BASELINES))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
