"""Turns a parsed query into a Whoosh query against one reader.

Wildcards and fuzzy words are expanded here, against the reader's own terms, so that a pattern that
would match too many words fails with a clear error instead of a slow search, and so that the
snippet builder knows exactly which words matched. An exact phrase becomes an ``ExactPhrase``
over the field's common-word grams where it has them (``analysis.phrase_parts``). Query words come
with their Latin letters as written and are folded for a field that folds them (``schema.folds``:
an index built before analysis.FOLDING_RULE is searched as it was built); the words to highlight
are always folded, as the snippet builder reads the text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from weakref import WeakKeyDictionary

from whoosh import query as wq
from whoosh.codec.base import Automata
from whoosh.query.compound import PreloadedOr
from whoosh.reading import IndexReader, SegmentReader
from whoosh.util.times import datetime_to_long

from archive.errors import QueryError
from archive.records import field, record
from archive.search.analysis import fold_latin, is_gram, phrase_parts
from archive.search.dates import Interval, cover
from archive.search.docvalues import asked_before
from archive.search.lexicon import segment_terms, terms_bisect_left
from archive.search.phrase import ExactPhrase
from archive.search.postings import DatedIdsFilter
from archive.search.query import And, DateFilter, Exact, Fuzzy, Node, Not, Or, Wildcard, Words
from archive.search.schema import folds

MAX_EXPANSION = 1000  # distinct words one wildcard or fuzzy term may stand for, per field
# Whoosh matches an AND or an OR through a binary tree of matchers that it walks recursively, and
# an AND's tree is a chain as long as its parts: a longer one is compiled as nested groups of at
# most this many parts, so that a query of query.MAX_OPERANDS words stays far from Python's
# recursion limit (a chain of ~970 words reached it).
MAX_GROUP = 8


@record
class Highlights:
    """What to mark in a document's body text: single words and phrases (with their slop)."""

    terms: set[str] = field(default_factory=set)
    phrases: set[tuple[tuple[str, ...], int]] = field(default_factory=set)


@record
class Compiled:
    query: wq.Query
    highlights: Highlights


def compile_query(root: Node, reader: IndexReader) -> Compiled:
    highlights = Highlights()
    return Compiled(_compile(root, reader, highlights, positive=True), highlights)


def _compile(node: Node, reader: IndexReader, hl: Highlights, *, positive: bool) -> wq.Query:
    if isinstance(node, Words):
        if positive and "text" in node.fields:
            folded = tuple(fold_latin(t) for t in node.terms)
            if len(folded) == 1:
                hl.terms.add(folded[0])
            else:
                hl.phrases.add((folded, node.slop))
        return _any_field(node.fields, lambda f: _words_query(reader, f, as_indexed(reader, f, node.terms), node.slop))
    if isinstance(node, Wildcard):
        return _expanded(node.fields, hl, positive,
                         lambda f: _glob_terms(reader, f, as_indexed(reader, f, (node.pattern,))[0]), node.pattern)
    if isinstance(node, Fuzzy):
        return _expanded(
            node.fields,
            hl,
            positive,
            lambda f: (t for t in _terms_within(reader, f, as_indexed(reader, f, (node.term,))[0], node.maxdist,
                                                prefix=1) if not is_gram(t)),
            f"{node.term}~{node.maxdist}",
        )
    if isinstance(node, Exact):
        return wq.Term(node.field, node.value)
    if isinstance(node, DateFilter):
        return _date_query(node.interval, reader)
    if isinstance(node, Not):
        return wq.Not(_compile(node.child, reader, hl, positive=not positive))
    if isinstance(node, And):
        # Never wq.AndNot: its matcher does not advance the excluded side before the first hit,
        # so a document both sides match can slip through (whoosh3 3.54, binary.AndNotMatcher).
        return _grouped(wq.And, _and_parts([_compile(c, reader, hl, positive=positive) for c in node.children]))
    if isinstance(node, Or):
        return _grouped(wq.Or, [_compile(c, reader, hl, positive=positive) for c in node.children])
    raise TypeError(node)


def _and_parts(parts: list[wq.Query]) -> list[wq.Query]:
    """An AND's parts, its NOTs as one NOT of their OR when there are too many for one group:
    a group of NOTs alone matches what no word excludes, which only an AND with a positive part
    can read (postings._plain). The same documents match; each scores 1 for the NOTs, not 1 each."""
    negations = [part for part in parts if type(part) is wq.Not]
    if len(parts) <= MAX_GROUP or len(negations) < 2:
        return parts
    excluded = wq.Not(_grouped(wq.Or, [part.query for part in negations]))
    return [excluded, *(part for part in parts if type(part) is not wq.Not)]


