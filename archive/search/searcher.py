"""Running a query: ranked or date-sorted hits, counts, facets, snippets and spelling suggestions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal

from archive.errors import QueryError
from archive.records import field, record
from archive.search.analysis import is_gram, word_spans
from archive.search.compile import Compiled, _terms_within, as_indexed, compile_query
from archive.search.dates import since_bound, until_bound
from archive.search.index import SearchIndex, damaged_index_errors
from archive.search.postings import search_done, top_scores, word_scores
from archive.search.query import And, Exact, Node, Not, Or, ParsedQuery, Words, date_filter, parse
from archive.search.schema import FACET_FIELDS, folds, stored_published
from archive.search.snippets import Snippet, build_snippet, match_ranges
from archive.search.view import View

if TYPE_CHECKING:
    from whoosh import query as wq

    from archive.search.facets import Page

Sort = Literal["relevance", "date", "-date"]
Facet = Literal["source", "year"]
DateArg = datetime | date | str | None
TextsFor = Callable[[list[int]], dict[int, str]]
# Document ids -> the group each belongs to (e.g. its copy family's original), for collapsing.
GroupsFor = Callable[[list[int]], dict[int, int]]
# Document ids -> (its copy family's original, the family's size), for the hits shown.
FamiliesFor = Callable[[list[int]], dict[int, tuple[int, int]]]

SORTS = ("relevance", "date", "-date")


@record
class Hit:
    id: int
    external_id: str
    title: str | None
    source: str | None
    published_at: datetime | None
    score: float | None  # None when sorted by date
    snippet: Snippet | None
    # Its copy family (the original and everything derived from it, directly or not): the
    # original's id when the hit is a copy, and how many documents the family holds.
    copy_of: int | None = None
    family_size: int = 1


@record
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    warnings: list[str] = field(default_factory=list)


class Snapshot:
    """An open index view: every call through it sees the index as it was when it was opened."""

    def __init__(self, index: SearchIndex, view: View) -> None:
        self.index = index
        self.view = view


@contextmanager
def snapshot(index: SearchIndex) -> Iterator[Snapshot]:
    with index.view() as view:
        yield Snapshot(index, view)


@contextmanager
def _opened(target: SearchIndex | Snapshot) -> Iterator[Snapshot]:
    if isinstance(target, Snapshot):
        yield target
    else:
        with snapshot(target) as opened:
            yield opened


def search(
    index: SearchIndex | Snapshot,
    query: str,
    *,
    since: DateArg = None,
    until: DateArg = None,
    sort: Sort = "relevance",
    limit: int = 10,
    offset: int = 0,
    facets: Sequence[Facet] = (),
    snippets: bool = True,
    texts_for: TextsFor | None = None,
    collapse: GroupsFor | None = None,
    families_for: FamiliesFor | None = None,
    hidden: Sequence[int] = (),
) -> SearchResults:
    """Run ``query`` (see ``archive.search.query``) and return one page of hits.

    Snippets need the body text, which the index does not store: pass ``texts_for`` (document
    ids -> text, e.g. from the store); without it hits have no snippet. ``collapse``: one hit per
    group (a document missing from the mapping is a group of its own), the first of each in the
    ranking; ``limit`` and ``offset`` count groups, ``total`` and facets still count documents.
    ``families_for``: each hit's copy family (``Hit.copy_of``, ``Hit.family_size``).
    ``hidden``: ids of documents the index holds that are not to be found (deleted from the
    store, their index entries not yet): left out of the hits, the total and the facets.
    """
    _check_arguments(sort, limit, offset, facets)
    parsed = parse(query)
    root = _with_dates(parsed.root, since, until)
    with _opened(index) as snap:
        view = snap.view

        def guard() -> AbstractContextManager[None]:
            # Around the index's reads only: errors from the caller's functions (``collapse``,
            # ``texts_for``, ``families_for``) are theirs, not the index's.
            return damaged_index_errors(snap.index.path)

        try:
            with guard():
                compiled = compile_query(root, view.reader())
                unfolded = not folds(view.reader().schema["text"])
            if collapse is None or not limit:
                with guard():
                    total, page, facet_counts = _page(view, compiled.query, sort, limit, offset, facets, hidden)
            else:
                total, page, facet_counts = _collapsed_page(view, compiled.query, sort, limit, offset, facets,
                                                            collapse, guard, hidden)
            with guard():
                suggestion = _suggest(parsed, view, _matches_any(view, since, until, hidden)) if total == 0 else None
        finally:
            search_done()
    ids = [int(fields["id"]) for fields, _ in page]
    texts = texts_for(ids) if snippets and texts_for and ids else {}
    families = families_for(ids) if families_for and ids else {}
    hits = [
        _hit(fields, score if sort == "relevance" else None, texts.get(doc_id), compiled, families.get(doc_id))
        for doc_id, (fields, score) in zip(ids, page)
    ]
    warnings = list(parsed.warnings)
    if unfolded:
        warnings.append(UNFOLDED_INDEX)
    return SearchResults(total, hits, facet_counts, suggestion, warnings)


def _page(view: View, query: wq.Query, sort: str, limit: int, offset: int, facets: Sequence[str],
          hidden: Sequence[int] = ()) -> Page:
    """One page of ``query``'s matches, less the ``hidden`` documents: those of them it matches
    are found by a query of their own, whose facet counts and total are taken away."""
    if not hidden:
        return _unmasked_page(view, query, sort, limit, offset, facets)
    from whoosh import query as wq

    ids = wq.Or([wq.Term("id", str(doc_id)) for doc_id in hidden])
    gone_total, gone, gone_counts = _unmasked_page(view, wq.And([query, ids]), "relevance", len(hidden), 0, facets)
    if not gone_total:
        return _unmasked_page(view, query, sort, limit, offset, facets)
    gone_ids = {fields["id"] for fields, _ in gone}
    total, page, counts = _unmasked_page(view, query, sort, offset + limit + gone_total, 0, facets)
    kept = [hit for hit in page if hit[0]["id"] not in gone_ids][offset : offset + limit]
    return total - gone_total, kept, {name: _less(counts[name], gone_counts[name]) for name in counts}


def _less(counts: list[tuple[str, int]], taken: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A facet's counts (most first, as ``sorted_counts`` orders them) less ``taken``'s."""
    less = dict(taken)
    left = [(key, n - less.get(key, 0)) for key, n in counts]
    return sorted(((key, n) for key, n in left if n > 0), key=lambda kv: (-kv[1], kv[0]))


