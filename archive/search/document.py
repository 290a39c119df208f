"""What the store hands to the index: one document's values (ingests and rebuilds make these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IndexDoc:
    """``published_at`` is timezone-aware UTC or None.

    A dataclass, not an ``archive.records.record`` class: an ingest makes one per document, and
    a dataclass's generated ``__init__`` is the faster to construct. It costs ~1 ms at import
    (and ``dataclasses`` imports ``inspect``), which is why it has a module of its own, which a
    search does not import.
    """

    id: int
    external_id: str
    title: str | None
    text: str
    author: str | None
    source: str | None
    url: str | None
    language: str | None
    published_at: datetime | None
    content_hash: str
