"""The record types that flow from readers through normalisation into the store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from archive.errors import place


@dataclass
class RawRecord:
    """One article as a reader found it, before normalisation.

    ``external_id`` is the record's own ``id`` when it has one, otherwise the path relative to the
    ingest argument, plus ``#N`` (record number, 1-based) or the WARC record id when one file
    holds many articles; standard input's records without an id are named by their text's hash.
    """

    origin: str                      # the file path as given/walked, or "-" for stdin
    external_id: str
    text: str                        # body text as extracted (not yet normalised)
    fmt: str                         # "txt" | "html" | "json" | "warc"
    title: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None   # timezone-aware UTC, or None
    language: str | None = None
    record_ref: str | None = None    # record number or WARC-Record-ID within the file
    # Everything else the input said that has no column: kept so nothing is lost
    # (JSON: the unknown fields; HTML: extracted metadata; WARC: headers).
    extra: dict[str, Any] = field(default_factory=dict)
    unknown_fields: list[str] = field(default_factory=list)
    # Whether ``external_id`` was made from the path (the record has no id of its own): two
    # inputs of one run may then name two articles alike (txtA/story.txt, txtB/story.txt).
    id_from_path: bool = False


@dataclass
class RecordFailure:
    """A file or record that could not be read; readers yield these instead of raising."""

    origin: str
    reason: str
    record_ref: str | None = None

    def __str__(self) -> str:
        return f"{place(self.origin, self.record_ref)}: {self.reason}"


@dataclass(frozen=True)
class InputNaming:
    """What an ingest's caller says of the records it reads: ``source``, the publisher of those
    that name none (a folder of one outlet's files); ``id_prefix``, put before every external
    id (``PREFIX:ID``), so that two datasets numbering their records alike (1, 2, 3...) do not
    take each other's documents."""

    source: str | None = None
    id_prefix: str | None = None

    def apply(self, item: RawRecord | RecordFailure) -> RawRecord | RecordFailure:
        if isinstance(item, RecordFailure):
            return item
        item = with_default_source(item, self.source)
        if self.id_prefix is not None:
            item = replace(item, external_id=f"{self.id_prefix}:{item.external_id}")
        return item


def with_default_source(item: RawRecord | RecordFailure, source: str | None) -> RawRecord | RecordFailure:
    """``item`` with ``source`` as its publisher when it names none; a record that names one
    keeps it, and failures pass through."""
    if source is None or isinstance(item, RecordFailure) or item.source:
        return item
    return replace(item, source=source)
