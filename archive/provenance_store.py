"""Computing provenance over the store and writing it back as a minimal diff.

The provenance library is pure; this module feeds it the stored documents and fingerprints and
writes links, stories, attributions and flags in one transaction. Rows that did not change are
left alone (ids stay stable), so re-running on an unchanged archive writes nothing.

Two ways to compute: :func:`refresh` recomputes the whole archive (``archive provenance
--refresh``, a new method version, a first ingest); :func:`update`, run after every ingest, links
only the documents that have no story yet (added or changed) within their neighbourhood, so adding
a few documents to a large archive costs little and needs memory for the candidate index only.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (Connection, Engine, Select, bindparam, delete, exists, func, insert, literal_column, or_,
                        select, text)
from sqlalchemy import update as sql_update

from archive.models import Attribution, Document, DocumentFlag, Fingerprint, ProvenanceLink, Story
from archive.provenance import (
    FINGERPRINT_VERSION,
    METHOD_VERSION,
    CandidateIndex,
    DocInput,
    Link,
    ProvenanceIndex,
    ProvenanceResult,
    build,
)
from archive.provenance import Fingerprint as ProvFingerprint
from archive.provenance.boilerplate import boilerplate_masks, line_keys, with_title_keys
from archive.provenance.candidates import Pool, PoolBook
from archive.provenance.carry import Carried
from archive.provenance.clusters import stories as story_clusters
from archive.provenance.engine import gc_paused, may_align
from archive.provenance.features import Tokens, forget_forms, tokenize
from archive.provenance.fingerprint import fingerprint_text
from archive.heap import map_large_blocks_apart, release_free_memory
from archive.provenance.merge import merge_links, redecided, taken
from archive.provenance.model import DERIVATIONS
from archive.provenance.outlet_styles import OutletStyle, StyleTally, outlets_to_read
from archive.provenance.outlets import outlet_key
from archive.provenance.telltales import read_telltales
from archive.sqlite_extras import LISTED_IDS as _LISTED, remove_orphans
from archive.parallel import map_shares_forked

# One INFO record per chunk of a chunked run (bench/worker.py link --progress shows them).
log = logging.getLogger(__name__)

documents = Document.__table__
fingerprints = Fingerprint.__table__
links_table = ProvenanceLink.__table__
stories_table = Story.__table__
attributions_table = Attribution.__table__
flags_table = DocumentFlag.__table__


@dataclass
class ProvenanceChange:
    documents: int
    links: int
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    fingerprints_computed: int = 0
    # "full" (the whole archive recomputed) or "incremental" (only ``examined`` documents).
    mode: str = "full"
    examined: int = 0
    # Candidate pairs aligned, and those whose alignment an earlier chunk of the run had made.
    aligned: int = 0
    reused: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


def _with_fingerprint(*columns: Any) -> Select[Any]:
    """Documents' ``columns`` and their current-version fingerprint bytes (None when missing)."""
    return select(*columns, fingerprints.c.data).outerjoin(
        fingerprints,
        (fingerprints.c.document_id == documents.c.id) & (fingerprints.c.method_version == FINGERPRINT_VERSION),
    )


# How many of the furniture lines the ingest took out of a text are a republishing site's
# (DocInput.removed_cruft): share bars, "Related posts", view counters, sign-up and comment
# prompts, ad labels. Not its navigation, bylines, datelines, captions or credits: a newsroom's
# own page has those too, and "navigation" catches short lines of the story itself ("Watch the
# video above.", removed from an article and its copies alike, silenced the copies' traits:
# page_probe). JSON is parsed only for the rows that hold such a list.
_REMOVED_CRUFT = literal_column(
    "CASE WHEN instr(documents.raw_meta, '\"removed_cruft\"') THEN "
    "(SELECT count(*) FROM json_each(documents.raw_meta, '$.removed_cruft') "
    "WHERE json_extract(value, '$.kind') IN ('share', 'related', 'views', 'subscribe', 'comments', "
    "'advertisement')) ELSE 0 END")
_INPUT_COLUMNS = (documents.c.id, documents.c.text, documents.c.title, documents.c.published_at,
                  documents.c.source, documents.c.url, _REMOVED_CRUFT)


def _doc_input(row: Any) -> DocInput:
    """The DocInput of a row that starts with _INPUT_COLUMNS. Unpacked as a tuple: reading the
    columns by attribute name was a fifth of reading the archive."""
    doc_id, body, title, published_at, source, url, removed_cruft = row[:len(_INPUT_COLUMNS)]
    return DocInput(id=doc_id, text=body, title=title, published_at=published_at, source=source, url=url,
                    removed_cruft=removed_cruft)


def load_inputs(conn: Connection) -> Iterator[tuple[DocInput, bytes | None]]:
    query = _with_fingerprint(*_INPUT_COLUMNS).order_by(documents.c.id)
    for row in conn.execution_options(yield_per=2000).execute(query):
        yield _doc_input(row), row[-1]


def compute(engine: Engine) -> tuple[ProvenanceResult, int, int]:
    """Provenance of the whole archive; returns the result, the document count and how many
    fingerprints had to be computed (missing or from an older method version)."""
    docs: list[DocInput] = []
    prints: dict[int, ProvFingerprint] = {}
    with engine.connect() as conn:
        for doc, data in load_inputs(conn):
            docs.append(doc)
            if data is not None:
                prints[doc.id] = ProvFingerprint.from_bytes(data)
    missing = len(docs) - len(prints)
    return build(docs, prints), len(docs), missing


