"""Generalisation probe: copies that differ from their source only by what scrapers and
republishing sites do to text, not by any change of wording.

    .venv/bin/python bench/scraper_probe.py [--only NAME ...] [--with-reuters] [--json out.json]

Each of LLMFake's human news articles gets one copy per transformation below, every
transformation in an archive of its own (with the articles, and with all Reuters stories as
background under ``--with-reuters``). Both texts pass through the ingest's ``normalize_text``, as
they would in a real archive; a copy that normalises back to its source's text is counted as
``identical`` and left out. Such a copy has no new wording, so it should be linked to its source
(or to a text identical to it) as a ``duplicate`` or ``near_copy``, and never as ``spun``, which
says a spinner swapped words. For each transformation the probe prints precision and recall of
copy -> source links (as eval_spun counts them, also counting a link to a text identical to the
source), the relations given, and the copies left unlinked. An article LLMFake holds twice gets
one copy. Deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import textwrap
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import require_data  # noqa: E402
from provenance_eval import DATA, _count, _load, _pr, _run, reuters_docs  # noqa: E402

from archive.ingest.normalize import normalize_text  # noqa: E402
from archive.provenance import DERIVATIONS, DocInput  # noqa: E402


def ascii_punctuation(text: str) -> str:
    """Curly quotes, dashes and the ellipsis folded to ASCII ("love—Valentine's" -> "love-Valentine's")."""
    for fancy, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2014", "-"),
                         ("\u2013", "-"), ("\u2026", "...")):
        text = text.replace(fancy, plain)
    return text


def curly_quotes(text: str) -> str:
    """Straight quotes made typographic, as a CMS's "smart quotes" do."""
    text = re.sub(r'"(?=\w)', "\u201c", text).replace('"', "\u201d")
    return text.replace("'", "\u2019")


def hard_wrapped(text: str) -> str:
    """Every paragraph broken into lines of at most 72 characters (a plain-text newsletter)."""
    return "\n".join(textwrap.fill(paragraph, 72) for paragraph in text.split("\n"))


def one_paragraph(text: str) -> str:
    """Paragraph breaks lost: the whole text on one line."""
    return " ".join(text.split())


def print_hyphenation(text: str) -> str:
    """Set for print: lines of 60 characters, a long word at a line's end split by a hyphen
    ("govern-" / "ment"), as text taken from a PDF keeps it."""
    lines = []
    for line in textwrap.fill(one_paragraph(text), 60).split("\n"):
        last = re.search(r"[A-Za-z]{8,}$", line)
        if last:
            half = len(last.group()) // 2
            lines += [line[: last.start() + half] + "-", line[last.start() + half:]]
        else:
            lines.append(line)
    return "\n".join(lines)


def upper_first_paragraph(text: str) -> str:
    """The first paragraph in capitals, as some sites set a lead."""
    first, _, rest = text.partition("\n")
    return first.upper() + ("\n" + rest if rest else "")


def character_references(text: str) -> str:
    """Apostrophes, quotes and ampersands written as HTML references (a page's text taken
    without decoding them: "Jolie&#8217;s")."""
    text = text.replace("&", "&amp;")
    return text.replace("\u2019", "&#8217;").replace("'", "&#8217;").replace('"', "&quot;")


