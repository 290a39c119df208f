"""Measures a candidate rule for a farm's boilerplate (not in the engine yet; docs/provenance.md).

    .venv/bin/python bench/boilerplate_probe.py [--k 12] [--sample 8] [--min-stories 3] [--json out.json]

A passage is boilerplate when it recurs verbatim in texts that tell different stories. The rule
measured: word k-gram shingles of each text's token hashes, sampled by hash (one in ``--sample``,
so that every text keeps the same ones), counted over the archive; a shingle held by at least
``--min-stories`` texts that are pairwise different stories (under 30% of the smaller one's
names and numbers in common) is boilerplate, and so are the tokens it covers (and the gaps
between two such shingles of one passage). The archive: all of Reuters, spun_dev, the Reuters-
source spin probe's 750 copies with their farms' boilerplate (``spin_probe --reuters-sources 500
--boilerplate``, seed 7), and LLMFake's articles and rewrites. It prints how much of the probe's
boilerplate the rule finds, how much of the copies' stories it takes too, and which passages of
the real corpora it would take (the most frequent first).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spin_probe  # noqa: E402
from common import require_data  # noqa: E402
from provenance_eval import DATA, _load  # noqa: E402

from archive.provenance.features import CAP, NUM, Tokens, tokenize  # noqa: E402

_MULTIPLIER = np.uint64(1099511628211)
DIFFERENT_STORY_OVERLAP = 0.3  # share of the smaller text's names and numbers
POSTINGS_LOOKED_AT = 40


def sampled_shingles(hashes: np.ndarray, k: int, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """The kept k-gram shingle hashes of a token stream and where each starts."""
    n = hashes.shape[0] - k + 1
    if n <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    h = hashes.astype(np.uint64)
    acc = np.zeros(n, np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc = acc * _MULTIPLIER + h[j:j + n]
        mixed = acc ^ (acc >> np.uint64(29))
        mixed = mixed * np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    keep = (mixed % np.uint64(sample)) == 0
    return mixed[keep], np.flatnonzero(keep)


def _corpus() -> tuple[dict[int, str], dict[int, str]]:
    """Texts by id, and each text's corpus."""
    texts: dict[int, str] = {}
    kind: dict[int, str] = {}

    def add(offset: int, rows: list[Any], name: str) -> None:
        for k, text in enumerate(rows):
            texts[offset + k], kind[offset + k] = text, name

    reuters = _load(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    add(0, [r["text"] for r in reuters], "reuters")
    add(100_000, [r["text"] for r in _load(DATA / "spun_dev" / "spun.jsonl.gz")], "spun_dev")
    sources = spin_probe._reuters_sources(reuters, 500, 7)
    add(200_000, [c["text"] for c in spin_probe.make_copies(sources, 7, dictionary_corpus=reuters, boilerplate=True)],
        "probe_copies")
    add(300_000, [r["text"] for r in _load(DATA / "llmfake" / "sources.jsonl.gz")], "llmfake_sources")
    add(400_000, [r["text"] for r in _load(DATA / "llmfake" / "rewrites.jsonl.gz")], "llmfake_rewrites")
    return texts, kind


def _boilerplate(shingles: dict[int, np.ndarray], tokens: dict[int, Tokens], min_stories: int) -> set[int]:
    """The shingles held by ``min_stories`` texts that are pairwise different stories."""
    holders: dict[int, list[int]] = defaultdict(list)
    for doc, hashes in shingles.items():
        for h in np.unique(hashes).tolist():
            holders[h].append(doc)
    details = {doc: set(t.hashes[(t.kinds == CAP) | (t.kinds == NUM)].tolist()) for doc, t in tokens.items()}

    def different(a: int, b: int) -> bool:
        da, db = details[a], details[b]
        return len(da & db) < DIFFERENT_STORY_OVERLAP * max(1, min(len(da), len(db)))

    out = set()
    for h, docs in holders.items():
        if len(docs) < min_stories:
            continue
        picked: list[int] = []
        for doc in docs[:POSTINGS_LOOKED_AT]:
            if all(different(doc, other) for other in picked):
                picked.append(doc)
        if len(picked) >= min_stories:
            out.add(h)
    return out


def measure(k: int, sample: int, min_stories: int) -> dict[str, Any]:
    texts, kind = _corpus()
    tokens = {doc: tokenize(text) for doc, text in texts.items()}
    kept = {doc: sampled_shingles(t.hashes, k, sample) for doc, t in tokens.items()}
    boiler = _boilerplate({doc: h for doc, (h, _) in kept.items()}, tokens, min_stories)
    farm_paragraphs = tuple(spin_probe.BOILERPLATE.values())
    counts: Counter[str] = Counter()
    passages: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, (hashes, starts) in kept.items():
        t, text = tokens[doc], texts[doc]
        flagged = starts[np.fromiter((h in boiler for h in hashes.tolist()), bool, hashes.shape[0])]
        mask = np.zeros(t.hashes.shape[0], bool)
        for p in flagged:
            mask[p:p + k] = True
        for p, q in zip(flagged[:-1], flagged[1:]):
            if q - p <= 3 * sample:
                mask[p:q] = True
        if kind[doc] == "probe_copies":
            start = text.index(next(p for p in farm_paragraphs if p in text))
            inside = t.starts >= start
            counts["probe_boilerplate_tokens"] += int(inside.sum())
            counts["probe_boilerplate_found"] += int((mask & inside).sum())
            counts["probe_story_tokens"] += int((~inside).sum())
            counts["probe_story_taken"] += int((mask & ~inside).sum())
        else:
            counts[f"{kind[doc]}_tokens"] += t.hashes.shape[0]
            counts[f"{kind[doc]}_taken"] += int(mask.sum())
            if mask.any():
                counts[f"{kind[doc]}_texts_with_some"] += 1
                first = int(np.flatnonzero(mask)[0])
                passages[kind[doc]][" ".join(text[int(t.starts[first]):].split())[:80]] += 1
    return {"k": k, "sample": sample, "min_stories": min_stories, "boilerplate_shingles": len(boiler),
            "counts": dict(sorted(counts.items())),
            "passages": {name: c.most_common(12) for name, c in sorted(passages.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=12, help="words per shingle")
    parser.add_argument("--sample", type=int, default=8, help="keep one shingle in this many (by hash)")
    parser.add_argument("--min-stories", type=int, default=3, help="different stories that must hold a shingle")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    require_data(DATA / "reuters21578" / "reuters21578.jsonl.gz", DATA / "spun_dev" / "spun.jsonl.gz",
                 DATA / "llmfake" / "sources.jsonl.gz", DATA / "llmfake" / "rewrites.jsonl.gz")
    report = measure(args.k, args.sample, args.min_stories)
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
