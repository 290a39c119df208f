"""Read-only queries over the store with the standard library's sqlite3.

Search and show are interactive: they must not pay SQLAlchemy's and Alembic's import time (more
than the rest of a search). The queries here are plain SQL over the documented schema; a
PostgreSQL store would answer them through SQLAlchemy Core instead.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from archive.errors import NotFound
from archive.names import readable
from archive.records import record
from archive.sqlite_extras import LISTED_IDS
from archive.storefile import connect_readonly

# The relations that claim copying (archive.provenance.DERIVATIONS); spelled out here so that
# reading the store does not import the provenance engine and numpy.
DERIVATIONS = ("duplicate", "near_copy", "spun", "rewrite")
_DERIVATION_MARKS = ", ".join("?" * len(DERIVATIONS))  # (bound to DERIVATIONS in the queries)
# The start of a text that families() gives with each story's original (named by it when it
# has no title).
_OPENING_CHARS = 200
DOCUMENT_COLUMNS = (
    "id", "external_id", "path", "format", "title", "author", "source", "url", "published_at",
    "language", "text", "content_hash", "raw_meta", "ingested_at", "updated_at",
)


@record
class DocumentRecord:
    id: int
    external_id: str
    path: str
    format: str
    title: str | None
    author: str | None
    source: str | None
    url: str | None
    published_at: str | None  # ISO-8601 UTC text, as stored
    language: str | None
    text: str
    content_hash: str
    raw_meta: dict[str, Any]
    ingested_at: str
    updated_at: str

    @property
    def published(self) -> datetime | None:
        if not self.published_at:
            return None
        return datetime.strptime(self.published_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DOCUMENT_COLUMNS}


def _record(row: sqlite3.Row) -> DocumentRecord:
    values = dict(row)
    values["raw_meta"] = json.loads(values["raw_meta"] or "{}")
    return DocumentRecord(**values)


@record
class LinkRecord:
    derived_id: int
    source_id: int
    relation: str
    score: float
    direction_confidence: float
    evidence: dict[str, Any]


@record
class Family:
    """A document's story: its members, the links among them, and what was found in each."""

    story_id: int
    focus: int
    documents: dict[int, DocumentRecord]
    links: list[LinkRecord]
    flags: dict[int, dict[str, Any]]
    attributions: dict[int, list[dict[str, Any]]]
    # False: the document has no story row: it was added or changed (an edit made in SQL) after
    # the last provenance update, which links it; until then it stands alone.
    linked: bool = True


@record
class NearText:
    """A stored text near another by the candidate search's cosine, and what provenance says of
    the two: ``link`` is their stored link's relation (None when unlinked), ``role`` what this
    text is to the other through it ("source", "copy" or "related"), ``same_story`` whether
    the links put both in one story (through other texts too)."""

    document: DocumentRecord
    cosine: float
    link: str | None
    role: str | None
    same_story: bool


# How counts name the documents without a publisher or a date (`archive stats`, search facets).
NO_SOURCE = "(none)"
UNDATED = "(undated)"


@record
class Families:
    """Stories of two or more documents, largest first (``listed``: the first few, or all), and
    how many there are in all."""

    total: int
    listed: list[dict[str, Any]]


def ranked(counts: Iterable[tuple[str | None, int]], missing: str) -> list[tuple[str, int]]:
    """Values and their counts, None named ``missing`` (and counted with a value of that name),
    the most frequent first, then by value: what ``SELECT coalesce(value, missing), count(*) ...
    GROUP BY 1 ORDER BY 2 DESC, 1`` gives (SQLite's BINARY order of UTF-8 text is Python's order
    of ``str``)."""
    totals: dict[str, int] = {}
    for value, count in counts:
        name = missing if value is None else value
        totals[name] = totals.get(name, 0) + count
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


_MAX_ID = 2**63 - 1  # SQLite's largest integer

# What a reference is: a document id, an external id, or (None) either, an id first. Numbers are
# both where inputs number their records (CSV dumps: 1, 2, 3).
RefKind = Literal["id", "external_id"] | None
REF_NAMES = {None: "id or external id", "id": "id", "external_id": "external id"}


def as_document_id(ref: str | int) -> int | None:
    """``ref`` as a document id when it can be one (plain digits within SQLite's integers), else
    None: it can then only be an external id ("²" and 20-digit numbers are not ids)."""
    if isinstance(ref, int):
        return ref if 0 <= ref <= _MAX_ID else None
    text = str(ref)
    if text.isascii() and text.isdigit() and int(text) <= _MAX_ID:
        return int(text)
    return None


