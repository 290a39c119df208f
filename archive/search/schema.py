"""The Whoosh schema and the mapping from a store document to index fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from whoosh import fields

from archive.search.analysis import make_analyzer
from archive.search.dates import to_utc_naive

TITLE_BOOST = 2.0


@dataclass(frozen=True)
class IndexDoc:
    """What the store hands to the index. ``published_at`` is timezone-aware UTC or None."""

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


class Timestamp(fields.DATETIME):
    """A DATETIME indexed as one term per value instead of Whoosh's eight trie levels.

    Date filters look up calendar-period terms (``year``/``month``/``day``); this field is only
    searched for the part of a day a since/until datetime cuts off, a range too small to need
    the trie. Dropping it made the term file a third smaller on Reuters.
    """

    def __init__(self, *, stored: bool = False, sortable: bool = False) -> None:
        super().__init__(stored=stored, sortable=sortable)
        self.shift_step = 0


def build_schema() -> fields.Schema:
    """Every searchable text field keeps positions (phrases) and uses the one analyzer.

    The body text is not stored: the store has it, and storing it would roughly double the index.
    ``source_facet``/``year``/``dated`` are columns for facets and date sorting;
    ``year``/``month``/``day`` are also terms for fast date filters.
    """
    analyzer = make_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        external_id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=analyzer, phrase=True, stored=True, field_boost=TITLE_BOOST),
        text=fields.TEXT(analyzer=analyzer, phrase=True),
        author=fields.TEXT(analyzer=analyzer, phrase=True),
        source=fields.TEXT(analyzer=analyzer, phrase=True, stored=True),
        source_facet=fields.ID(sortable=True),
        url=fields.TEXT(analyzer=analyzer, phrase=True),
        lang=fields.ID(),
        published=Timestamp(stored=True, sortable=True),
        # Whoosh sorts a missing date as the smallest; this column lets "oldest first" put
        # undated documents last as well.
        dated=fields.ID(sortable=True),
        # Calendar periods as terms: date filters look these up instead of a numeric range.
        year=fields.ID(sortable=True),
        month=fields.ID(),
        day=fields.ID(),
        content_hash=fields.ID(sortable=True),
    )


def to_fields(doc: IndexDoc) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document``; absent values are left out."""
    values: dict[str, Any] = {
        "id": str(doc.id),
        "external_id": doc.external_id,
        "text": doc.text,
        "content_hash": doc.content_hash,
    }
    if doc.title:
        values["title"] = doc.title
    if doc.author:
        values["author"] = doc.author
    if doc.source:
        values["source"] = doc.source
        values["source_facet"] = doc.source
    if doc.url:
        values["url"] = doc.url
    if doc.language:
        values["lang"] = doc.language.lower()
    if doc.published_at is not None:
        published = to_utc_naive(doc.published_at)
        values["published"] = published
        values["dated"] = "1"
        values["year"] = f"{published.year:04d}"
        values["month"] = f"{published.year:04d}-{published.month:02d}"
        values["day"] = f"{published.year:04d}-{published.month:02d}-{published.day:02d}"
    return values


def stored_published(value: datetime | None) -> datetime | None:
    """Whoosh hands back the naive UTC datetime it stored; callers get it timezone-aware."""
    return None if value is None else value.replace(tzinfo=timezone.utc)
