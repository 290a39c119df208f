"""Turning library results into text, JSON and CSV for the terminal. Knows nothing of click."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from typing import IO, Any

from archive.readstore import DERIVATIONS, DocumentRecord, Families


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def document_text(doc: DocumentRecord, provenance: dict[str, Any] | None = None) -> str:
    lines = [f"# {doc.title or '(untitled)'}", ""]
    for label, value in (
        ("id", doc.id), ("external id", doc.external_id), ("source", doc.source),
        ("author", doc.author), ("published", doc.published_at), ("url", doc.url),
        ("language", doc.language), ("path", doc.path), ("format", doc.format),
        ("ingested", doc.ingested_at), ("content hash", doc.content_hash[:16]),
    ):
        if value not in (None, ""):
            lines.append(f"{label:>13}: {value}")
    cruft = doc.raw_meta.get("removed_cruft") or []
    if cruft:
        lines.append(f"{'cruft removed':>13}: {len(cruft)} line(s)")
    lines += _provenance_lines(doc.id, provenance or {})
    lines += ["", doc.text]
    return "\n".join(lines)


def _provenance_lines(doc_id: int, provenance: dict[str, Any]) -> list[str]:
    """One line for each thing provenance says of the document, and where to read more."""
    lines = [f"{'derived from':>13}: [{s['id']}] {s['relation']} {s['score']:.2f} "
             f"(direction {s['direction_confidence']:.2f})" for s in provenance.get("sources") or []]
    if provenance.get("derived"):
        lines.append(f"{'reused by':>13}: {provenance['derived']} document(s)")
    if provenance.get("family_size", 1) > 1:
        others = provenance["family_size"] - 1
        where = (f"a copy of [{provenance['copy_of']}]" if provenance.get("copy_of") is not None
                 else "the original")
        lines.append(f"{'copy family':>13}: {where}; {provenance['family_size']} documents, the original and "
                     f"{others} cop{'y' if others == 1 else 'ies'}")
    if provenance.get("related"):
        lines.append(f"{'same story':>13}: {provenance['related']} related text(s), not copies of one another")
    if provenance.get("flags"):
        lines.append(f"{'flagged':>13}: {', '.join(provenance['flags'])}")
    if provenance.get("credits"):
        lines.append(f"{'credits':>13}: {', '.join(provenance['credits'])}")
    if lines:
        lines.append(f"{'':>13}  (archive provenance {doc_id} --evidence)")
    return lines


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
        # Copy links apart from `related` ones: ingest and --refresh count both ("192 links").
        f"provenance: {stats['provenance_links']} copy links (+{stats['related_links']} related)   "
        f"ingest failures: {stats['failures']}"
    ]
    if stats["pending_index"]:
        parts.append(f"pending index updates: {stats['pending_index']} (run `archive index check`)")
    by_source = stats["by_source"]
    parts += ["", table(by_source[:top], ("source", "documents"))]
    if len(by_source) > top:
        parts.append(f"... and {len(by_source) - top} more sources")
    parts += ["", table(stats["by_year"], ("year", "documents"))]
    by_language = stats["by_language"]
    parts += ["", table(by_language[:top], ("language", "documents"))]
    if len(by_language) > top:
        parts.append(f"... and {len(by_language) - top} more languages")
    parts += ["", table(stats["by_format"], ("read from", "documents"))]
    return "\n".join(parts)


class ProgressLine:
    """A one-line live progress bar on stderr, only when a person is watching.

    The bar counts input files (``total_files``, when known); records, the add/update/unchanged/
    failed split and the rate are shown beside it, so one huge file still shows movement.
    """

    BAR = 24

    def __init__(self, stream: IO[str] = sys.stderr, enabled: bool | None = None,
                 total_files: int | None = None) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.total_files = total_files
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
        bar = ""
        if self.total_files:
            # The newest file seen may still be in progress.
            done = min(max(len(summary.origins) - 1, 0), self.total_files)
            filled = round(self.BAR * done / self.total_files)
            bar = f"[{'#' * filled}{'.' * (self.BAR - filled)}] {done}/{self.total_files} files  "
        self.stream.write(
            f"\r{bar}{summary.seen:,} records (+{summary.added} ~{summary.updated} "
            f"={summary.unchanged} !{summary.failed})  {rate:,.0f}/s \033[K"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\r\033[K")
            self.stream.flush()


SEARCH_FIELDS = ("id", "external_id", "title", "source", "published_at", "score", "snippet", "copy_of",
                 "family_size")


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
        "copy_of": hit.copy_of,
        "family_size": hit.family_size,
    }


def _family_note(hit: Any) -> str:
    """Where a hit stands in its copy family, for the text listing ('' for a text on its own)."""
    others = hit.family_size - 1
    if hit.copy_of is not None:
        return f"    copy of [{hit.copy_of}]" + (f", one of {others} copies" if others > 1 else "")
    if others:
        return f"    original of {others} cop{'y' if others == 1 else 'ies'}"
    return ""


def search_text(results: Any, *, offset: int, color: bool, collapsed: bool = False) -> str:
    from archive.search.snippets import render as render_snippet

    out: list[str] = []
    if results.total == 0:
        out.append("no matches")
        if results.suggestion:
            out.append(f"did you mean: {results.suggestion}")
    else:
        last = offset + len(results.hits)
        shown = f"showing families {offset + 1}-{last}, one match each" if collapsed else f"showing {offset + 1}-{last}"
        out.append(f"{results.total} match{'es' if results.total != 1 else ''}"
                   + (f", {shown}" if results.hits else ""))
    for hit in results.hits:
        date = hit.published_at.strftime("%Y-%m-%d") if hit.published_at else "undated"
        title = hit.title or "(untitled)"
        if color:
            title = f"\x1b[1m{title}\x1b[0m"
        score = f"  score {hit.score:.2f}" if hit.score is not None else ""
        out += ["", f"[{hit.id}] {title}", f"    {hit.source or '-'} · {date} · {hit.external_id}{score}"]
        if note := _family_note(hit):
            out.append(note)
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


# -- provenance ------------------------------------------------------------------------------

NAME_CHARS = 60


def document_name(title: str | None, text: str | None) -> str:
    """What to call a document in a listing: its title, or else its opening words in quotes
    (cut between words), so that untitled texts (JSON exports without a headline field) can be
    told apart in a family tree."""
    if title:
        return title
    opening = " ".join((text or "").split())
    if not opening:
        return "(untitled)"
    return f"“{_cut_between_words(opening)}”"


def _cut_between_words(words: str) -> str:
    """``words`` up to NAME_CHARS, cut at a space and marked "…" when longer."""
    if len(words) <= NAME_CHARS:
        return words
    cut = words.rfind(" ", 0, NAME_CHARS + 1)
    return words[:cut if cut > 0 else NAME_CHARS].rstrip(",;:") + "…"


def _doc_label(doc: Any) -> str:
    date = (doc.published_at or "undated")[:10]
    return f"[{doc.id}] {document_name(doc.title, doc.text)}  ({doc.source or '-'}, {date})"


def _one_line(text: str) -> str:
    """``text`` with each run of whitespace a space: words and figures cut from the texts keep
    their line breaks ("one\nbillion" in a hard-wrapped copy), which would break a summary line."""
    return " ".join(text.split())


def _one_line_evidence(evidence: dict[str, Any], *, related: bool = False) -> str:
    """A link's evidence in a line. For a related link, also why the pair is no copy when the
    choice of sources said so (the reasons after the pair's own: "same outlet (X): ...",
    "reworded, but both from newsrooms that write alike: ..."), up to its colon."""
    reasons = evidence.get("reasons") or []
    why_not = reasons[-1].split(":")[0] if related and len(reasons) > 1 else None
    subs = evidence.get("substitutions") or []
    if subs:
        shown = ", ".join(f"{a} -> {b}" for a, b in subs[:3])
        line = f"substitutions: {shown}" + (f" (+{len(subs) - 3})" if len(subs) > 3 else "")
        return _one_line(f"{line}; {why_not}" if why_not else line)
    shared = evidence.get("shared") or {}
    names = (shared.get("names") or [])[:4] + (shared.get("numbers") or [])[:3]
    cover = evidence.get("coverage", {})
    parts = []
    if cover:
        parts.append(f"{cover.get('derived', 0):.0%} of the {'text' if related else 'copy'} aligned")
    if names:
        parts.append("shares " + ", ".join(names))
    if why_not:
        parts.append(why_not)
    if not parts and reasons:
        parts.append(reasons[0])
    return _one_line("; ".join(parts))


def _doc_notes(family: Any, doc_id: int) -> str:
    notes = []
    flags = family.flags.get(doc_id, {})
    arts = (flags.get("spun", {}).get("spinner_artefact") or [])[:3]
    if arts:  # (a flag from the document's spun link alone: its link line says so)
        notes.append("spinner artefacts: " + ", ".join(
            f"\"{a['phrase']}\"" + (f" (usually \"{a['usual']}\")" if a.get("usual") else "") for a in arts))
    cited = family.attributions.get(doc_id)
    if cited:
        notes.append("credits " + ", ".join(sorted({c["outlet"] for c in cited})))
    return _one_line("; ".join(notes))


def family_tree(family: Any, *, evidence: bool = False, width: int = 100) -> str:
    derivations = [l for l in family.links if l.relation in DERIVATIONS]
    related = [l for l in family.links if l.relation == "related"]
    children: dict[int, list[Any]] = {}
    derived = set()
    for link in derivations:
        children.setdefault(link.source_id, []).append(link)
        derived.add(link.derived_id)
    docs = family.documents
    roots = sorted(d for d in docs if d not in derived)
    out = [f"story {family.story_id}: {len(docs)} document(s), {len(derivations)} copy link(s), "
           f"{len(related)} related"]

    def walk(doc_id: int, prefix: str, seen: set[int]) -> None:
        kids = sorted(children.get(doc_id, []), key=lambda l: (-l.score, l.derived_id))
        for i, link in enumerate(kids):
            if link.derived_id in seen:
                continue
            last = i == len(kids) - 1
            branch, cont = ("└── ", "    ") if last else ("├── ", "│   ")
            doc = docs[link.derived_id]
            mark = " <" if link.derived_id == family.focus else ""
            out.append(f"{prefix}{branch}{link.relation} {link.score:.2f} "
                       f"(direction {link.direction_confidence:.2f}) {_doc_label(doc)}{mark}")
            detail = _one_line_evidence(link.evidence)
            notes = _doc_notes(family, link.derived_id)
            for line in (detail, notes):
                if line:
                    out.append(f"{prefix}{cont}    {line}")
            if evidence:
                out.extend(f"{prefix}{cont}    {l}" for l in evidence_lines(link, docs, width - len(prefix) - 8))
            walk(link.derived_id, prefix + cont, seen | {link.derived_id})

    for root in roots:
        mark = " <" if root == family.focus else ""
        out.append(_doc_label(docs[root]) + mark)
        notes = _doc_notes(family, root)
        if notes:
            out.append(f"    {notes}")
        walk(root, "", {root})
    if related:
        out += ["", "related (same story, not copied):"]
        for link in related:
            a, b = docs.get(link.derived_id), docs.get(link.source_id)
            if a and b:
                out.append(f"  [{a.id}] ~ [{b.id}] {link.score:.2f}  {_one_line_evidence(link.evidence, related=True)}")
    return "\n".join(out)


# How the side-by-side evidence marks a replaced word, and a figure that differs.
SUBSTITUTION_MARKS = ("[[", "]]")
FIGURE_MARKS = ("{{", "}}")
# A passage longer than this many characters is shown in part: around its first replacements,
# with this much context on either side, or else its head and tail.
EXCERPT_CHARS = 240
CONTEXT_CHARS = 40

Mark = tuple[int, int, tuple[str, str]]  # start, end, (opening, closing)


def _replacements(evidence: dict[str, Any]) -> list[tuple[Mark, Mark]]:
    """Where each substitution and differing figure stands in the source and in the copy.
    Evidence stored before it held these places (method 2026.12-33 and older) has none: only
    the pairs are listed then."""
    found = []
    for key, pair in (("substitution_spans", SUBSTITUTION_MARKS), ("number_conflict_spans", FIGURE_MARKS)):
        for where in evidence.get(key) or []:
            (s0, s1), (d0, d1) = where["source"], where["derived"]
            found.append(((s0, s1, pair), (d0, d1, pair)))
    return found


def _inside(mark: Mark, span: Sequence[int]) -> bool:
    return span[0] <= mark[0] < mark[1] <= span[1]


def _snap(text: str, at: int, lo: int, hi: int, back: bool, marks: Sequence[Mark]) -> int:
    """``at`` moved to the nearest space (back or forward, within lo..hi), then out of any mark."""
    while lo < at < hi and not text[at - 1].isspace() and not text[at].isspace():
        at += -1 if back else 1
    for m0, m1, _ in marks:
        if m0 < at < m1:
            at = m0 if back else m1
    return at


def _stretches(text: str, span: Sequence[int], marks: Sequence[Mark],
               window: tuple[int, int] | None) -> list[tuple[int, int]]:
    """What of ``text[span]`` is shown: all of it when short; else ``window`` (around the
    replacements), or its head and tail; cut between words, never inside a marked one."""
    start, end = span[0], span[1]
    if end - start <= EXCERPT_CHARS:
        return [(start, end)]
    if window is not None:
        return [(_snap(text, max(start, window[0]), start, end, True, marks),
                 _snap(text, min(end, window[1]), start, end, False, marks))]
    head = _snap(text, start + EXCERPT_CHARS // 2, start, end, True, marks)
    tail = _snap(text, end - EXCERPT_CHARS // 2, start, end, False, marks)
    return [(start, head), (tail, end)] if head < tail else [(start, end)]


def _excerpt(text: str, span: Sequence[int], marks: Sequence[Mark] = (), window: tuple[int, int] | None = None) -> str:
    """``text[span]`` on one line, in part when long (see _stretches, "…" where text is left
    out), each of ``marks`` inside it wrapped in its marks."""
    inside = sorted(m for m in marks if _inside(m, span))
    shown = _stretches(text, span, inside, window)
    pieces: list[str] = ["… "] if shown[0][0] > span[0] else []
    for k, (k0, k1) in enumerate(shown):
        if k:
            pieces.append(" … ")
        at = k0
        for m0, m1, (opening, closing) in inside:
            if k0 <= m0 and m1 <= k1:
                pieces += [text[at:m0], opening, text[m0:m1], closing]
                at = m1
        pieces.append(text[at:k1])
    if shown[-1][1] < span[1]:
        pieces.append(" …")
    return " ".join("".join(pieces).split())


Window = tuple[tuple[int, int], tuple[int, int]]  # a stretch of the source and the copy


def _windows(passage: dict[str, Any], replacements: list[tuple[Mark, Mark]]) -> list[Window]:
    """The stretches of each side of a passage to show around the replacements it holds (in
    the source's order), each from one replacement to as many of the next as fit in
    EXCERPT_CHARS on both sides, with context; none when it holds none."""
    inside = sorted((s, d) for s, d in replacements if _inside(s, passage["source"]) and _inside(d, passage["derived"]))
    windows: list[Window] = []
    k = 0
    while k < len(inside):
        (s0, s1, _), (d0, d1, _) = inside[k]
        s0, d0 = s0 - CONTEXT_CHARS, d0 - CONTEXT_CHARS
        k += 1
        while k < len(inside):
            (_, e1, _), (_, f1, _) = inside[k]
            if max(s1, e1) + CONTEXT_CHARS - s0 > EXCERPT_CHARS or max(d1, f1) + CONTEXT_CHARS - d0 > EXCERPT_CHARS:
                break
            s1, d1 = max(s1, e1), max(d1, f1)
            k += 1
        windows.append(((s0, s1 + CONTEXT_CHARS), (d0, d1 + CONTEXT_CHARS)))
    return windows


Block = tuple[dict[str, Any], tuple[int, int] | None, tuple[int, int] | None]  # passage, source and copy windows


def _telling_blocks(passages: list[dict[str, Any]], replacements: list[tuple[Mark, Mark]],
                    shown: int = 4) -> list[Block]:
    """Up to ``shown`` pieces of the aligned passages, in text order: the passages that hold
    the most replacements first (then the longest), where the texts differ being what a reader
    checks; a long passage in several pieces around its replacements (see _windows)."""
    def held(passage: dict[str, Any]) -> int:
        return sum(_inside(s, passage["source"]) or _inside(d, passage["derived"]) for s, d in replacements)

    ranked = sorted(range(len(passages)), key=lambda k: (-held(passages[k]), -passages[k].get("matched_tokens", 0), k))
    blocks: list[tuple[int, int, Block]] = []
    for k in ranked:
        passage = passages[k]
        (s0, s1), (d0, d1) = passage["source"], passage["derived"]
        long = max(s1 - s0, d1 - d0) > EXCERPT_CHARS
        pieces: list[tuple[tuple[int, int] | None, tuple[int, int] | None]] = []
        pieces += _windows(passage, replacements) if long else []
        for n, (source_window, copy_window) in enumerate(pieces or [(None, None)]):
            if len(blocks) < shown:
                blocks.append((k, n, (passage, source_window, copy_window)))
    blocks.sort(key=lambda b: (passages[b[0]]["source"][0], b[0], b[1]))
    return [block for _, _, block in blocks]


def evidence_lines(link: Any, docs: dict[int, Any], width: int = 90) -> list[str]:
    """Aligned passages side by side (source | copy), substitutions marked [[...]] and figures
    that differ {{...}} where they stand."""
    import textwrap

    src, dst = docs.get(link.source_id), docs.get(link.derived_id)
    if src is None or dst is None:
        return []
    ev = link.evidence
    subs = ev.get("substitutions") or []
    col = max(30, (width - 3) // 2)
    replacements = _replacements(ev)
    source_marks, copy_marks = [s for s, _ in replacements], [d for _, d in replacements]
    lines: list[str] = []
    for passage, source_window, copy_window in _telling_blocks(ev.get("passages") or [], replacements):
        left = textwrap.wrap(_excerpt(src.text, passage["source"], source_marks, source_window), col,
                             break_on_hyphens=False) or [""]
        right = textwrap.wrap(_excerpt(dst.text, passage["derived"], copy_marks, copy_window), col,
                              break_on_hyphens=False) or [""]
        lines.append(f"{'source [' + str(src.id) + ']':<{col}} | copy [{dst.id}]")
        for i in range(max(len(left), len(right))):
            l = left[i] if i < len(left) else ""
            r = right[i] if i < len(right) else ""
            lines.append(f"{l:<{col}} | {r}")
        lines.append("")
    if subs:
        lines.append(_one_line("substitutions: " + "; ".join(f"{a} -> {b}" for a, b in subs[:20])))
    conflicts = ev.get("number_conflicts") or []
    if conflicts:
        lines.append(_one_line("figures that differ: " + "; ".join(f"{a} -> {b}" for a, b in conflicts)))
    for signal in ev.get("direction") or []:
        lines.append(_direction_line(signal, link.source_id))
    return lines


def _direction_line(signal: Any, source_id: int) -> str:
    """One direction signal: which text it reads as the source, how strongly, and why; a signal
    that points the other way than the link was outweighed by the rest."""
    if "source" not in signal:
        return f"direction: {signal.get('reason', signal)}"
    favoured = signal["source"]
    verdict = "" if favoured == source_id else ", outweighed"
    return f"direction: [{favoured}] as the source (weight {signal.get('weight', 0):.2f}{verdict}): {signal.get('reason', '')}"


def _document_fields(doc: Any) -> dict[str, Any]:
    """A document's stored fields for JSON listings, without its text and raw_meta (the long ones)."""
    return {k: v for k, v in doc.as_dict().items() if k not in ("text", "raw_meta")}


def family_json(family: Any) -> str:
    return to_json({
        "story_id": family.story_id,
        "focus": family.focus,
        "linked": family.linked,
        "documents": [
            _document_fields(doc)
            | {"flags": family.flags.get(doc.id, {}), "attributions": family.attributions.get(doc.id, [])}
            for doc in family.documents.values()
        ],
        "links": [vars(link) for link in family.links],
    })


def family_dot(family: Any) -> str:
    def quote(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    lines = [f"digraph story_{family.story_id} {{", "  rankdir=TB; node [shape=box];"]
    for doc in family.documents.values():
        name = document_name(_cut_between_words(doc.title) if doc.title else None, doc.text)  # (an opening is cut already)
        label = f"{doc.id}: {name}\n{doc.source or '-'} {(doc.published_at or 'undated')[:10]}"
        lines.append(f"  d{doc.id} [label={quote(label)}{', style=bold' if doc.id == family.focus else ''}];")
    for link in family.links:
        style = ", style=dashed, dir=none" if link.relation == "related" else ""
        lines.append(f"  d{link.source_id} -> d{link.derived_id} "
                     f"[label={quote(f'{link.relation} {link.score:.2f}')}{style}];")
    lines.append("}")
    return "\n".join(lines)


def nearest_text(focus: Any, near: list[Any]) -> str:
    """The texts nearest ``focus`` (NearText), one a line: cosine, the text, and its link with the
    focus ("source (spun)": the focus derives from it) or that it is not linked."""
    lines = [f"nearest texts to {_doc_label(focus)}",
             "(TF-IDF cosine over content words, names and numbers, as provenance's candidate search ranks them)"]
    if not near:
        lines.append("  none: no other text shares its content words")
    for n in near:
        if n.link is None:
            said = "same story, not linked directly" if n.same_story else "not linked"
        elif n.role == "related":
            said = "related: the same story"
        else:
            said = f"{n.role} ({n.link})"
        lines.append(f"  {n.cosine:.3f}  {_doc_label(n.document)}  {said}")
    return "\n".join(lines)


def nearest_json(focus: Any, near: list[Any]) -> str:
    return to_json({"focus": _document_fields(focus), "nearest": [
        _document_fields(n.document) | {"cosine": n.cosine, "link": n.link, "role": n.role, "same_story": n.same_story}
        for n in near]})


def families_text(families: Families) -> str:
    """The families (readstore.Families) as a table, and how many there are: when only the
    largest are listed, how to see more."""
    rows = families.listed
    if not families.total:
        return "no families: no two documents are linked yet"
    listing = table(
        [(r["story_id"], r["documents"], ", ".join(f"{k} {v}" for k, v in sorted(r["links"].items())),
          document_name(r["title"], r.get("opening"))[:70]) for r in rows],
        ("story", "docs", "links", "its original (or first document)"),
    )
    if len(rows) < families.total:
        return f"{listing}\n\n{len(rows)} of {families.total} families, the largest; --limit N for more, --limit 0 for all"
    return f"{listing}\n\n{families.total} famil{'y' if families.total == 1 else 'ies'}"


def families_json(families: Families) -> str:
    return to_json({"total": families.total, "families": families.listed})