def _grouped(kind: type[wq.And] | type[wq.Or], parts: list[wq.Query]) -> wq.Query:
    """``kind(parts)``, nested in groups of at most MAX_GROUP parts when there are more."""
    while len(parts) > MAX_GROUP:
        groups = [parts[i : i + MAX_GROUP] for i in range(0, len(parts), MAX_GROUP)]
        parts = [kind(group) if len(group) > 1 else group[0] for group in groups]
    return kind(parts)


def _date_query(interval: Interval, reader: IndexReader) -> wq.Query:
    """Calendar-period terms covering the interval, clipped to the years the index holds.

    Constant-scored so that a date filter never changes the ranking of the words it is combined with,
    and read as document ids only, or checked in the ``published`` column (``DatedIdsFilter``).
    """
    years = _years(reader)
    if not years:
        return wq.NullQuery
    start = max(interval.start or datetime.min, datetime(years[0], 1, 1))
    end = min(interval.end or datetime.max, datetime(years[-1] + 1, 1, 1) if years[-1] < 9999 else datetime.max)
    if start >= end:
        return wq.NullQuery
    periods = cover(start, end)
    parts: list[wq.Query] = [
        *(wq.Term("year", y) for y in periods.years),
        *(wq.Term("month", m) for m in periods.months),
        *(wq.Term("day", d) for d in periods.days),
        *(wq.DateRange("published", a, b, endexcl=True) for a, b in periods.remainders),
    ]
    return DatedIdsFilter(_union(parts), datetime_to_long(start), datetime_to_long(end)) if parts else wq.NullQuery


def _years(reader: IndexReader) -> list[int]:
    """The years the index holds (``reader.lexicon("year")``), ascending, from each segment's
    terms (``_segments_terms``): Whoosh merges every segment's lexicon through its term cursors,
    which at 10 segments took a few milliseconds of every date query."""
    # By index: iterating a segment's terms decodes them all with numpy, which a date query
    # does not otherwise import (~80 ms of a process).
    return sorted({int(terms[i]) for terms in _segments_terms(reader, "year") for i in range(len(terms))})


def _union(queries: list[wq.Query]) -> wq.Query:
    """An OR that, for many parts (a wildcard's words, a date range's days), reads their documents
    into an array up front: Whoosh's default, a binary tree of union matchers, spent most of a
    wildcard search re-balancing itself."""
    return wq.Or(queries) if len(queries) <= 2 else PreloadedOr(queries)


def _any_field(fields: tuple[str, ...], build: Callable[[str], wq.Query]) -> wq.Query:
    queries = [build(f) for f in fields]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def as_indexed(reader: IndexReader, fieldname: str, terms: tuple[str, ...]) -> tuple[str, ...]:
    """Query ``terms`` (or a pattern) as the field indexes words: Latin letters folded if it folds them."""
    return tuple(fold_latin(t) for t in terms) if folds(reader.schema[fieldname]) else terms


def _words_query(reader: IndexReader, fieldname: str, terms: tuple[str, ...], slop: int) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    if slop > 1:
        return wq.Phrase(fieldname, list(terms), slop=slop)
    # The field's own common words (pickled with the index's schema); older indexes have none.
    common = getattr(reader.schema[fieldname], "common_words", frozenset())
    return ExactPhrase(fieldname, phrase_parts(terms, common))


def _expanded(
    fields: tuple[str, ...],
    hl: Highlights,
    positive: bool,
    expand: Callable[[str], Iterable[str | bytes]],
    label: str,
) -> wq.Query:
    per_field: list[wq.Query] = []
    for fieldname in fields:
        terms = [_text(t) for t in islice(expand(fieldname), MAX_EXPANSION + 1)]
        if len(terms) > MAX_EXPANSION:
            raise QueryError(
                f"'{label}' matches more than {MAX_EXPANSION} different words in {fieldname}; "
                "make it more specific"
            )
        if positive and fieldname == "text":
            hl.terms.update(fold_latin(t) for t in terms)
        per_field.append(_union([wq.Term(fieldname, t) for t in terms]) if terms else wq.NullQuery)
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def _terms_within(reader: IndexReader, fieldname: str, term: str, maxdist: int, prefix: int) -> Iterator[str]:
    """The field's terms within ``maxdist`` Levenshtein edits of ``term`` that share its first
    ``prefix`` letters, in sorted order: a segment's ``reader.terms_within``, for any reader.

    Whoosh walks a Levenshtein automaton through a segment's sorted terms, each step a binary
    search of the on-disk term file (a seek and read per probe): 15 ms for ``dolar~1`` on Reuters.
    Over several segments it instead computes a Damerau-Levenshtein distance to every term of
    every segment (570 ms for one suggestion at 200,000 documents in 10 segments). This walks the
    automaton once over all segments' terms held in memory: the first walk of a field in a
    process over each segment's terms decoded as the walk reaches them (``segment_terms``,
    ``_MergedCursor``), the ones after over all of them decoded and merged into one list (~0.5 s
    once at 200,000 documents, then each look-up one bisect in C). One segment gives Whoosh's
    terms in Whoosh's order, several segments what one segment holding all their terms would give.
    """
    spellfield = reader.schema[fieldname].spelling_fieldname(fieldname)
    if asked_before(_WALKED, reader, spellfield):
        lists: list[Sequence[str]] = [_merged_terms(reader, spellfield)]
    else:
        lists = _segments_terms(reader, spellfield)
    ranges = [(terms, *_prefix_range(terms, term[:prefix])) for terms in lists]
    dfa = Automata.levenshtein_dfa(term, maxdist, prefix)
    yield from Automata.find_matches(dfa, _MergedCursor(ranges))