class ReadStore:
    def __init__(self, db_path: Path) -> None:
        self.conn = connect_readonly(db_path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ReadStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def document(self, ref: str | int, by: RefKind = None) -> DocumentRecord:
        """By numeric id, or by external id when ``ref`` is not a number or no such id exists;
        ``by``: only as that kind of reference."""
        cols = ", ".join(DOCUMENT_COLUMNS)
        row = None
        doc_id = as_document_id(ref) if by != "external_id" else None
        if doc_id is not None:
            row = self.conn.execute(f"SELECT {cols} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None and by != "id":
            row = self.conn.execute(
                f"SELECT {cols} FROM documents WHERE external_id = ?", (readable(str(ref)),)
            ).fetchone()
        if row is None:
            raise NotFound(f"no document with {REF_NAMES[by]} {readable(str(ref))!r}")
        return _record(row)

    def named_too(self, ref: str | int, doc: DocumentRecord) -> DocumentRecord | None:
        """The other document ``ref`` names when it is ``doc``'s id and that one's external id:
        a number read as an id first may have meant the other."""
        if as_document_id(ref) != doc.id:
            return None
        cols = ", ".join(DOCUMENT_COLUMNS)
        row = self.conn.execute(f"SELECT {cols} FROM documents WHERE external_id = ? AND id != ?",
                                (readable(str(ref)), doc.id)).fetchone()
        return _record(row) if row else None

    def provenance_of(self, doc_id: int) -> dict[str, Any]:
        """What provenance says of one document: its sources (the links deriving it from others),
        how many documents derive from it and how many report its story apart (``related``), its
        story, flags and the outlets it credits."""
        sources = [
            {"id": r[0], "relation": r[1], "score": r[2], "direction_confidence": r[3]}
            for r in self.conn.execute(
                "SELECT source_id, relation, score, direction_confidence FROM provenance "
                "WHERE derived_id = ? AND relation != 'related' ORDER BY score DESC, source_id", (doc_id,))
        ]
        derived, related = self.conn.execute(
            "SELECT sum(source_id = ? AND relation != 'related'), sum(relation = 'related') FROM provenance "
            "WHERE source_id = ? OR derived_id = ?", (doc_id, doc_id, doc_id)).fetchone()
        story = self.conn.execute("SELECT story_id FROM stories WHERE document_id = ?", (doc_id,)).fetchone()
        flags = [r[0] for r in self.conn.execute(
            "SELECT flag FROM document_flags WHERE document_id = ? ORDER BY flag", (doc_id,))]
        credits = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT outlet FROM attributions WHERE document_id = ? ORDER BY outlet", (doc_id,))]
        original, family_size = self.copy_families([doc_id])[doc_id]
        return {"story_id": story[0] if story else None, "sources": sources, "derived": derived or 0,
                "related": related or 0, "flags": flags, "credits": credits,
                "copy_of": original if original != doc_id else None, "family_size": family_size}

    def copy_roots(self, ids: list[int]) -> dict[int, int]:
        """Each document's copy family, named by its original: the text reached by following
        its derivation links to their sources (itself when it derives from none). A copy has
        one source; should the store hold two, the higher-scored one is followed."""
        source: dict[int, int] = {}
        asked: set[int] = set()
        frontier = set(ids)
        while frontier:
            asked |= frontier
            rows = self.conn.execute(
                f"SELECT derived_id, source_id FROM provenance WHERE derived_id IN ({LISTED_IDS}) "
                "AND relation IN (SELECT value FROM json_each(:relations)) ORDER BY score, source_id DESC",
                {"ids": json.dumps(sorted(frontier)), "relations": json.dumps(list(DERIVATIONS))})
            for derived, src in rows:
                source[derived] = src  # the last written, the higher-scored, wins
            frontier = {source[d] for d in frontier if d in source} - asked
        roots = {}
        for doc_id in ids:
            seen, node = {doc_id}, doc_id
            while node in source and source[node] not in seen:  # (the guard only stops a loop)
                node = source[node]
                seen.add(node)
            roots[doc_id] = node
        return roots

    def copy_families(self, ids: list[int]) -> dict[int, tuple[int, int]]:
        """Each document's copy family: (its original, how many documents derive from that
        original, directly or not, plus the original itself)."""
        roots = self.copy_roots(ids)
        sizes = {root: self.conn.execute(
            "WITH RECURSIVE family(id) AS (SELECT ? UNION SELECT p.derived_id FROM provenance AS p "
            f"JOIN family ON p.source_id = family.id WHERE p.relation IN ({_DERIVATION_MARKS})) "
            "SELECT count(*) FROM family", (root, *DERIVATIONS)).fetchone()[0]
            for root in sorted(set(roots.values()))}
        return {doc_id: (root, sizes[root]) for doc_id, root in roots.items()}

    def pending_index(self) -> tuple[list[int], int]:
        """What the full-text index has not taken yet (``index_queue``): the documents deleted
        from the store whose entries it may still hold, and how many documents were added or
        changed since it last committed (by a running ingest, or an edit made in SQL)."""
        # (One row whatever the queue holds: a running ingest queues thousands of upserts.)
        deleted, changed = self.conn.execute(
            "SELECT group_concat(CASE WHEN operation = 'delete' THEN document_id END), "
            "coalesce(sum(operation = 'upsert'), 0) FROM index_queue").fetchone()
        return sorted(int(doc_id) for doc_id in deleted.split(",")) if deleted else [], changed

    def texts(self, ids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT id, text FROM documents WHERE id IN ({marks})", ids)
        return {row[0]: row[1] for row in rows}

    def documents(self, ids: list[int]) -> dict[int, DocumentRecord]:
        if not ids:
            return {}
        cols = ", ".join(DOCUMENT_COLUMNS)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT {cols} FROM documents WHERE id IN ({marks})", ids)
        return {row["id"]: _record(row) for row in rows}

    def near_texts(self, focus: int, found: list[tuple[int, float]]) -> list[NearText]:
        """``found`` ((id, cosine) pairs near the document ``focus``, best first) with their
        documents and what provenance links between each and ``focus``."""
        ids = [doc_id for doc_id, _ in found]
        docs = self.documents(ids)
        links: dict[int, tuple[str, str]] = {}
        for derived, source, relation in self.conn.execute(
                "SELECT derived_id, source_id, relation FROM provenance WHERE derived_id = ? OR source_id = ?",
                (focus, focus)):
            other = source if derived == focus else derived
            role = "related" if relation == "related" else "source" if other == source else "copy"
            links[other] = (relation, role)
        story = {row[0]: row[1] for row in self.conn.execute(
            f"SELECT document_id, story_id FROM stories WHERE document_id IN ({','.join('?' * (len(ids) + 1))})",
            [focus, *ids])}
        mine = story.get(focus)
        return [NearText(docs[doc_id], cosine, *links.get(doc_id, (None, None)),
                         same_story=mine is not None and story.get(doc_id) == mine)
                for doc_id, cosine in found if doc_id in docs]

    def counts(self) -> dict[str, Any]:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        # Copy links and `related` ones in one pass over the links.
        copies, related = self.conn.execute(
            "SELECT coalesce(sum(relation != 'related'), 0), coalesce(sum(relation = 'related'), 0) "
            "FROM provenance").fetchone()
        # Grouped by the column itself, in the order of its index (grouping by an expression of it
        # sorted every row first: ~10 ms on Reuters), then named and ranked by ``ranked``.
        by_source = ranked(self.conn.execute("SELECT source, count(*) FROM documents GROUP BY source"), NO_SOURCE)
        by_year = self.conn.execute(
            "SELECT coalesce(substr(published_at, 1, 4), ?) AS year, count(*) AS n "
            "FROM documents GROUP BY 1 ORDER BY year", (UNDATED,)
        ).fetchall()
        # Language and format in one pass: neither is indexed, so each reads every row.
        languages: Counter[str] = Counter()
        formats: Counter[str] = Counter()
        for language, fmt, n in self.conn.execute(
                "SELECT coalesce(language, '(unknown)'), format, count(*) FROM documents GROUP BY 1, 2"):
            languages[language] += n
            formats[fmt] += n
        by_language = sorted(languages.items(), key=lambda item: (-item[1], item[0]))
        by_format = sorted(formats.items(), key=lambda item: (-item[1], item[0]))
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "failures": one("SELECT count(*) FROM ingest_failures"),
            "runs": one("SELECT count(*) FROM ingest_runs"),
            "provenance_links": copies,
            "related_links": related,
            # (A document not linked yet is a story of its own until it is.)
            "stories": one("SELECT (SELECT count(DISTINCT story_id) FROM stories) + (SELECT count(*) FROM documents "
                           "WHERE id NOT IN (SELECT document_id FROM stories))"),
            "pending_index": one("SELECT count(*) FROM index_queue"),
            "by_source": by_source,
            "by_year": [tuple(r) for r in by_year],
            "by_language": [tuple(r) for r in by_language],
            "by_format": [tuple(r) for r in by_format],
        }

    def failures(self, run: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded ingest failures, newest first (of one run, or of the latest run with any).
        A run that does not exist is an error: "none" would say it read everything."""
        if run is None:
            row = self.conn.execute("SELECT max(run_id) FROM ingest_failures").fetchone()
            run = row[0]
        elif self.conn.execute("SELECT 1 FROM ingest_runs WHERE id = ?", (run,)).fetchone() is None:
            raise NotFound(f"no ingest run {run}: {self._runs()}")
        rows = self.conn.execute(
            "SELECT f.run_id, r.started_at, f.path, f.record, f.reason FROM ingest_failures AS f "
            "JOIN ingest_runs AS r ON r.id = f.run_id WHERE f.run_id = ? ORDER BY f.id LIMIT ?",
            (run, limit)).fetchall()
        return [dict(r) for r in rows]

    def _runs(self) -> str:
        """Which ingest runs there are, for a message (ids count up from the first)."""
        first, last = self.conn.execute("SELECT min(id), max(id) FROM ingest_runs").fetchone()
        if last is None:
            return "nothing has been ingested yet"
        return f"the only run is {last}" if first == last else f"the runs are {first} to {last}"

    def family(self, ref: str | int) -> Family:
        focus = self.document(ref).id
        row = self.conn.execute("SELECT story_id FROM stories WHERE document_id = ?", (focus,)).fetchone()
        story_id = row[0] if row else focus
        members = [r[0] for r in self.conn.execute(
            "SELECT document_id FROM stories WHERE story_id = ? ORDER BY document_id", (story_id,))] or [focus]
        marks = ",".join("?" * len(members))
        documents = self.documents(members)
        # Links among the story's documents: a document not linked yet may keep links to others
        # until it is (and a row left by a document deleted with foreign keys off names none).
        links = [
            LinkRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"))
            for r in self.conn.execute(
                "SELECT derived_id, source_id, relation, score, direction_confidence, evidence "
                f"FROM provenance WHERE derived_id IN ({marks}) OR source_id IN ({marks}) "
                "ORDER BY source_id, derived_id", members + members)
            if r[0] in documents and r[1] in documents
        ]
        flags: dict[int, dict[str, Any]] = {}
        for doc_id, flag, evidence in self.conn.execute(
                f"SELECT document_id, flag, evidence FROM document_flags WHERE document_id IN ({marks})", members):
            flags.setdefault(doc_id, {})[flag] = json.loads(evidence or "{}")
        cited: dict[int, list[dict[str, Any]]] = {}
        for doc_id, outlet, phrase, start, end in self.conn.execute(
                f"SELECT document_id, outlet, phrase, start, \"end\" FROM attributions "
                f"WHERE document_id IN ({marks}) ORDER BY document_id, start", members):
            cited.setdefault(doc_id, []).append({"outlet": outlet, "phrase": phrase, "start": start, "end": end})
        return Family(story_id, focus, documents, links, flags, cited, linked=row is not None)


    def families(self, limit: int | None = 50, min_size: int = 2) -> Families:
        """The first ``limit`` (None: all) stories with at least ``min_size`` documents, largest
        first, each named by its original or its first document (see story_original)."""
        sizes = "SELECT story_id, count(*) AS size FROM stories GROUP BY story_id HAVING count(*) >= ?"
        total = self.conn.execute(f"SELECT count(*) FROM ({sizes})", (min_size,)).fetchone()[0]
        rows = self.conn.execute(f"{sizes} ORDER BY size DESC, story_id LIMIT ?",
                                 (min_size, -1 if limit is None else limit)).fetchall()
        out = []
        for story_id, size in rows:
            links = self.conn.execute(
                "SELECT p.derived_id, p.source_id, p.relation FROM provenance AS p "
                "JOIN stories AS s ON s.document_id = p.derived_id WHERE s.story_id = ?", (story_id,)).fetchall()
            counts = Counter(relation for _, _, relation in links)
            original = story_original(story_id, size, [(d, s) for d, s, relation in links if relation in DERIVATIONS])
            title, opening = self.conn.execute("SELECT title, substr(text, 1, ?) FROM documents WHERE id = ?",
                                               (_OPENING_CHARS, original)).fetchone()
            out.append({"story_id": story_id, "documents": size, "original_id": original, "title": title,
                        "opening": opening, "links": dict(sorted(counts.items()))})
        return Families(total, out)


def story_original(story_id: int, size: int, derivations: list[tuple[int, int]]) -> int:
    """The document a story of ``size`` documents is named by: its original, the text that
    sources others and derives from none (``derivations``: (derived, source) links) with the
    most texts derived from it, directly or not (ties to the lowest id), when it and they are
    most of the story; else (a saga of separate reports, some of them copied) the story's first
    document."""
    sources = {d: s for d, s in derivations}
    below: Counter[int] = Counter()
    for d in sources:
        seen = {d}
        x = sources[d]
        while x not in seen:  # (a loop is never stored; the guard only stops the walk)
            below[x] += 1
            seen.add(x)
            if x not in sources:
                break
            x = sources[x]
    roots = [x for x in below if x not in sources]
    if not roots:
        return story_id
    original = min(roots, key=lambda x: (-below[x], x))
    return original if 2 * (below[original] + 1) > size else story_id