# An update recomputes the new documents' neighbourhood; when that is this share of the archive
# or more, recomputing everything costs about the same and has no approximation at all.
FULL_REFRESH_SHARE = 0.5
# Archives up to this size are recomputed in one piece (memory ~30 KB a document while it runs);
# beyond it, a full recomputation, or an update of more than scattered_chunk_docs() documents, goes
# a chunk at a time, so memory is the candidate index plus one chunk's neighbourhood.
FULL_BUILD_MAX_DOCS = 40_000
CHUNK_DOCS = 10_000
# Memory of a chunk's linking follows its neighbourhood (the documents it holds, ~25 KB each in
# Python objects): mostly its core, the new documents and the candidates they may be aligned with
# (see _core), which in articles that share passages is ~9 documents per new one at 50,000 and
# ~11 at 200,000. A chunk takes as many new documents as keep its core within MAX_SCOPE_DOCS (see
# _chunk_size).
MAX_SCOPE_DOCS = 10_000


def scattered_chunk_docs() -> int:
    """Documents an update links at a time when they are not the archive's last (changed
    documents, the neighbours of removed ones), in an archive of more than FULL_BUILD_MAX_DOCS:
    each has ~10 candidates, so a tenth of CHUNK_DOCS keeps a chunk's core near MAX_SCOPE_DOCS.
    At 200,000 documents, 6,957 removed at once left 11,124 neighbours: linked in one chunk of
    10,000 and one of 1,124, the process peaked at 3.2 GB."""
    return max(1, CHUNK_DOCS // 10)
# New documents searched at a time while a chunk is sized.
_SIZING_BLOCK = 256
_IN_CHUNK = 900  # ids per IN (...) list, under SQLite's variable limit
_BACKGROUND_BATCH = 2000  # documents read and indexed at a time for the archive's candidate index


def _link_row(link: Any) -> dict[str, Any]:
    return {
        "derived_id": link.derived_id, "source_id": link.source_id, "relation": link.relation,
        "score": min(1.0, max(0.0, round(float(link.score), 6))),
        "direction_confidence": min(1.0, max(0.0, round(float(link.direction_confidence), 6))),
        "evidence": link.evidence,
        "method_version": METHOD_VERSION,
    }


def _as_stored(evidence: dict[str, Any]) -> Any:
    """Evidence through JSON and back, so it compares equal to what the database returns (only
    for the links compared with a stored one: the rest are stored as they are, the same text)."""
    return json.loads(json.dumps(evidence, sort_keys=True, default=str))


def write(conn: Connection, result: ProvenanceResult, n_docs: int) -> ProvenanceChange:
    result = _without(result, _changed_meanwhile(conn, result.story_of))
    change = ProvenanceChange(documents=n_docs, links=len(result.links))
    present = {(row.derived_id, row.source_id): row for row in conn.execute(select(*_LINK_COLUMNS))}
    _write_links(conn, result.links, present, change)
    _sync_stories(conn, result.story_of)
    _replace_if_changed(conn, attributions_table, ("document_id", "outlet", "phrase", "start", "end"),
                        _attribution_rows(result.attributions))
    _replace_if_changed(conn, flags_table, ("document_id", "flag", "evidence"),
                        _flag_rows(result.flags, result.doc_evidence))
    return change


def _changed_meanwhile(conn: Connection, ids: Iterable[int]) -> set[int]:
    """Of the documents ``ids`` a run read, those deleted or changed since (in SQL, while it
    linked): the schema's triggers took their fingerprints (sqlite_extras.CREATE_EDIT_TRIGGERS),
    and every document read had one. Asked in the writing transaction, which no edit can pass."""
    return set(conn.execute(text("SELECT value FROM json_each(:ids) WHERE value NOT IN "
                                 "(SELECT document_id FROM fingerprints)"),
                            {"ids": json.dumps(sorted(ids))}).scalars())


def _unsettled(links: Iterable[Link], moved: set[int]) -> set[int]:
    """``moved`` and the documents linked to one: left without a story row by a run, so that the
    next update links them again against what the store holds then."""
    return moved | {end for l in links if l.derived_id in moved or l.source_id in moved
                    for end in (l.derived_id, l.source_id)}


def _without(result: ProvenanceResult, moved: set[int]) -> ProvenanceResult:
    """``result`` less what it says of the ``moved`` documents, and less the stories of those
    linked to them (see _unsettled)."""
    if not moved:
        return result
    unsettled = _unsettled(result.links, moved)
    return ProvenanceResult(
        links=[l for l in result.links if l.derived_id not in moved and l.source_id not in moved],
        story_of={d: s for d, s in result.story_of.items() if d not in unsettled},
        attributions=[a for a in result.attributions if a.doc_id not in moved],
        flags={d: names for d, names in result.flags.items() if d not in moved},
        doc_evidence={d: e for d, e in result.doc_evidence.items() if d not in moved})


def _attribution_rows(attributions: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"document_id": a.doc_id, "outlet": a.outlet, "phrase": a.phrase, "start": a.start, "end": a.end}
            for a in attributions]


def _flag_rows(flags: dict[int, list[str]], evidence: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"document_id": doc_id, "flag": flag, "evidence": evidence.get(doc_id, {})}
            for doc_id, names in sorted(flags.items()) for flag in names]


