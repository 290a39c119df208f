"""Generalisation probe: copies as whole web pages, through the real ingest (trafilatura).

    .venv/bin/python bench/page_probe.py [--articles 80] [--seed 3] [--undated-copies] [--credit] [--json out.json]

spun_dev and the spin and scraper probes hand provenance clean texts. Here each of LLMFake's
human articles (of 200 words or more) becomes a newsroom's web page, and two content farms
republish it word for word an hour and five hours later. Every page has its site's template: a
cookie notice, navigation, a sidebar of five other articles' headlines, a "Related stories"
block with three other articles' headlines and leads, a footer; each farm also puts its own
share bar above the story and its feed's footer below it ("The post ... appeared first on
..."), the furniture of sites that repost from feeds. The pages (dated in their metadata) are
ingested into a new archive as HTML files, and the stored links are scored: each farm copy
should be linked to its article (or to a text identical to it: LLMFake holds some articles
twice) as a copy, not to the other farm's copy, and no article should derive from anything.
Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import html
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import print_report, require_data  # noqa: E402
from provenance_eval import DATA, _load  # noqa: E402

from archive.api import Archive  # noqa: E402
from archive.provenance import DERIVATIONS  # noqa: E402

NEWSROOM = ("Daily Herald", "www.dailyherald-news.com")
FARMS = (("BuzzFarm", "buzzfarm.net", "Share this: Facebook Twitter Email", 1),
         ("NewsNow Hub", "newsnowhub.co", "Share on Facebook | Share on X | WhatsApp", 5))
MIN_WORDS = 200


def headline(text: str) -> str:
    """An article's headline: its first ten words (LLMFake's articles come without one)."""
    return " ".join(text.split()[:10]).rstrip(".,;:")


def paragraphs(text: str) -> list[str]:
    """The article's paragraphs; a text of one or two lines in groups of three sentences."""
    found = [p.strip() for p in text.split("\n") if p.strip()]
    if len(found) >= 3:
        return found
    sentences = " ".join(found).split(". ")
    return [". ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]


def page(site: tuple[str, str], article: dict[str, Any], others: list[dict[str, Any]], when: datetime | None,
         slug: str, share: str | None = None, credit: str | None = None) -> str:
    """A site's page of ``article``, dated ``when`` (undated: None); ``share``: a farm's share bar,
    and its feed's footer below; ``credit``: the outlet a farm credits under the story."""
    name, host = site
    title = headline(article["text"])
    sidebar = "".join(f'<li><a href="/a/{o["id"]}">{html.escape(headline(o["text"]))}</a></li>' for o in others[:5])
    related = "".join(f'<div class="rel"><h3>{html.escape(headline(o["text"]))}</h3>'
                      f'<p>{html.escape(" ".join(o["text"].split()[:25]))}…</p></div>' for o in others[5:8])
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(article["text"]))
    if share is not None:
        credited = f"<p>Source: {html.escape(credit)}</p>" if credit else ""
        body = (f"<p>{html.escape(share)}</p>{body}{credited}"
                f"<p>The post {html.escape(title)} appeared first on {name}.</p>")
    dated = f'<meta property="article:published_time" content="{when.isoformat()}">' if when else ""
    byline = f" · {when.strftime('%B %d, %Y %H:%M')}" if when else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)} | {name}</title>
