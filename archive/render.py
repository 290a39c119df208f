"""Turning library results into text, JSON and CSV for the terminal. Knows nothing of click."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import IO, Any

from archive.readstore import DocumentRecord


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def document_text(doc: DocumentRecord) -> str:
    lines = [f"# {doc.title or '(untitled)'}", ""]
    for label, value in (
        ("id", doc.id), ("external id", doc.external_id), ("source", doc.source),
        ("author", doc.author), ("published", doc.published_at), ("url", doc.url),
        ("language", doc.language), ("path", doc.path), ("format", doc.format),
        ("ingested", doc.ingested_at), ("content hash", doc.content_hash[:16]),
    ):
        if value not in (None, ""):
            lines.append(f"{label:>13}: {value}")
    cruft = doc.raw_meta.get("cruft") or []
    if cruft:
        lines.append(f"{'cruft removed':>13}: {len(cruft)} line(s)")
    lines += ["", doc.text]
    return "\n".join(lines)


def to_json_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def table(rows: Iterable[tuple[Any, ...]], headers: tuple[str, ...]) -> str:
    rows = [tuple("" if v is None else str(v) for v in row) for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(tuple("-" * w for w in widths))] + [line(r) for r in rows])


def stats_text(stats: dict[str, Any], top: int = 20) -> str:
    parts = [
        f"documents: {stats['documents']}   stories: {stats['stories']}   "
        f"provenance links: {stats['provenance_links']}   ingest failures: {stats['failures']}"
    ]
    if stats["pending_index"]:
        parts.append(f"pending index updates: {stats['pending_index']} (run `archive index check`)")
    by_source = stats["by_source"]
    parts += ["", table(by_source[:top], ("source", "documents"))]
    if len(by_source) > top:
        parts.append(f"... and {len(by_source) - top} more sources")
    parts += ["", table(stats["by_year"], ("year", "documents"))]
    return "\n".join(parts)


class ProgressLine:
    """A one-line live counter on stderr, only when a person is watching."""

    def __init__(self, stream: IO[str] = sys.stderr, enabled: bool | None = None) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, summary: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        rate = summary.seen / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{summary.seen} records  (+{summary.added} ~{summary.updated} ={summary.unchanged} "
            f"!{summary.failed})  {rate:,.0f}/s "
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\r\033[K")
            self.stream.flush()


SEARCH_FIELDS = ("id", "external_id", "title", "source", "published_at", "score", "snippet")


def hit_row(hit: Any) -> dict[str, Any]:
    from archive.search.snippets import render as render_snippet

    return {
        "id": hit.id,
        "external_id": hit.external_id,
        "title": hit.title,
        "source": hit.source,
        "published_at": hit.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") if hit.published_at else None,
        "score": round(hit.score, 4) if hit.score is not None else None,
        "snippet": render_snippet(hit.snippet, "markers") if hit.snippet else None,
    }


def search_text(results: Any, *, offset: int, color: bool) -> str:
    from archive.search.snippets import render as render_snippet

    out: list[str] = []
    if results.total == 0:
        out.append("no matches")
        if results.suggestion:
            out.append(f"did you mean: {results.suggestion}")
    else:
        last = offset + len(results.hits)
        out.append(f"{results.total} match{'es' if results.total != 1 else ''}"
                   + (f", showing {offset + 1}-{last}" if results.hits else ""))
    for hit in results.hits:
        date = hit.published_at.strftime("%Y-%m-%d") if hit.published_at else "undated"
        title = hit.title or "(untitled)"
        if color:
            title = f"\x1b[1m{title}\x1b[0m"
        score = f"  score {hit.score:.2f}" if hit.score is not None else ""
        out += ["", f"[{hit.id}] {title}", f"    {hit.source or '-'} · {date} · {hit.external_id}{score}"]
        if hit.snippet:
            text = render_snippet(hit.snippet, "ansi" if color else "markers")
            out.append("    " + " ".join(text.split()))
    for name, counts in results.facets.items():
        out += ["", table(counts, (name, "matches"))]
    return "\n".join(out)


def search_csv(results: Any, stream: IO[str]) -> None:
    import csv

    writer = csv.DictWriter(stream, fieldnames=SEARCH_FIELDS)
    writer.writeheader()
    for hit in results.hits:
        writer.writerow(hit_row(hit))


def search_json(results: Any) -> str:
    return to_json({
        "total": results.total,
        "hits": [hit_row(h) for h in results.hits],
        "facets": {k: [list(p) for p in v] for k, v in results.facets.items()},
        "suggestion": results.suggestion,
        "warnings": results.warnings,
    })