def hidden_joiners(text: str) -> str:
    """An invisible joiner inside every fourth word ("rep\u200cort"), as copies hidden from
    search and plagiarism checks carry them."""
    joiners = ("\u200c", "\u200d", "\u2060", "\u2063")
    words = text.split(" ")
    return " ".join(w[:2] + joiners[(i // 4) % 4] + w[2:] if i % 4 == 0 and len(w) > 3 else w
                    for i, w in enumerate(words))


def lookalike_letters(text: str) -> str:
    """In every fifth word, "a", "e", "o", "c" and "p" written with their Cyrillic look-alikes
    ("аbout"), another way to hide a copy from search and plagiarism checks."""
    lookalikes = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440"})
    return " ".join(w.translate(lookalikes) if i % 5 == 0 else w for i, w in enumerate(text.split(" ")))


def share_bars(text: str) -> str:
    """A republishing site's furniture around the text."""
    return ("Share on Facebook Share on Twitter Share via Email\n" + text +
            "\nRelated Posts\nYou May Also Like\nLeave a Reply Cancel reply")


def _headline(text: str) -> str:
    """A headline-sized line from another article: its opening up to the first sentence end
    after six words, at most 14 words."""
    words = text.split()[:14]
    end = next((k for k, w in enumerate(words) if k >= 5 and w[-1] in ".!?"), len(words) - 1)
    return " ".join(words[: end + 1]).rstrip(".")


_OTHER_LEADS: list[str] = []


def related_links(text: str) -> str:
    """A content farm's links to its other posts inside the text (``with_related_links``), with
    the headlines of the corpus's other articles: their names and topic words are foreign to
    this story."""
    if not _OTHER_LEADS:
        _OTHER_LEADS.extend(_headline(r["text"]) for r in _load(DATA / "llmfake" / "sources.jsonl.gz"))
    return with_related_links(text, _OTHER_LEADS)


def with_related_links(text: str, headlines: list[str], every: int = 120) -> str:
    """``text`` with a paragraph "Also read: ..." or "Related: ..." after about every ``every``
    words, at a sentence end, each with one of ``headlines`` (picked by the text's hash, so the
    same text always gets the same ones)."""
    pick = int(hashlib.sha1(text.encode()).hexdigest(), 16)
    out: list[str] = []
    words = inserted = 0
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        out.append(sentence)
        words += len(sentence.split())
        if words >= every:
            headline = headlines[(pick + 97 * inserted) % len(headlines)]
            out.append(("\n\nAlso read: " if inserted % 2 == 0 else "\n\nRelated: ") + headline + "\n\n")
            words, inserted = 0, inserted + 1
    return " ".join(out)


TRANSFORMS: dict[str, Callable[[str], str]] = {f.__name__: f for f in (
    ascii_punctuation, curly_quotes, hard_wrapped, one_paragraph, print_hyphenation, upper_first_paragraph,
    character_references, hidden_joiners, lookalike_letters, share_bars, related_links)}
COPY_ID = 200_000
BACKGROUND_OFFSET = 10_000


def evaluate(transform: Callable[[str], str], with_reuters: bool) -> dict[str, Any]:
    sources = _load(DATA / "llmfake" / "sources.jsonl.gz")
    texts = [normalize_text(r["text"]) for r in sources]
    docs = [DocInput(k + 1, text, None, None, r.get("dataset"), None) for k, (r, text) in enumerate(zip(sources, texts))]
    if with_reuters:
        docs += reuters_docs(BACKGROUND_OFFSET)[0]
    copies: dict[int, int] = {}
    identical = 0
    seen: set[str] = set()
    for k, text in enumerate(texts):
        if text in seen:
            continue  # LLMFake holds a few articles twice: one copy each, or the copies copy each other
        seen.add(text)
        copy = normalize_text(transform(text))
        if copy == text:
            identical += 1
            continue
        copies[COPY_ID + k] = k + 1
        docs.append(DocInput(COPY_ID + k, copy, None, None, "scraper", None))
    result, _, timing = _run(docs)
    same_text: dict[str, set[int]] = defaultdict(set)
    for k, text in enumerate(texts):
        same_text[" ".join(text.split())].add(k + 1)
    by_copy: dict[int, list[Any]] = defaultdict(list)
    reversed_ = 0
    for link in result.links:
        if link.relation not in DERIVATIONS:
            continue
        if link.derived_id in copies:
            by_copy[link.derived_id].append(link)
        elif link.source_id in copies and link.derived_id == copies[link.source_id]:
            reversed_ += 1
    counts: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    unlinked = []
    for doc_id, src in copies.items():
        links = by_copy.get(doc_id, [])
        _count(counts, [l.source_id for l in links], src, same_text[" ".join(texts[src - 1].split())])
        relations.update(l.relation for l in links)
        if not links:
            unlinked.append(doc_id)
    return {"copies": len(copies), "identical": identical, **_pr(counts), "reversed": reversed_,
            "relations": dict(relations.most_common()), "unlinked": unlinked[:10], "links_hash": timing["links_hash"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=sorted(TRANSFORMS), help="these transformations only")
    parser.add_argument("--with-reuters", action="store_true", help="add all Reuters stories as background")
    parser.add_argument("--json", type=Path, help="also write the metrics here")
    args = parser.parse_args()
    require_data(DATA / "llmfake" / "sources.jsonl.gz",
                 *([DATA / "reuters21578" / "reuters21578.jsonl.gz"] if args.with_reuters else []))
    report: dict[str, Any] = {}
    t = time.perf_counter()
    for name in args.only or TRANSFORMS:
        report[name] = evaluate(TRANSFORMS[name], args.with_reuters)
        print(name, json.dumps(report[name]), flush=True)
    report["wall_s"] = round(time.perf_counter() - t, 2)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
