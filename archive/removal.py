"""Removing documents from the store, with everything derived from them.

A document's fingerprint, links (both ways), story row, attributions and flags go with it (the
schema's ON DELETE CASCADE); its full-text entry is queued for deletion in ``index_queue`` in the
same transaction (by the schema's triggers, as for ingest's upserts), so a crash between the store's commit and the
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
from archive.names import readable
from archive.readstore import REF_NAMES, RefKind, as_document_id
from archive.sqlite_extras import LISTED_IDS as _LISTED

if TYPE_CHECKING:
    from archive.provenance_store import ProvenanceChange

# Unknown or ambiguous references named in one error message; the rest are counted.
_SHOWN = 5


class NothingToRemove(ArchiveError):
    """No reference was given (an empty list, or standard input without one)."""


class AmbiguousReference(ArchiveError):
    """A reference that is one document's id and another document's external id."""


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
    """The references as given, stripped, blanks and repeats dropped, in their first order; a
    file name's bytes that are not UTF-8 written as its document's external id has them."""
    seen: dict[str, None] = {}
    for ref in refs:
        ref = readable(ref.strip())
        if ref:
            seen.setdefault(ref, None)
    return list(seen)


def resolve(conn: Connection, refs: list[str], by: RefKind = None) -> list[int]:
    """Document ids for references, sorted: ids or external ids (``by`` None), or only the kind
    ``by`` names. Raises :class:`NotFound` naming the references that match no document, and
    :class:`AmbiguousReference` for those (read as either) that are one document's id and
    another's external id: a removal is all or nothing, and a guess would remove the wrong one."""
    if not refs:
        raise NothingToRemove("no document named: give ids or external ids, or '-' to read them from standard input")
    by_id = _by_id(conn, refs) if by != "external_id" else {}
    by_external = _by_external_id(conn, refs) if by != "id" else {}
    ambiguous = [r for r in refs if r in by_id and r in by_external and by_id[r][0] != by_external[r]]
    if ambiguous:
        raise AmbiguousReference(f"ambiguous: {_listed([_both(r, by_id[r], by_external[r]) for r in ambiguous])}; "
                                 f"nothing was removed (--ids or --external-ids says which every reference is)")
    unknown = [r for r in refs if r not in by_id and r not in by_external]
    if unknown:
        raise NotFound(f"no document with {REF_NAMES[by]} {_listed([repr(r) for r in unknown])}; nothing was removed")
    return sorted({by_id[r][0] if r in by_id else by_external[r] for r in refs})


def _by_id(conn: Connection, refs: list[str]) -> dict[str, tuple[int, str]]:
    """The references that are document ids, each with its document's id and external id."""
    as_ids = {r: as_document_id(r) for r in refs}
    found = dict(conn.execute(text(f"SELECT id, external_id FROM documents WHERE id IN ({_LISTED})"),
                              {"ids": json.dumps(sorted({i for i in as_ids.values() if i is not None}))}).all())
    return {r: (i, found[i]) for r, i in as_ids.items() if i in found}


def _by_external_id(conn: Connection, refs: list[str]) -> dict[str, int]:
    """The references that are external ids, each with its document's id."""
    return dict(conn.execute(text(f"SELECT external_id, id FROM documents WHERE external_id IN ({_LISTED})"),
                             {"ids": json.dumps(refs)}).all())


def _both(ref: str, by_id: tuple[int, str], by_external: int) -> str:
    doc_id, external_id = by_id
    return f"{ref!r} is the id of #{doc_id} (external id {external_id!r}) and the external id of #{by_external}"


def _listed(items: list[str]) -> str:
    """The first few items, and how many more there are."""
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


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
    # Their neighbours become unlinked. The trigger documents_unlink_neighbours does so for the
    # documents linked to them; ``others`` also holds those whose site boilerplate the removal
    # changes, which no trigger can know.
    conn.execute(text(f"DELETE FROM stories WHERE document_id IN ({_LISTED})"), {"ids": json.dumps(others)})
    conn.execute(text(f"DELETE FROM documents WHERE id IN ({_LISTED})"), listed)  # (queues their index deletes)
    return removal


def remove_documents(engine: Engine, refs: list[str], by: RefKind = None) -> Removal:
    """Resolve ``refs`` (as ``resolve`` does) and remove those documents, in one transaction."""
    with engine.begin() as conn:
        return remove(conn, resolve(conn, refs, by))
