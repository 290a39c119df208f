"""Index Reuters-21578 with archive.search and check every query against a brute-force oracle.

    .venv/bin/python bench/search_oracle.py [--data PATH] [--limit N] [--normalize module:function]

Prints indexing speed, index size, a table of query / hits / oracle / agree, and search latency
percentiles (each query's median of ``--repeat`` runs after a warm-up). Exits 1 if any query disagrees with the oracle.

The oracle does not use the index analyzer: it re-implements the documented tokenisation rule
(runs of ``str.isalnum()`` characters, a possessive 's dropped, another apostrophe between two of them joins them and is dropped,
lower-cased) character by character, and matches phrases, dates and booleans in plain Python.
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import importlib
import json
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from archive.search import IndexDoc, SearchIndex, count, search

# The same independent tokenizer the search tests use as their oracle (it never imports the analyzer).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fixtures.search.corpus import oracle_tokens as tokens  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REUTERS  # noqa: E402


def default_normalize(text: str) -> str:
    """NFC and collapsed whitespace: the minimum the real ingest normaliser also does."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def load_normalizer(spec: str | None) -> Callable[[str], str]:
    if not spec:
        return default_normalize
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


@dataclass
class Doc:
    index_doc: IndexDoc
    title: tuple[str, ...]
    text: tuple[str, ...]
    title_joined: str
    text_joined: str
    published: datetime | None


def load(path: Path, limit: int | None, normalize: Callable[[str], str]) -> list[Doc]:
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if limit and n > limit:
                break
            record = json.loads(line)
            title = normalize(record["title"]) if record.get("title") else None
            text = normalize(record["text"])
            published = datetime.fromisoformat(record["published"]) if record.get("published") else None
            index_doc = IndexDoc(
                id=n,
                external_id=record["id"],
                title=title,
                text=text,
                author=None,
                source=record.get("source"),
                url=None,
                language="en",
                published_at=published,
                content_hash=str(hash(text)),
            )
            title_tokens, text_tokens = tokens(title), tokens(text)
            docs.append(
                Doc(index_doc, title_tokens, text_tokens, f" {' '.join(title_tokens)} ", f" {' '.join(text_tokens)} ", published)
            )
    return docs


# ------------------------------------------------------------------ oracle predicates


def phrase_in(joined: str, words: str) -> bool:
    return f" {' '.join(tokens(words))} " in joined


def near_in(seq: tuple[str, ...], words: str, slop: int) -> bool:
    wanted = tokens(words)

    def place(k: int, last: int) -> bool:
        return k == len(wanted) or any(
            seq[p] == wanted[k] and place(k + 1, p) for p in range(last + 1, min(last + slop, len(seq) - 1) + 1)
        )

    return any(t == wanted[0] and place(1, i) for i, t in enumerate(seq))


def phrase(words: str) -> Callable[[Doc], bool]:
    return lambda d: phrase_in(d.title_joined, words) or phrase_in(d.text_joined, words)


def title_phrase(words: str) -> Callable[[Doc], bool]:
    return lambda d: phrase_in(d.title_joined, words)


def near(words: str, slop: int) -> Callable[[Doc], bool]:
    return lambda d: near_in(d.title, words, slop) or near_in(d.text, words, slop)


def word(w: str) -> Callable[[Doc], bool]:
    return lambda d: w in d.title or w in d.text


def glob(pattern: str) -> Callable[[Doc], bool]:
    return lambda d: any(fnmatch.fnmatchcase(t, pattern) for t in (*d.title, *d.text))


