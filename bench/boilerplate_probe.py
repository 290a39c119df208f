"""What the engine takes for a site's boilerplate (archive/provenance/boilerplate.py), measured.

    .venv/bin/python bench/boilerplate_probe.py [--json out.json]

The archive: all of Reuters, spun_dev, the Reuters-source spin probe's 750 copies with their
farms' boilerplate (``spin_probe --reuters-sources 500 --boilerplate``, seed 7), and LLMFake's
articles and rewrites, in one candidate index. It prints how much of the probe's boilerplate the
engine's rule finds, how much of the copies' stories it takes too, and which passages of the
real corpora it takes (the most frequent first).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spin_probe  # noqa: E402
from common import print_report, require_data  # noqa: E402
from provenance_eval import DATA, _load  # noqa: E402

from archive.provenance.boilerplate import boilerplate_mask, line_keys  # noqa: E402
from archive.provenance.candidates import CandidateIndex  # noqa: E402
from archive.provenance.features import tokenize  # noqa: E402


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
    add(200_000, [c["text"] for c in spin_probe.make_copies(sources, 7, dictionary_corpus=reuters, boilerplate="end")],
        "probe_copies")
    add(300_000, [r["text"] for r in _load(DATA / "llmfake" / "sources.jsonl.gz")], "llmfake_sources")
    add(400_000, [r["text"] for r in _load(DATA / "llmfake" / "rewrites.jsonl.gz")], "llmfake_rewrites")
    return texts, kind


def measure() -> dict[str, Any]:
    texts, kind = _corpus()
    tokens = {doc: tokenize(text) for doc, text in texts.items()}
    index = CandidateIndex()
    index.add_many(sorted(tokens.items()), [line_keys(tokens[doc], texts[doc]) for doc in sorted(tokens)])
    boilerplate, holders = index.boilerplate(), index.boilerplate_holders()
    farm_paragraphs = tuple(spin_probe.BOILERPLATE.values())
    counts: Counter[str] = Counter()
    passages: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, t in tokens.items():
        text = texts[doc]
        found = boilerplate_mask(t, text, boilerplate) if doc in holders else None
        mask = found if found is not None else np.zeros(t.hashes.shape[0], dtype=bool)
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
    return {"boilerplate_shingles": int(boilerplate.shape[0]),
            "counts": dict(sorted(counts.items())),
            "passages": {name: c.most_common(12) for name, c in sorted(passages.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    require_data(DATA / "reuters21578" / "reuters21578.jsonl.gz", DATA / "spun_dev" / "spun.jsonl.gz",
                 DATA / "llmfake" / "sources.jsonl.gz", DATA / "llmfake" / "rewrites.jsonl.gz")
    report = measure()
    print_report(report, args.json)


if __name__ == "__main__":
    main()