def _unmasked_page(view: View, query: wq.Query, sort: str, limit: int, offset: int, facets: Sequence[str]) -> Page:
    found = _one_pass(view, query, sort, limit, offset, facets)
    if found is None:
        from archive.search.facets import collected

        found = collected(view.searcher(), query, sort, limit, offset, facets)
    return found


# Hits read per group wanted on the first try when collapsing, and the least read; each further
# try reads four times as many, until enough groups are found or every match has been read.
_COLLAPSE_READ_AHEAD = 4
_COLLAPSE_MIN_READ = 100


def _collapsed_page(view: View, query: wq.Query, sort: str, limit: int, offset: int, facets: Sequence[str],
                    groups_for: GroupsFor, guard: Callable[[], AbstractContextManager[None]],
                    hidden: Sequence[int] = ()) -> Page:
    """One page of the first hit of each group, in ranking order. The groups of a ranking's
    head are unknown until its hits are read, so the head is read and grouped, and read further
    while it holds fewer than ``offset + limit`` groups."""
    wanted = offset + limit
    read = max(_COLLAPSE_READ_AHEAD * wanted, _COLLAPSE_MIN_READ)
    groups: dict[int, int] = {}  # (a further read asks only for its new hits' groups)
    while True:
        with guard():
            total, page, counts = _page(view, query, sort, read, 0, facets, hidden)
        ids = [int(fields["id"]) for fields, _ in page]
        unseen = [doc_id for doc_id in ids if doc_id not in groups]
        if unseen:
            groups.update(groups_for(unseen))
        firsts: dict[int, int] = {}
        for position, doc_id in enumerate(ids):
            firsts.setdefault(groups.get(doc_id, doc_id), position)
        if len(firsts) >= wanted or len(page) >= total:
            kept = sorted(firsts.values())[offset:wanted]
            return total, [page[i] for i in kept], counts
        read *= _COLLAPSE_READ_AHEAD