def between(start: datetime | None, end: datetime | None) -> Callable[[Doc], bool]:
    return lambda d: d.published is not None and (start is None or d.published >= start) and (end is None or d.published < end)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def both(*ps: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda d: all(p(d) for p in ps)


def either(*ps: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda d: any(p(d) for p in ps)


def negate(p: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda d: not p(d)


QUERIES: list[tuple[str, dict[str, object], Callable[[Doc], bool]]] = [
    ('"oil prices"', {}, phrase("oil prices")),
    ('"crude oil"', {}, phrase("crude oil")),
    ('"interest rates"', {}, phrase("interest rates")),
    ('"one of the"', {}, phrase("one of the")),
    ('"the company said"', {}, phrase("the company said")),
    ('"bank of england"', {}, phrase("bank of england")),
    ('"New York"', {}, phrase("new york")),
    ('"U.S. Agriculture Department"', {}, phrase("u s agriculture department")),
    ('"state-owned"', {}, phrase("state owned")),
    ('"it\'s"', {}, phrase("it's")),
    ('title:"trade deficit"', {}, title_phrase("trade deficit")),
    ('title:"money market"', {}, title_phrase("money market")),
    ('title:"bank of"', {}, title_phrase("bank of")),
    ('"oil prices"~3', {}, near("oil prices", 3)),
    ('"interest rates"~5', {}, near("interest rates", 5)),
    ('"coffee quotas"~4', {}, near("coffee quotas", 4)),
    ("source:reuters cocoa", {}, both(lambda d: d.index_doc.source == "Reuters", word("cocoa"))),
    ("title:cocoa", {}, lambda d: "cocoa" in d.title),
    ("text:opec", {}, lambda d: "opec" in d.text),
    ("published:1987-03", {}, between(utc(1987, 3, 1), utc(1987, 4, 1))),
    ("published:>1987-03", {}, between(utc(1987, 4, 1), None)),
    ("published:>=1987-10", {}, between(utc(1987, 10, 1), None)),
    ("published:<1987-03-02", {}, between(None, utc(1987, 3, 2))),
    ("published:1987-04-07", {}, between(utc(1987, 4, 7), utc(1987, 4, 8))),
    ("published:[1987-03-01 TO 1987-03-15]", {}, between(utc(1987, 3, 1), utc(1987, 3, 16))),
    ('"oil prices" published:1987-03', {}, both(phrase("oil prices"), between(utc(1987, 3, 1), utc(1987, 4, 1)))),
    ("opec", {"since": date(1987, 4, 1), "until": date(1987, 4, 30)}, both(word("opec"), between(utc(1987, 4, 1), utc(1987, 5, 1)))),
    ("oil AND gas", {}, both(word("oil"), word("gas"))),
    ("oil OR gas", {}, either(word("oil"), word("gas"))),
    ("oil NOT gas", {}, both(word("oil"), negate(word("gas")))),
    ("-oil", {}, negate(word("oil"))),
    ("(coffee OR cocoa) brazil", {}, both(either(word("coffee"), word("cocoa")), word("brazil"))),
    ('"crude oil" -opec -published:1987-03', {}, both(phrase("crude oil"), negate(word("opec")), negate(between(utc(1987, 3, 1), utc(1987, 4, 1))))),
    ("micro*", {}, glob("micro*")),
    ("wheat*", {}, glob("wheat*")),
    ("p?trol*", {}, glob("p?trol*")),
    ('title:japan "trade"', {}, both(lambda d: "japan" in d.title, word("trade"))),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REUTERS)
    parser.add_argument("--limit", type=int, default=None, help="index only the first N stories")
    parser.add_argument("--normalize", help="module:function applied to titles and texts (default NFC + whitespace)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query; its median counts (default 3)")
    args = parser.parse_args(argv)

    docs = load(args.data, args.limit, load_normalizer(args.normalize))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index = SearchIndex.rebuild(Path(tmp) / "index", (d.index_doc for d in docs))
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        print(f"indexed {len(docs)} docs in {elapsed:.1f} s: {len(docs) / elapsed:.0f} docs/s; index {size / 1e6:.1f} MB on disk")

        latencies: list[float] = []
        agree = 0
        print(f"{'query':<48} {'hits':>6} {'oracle':>6}  agree")
        for query, kwargs, predicate in QUERIES:
            search(index, query, **kwargs)  # type: ignore[arg-type]  # warm the reader caches
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                results = search(index, query, snippets=False, **kwargs)  # type: ignore[arg-type]
                runs.append((time.perf_counter() - started) * 1000)
            latencies.append(statistics.median(runs))
            hits = {h.id for h in search(index, query, limit=len(docs), snippets=False, **kwargs).hits}  # type: ignore[arg-type]
            expected = {d.index_doc.id for d in docs if predicate(d)}
            ok = hits == expected and results.total == len(expected) == count(index, query, **kwargs)  # type: ignore[arg-type]
            agree += ok
            label = query + (f" {kwargs}" if kwargs else "")
            print(f"{label[:48]:<48} {results.total:>6} {len(expected):>6}  {'yes' if ok else 'NO'}")
        quantiles = statistics.quantiles(latencies, n=20)
        print(f"agree {agree}/{len(QUERIES)}; search latency (top 10, with total count; median of {args.repeat} runs): "
              f"p50 {statistics.median(latencies):.1f} ms, p95 {quantiles[18]:.1f} ms")
    return 0 if agree == len(QUERIES) else 1


if __name__ == "__main__":
    sys.exit(main())
