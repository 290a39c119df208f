"""Merging an incremental update's links into the links already stored.

An incremental update (archive.provenance_store.update) recomputes provenance over the new
documents' neighbourhood only: the new documents, their candidates, and for the documents that
a new one may take over as a source or that pointed at one, their own candidates and stored
sources (the "scope"). Inside that scope the fresh links are trusted for every pair that
touches a new document, and for the documents re-decided because of it; every other stored link
was decided with its full neighbourhood before and stays as it is. The result keeps one link
per pair and one source per document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from .cycles import cycle_breaks, least_sure, link_strength
from .model import DERIVATIONS, Link

TAKEN_OVER = "another document, added later, is a closer source of this text"
LOOP_BROKEN = ("its source derives from this text through a chain of links, and this link is the least sure "
               "of that loop (by its relation, then its direction)")


def _pair(link: Link) -> tuple[int, int]:
    return (min(link.derived_id, link.source_id), max(link.derived_id, link.source_id))


def redecided(stored: Iterable[Link], fresh: Iterable[Link], new: set[int]) -> set[int]:
    """Existing documents whose source must be chosen again: those linked to a new (or changed)
    document before, and those that the fresh links derive from a new document."""
    out = {l.derived_id for l in stored if l.source_id in new} | {l.source_id for l in stored if l.derived_id in new}
    out |= {l.derived_id for l in fresh if l.source_id in new and l.relation in DERIVATIONS}
    return out - new


def taken(stored: Iterable[Link], fresh: Iterable[Link], new: set[int]) -> Callable[[Link], bool]:
    """Which of the ``fresh`` links an update takes (see merge_links): those with a new document
    and those deriving a re-decided one. Of ``stored``, only the links with a new document
    matter."""
    again = redecided(stored, fresh, new)
    return lambda l: l.derived_id in new or l.source_id in new or l.derived_id in again


def merge_links(stored: list[Link], fresh: list[Link], new: set[int], scope: set[int],
                evidence_of: Callable[[list[Link]], list[dict[str, Any]]] | None = None) -> list[Link]:
    """Stored links updated with the fresh ones (computed over ``scope``) for ``new`` documents.

    Taken from the fresh links: every pair with a new document, and the links of re-decided
    documents as the derived side within the scope. Kept: everything else, except that a
    re-decided document that gained a source keeps its other derivation links only as
    ``related`` (one source per document), and a derivation link that closes a loop with the
    others (a text deriving from itself through a chain) is kept only as ``related``, the loop's
    least sure (cycles.link_strength). ``evidence_of``: the evidence of stored links that
    were read without it (only those changed here need it); by default their own.
    """
    again = redecided(stored, fresh, new)
    takes = taken(stored, fresh, new)
    taken_links = [l for l in fresh if takes(l)]
    taken_pairs = {_pair(l) for l in taken_links}
    gained = {l.derived_id for l in taken_links if l.relation in DERIVATIONS}
    kept: list[Link] = []
    demoted: dict[int, str] = {}  # index in kept -> why it is related now
    for link in stored:
        if link.derived_id in new or link.source_id in new or _pair(link) in taken_pairs:
            continue
        if link.derived_id in again and link.source_id in scope:
            continue  # re-decided with its whole candidate list; the fresh links say what holds
        if link.derived_id in gained and link.relation in DERIVATIONS:
            demoted[len(kept)] = TAKEN_OVER
        kept.append(link)
    # Each side was free of loops, but a fresh link may close one through stored links (the new
    # text takes an old one's place as a source while another old text still derives from it).
    merged = kept + taken_links
    sources = {l.derived_id: k for k, l in enumerate(merged) if l.relation in DERIVATIONS and k not in demoted}
    # (The texts are not at hand here: the loop's least sure link goes.)
    for d in cycle_breaks({d: merged[k].source_id for d, k in sources.items()},
                          least_sure(lambda d: link_strength(merged[sources[d]].relation,
                                                             merged[sources[d]].direction_confidence))):
        k = sources[d]
        if k < len(kept):
            demoted[k] = LOOP_BROKEN
        else:
            link = merged[k]
            merged[k] = replace(link, relation="related", evidence=_with_reason(link.evidence, LOOP_BROKEN))
    if demoted:
        order = sorted(demoted)
        old = [kept[k] for k in order]
        for k, link, evidence in zip(order, old, evidence_of(old) if evidence_of else [l.evidence for l in old]):
            merged[k] = replace(link, relation="related", evidence=_with_reason(evidence, demoted[k]))
    return sorted(merged, key=lambda l: (l.derived_id, l.source_id))


def _with_reason(evidence: dict[str, Any], reason: str) -> dict[str, Any]:
    out = dict(evidence)
    out["reasons"] = list(out.get("reasons", [])) + [reason]
    return out
