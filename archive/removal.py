"""Removing documents from the store, with everything derived from them.

A document's fingerprint, links (both ways), story row, attributions and flags go with it (the
schema's ON DELETE CASCADE); its full-text entry is queued for deletion in ``index_queue`` in the
same transaction, as ingest queues its upserts, so a crash between the store's commit and the
index's leaves a to-do list that the next write applies. The documents that were linked to a
removed one lose their story row in that transaction too, as do those whose site boilerplate the
removal changes: they count as unlinked, and the provenance update that follows (or, after a
crash, the next write) links them again without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from archive.errors import ArchiveError, NotFound
from archive.readstore import as_document_id
from archive.sqlite_extras import LISTED_IDS as _LISTED

if TYPE_CHECKING:
    from archive.provenance_store import ProvenanceChange

# Unknown references named in one error message; the rest are counted.
_UNKNOWN_SHOWN = 5


class NothingToRemove(ArchiveError):
    """No reference was given (an empty list, or standard input without one)."""


@dataclass(frozen=True)
class RemovedDocument:
    id: int
    external_id: str
    title: str | None
    source: str | None


@dataclass
class Removal:
    """What a removal took away (or, for a dry run, would take)."""

    documents: list[RemovedDocument] = field(default_factory=list)
    # Stored links with a removed document at one end.
    links: int = 0
    # Documents kept that were linked to a removed one: their provenance is recomputed.
    relinked: int = 0
    # The provenance update that followed (None for a dry run, or when it was not asked for).
    provenance: ProvenanceChange | None = None


def clean_refs(refs: Iterable[str]) -> list[str]:
    """The references as given, stripped, blanks and repeats dropped, in their first order."""
    seen: dict[str, None] = {}
    for ref in refs:
        ref = ref.strip()
        if ref:
            seen.setdefault(ref, None)
    return list(seen)


def resolve(conn: Connection, refs: list[str]) -> list[int]:
    """Document ids for references (an id, else an external id, as ``archive show`` reads them),
    sorted. Raises :class:`NotFound` naming the references that match no document: a removal
    is all or nothing."""
    if not refs:
        raise NothingToRemove("no document named: give ids or external ids, or '-' to read them from standard input")
    as_ids = {r: as_document_id(r) for r in refs}
    numeric = sorted({i for i in as_ids.values() if i is not None})
    by_id = set(conn.execute(text(f"SELECT id FROM documents WHERE id IN ({_LISTED})"),
                             {"ids": json.dumps(numeric)}).scalars())
    rest = [r for r in refs if as_ids[r] not in by_id]
    by_external = dict(conn.execute(
        text(f"SELECT external_id, id FROM documents WHERE external_id IN ({_LISTED})"),
        {"ids": json.dumps(rest)}).all())
    unknown = [r for r in rest if r not in by_external]
    if unknown:
        shown = ", ".join(repr(r) for r in unknown[:_UNKNOWN_SHOWN])
        more = f" and {len(unknown) - _UNKNOWN_SHOWN} more" if len(unknown) > _UNKNOWN_SHOWN else ""
        raise NotFound(f"no document with id or external id {shown}{more}; nothing was removed")
    return sorted(by_id | set(by_external.values()))


def _linked_to(conn: Connection, ids: list[int]) -> tuple[int, list[int]]:
    """How many stored links have an end among ``ids``, and the kept documents to link again:
    those at their other end, and those whose boilerplate the removal changes (a passage is a
    site's boilerplate by how many stories hold it: archive.provenance.boilerplate)."""
    from archive.provenance_store import boilerplate_changed_by_removing

    listed = {"ids": json.dumps(ids)}
    rows = conn.execute(text(
        f"SELECT id, derived_id, source_id FROM provenance WHERE derived_id IN ({_LISTED}) "
        f"UNION SELECT id, derived_id, source_id FROM provenance WHERE source_id IN ({_LISTED})"), listed).all()
    gone = set(ids)
    others = {end for _, derived, source in rows for end in (derived, source)} - gone
    if conn.execute(text("SELECT EXISTS (SELECT 1 FROM stories)")).scalar():  # (else nothing is linked yet)
        others |= boilerplate_changed_by_removing(conn, ids)
    return len(rows), sorted(others)


def _plan(conn: Connection, ids: list[int]) -> tuple[Removal, list[int]]:
    """What removing ``ids`` would take away, and the kept documents linked to them."""
    listed = {"ids": json.dumps(ids)}
    docs = [RemovedDocument(*row) for row in conn.execute(text(
        f"SELECT id, external_id, title, source FROM documents WHERE id IN ({_LISTED}) ORDER BY id"), listed)]
    links, others = _linked_to(conn, ids)
    return Removal(documents=docs, links=links, relinked=len(others)), others


def plan(conn: Connection, ids: list[int]) -> Removal:
    """What removing ``ids`` would take away, read without writing."""
    return _plan(conn, ids)[0]


def remove(conn: Connection, ids: list[int]) -> Removal:
    """Delete the documents ``ids`` in the caller's transaction (see the module's docstring)."""
    removal, others = _plan(conn, ids)
    listed = {"ids": json.dumps(ids)}
    # Their neighbours become unlinked before the cascade takes the links that say who they are.
    conn.execute(text(f"DELETE FROM stories WHERE document_id IN ({_LISTED})"), {"ids": json.dumps(others)})
    conn.execute(text(f"DELETE FROM documents WHERE id IN ({_LISTED})"), listed)
    conn.execute(text(f"DELETE FROM index_queue WHERE document_id IN ({_LISTED})"), listed)
    conn.execute(text("INSERT INTO index_queue (document_id, operation) SELECT value, 'delete' FROM json_each(:ids)"),
                 listed)
    return removal


def remove_documents(engine: Engine, refs: list[str]) -> Removal:
    """Resolve ``refs`` and remove those documents, in one transaction."""
    with engine.begin() as conn:
        return remove(conn, resolve(conn, refs))