<meta property="og:site_name" content="{name}">{dated}
<link rel="canonical" href="https://{host}/{slug}"></head><body>
<div class="cookie">We use cookies to improve your experience. Accept</div>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/celebs">Celebrities</a> <a href="/health">Health</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><div class="byline">By Staff Writer{byline}</div>{body}</article>
<section class="related"><h2>Related stories</h2>{related}</section></main>
<aside><h2>Trending now</h2><ul>{sidebar}</ul></aside>
<footer>© 2024 {name}. All rights reserved. <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer></body></html>"""


def write_pages(folder: Path, articles: list[dict[str, Any]], seed: int, undated: bool = False,
                credit: bool = False) -> dict[str, str]:
    """Each article's newsroom page and its two farm copies in ``folder`` (``undated``: the copies
    carry no date; ``credit``: they credit the newsroom); each copy's file name -> its article's."""
    rnd = random.Random(seed)
    start = datetime(2024, 3, 1, 8, 13, tzinfo=timezone.utc)
    truth: dict[str, str] = {}
    for k, article in enumerate(articles):
        when = start + timedelta(hours=7 * k)
        others = [o for o in articles if o is not article]
        original = f"newsroom-{k:03d}.html"
        (folder / original).write_text(page(NEWSROOM, article, rnd.sample(others, 8), when, f"{k}"), encoding="utf-8")
        for name, host, share, hours in FARMS:
            copy = f"{host.split('.')[0]}-{k:03d}.html"
            dated = None if undated else when + timedelta(hours=hours)
            (folder / copy).write_text(page((name, host), article, rnd.sample(others, 8), dated, f"{k}", share,
                                            NEWSROOM[0] if credit else None), encoding="utf-8")
            truth[copy] = original
    return truth


def score(db: Path, truth: dict[str, str]) -> dict[str, Any]:
    """Copy -> article links by the stored provenance table (file names are external ids)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, external_id, text FROM documents").fetchall()
        links = conn.execute("SELECT derived_id, source_id, relation FROM provenance").fetchall()
        stories = dict(conn.execute("SELECT document_id, story_id FROM stories").fetchall())
        credits = conn.execute("SELECT count(*) FROM attributions WHERE outlet = ?", (NEWSROOM[0],)).fetchone()[0]
    finally:
        conn.close()
    name = {doc_id: external for doc_id, external, _ in rows}
    same_text: dict[str, set[str]] = {}
    for _, external, text in rows:
        same_text.setdefault(" ".join(text.split()), set()).add(external)
    text_of = {external: " ".join(text.split()) for _, external, text in rows}
    id_of = {external: doc_id for doc_id, external in name.items()}
    sources: dict[str, list[tuple[str, str]]] = {}
    for derived, source, relation in links:
        if relation in DERIVATIONS:
            sources.setdefault(name[derived], []).append((name[source], relation))
    counts: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    misses = []
    for copy, article in sorted(truth.items()):
        linked = sources.get(copy, [])
        relations.update(relation for _, relation in linked)
        if any(source == article for source, _ in linked):
            counts["to_article"] += 1
        elif any(source in same_text[text_of[article]] and source.startswith("newsroom-") for source, _ in linked):
            counts["to_identical_article"] += 1
        elif any(source in truth for source, _ in linked):
            counts["to_other_copy"] += 1
            misses.append({"copy": copy, "article": article, "links": linked})
        elif linked:
            counts["elsewhere"] += 1
            misses.append({"copy": copy, "article": article, "links": linked})
        else:
            counts["unlinked"] += 1
            misses.append({"copy": copy, "article": article, "links": []})
        counts["in_wrong_story"] += stories.get(id_of[copy]) != stories.get(id_of[article]) and bool(linked)
    articles_derived = sum(1 for external, linked in sources.items() if external.startswith("newsroom-")
                           and any(source in truth or text_of[source] != text_of[external] for source, _ in linked))
    total = len(truth)
    return {"copies": total, **counts, "credits_recorded": credits, "linked_to_article_share": round(counts["to_article"] / total, 4),
            "linked_to_article_or_identical_share": round((counts["to_article"] + counts["to_identical_article"]) / total, 4),
            "articles_derived_from_other_texts": articles_derived, "relations": dict(relations), "misses": misses[:8]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=80, help="how many of LLMFake's articles (default 80)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--undated-copies", action="store_true",
                        help="the farms' pages carry no date (a scraper that drops it): only the texts tell")
    parser.add_argument("--credit", action="store_true",
                        help="the farms' pages credit the newsroom under the story (\"Source: Daily Herald\")")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    require_data(DATA / "llmfake" / "sources.jsonl.gz")
    articles = [r for r in _load(DATA / "llmfake" / "sources.jsonl.gz") if len(r["text"].split()) >= MIN_WORDS]
    articles = articles[:args.articles]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        pages, home = Path(tmp) / "pages", Path(tmp) / "home"
        pages.mkdir()
        truth = write_pages(pages, articles, args.seed, args.undated_copies, args.credit)
        with Archive(home) as archive:
            summary = archive.ingest([str(pages)], background=False)
        report = {"articles": len(articles), "pages": summary.added, "failed": summary.failed,
                  **score(home / "archive.db", truth)}
    report["wall_s"] = round(time.perf_counter() - started, 2)
    print_report(report, args.json)


if __name__ == "__main__":
    main()