def _one_pass(view: View, query: wq.Query, sort: str, limit: int, offset: int, facets: Sequence[str]) -> Page | None:
    """What ``collected`` gives, from the matches read in one pass (``postings.word_scores``):
    ranked by score, or ordered by the sort facet's keys read once per segment
    (``facets.dated_order``); ``None`` when the query, a facet or the sort is not one this
    handles. Whoosh's sorting facets are imported only for a date sort or facets."""
    segments = word_scores(view, query)
    if segments is None:
        return None
    counts: dict[str, list[tuple[str, int]]] = {}
    if facets:
        from archive.search.facets import column_groups, sorted_counts

        groups = column_groups(view, segments, facets)
        if groups is None:
            return None
        counts = {name: sorted_counts(groups[name]) for name in facets}
    wanted = offset + limit if limit else 1
    page: list[tuple[dict[str, Any], float | None]] = []
    if sort == "relevance":
        total, best = top_scores(segments, wanted)
        if limit:
            page = [(view.stored_fields(docnum), score) for score, docnum in best[offset:]]
    else:
        from archive.search.facets import dated_order

        dated = dated_order(view, segments, sort, wanted)
        if dated is None:
            return None
        total, docnums = dated
        if limit:
            page = [(view.stored_fields(docnum), None) for docnum in docnums[offset:]]
    return total, page, counts


def count(index: SearchIndex | Snapshot, query: str, *, since: DateArg = None, until: DateArg = None,
          hidden: Sequence[int] = ()) -> int:
    """How many documents match, without scoring or loading any of them (``hidden``: as for
    ``search``, not counted)."""
    return counted(index, query, since=since, until=until, hidden=hidden).total


def counted(index: SearchIndex | Snapshot, query: str, *, since: DateArg = None, until: DateArg = None,
            hidden: Sequence[int] = ()) -> SearchResults:
    """``count``'s total as results without hits, with the warnings a search would give."""
    parsed = parse(query)
    root = _matched_by(parsed, since, until, hidden)
    with _opened(index) as snap, damaged_index_errors(snap.index.path):
        compiled = compile_query(root, snap.view.reader())
        total = len(snap.view.searcher().search(compiled.query, limit=None, scored=False))
        unfolded = not folds(snap.view.reader().schema["text"])
    return SearchResults(total, [], warnings=[*parsed.warnings, *([UNFOLDED_INDEX] if unfolded else [])])


def _matched_by(query: str | ParsedQuery, since: DateArg, until: DateArg, hidden: Sequence[int]) -> Node:
    """What a query with the search's dates matches, less the ``hidden`` documents: for
    counting and yes/no questions only (a NOT adds to each match's score in Whoosh)."""
    root = _with_dates((parse(query) if isinstance(query, str) else query).root, since, until)
    if hidden:
        root = And((root, Not(Or(tuple(Exact("id", str(doc_id)) for doc_id in hidden)))))
    return root


def _check_arguments(sort: str, limit: int, offset: int, facets: Sequence[str]) -> None:
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must not be negative")
    unknown = [f for f in facets if f not in FACET_FIELDS]
    if unknown:
        raise QueryError(f"unknown facet {unknown[0]!r}; use one of {', '.join(FACET_FIELDS)}")


def _with_dates(root: Node, since: DateArg, until: DateArg) -> Node:
    bounds = date_filter(
        since_bound(since) if since is not None else None,
        until_bound(until) if until is not None else None,
    )
    return root if bounds is None else And((root, bounds))


def _hit(fields: dict[str, Any], score: float | None, text: str | None, compiled: Compiled,
         family: tuple[int, int] | None) -> Hit:
    snippet = None
    if text is not None:
        snippet = build_snippet(text, match_ranges(text, compiled.highlights.terms, compiled.highlights.phrases))
    doc_id = int(fields["id"])
    original, size = family or (doc_id, 1)
    return Hit(
        id=doc_id,
        external_id=fields["external_id"],
        title=fields.get("title"),
        source=fields.get("source"),
        published_at=stored_published(fields.get("published")),
        score=score,
        snippet=snippet,
        copy_of=original if original != doc_id else None,
        family_size=size,
    )


# Said with every search of an index built before analysis.FOLDING_RULE, which finds Latin words
# only as they are written (its terms were not folded, so its queries are not either).
UNFOLDED_INDEX = ("the index was built before accents were folded: a word is found only as written "
                  "(zurich does not find Zürich) until `archive index rebuild`")


# Corrections of one unknown word that a suggestion tries, and corrected queries it counts at most.
SUGGESTION_CANDIDATES = 5
SUGGESTION_CHECKS = 10