# Per reader (so per index snapshot): the fields whose terms were walked; the field's terms, all
# decoded, sorted and (for several segments) merged.
_WALKED: WeakKeyDictionary[IndexReader, set[str]] = WeakKeyDictionary()
_MERGED: WeakKeyDictionary[IndexReader, dict[str, list[str]]] = WeakKeyDictionary()


def _merged_terms(reader: IndexReader, fieldname: str) -> list[str]:
    cached = _MERGED.setdefault(reader, {})
    if fieldname not in cached:
        lists = [list(terms) for terms in _segments_terms(reader, fieldname)]
        cached[fieldname] = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
    return cached[fieldname]


# Per segment reader (so shared by the snapshots that hold the segment): field -> its terms.
_TERM_LISTS: WeakKeyDictionary[IndexReader, dict[str, Sequence[str]]] = WeakKeyDictionary()


def _segments_terms(reader: IndexReader, fieldname: str) -> list[Sequence[str]]:
    """Each segment's terms of the field, sorted."""
    if not isinstance(reader, SegmentReader):
        if reader.is_atomic():  # no segments (an empty index's reader): its own lexicon
            return [[_text(term) for term in reader.lexicon(fieldname)]]
        return [terms for leaf, _ in reader.leaf_readers() for terms in _segments_terms(leaf, fieldname)]
    cached = _TERM_LISTS.setdefault(reader, {})
    if fieldname not in cached:
        cached[fieldname] = segment_terms(reader, fieldname)
    return [cached[fieldname]]


def _prefix_range(terms: Sequence[str], prefix: str) -> tuple[int, int]:
    """Where the sorted ``terms`` that start with ``prefix`` begin and end."""
    start = terms_bisect_left(terms, prefix)
    # The first string after every one with the prefix: its last letter that can be, stepped up.
    stem = prefix.rstrip(chr(sys.maxunicode))
    if not stem:
        return start, len(terms)
    return start, terms_bisect_left(terms, stem[:-1] + chr(ord(stem[-1]) + 1), start)


class _MergedCursor:
    """The part of Whoosh's field cursor a Levenshtein automaton walk uses, over the union of
    sorted ranges (each segment's ``terms[start:end]``): ``find`` goes to the first term at or
    after the one given in every range, ``text`` is the smallest of those.

    A walk's look-ups only move forward, so a range whose current term is already at or after
    the one looked up stays where it is, and one that moves often moves just to its next term.
    (Whoosh compares UTF-8 bytes; their order is the order of the strings.)
    """

    def __init__(self, ranges: list[tuple[Sequence[str], int, int]]) -> None:
        self._ranges = ranges
        # Per range: (where it is, the term there or None past its end), and the last look-up.
        self._at = [(start, terms[start] if start < end else None) for terms, start, end in ranges]
        self._last = ""

    def text(self) -> str | None:
        return min((term for _, term in self._at if term is not None), default=None)

    def find(self, term: str) -> str | None:
        forward = term >= self._last
        self._last = term
        for n, (terms, start, end) in enumerate(self._ranges):
            i, current = self._at[n]
            if forward:
                if current is None or current >= term:
                    continue
                i += 1
                if i < end and terms[i] < term:
                    i = terms_bisect_left(terms, term, i + 1, end)
            else:
                i = terms_bisect_left(terms, term, start, end)
            self._at[n] = (i, terms[i] if i < end else None)
        return self.text()


def _glob_terms(reader: IndexReader, fieldname: str, pattern: str) -> Iterator[bytes]:
    prefix = re.split(r"[*?]", pattern, maxsplit=1)[0]
    regex = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)
    for term in reader.expand_prefix(fieldname, prefix):
        if not is_gram(term) and regex.fullmatch(_text(term)):
            yield term


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