def _write_links(conn: Connection, links: list[Link], present: dict[tuple[int, int], Any],
                 change: ProvenanceChange, as_read: Iterable[Link] = ()) -> None:
    """Make the stored links among ``present`` (rows read from the table) equal to ``links``;
    those of ``links`` that are ``as_read`` (made from those rows, the same objects) are left as
    they are without comparing them (an update keeps most of its neighbourhood's links). The rows
    are read without their evidence (_LINK_COLUMNS): it is read here for those compared only."""
    unchanged = {id(l) for l in as_read}
    keys = {(l.derived_id, l.source_id) for l in links}
    wanted = {(l.derived_id, l.source_id): _link_row(l) for l in links if id(l) not in unchanged}
    evidence = _stored_evidence(conn, [row.id for key, row in present.items() if key in wanted])
    columns = ("relation", "score", "direction_confidence", "method_version")
    for key, row in present.items():
        if key not in keys:
            conn.execute(delete(links_table).where(links_table.c.id == row.id))
            change.deleted += 1
        elif key in wanted and (any(getattr(row, name) != wanted[key][name] for name in columns)
                                or evidence[row.id] != _as_stored(wanted[key]["evidence"])):
            conn.execute(sql_update(links_table).where(links_table.c.id == row.id).values(wanted[key]))
            change.updated += 1
    new_rows = [row for key, row in wanted.items() if key not in present]
    if new_rows:
        conn.execute(insert(links_table), new_rows)
        change.inserted += len(new_rows)