def _suggest(parsed: ParsedQuery, view: View, has_hits: Callable[[str], bool]) -> str | None:
    """The query with each word the index has never seen replaced by an indexed word close to it,
    such that the whole query has hits; None when none of the first SUGGESTION_CHECKS tried has.

    Each word's corrections are ranked by edits (fewest first), then by documents (most first):
    the query with every word's best correction is tried first, then with one word's next best."""
    misspelt = _misspellings(parsed, view)
    for choice in islice(_choices([len(corrections) for _, _, corrections in misspelt]), SUGGESTION_CHECKS):
        text = parsed.text
        for (start, end, corrections), rank in sorted(zip(misspelt, choice), reverse=True):
            text = text[:start] + corrections[rank] + text[end:]
        if has_hits(text):
            return text
    return None


def _misspellings(parsed: ParsedQuery, view: View) -> list[tuple[int, int, list[str]]]:
    """(start, end, ranked corrections) of each wanted word of the query the index has never seen."""
    reader = view.reader()
    found: list[tuple[int, int, list[str]]] = []
    for node in _positive_words(parsed.root):
        start, end = node.span
        for written, w_start, w_end in word_spans(parsed.text[start:end], folded=False):
            # (Each field's own spelling of the word: folded where it folds Latin letters.)
            spelled = {f: as_indexed(reader, f, (written,))[0] for f in node.fields}
            # Two-letter words have too many neighbours for a suggestion to mean anything.
            if len(written) < 3 or any(reader.doc_frequency(f, word) for f, word in spelled.items()):
                continue
            corrections = _ranked_corrections(view, spelled)
            if corrections:
                found.append((start + w_start, start + w_end, corrections))
    return found


def _ranked_corrections(view: View, spelled: dict[str, str]) -> list[str]:
    """The best SUGGESTION_CANDIDATES indexed words close to a word (field -> its spelling there):
    fewest edits first, then most documents in any one of the fields, then alphabetical."""
    from whoosh.support.levenshtein import levenshtein  # (only a search that finds nothing needs it)

    reader = view.reader()
    ranks: dict[str, tuple[int, int]] = {}
    for fieldname, word in spelled.items():
        for candidate in _corrections(view, fieldname, word, maxdist=1 if len(word) <= 5 else 2):
            rank = (levenshtein(word, candidate), -reader.doc_frequency(fieldname, candidate))
            ranks[candidate] = min(rank, ranks.get(candidate, rank))
        if any(edits == 1 for edits, _ in ranks.values()):
            # No correction has fewer edits: the next fields (the text's terms, whose first walk
            # in a process is most of a first suggestion's time) could only add ties.
            break
    return sorted(ranks, key=lambda candidate: (*ranks[candidate], candidate))[:SUGGESTION_CANDIDATES]


def _choices(counts: list[int]) -> Iterator[list[int]]:
    """Which correction (by rank) of each of the words to try: every word's best, then the
    second best of each word in turn with the others at their best, then the third..."""
    if not counts:
        return
    yield [0] * len(counts)
    for rank in range(1, max(counts)):
        for word, count in enumerate(counts):
            if rank < count:
                yield [rank if other == word else 0 for other in range(len(counts))]


def _corrections(view: View, fieldname: str, word: str, maxdist: int) -> list[str]:
    """The field's words within ``maxdist`` edits of ``word`` (Levenshtein, no common prefix
    needed), but ``word`` itself and the common-word grams: ``_terms_within``'s walk over the
    field's terms in memory, what Whoosh's reader corrector takes as its candidates."""
    reader = view.reader()
    spellfield = reader.schema[fieldname].spelling_fieldname(fieldname)
    return [candidate for candidate in _terms_within(reader, spellfield, word, maxdist, prefix=0)
            if candidate != word and not is_gram(candidate)]


def _matches_any(view: View, since: DateArg, until: DateArg, hidden: Sequence[int]) -> Callable[[str], bool]:
    """Whether a query (with the search's dates) matches any document but the ``hidden``, for a
    suggestion."""
    def matches_any(query: str) -> bool:
        try:
            compiled = compile_query(_matched_by(query, since, until, hidden), view.reader())
        except QueryError:  # (a suggestion that cannot be run is not offered)
            return False
        segments = word_scores(view, compiled.query)
        if segments is None:
            return len(view.searcher().search(compiled.query, limit=None, scored=False)) > 0
        return any(scores for _, _, scores in segments)

    return matches_any


def _positive_words(node: Node) -> Iterator[Words]:
    """Words the user wants present; negated words are left alone."""
    if isinstance(node, Words):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _positive_words(child)
