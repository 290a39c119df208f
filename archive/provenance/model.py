"""The public record types: what goes in (documents) and what comes out (links, stories)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .attribution import Attribution

RELATIONS = ("duplicate", "near_copy", "spun", "rewrite", "related")
# Relations that say "one text was made from the other"; 'related' never does.
DERIVATIONS = frozenset({"duplicate", "near_copy", "spun", "rewrite"})


@dataclass(frozen=True)
class DocInput:
    id: int
    text: str  # normalised (NFC, whitespace); may still hold site cruft
    title: str | None = None
    published_at: datetime | None = None  # UTC; a naive time is taken as UTC, as the ingest does
    source: str | None = None
    url: str | None = None
    # A republishing site's furniture lines that the ingest took out of ``text`` (share bars,
    # "Related posts", view counts: raw_meta.removed_cruft): traits the text no longer shows.
    removed_cruft: int = 0

    def __post_init__(self) -> None:
        # One clock for every comparison: naive and aware datetimes do not compare, and a date
        # without a time of day is recognised by its midnight in UTC (dates.is_day).
        moment = self.published_at
        if moment is not None and moment.utcoffset() != timedelta(0):
            utc = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
            object.__setattr__(self, "published_at", utc)


@dataclass
class Link:
    """One row of the ``provenance`` table."""

    derived_id: int
    source_id: int
    relation: str
    score: float                 # 0..1 strength of the relation
    direction_confidence: float  # 0..1 that source_id really is the source (0.5 = unknown)
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable reasons


@dataclass
class ProvenanceResult:
    links: list[Link]
    story_of: dict[int, int]          # doc id -> story id (smallest doc id in its cluster)
    attributions: list[Attribution]
    flags: dict[int, list[str]]       # e.g. {7: ['spun']}; reasons in links and doc_evidence
    doc_evidence: dict[int, dict[str, Any]] = field(default_factory=dict)  # per-doc markers