def _replace_if_changed(conn: Connection, table: Any, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Small derived tables are replaced wholesale, but only when their content differs."""
    key = lambda r: tuple(str(r[c]) for c in columns)  # noqa: E731
    current = sorted(key(r._mapping) for r in conn.execute(select(*[table.c[c] for c in columns])))
    if current == sorted(key(r) for r in rows):
        return
    conn.execute(delete(table))
    if rows:
        conn.execute(insert(table), rows)


# Documents without a story: added or changed since provenance last ran (or by a run killed before
# its provenance step). Links from another version of the method.
_UNLINKED = select(documents.c.id).where(documents.c.id.not_in(select(stories_table.c.document_id)))
_OUTDATED = select(links_table.c.id).where(links_table.c.method_version != METHOD_VERSION)


def is_stale(engine: Engine) -> bool:
    """True when some document has no story yet or stored links come from another method version."""
    with engine.connect() as conn:
        return bool(conn.execute(select(or_(exists(_UNLINKED), exists(_OUTDATED)))).scalar())


@gc_paused  # (reading and writing the archive's documents and links too: see gc_paused)
def refresh(engine: Engine) -> ProvenanceChange:
    """Recompute provenance for the whole archive and store what changed, in one transaction.

    An archive larger than ``FULL_BUILD_MAX_DOCS`` is cleared and linked a chunk at a time
    instead (see :func:`update`), so memory stays bounded.
    """
    with engine.begin() as conn:  # (what `archive db check` reports as rows of deleted documents)
        remove_orphans(lambda statement: conn.execute(text(statement)))
    computed = _store_missing_fingerprints(engine)
    with engine.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
    if n_docs > FULL_BUILD_MAX_DOCS:
        with engine.begin() as conn:
            for table in (links_table, stories_table, attributions_table, flags_table):
                conn.execute(delete(table))
            everything = sorted(conn.execute(select(documents.c.id)).scalars())
        change = _update_in_chunks(engine, everything, n_docs)
        change.mode = "full"
        change.fingerprints_computed += computed
        return change
    result, n_docs, missing = compute(engine)
    with engine.begin() as conn:
        change = write(conn, result, n_docs)
    change.fingerprints_computed = computed + missing
    change.examined = n_docs
    return change


def _store_missing_fingerprints(engine: Engine) -> int:
    """Compute and store the current-version fingerprint of every document that lacks one (a new
    FINGERPRINT_VERSION makes all stored ones stale), a batch at a time; returns how many. Once
    stored, later runs read them instead of tokenising every text again on each run."""
    computed = 0
    missing = _with_fingerprint(documents.c.id).where(fingerprints.c.data.is_(None)).order_by(documents.c.id)
    with engine.connect() as conn:
        ids = list(conn.execute(missing).scalars())
    for chunk in _chunks(ids):
        with engine.begin() as conn:
            texts = conn.execute(select(documents.c.id, documents.c.text).where(documents.c.id.in_(chunk))).all()
            conn.execute(delete(fingerprints).where(fingerprints.c.document_id.in_(chunk)))
            conn.execute(insert(fingerprints), [
                {"document_id": doc_id, "method_version": FINGERPRINT_VERSION, "data": fingerprint_text(text).to_bytes()}
                for doc_id, text in texts
            ])
        computed += len(texts)
    if computed:
        # (Linking reads the stored tokens; what fingerprinting left would be copied by every
        # forked worker: the 200,000-document upgrade run peaked 22 MB higher at 1,009 MB.)
        forget_forms()
        release_free_memory()
    return computed


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for lo in range(0, len(ids), _IN_CHUNK):
        yield ids[lo:lo + _IN_CHUNK]


def _background(conn: Connection, hidden: set[int], searched: bool = True,
                styles: StyleTally | None = None) -> CandidateIndex:
    """The archive's candidate index (without the ``hidden`` documents) from the stored
    fingerprints; token streams are dropped once counted, so this holds only term counts.
    ``searched``: with the rows that searches read for texts holding boilerplate. ``styles``:
    also tallies the style of every document (hidden ones too) of the outlets whose styles are
    worth reading (outlet_styles.outlets_to_read), in the same pass."""
    index = CandidateIndex()
    batch: list[tuple[int, Tokens]] = []
    lines: list[np.ndarray] = []
    outlets = _outlets_to_read(conn) if styles is not None else set()
    key_of: dict[str | None, str | None] = {None: None}  # (an archive names few outlets, each many times)
    query = _with_fingerprint(documents.c.id, documents.c.title, documents.c.source).order_by(documents.c.id)
    for row in conn.execution_options(yield_per=_BACKGROUND_BATCH).execute(query):
        if outlets and row.source not in key_of:
            key_of[row.source] = outlet_key(row.source)
        outlet = key_of[row.source] if outlets else None
        read_style = outlet in outlets  # (none without ``styles``)
        if row.id in hidden and not read_style:
            continue
        text = None
        if row.data is not None:
            fingerprint = ProvFingerprint.from_bytes(row.data, telltales=read_style)
            tokens, keys, told = fingerprint.tokens, fingerprint.lines, fingerprint.telltales
        else:
            text = _text_of(conn, row.id)
            tokens = tokenize(text)
            keys, told = line_keys(tokens, text), None
        if read_style:
            assert styles is not None and outlet is not None
            if told is None:
                told = read_telltales(text if text is not None else _text_of(conn, row.id), tokens)
            styles.add(outlet, len(tokens), told.llm_words, told.burstiness, told.style_markers, told.framings)
        if row.id in hidden:
            continue
        batch.append((row.id, tokens))
        lines.append(with_title_keys(keys, row.title))
        if len(batch) >= _BACKGROUND_BATCH:
            index.add_many(batch, lines)
            batch, lines = [], []
    index.add_many(batch, lines)
    if searched:
        _search_without_boilerplate(conn, index)
    return index


def nearest(engine: Engine, doc_id: int, k: int) -> list[tuple[int, float]]:
    """The ``k`` stored texts nearest the document ``doc_id`` as linking's candidate search ranks
    them (TF-IDF cosine over content words, names and numbers; a site's boilerplate left out),
    best first, linked to it or not: where to look when provenance links it to nothing, or to
    see what it was weighed against. Reads every stored fingerprint (as an update does)."""
    with engine.connect() as conn:
        background = _background(conn, set())
    if doc_id not in background.row_of:
        return []  # (removed since it was named)
    with background.searching():
        return background.neighbours([doc_id], k=k)[doc_id]


def _text_of(conn: Connection, doc_id: int) -> str:
    return conn.execute(select(documents.c.text).where(documents.c.id == doc_id)).scalar_one()


def _outlets_to_read(conn: Connection) -> set[str]:
    """outlet_styles.outlets_to_read of the stored documents' outlets (as compared: outlet_key),
    counted by the database."""
    counts: dict[str, int] = {}
    for source, n in conn.execute(select(documents.c.source, func.count()).where(documents.c.source.is_not(None))
                                  .group_by(documents.c.source)):
        key = outlet_key(source)
        if key is not None:
            counts[key] = counts.get(key, 0) + n
    return outlets_to_read(counts)


def boilerplate_changed_by_removing(conn: Connection, ids: list[int]) -> set[int]:
    """The other texts whose boilerplate removing the documents ``ids`` changes: those holding a
    passage that is a site's boilerplate only with them, or only without them (its other holders
    then tell fewer different stories, or more). They are to be linked again, as a build of the
    archive without ``ids`` would link them."""
    return _background(conn, set(), searched=False).boilerplate_changed_by(ids) - set(ids)


def _search_without_boilerplate(conn: Connection, index: CandidateIndex) -> None:
    """The texts holding a site's boilerplate are searched without it, as the engine aligns them
    (their texts and fingerprints read again, once all of the archive is counted and its
    boilerplate known: usually a few of its texts, 139 of Reuters + spun_dev's 19,698)."""
    found = index.boilerplate()
    for chunk in _chunks(sorted(index.boilerplate_holders())):
        ids, texts = [], []
        for doc_id, body, data in conn.execute(_with_fingerprint(documents.c.id, documents.c.text)
                                               .where(documents.c.id.in_(chunk))):
            ids.append(doc_id)
            texts.append((ProvFingerprint.from_bytes(data, telltales=False).tokens if data is not None
                          else tokenize(body), body))
        index.search_without_boilerplate([(doc_id, tokens.where(~mask)) for doc_id, (tokens, _), mask
                                          in zip(ids, texts, boilerplate_masks(texts, found)) if mask is not None])


# A link row but its evidence: the evidence is most of a row's bytes and a JSON document to parse,
# and an update reads every link of its neighbourhood while it rewrites a few (reading those of
# 11,000 documents of the 200,000-document scale archive: 0.78 s with the evidence, 0.39 s
# without, 23 s with it from a cold page cache). It is read only where needed: see _write_links
# and merge_links.
_LINK_COLUMNS = tuple(c for c in links_table.c if c.name != "evidence")


def _stored_links(conn: Connection, ids: list[int]) -> dict[tuple[int, int], Any]:
    """Stored link rows with either end among ``ids``, without their evidence."""
    rows: dict[tuple[int, int], Any] = {}
    for chunk in _chunks(ids):
        query = select(*_LINK_COLUMNS).where(links_table.c.derived_id.in_(chunk) | links_table.c.source_id.in_(chunk))
        for row in conn.execute(query):
            rows[(row.derived_id, row.source_id)] = row
    return rows


def _stored_evidence(conn: Connection, row_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The evidence of the link rows ``row_ids``, by row id."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(row_ids):
        query = select(links_table.c.id, links_table.c.evidence).where(links_table.c.id.in_(chunk))
        found.update({row_id: evidence for row_id, evidence in conn.execute(query)})
    return found


def _evidence_of_links(conn: Connection, links: list[Link], rows: dict[tuple[int, int], Any]) -> list[dict[str, Any]]:
    """The stored evidence of ``links``, made from ``rows`` (read by _stored_links)."""
    found = _stored_evidence(conn, [rows[(l.derived_id, l.source_id)].id for l in links])
    return [found[rows[(l.derived_id, l.source_id)].id] for l in links]


def _as_link(row: Any) -> Link:
    """The link of a row read by _stored_links, whose evidence was not read: left empty here,
    so such a link is never written back as it is (_write_links leaves links read from the
    table alone; merge_links reads the evidence of those it changes)."""
    return Link(row.derived_id, row.source_id, row.relation, row.score, row.direction_confidence, {})


def _docs_with_prints(conn: Connection, ids: list[int],
                      analysed: Container[int] = ()) -> tuple[list[DocInput], dict[int, ProvFingerprint]]:
    """The documents ``ids`` and their stored fingerprints; ``analysed``: documents whose
    analysis is carried, so their telltales (read only to analyse a document) are not decoded."""
    docs: list[DocInput] = []
    prints: dict[int, ProvFingerprint] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(_with_fingerprint(*_INPUT_COLUMNS).where(documents.c.id.in_(chunk))):
            docs.append(_doc_input(row))
            if row.data is not None:
                prints[row.id] = ProvFingerprint.from_bytes(row.data, telltales=row.id not in analysed)
    return sorted(docs, key=lambda d: d.id), prints


def _ranked(background: CandidateIndex, doc_ids: list[int], among: int | None, book: PoolBook | None = None,
            offer: bool = False) -> dict[int, list[tuple[int, float]]]:
    """Each document's candidate list in the archive (its first ``among`` documents), best first.
    On every core: a chunk searches for its core, ~10 documents for each new one. With a
    ``book`` (a chunked run over the whole archive's index), the documents whose pools it holds
    are not searched again, and the others' pools are added to it; ``offer``: they are the
    chunk's new documents, which offer themselves to the older pools (see PoolBook). The pools
    are then ranked in this process with the cosines the book keeps: only those of documents
    that entered a pool since it was last ranked are computed (a few per pool)."""
    with background.searching():
        if book is None:
            def search(share: Sequence[int]) -> list[list[tuple[int, float]]]:
                found = background.neighbours(list(share), among=among)
                return [found[doc_id] for doc_id in share]

            return dict(zip(doc_ids, map_shares_forked(search, doc_ids)))
        rows = [background.row_of[d] for d in doc_ids]
        unheld = [d for d, row in zip(doc_ids, rows) if not book.held[row]]
        _book_pools(background, unheld, among, book, offer)
        return background.ranked_in_book(doc_ids, book)


def _book_pools(background: CandidateIndex, doc_ids: list[int], among: int | None, book: PoolBook,
                offer: bool) -> None:
    """Search the pools of ``doc_ids`` (among the first ``among`` documents) and hold them in the
    ``book``; ``offer``: they are the next documents of the run, which first offer themselves to
    the older pools they enter."""
    searched = _search_pools(background, doc_ids, among, book if offer else None)
    rows = [background.row_of[d] for d in doc_ids]
    if offer:
        book.take_offers(rows, [offers for _, offers in searched])
    book.hold(rows, [pool for pool, _ in searched])


def _search_pools(background: CandidateIndex, doc_ids: list[int], among: int | None,
                  book: PoolBook | None) -> list[tuple[Pool, Any]]:
    """Each document's pool and, with a ``book``, its offers to the older pools held there."""
    return map_shares_forked(lambda share: background.pools(list(share), among, book), doc_ids)


def _core(new: list[int], linked: set[int], ranked: dict[int, list[tuple[int, float]]]) -> set[int]:
    """The new documents, those linked to them before, and every candidate a new document may
    be aligned with: what an update must hold to decide the new documents as a whole build
    would (their candidates' own candidates only matter for the few re-decided, see
    _align_neighbourhood)."""
    core = set(new) | linked
    for doc_id in new:
        core.update(may_align(ranked[doc_id]))
    return core


def _sync_stories(conn: Connection, wanted: dict[int, int]) -> None:
    present = dict(conn.execute(select(stories_table.c.document_id, stories_table.c.story_id)).all())
    gone = [d for d in present if d not in wanted]
    for chunk in _chunks(gone):
        conn.execute(delete(stories_table).where(stories_table.c.document_id.in_(chunk)))
    _write_stories(conn, wanted, present)


def _write_stories(conn: Connection, wanted: dict[int, int], present: dict[int, int]) -> None:
    """Store each document's story in ``wanted``; ``present``: the stored ones of those documents."""
    moved = [{"d": d, "s": s} for d, s in wanted.items() if d in present and present[d] != s]
    if moved:
        conn.execute(sql_update(stories_table).where(stories_table.c.document_id == bindparam("d"))
                     .values(story_id=bindparam("s")), moved)
    added = [{"document_id": d, "story_id": s} for d, s in sorted(wanted.items()) if d not in present]
    if added:
        conn.execute(insert(stories_table), added)


def _sync_stories_around(conn: Connection, seeds: set[int]) -> None:
    """Bring the stored stories up to date after links with an end among ``seeds`` came or went
    (and the ``seeds`` that have no story yet got theirs), the others' being those of the links
    as they were. Only the stories that hold a seed can change: a story without one has the
    same links as before. So those are recomputed, over their members and whatever their links
    lead to (a document changed since it was linked has no story row but may keep links),
    instead of over the whole table, whose reading made each chunk of a large run cost more the
    larger the archive. The same rows as recomputing all."""
    members: set[int] = set()
    edges: set[tuple[int, int]] = set()
    reached = set(seeds)
    while reached:
        reached |= set(conn.execute(text(
            f"SELECT document_id FROM stories WHERE story_id IN (SELECT story_id FROM stories WHERE document_id IN ({_LISTED}))"
        ), {"ids": json.dumps(sorted(reached))}).scalars())
        listed = {"ids": json.dumps(sorted(reached))}
        found = {(a, b) for a, b in conn.execute(text(
            f"SELECT derived_id, source_id FROM provenance WHERE derived_id IN ({_LISTED}) "
            f"UNION SELECT derived_id, source_id FROM provenance WHERE source_id IN ({_LISTED})"), listed)}
        edges |= found
        members |= reached
        reached = {d for key in found for d in key} - members
    ordered = sorted(members)
    present = {d: s for d, s in conn.execute(text(f"SELECT document_id, story_id FROM stories WHERE document_id IN ({_LISTED})"),
                                             {"ids": json.dumps(ordered)})}
    _write_stories(conn, story_clusters(ordered, sorted(edges)), present)


@gc_paused
def update(engine: Engine) -> ProvenanceChange:
    """Link the documents that have no story yet (added or changed) against the archive.

    Only their neighbourhood is recomputed (see archive.provenance.merge for what is taken from
    it); links elsewhere stay as they are. Falls back to :func:`refresh` when nothing is stored
    yet, stored links come from another method version, or the neighbourhood is most of the
    archive. More than ``scattered_chunk_docs()`` new documents in an archive too large to hold
    at once are linked a chunk at a time, in id order, each chunk committed on its own: the
    archive's last documents in chunks whose core stays within MAX_SCOPE_DOCS (_chunk_size),
    others ``scattered_chunk_docs()`` at a time. Deterministic
    for a given store: a run killed before or during this step and re-run gives the same links
    as an uninterrupted one (chunks are cut from the same sorted list).
    """
    with engine.connect() as conn:
        outdated = conn.execute(select(exists(_OUTDATED))).scalar()
        n_docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
        new = sorted(conn.execute(_UNLINKED).scalars())
        linked_before = conn.execute(select(func.count()).select_from(stories_table)).scalar_one()
        if not new and not outdated:
            return ProvenanceChange(documents=n_docs, links=_count_links(conn), mode="incremental")
    if outdated or linked_before == 0 or len(new) >= FULL_REFRESH_SHARE * n_docs:
        return refresh(engine)
    computed = _store_missing_fingerprints(engine)
    if len(new) > scattered_chunk_docs() and n_docs > FULL_BUILD_MAX_DOCS:
        change = _update_in_chunks(engine, new, n_docs)
    else:
        change = _update_part(engine, new, set(), n_docs, allow_full=True)
    change.fingerprints_computed += computed
    return change


def _update_in_chunks(engine: Engine, new: list[int], n_docs: int) -> ProvenanceChange:
    total = ProvenanceChange(documents=n_docs, links=0, mode="incremental")
    # Each chunk's arrays of a few MB would otherwise be carved from the heap and fragment it.
    map_large_blocks_apart()
    # When the new documents are the archive's last (a first ingest, a refresh, new documents
    # appended), the archive's candidate index is read and prepared for searching once, and each
    # chunk searches candidates among the documents up to its end, with the whole archive's term
    # weights as a whole build has them (preparing a prefix of the index for each chunk cost
    # seconds, growing with the archive, for as many chunks as the archive has thousands of
    # documents). Otherwise each chunk reads its own index of the archive without the later chunks.
    whole: CandidateIndex | None = None
    with engine.connect() as conn:
        if _are_last(sorted(conn.execute(select(documents.c.id)).scalars()), new):
            tally = StyleTally()
            whole = _background(conn, set(), styles=tally)
            whole.release_shingles()
            outlet_styles = tally.styles()
    # Chunks recompute overlapping neighbourhoods: each takes the analyses and pair alignments
    # that earlier ones made (they depend on the texts only) instead of redoing them.
    # Each chunk searches ~11 older documents per new one again, among the documents up to it:
    # their pools are kept and brought up to date instead (exact, see PoolBook).
    book = PoolBook(len(whole)) if whole is not None else None
    lo = 0
    with Carried(whole=whole is not None) as carried, whole.searching() if whole is not None else nullcontext():
        if whole is not None:
            whole.release_rows()  # (searched, never changed, from now on)
            # Reading and preparing the index freed ~95 MB amid the heap (200,000 documents):
            # returned before the chunks (and their forked workers) start.
            release_free_memory()
        while lo < len(new):
            if whole is None:
                size = scattered_chunk_docs()
                part = _update_part(engine, new[lo:lo + size], set(new[lo + size:]), n_docs, allow_full=False,
                                    carried=carried)
            else:
                assert book is not None
                size = _chunk_size(whole, new[lo:lo + CHUNK_DOCS], book)
                # (The later documents are hidden by ``among``: no set of them, ~8 MB at 200,000.)
                part = _update_part(engine, new[lo:lo + size], set(), n_docs, allow_full=False,
                                    background=whole, among=len(whole) - len(new) + lo + size, carried=carried,
                                    book=book, outlet_styles=outlet_styles)
            lo += size
            # A chunk's neighbourhood holds a few small reference cycles (collected here: the
            # collector is paused while linking) and leaves its structures freed amid the heap.
            gc.collect()
            release_free_memory()
            log.info("chunk of %d linked: %d of %d; %d documents examined, %d pairs aligned (%d from earlier chunks)%s",
                     size, lo, len(new), part.examined, part.aligned, part.reused,
                     "" if book is None else f"; pool cosines {book.cosines_computed} computed, {book.cosines_reused} kept",
                     extra={"linked": lo})
            if book is not None:
                book.cosines_computed = book.cosines_reused = 0
            total.inserted += part.inserted
            total.updated += part.updated
            total.deleted += part.deleted
            total.fingerprints_computed += part.fingerprints_computed
            total.examined += part.examined
            total.aligned += part.aligned
            total.reused += part.reused
            total.links = part.links
    return total


def _chunk_size(whole: CandidateIndex, todo: list[int], book: PoolBook) -> int:
    """How many of ``todo`` (the archive's last documents in id order, at most CHUNK_DOCS) the
    next chunk links: as many as keep its core (the new documents and the linked ones they may
    be aligned with, see _core) within MAX_SCOPE_DOCS, at least one. Candidates are searched a
    block at a time, each block among the documents up to its end, so the cut depends only on
    the store and a resumed run cuts where an uninterrupted one does.

    The searches are the chunk's own: each block's pools go to the ``book``, and the offers of
    the chunk's documents to the older pools (the chunk's earlier blocks included, which so
    reach the chunk's end as a search among the documents up to it would find them: see
    PoolBook) are taken once the chunk is cut, so the chunk takes its documents' pools from
    there instead of searching them again. Only the block that the cut falls in is searched
    again up to the cut (its pools reach past it)."""
    earlier: set[int] = set()
    offering: list[int] = []
    offers: list[Any] = []

    def hold(block: list[int], among: int, searched: list[tuple[Pool, Any]] | None = None) -> None:
        searched = searched if searched is not None else _search_pools(whole, block, among, book)
        rows = [whole.row_of[d] for d in block]
        book.hold(rows, [pool for pool, _ in searched])
        offering.extend(rows)
        offers.extend(made for _, made in searched)

    size = len(todo)
    for lo in range(0, len(todo), _SIZING_BLOCK):
        block = todo[lo:lo + _SIZING_BLOCK]
        book.start = whole.row_of[block[0]]
        end = whole.row_of[block[-1]] + 1
        searched = _search_pools(whole, block, end, book)
        ranked = whole.ranked(block, [pool for pool, _ in searched])
        cut = _cut(todo, lo, block, ranked, earlier)
        if cut is None:
            hold(block, end, searched)
            continue
        if cut > 0:
            hold(block[:cut], whole.row_of[block[cut]])
        size = lo + cut
        break
    book.take_offers(offering, offers)
    return size


def _cut(todo: list[int], lo: int, block: list[int], ranked: dict[int, list[tuple[int, float]]],
         earlier: set[int]) -> int | None:
    """Where in ``block`` (``todo[lo:]``) the chunk ends, or None if it takes all of it;
    ``earlier``: the older documents that the chunk's documents so far may be aligned with
    (updated)."""
    for i, doc_id in enumerate(block):
        # (Candidates among the chunk's own documents are new ones, counted already.)
        more = {other for other in may_align(ranked[doc_id]) if other < todo[0]} - earlier
        if lo + i > 0 and lo + i + 1 + len(earlier) + len(more) > MAX_SCOPE_DOCS:
            return i
        earlier |= more
    return None


def _are_last(ids: list[int], later: list[int]) -> bool:
    """``later`` (sorted) are the last of ``ids`` (sorted)."""
    return len(later) <= len(ids) and ids[len(ids) - len(later):] == later


def _update_part(engine: Engine, new: list[int], hidden: set[int], n_docs: int, *, allow_full: bool,
                 background: CandidateIndex | None = None, among: int | None = None,
                 carried: Carried | None = None, book: PoolBook | None = None,
                 outlet_styles: dict[str, OutletStyle] | None = None) -> ProvenanceChange:
    """Link ``new`` against the archive without the ``hidden`` documents (later chunks);
    ``background``: the candidate index of exactly those documents, when the caller has it, or
    of the whole archive with ``among``: candidates are then searched among its first ``among``
    documents (the hidden ones are the rest); ``carried``: what earlier chunks of the run
    computed from the texts (updated for the next); ``book``: the candidate pools that earlier
    chunks of the run searched in the whole archive's index, ``new`` being its next rows;
    ``outlet_styles``: the whole archive's outlets' styles, given with ``background`` (else read
    with it, as a build of the whole archive reads them)."""
    with engine.connect() as conn:
        if background is None:
            tally = StyleTally()
            background = _background(conn, hidden, styles=tally)
            outlet_styles = tally.styles()
            # A passage the new documents made a site's boilerplate (or no longer one) changes
            # what of its other holders is linked: they are linked again with the new ones. (A
            # chunked run's whole-archive index knows the final boilerplate from the start.)
            new = sorted(set(new) | (background.boilerplate_changed_by(new) - hidden))
        stored_for_new = _stored_links(conn, new)
        # A document of a later chunk (hidden) is left to its own chunk: the candidate index read
        # for this one does not hold it (updated or relinked documents linked among themselves).
        linked = {k for pair in stored_for_new for k in pair} - set(new) - hidden
        if book is not None:
            book.start = background.row_of[new[0]]
        ranked = _ranked(background, new, among, book, offer=True)
        core = _core(new, linked, ranked)
        if allow_full and len(core) >= FULL_REFRESH_SHARE * n_docs:
            conn.close()
            return refresh(engine)
    assert outlet_styles is not None  # (a part of the archive decides by the whole one's outlets)
    sub = ProvenanceIndex(background=background, carried=carried, outlet_styles=outlet_styles)
    scope, aligned, reused, missing = _align_neighbourhood(engine, sub, background, among, new, linked, ranked, core,
                                                           book, hidden)
    del ranked, core  # (the core's candidate lists: not needed for deciding, released before it)
    new_set = set(new)
    # Only the links the merge below takes are built (their evidence is costly).
    fresh = sub.result(wanted=lambda planned: taken([_as_link(row) for row in stored_for_new.values()],
                                                    planned, new_set))
    with engine.begin() as conn:
        moved = _changed_meanwhile(conn, scope | new_set)
        present = _stored_links(conn, sorted(scope))
        stored = [_as_link(row) for row in present.values()]
        merged = merge_links(stored, fresh.links, new_set, scope, evidence_of=lambda links: _evidence_of_links(conn, links, present))
        unsettled = _unsettled(merged, moved)
        merged = [l for l in merged if l.derived_id not in moved and l.source_id not in moved]
        new_set -= moved
        change = ProvenanceChange(documents=n_docs, links=0, mode="incremental", examined=len(scope),
                                  fingerprints_computed=missing, aligned=aligned, reused=reused)
        _write_links(conn, merged, present, change, as_read=stored)
        # Stories are connected components of all links, so a new document can join two stories
        # into one and a lost link split one: only the stories around the new documents and the
        # links that came or went can change. Documents of later chunks get theirs when their
        # chunk is linked.
        changed = set(present) ^ {(l.derived_id, l.source_id) for l in merged}
        _sync_stories_around(conn, new_set | {d for key in changed for d in key} - moved)
        for chunk in _chunks(sorted(unsettled)):
            conn.execute(delete(stories_table).where(stories_table.c.document_id.in_(chunk)))
        touched = sorted(new_set | redecided(stored, fresh.links, new_set) - moved)
        for chunk in _chunks(sorted(new_set)):
            conn.execute(delete(attributions_table).where(attributions_table.c.document_id.in_(chunk)))
        cited = _attribution_rows(a for a in fresh.attributions if a.doc_id in new_set)
        if cited:
            conn.execute(insert(attributions_table), cited)
        touched_set = set(touched)
        flags, doc_evidence = sub.flags([l for l in merged if l.derived_id in touched_set])
        for chunk in _chunks(touched):
            conn.execute(delete(flags_table).where(flags_table.c.document_id.in_(chunk)))
        flag_rows = _flag_rows({d: names for d, names in flags.items() if d in touched_set}, doc_evidence)
        if flag_rows:
            conn.execute(insert(flags_table), flag_rows)
        change.links = _count_links(conn)
    return change


def _align_neighbourhood(engine: Engine, sub: ProvenanceIndex, background: CandidateIndex, among: int | None,
                         new: list[int], linked: set[int], ranked: dict[int, list[tuple[int, float]]],
                         core: set[int], book: PoolBook | None = None,
                         hidden: set[int] | frozenset[int] = frozenset()) -> tuple[set[int], int, int, int]:
    """Align the new documents with their candidates (the ``core``), and each candidate with
    the new documents it chooses among its own; then the documents that those pairs relate to
    a new document, and those linked to one before, with their own candidates and their stored
    sources. Only those can change source, and a source is chosen pair by pair, so the
    best of the old sources and the new documents is the best of all: their candidates'
    candidates are not needed (in articles that share passages, they made the neighbourhood
    some 20 times the new documents at 50,000, and growing with the archive). Returns the
    documents held (the scope), the pairs aligned and taken from earlier chunks, and the
    fingerprints that had to be computed. ``hidden``: documents of later chunks, left to them."""
    fresh = set(new)
    ranked.update(_ranked(background, sorted(core - fresh), among, book))
    # Each candidate chooses its own candidates too (a new document may be on its list only):
    # of those choices, the pairs with a new document are aligned.
    missing = _add(engine, sub, sorted(core), {d: ranked[d] for d in sorted(core)}, fresh)
    counts = _pair_counts(sub)
    decided = sorted((sub.related(new) | linked) - fresh)
    with engine.connect() as conn:
        ring = sorted(_stored_sources(conn, decided) - core - hidden)
    missing += _add(engine, sub, ring, {d: ranked[d] for d in decided}, None)
    more = _pair_counts(sub)
    aligned = len(sub.features) if sub.carried is None else counts[0] + more[0]
    return core | set(ring), aligned, counts[1] + more[1], missing


def _stored_sources(conn: Connection, ids: list[int]) -> set[int]:
    """The stored sources of ``ids`` (derivation links)."""
    found: set[int] = set()
    for chunk in _chunks(ids):
        query = select(links_table.c.source_id).where(
            links_table.c.derived_id.in_(chunk) & links_table.c.relation.in_(sorted(DERIVATIONS)))
        found.update(conn.execute(query).scalars())
    return found


def _add(engine: Engine, sub: ProvenanceIndex, doc_ids: list[int], ranked: dict[int, list[tuple[int, float]]],
         pairs_with: set[int] | None) -> int:
    """Add ``doc_ids`` to ``sub`` and align the ``ranked`` documents with their candidates
    (see ProvenanceIndex.update); returns how many fingerprints had to be computed."""
    analysed = sub.carried.analysed(doc_ids) if sub.carried is not None else set()
    with engine.connect() as conn:
        docs, prints = _docs_with_prints(conn, doc_ids, analysed)
    sub.update(docs, prints, ranked=ranked, pairs_with=pairs_with)
    return len(docs) - len(prints)


def _pair_counts(sub: ProvenanceIndex) -> tuple[int, int]:
    """Pairs the latest update of ``sub`` aligned and took from earlier chunks (0, 0 when
    nothing is carried between chunks)."""
    carried = sub.carried
    return (0, 0) if carried is None else (carried.computed_pairs, carried.reused_pairs)


def _count_links(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(links_table)).scalar_one())
