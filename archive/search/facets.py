"""Date order and facet counts through Whoosh's sorting facets, and Whoosh's own collectors for
the searches ``postings`` does not score: imported only by a search that sorts by date, counts
facets or falls back to Whoosh (``whoosh.sorting``, and for the collectors ``whoosh.searching``,
are no part of a plain search's process)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from heapq import nsmallest
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from whoosh import sorting
from whoosh.reading import IndexReader

from archive.search.docvalues import asked_before, column_codes, column_keys_at, column_order, open_column, per_reader
from archive.search.lazy_numpy import np
from archive.search.postings import Scores, Segments, posting_ids
from archive.search.schema import FACET_FIELDS
from archive.search.scores import matched_ids
from archive.search.view import View

if TYPE_CHECKING:
    from whoosh import query as wq
    from whoosh.searching import Searcher

Page = tuple[int, list[tuple[dict[str, Any], float | None]], dict[str, list[tuple[str, int]]]]


def dated_order(view: View, segments: Segments, sort: str, limit: int) -> tuple[int, list[int]] | None:
    """The number of matches and the first ``limit`` global document numbers in the order of
    Whoosh's sorting collector for ``_sort_facet(sort)``: ascending (key, document number).
    ``None`` if the facet's keys cannot be read in bulk."""
    if not _has_columns(view, SORT_FIELDS):
        return None
    categorizer = _sort_facet(sort).categorizer(view)
    items: list[tuple[Any, int]] = []
    total = 0
    for leaf, offset, scores in segments:
        categorizer.set_searcher(leaf, offset)
        reader = leaf.reader()
        total += len(scores)
        if _few(scores, reader) and not asked_before(_SORT_ASKED, reader, sort):
            docnums = list(scores)
        else:
            ranks = per_reader(_SORT_RANKS, reader, sort, lambda: _segment_ranks(categorizer))
            if ranks is None:
                return None
            ids = matched_ids(scores)
            if len(ids) > limit:
                # The segment's first ``limit`` by (key, document number): the smallest ranks.
                ids = ids[np.argpartition(ranks[ids], limit - 1)[:limit]] if limit else ids[:0]
            docnums = ids.tolist()
        keys = _categorizer_keys(categorizer, docnums)
        if keys is None:
            return None
        items.extend(zip(keys, [offset + docnum for docnum in docnums]))
    return total, [docnum for _, docnum in nsmallest(limit, items)]


# The first date-sorted or faceted search of a segment in a process reads only its matches' keys
# when they are "few", at most this share of its documents, rather than every document's; from
# the second, every document's key is read (as codes or values: ``column_codes``,
# ``column_order``) and kept, for this search and the ones after. Counting facet values costs
# about as much per match either way; sorting many matches by kept ranks (numpy) much less than
# by their keys.
FEW_MATCHES_SHARE = 8
FEW_MATCHES_SHARE_FACETS = 2
# Per segment reader: the sorts and facets searched with so far.
_SORT_ASKED: WeakKeyDictionary[IndexReader, set[Any]] = WeakKeyDictionary()
_NAMES_ASKED: WeakKeyDictionary[IndexReader, set[Any]] = WeakKeyDictionary()


def _few(scores: Scores, reader: IndexReader, share: int = FEW_MATCHES_SHARE) -> bool:
    return len(scores) * share <= reader.doc_count_all()


# Per segment reader: sort -> each document's place in the segment's (key, document number) order.
_SORT_RANKS: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


def _segment_ranks(categorizer: sorting.Categorizer) -> np.ndarray | None:
    """Each document's place in the segment's (key, document number) order (the categorizer set
    to it), from its keys' codes; ``None`` if they cannot be coded (``_categorizer_codes``)."""
    levels = _categorizer_codes(categorizer)
    if levels is None:
        return None
    count = len(levels[0])
    order = np.lexsort([np.arange(count), *reversed(levels)])  # lexsort's last key sorts first
    ranks = np.empty(count, np.int64)
    ranks[order] = np.arange(count)
    return ranks


def _categorizer_codes(categorizer: sorting.Categorizer) -> list[np.ndarray] | None:
    """For each part of the key the categorizer composes (``_categorizer_keys``), an array that
    orders the documents as that part does (``column_order``; a translated part's codes).
    ``None`` for other categorizers, a column that cannot be read so, or translated keys that
    do not compare."""
    if type(categorizer) is _CachedColumnCategorizer:
        order = column_order(categorizer._creader)
        return None if order is None else [order]
    if type(categorizer) is sorting.MultiFacet.MultiCategorizer:
        levels = [_categorizer_codes(c) for c in categorizer.catters]
        return None if any(level is None for level in levels) else [c for level in levels for c in level]  # type: ignore[union-attr]
    if type(categorizer) is sorting.TranslateFacet.TranslateCategorizer and len(categorizer.catters) == 1:
        child = categorizer.catters[0]
        coded = column_codes(child._creader) if type(child) is _CachedColumnCategorizer else None
        if coded is None:
            return None
        codes, keys = coded
        translated = [categorizer.fn(key) for key in keys]
        try:
            code_of = {value: code for code, value in enumerate(sorted(set(translated)))}
        except TypeError:  # values that do not compare (or hash)
            return None
        return [np.array([code_of[value] for value in translated], np.int64)[codes]]
    return None


def collected(searcher: Searcher, query: wq.Query, sort: str, limit: int, offset: int, facets: Sequence[str]) -> Page:
    """Total, page of (stored fields, score) and facet counts, through a Whoosh collector."""
    from whoosh import collectors

    one_pass = not _words_only(query)
    collector = searcher.collector(
        limit=offset + limit if limit else 1,
        sortedby=_sort_facet(sort),
        groupedby={name: ColumnFacet(FACET_FIELDS[name]) for name in facets} or None,
        maptype=sorting.Count,
        optimize=not one_pass,
    )
    top_only = isinstance(collector, collectors.TopCollector)  # not sorting, not grouping
    if one_pass and top_only:
        # Whoosh's top-N collector skips low-scoring blocks and so loses the total, which it
        # then counts in a second pass over the query: cheap for a word's postings, not for
        # phrases (positions checked again), intersections (which it counts by reading every
        # id of every part) or wildcards. Those get one plain pass; matcher replacement is off
        # too, as it can drop a branch of an OR and make the count short.
        collector.replace = 0
    searcher.search_with_collector(query, collector)
    results = collector.results()
    total = _count_words(searcher, query) if top_only and not one_pass else len(results)
    page = [(hit.fields(), hit.score) for hit in results[offset : offset + limit]] if limit else []
    facet_counts = {name: sorted_counts(results.groups(name)) for name in facets}
    return total, page, facet_counts


def _words_only(query: wq.Query) -> bool:
    """A word, or a few words ORed: the queries whose recount is cheaper than one scored pass."""
    from whoosh import query as wq

    if isinstance(query, wq.Term):
        return True
    return type(query) is wq.Or and all(isinstance(child, wq.Term) for child in query.children())


def _count_words(searcher: Searcher, query: wq.Query) -> int:
    """The number of documents holding any of a words-only query's terms.

    What Whoosh's recount does, without walking a union matcher one document at a time: each
    term's postings are read a block of ids at a time into one set per segment.
    """
    from whoosh import query as wq

    terms = [query] if isinstance(query, wq.Term) else list(query.children())
    total = 0
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        found: set[int] = set()
        for term in terms:
            if (term.fieldname, term.text) in reader:
                count = reader.doc_frequency(term.fieldname, term.text)
                found.update(posting_ids(reader.postings(term.fieldname, term.text), count))
        total += len(found)
    return total


def _sort_facet(sort: str) -> sorting.FacetType | None:
    if sort == "relevance":
        return None
    # Undated documents go last either way: "dated" is "1" or missing (""), so the key is "not
    # dated". (Not FieldFacet(reverse=True): that reads the whole column on every search.)
    return sorting.MultiFacet(
        [_undated_last, ColumnFacet("published", reverse=sort == "-date")]
    )


def _is_undated(dated: Any) -> bool:
    return not dated


class ColumnFacet(sorting.FieldFacet):
    """``FieldFacet`` whose column readers are opened once per segment reader, not per search.

    Opening a reader of a variable-length column (``dated``, ``source_facet``, ``year``) reads
    the offsets of every document: ~0.8 ms per column per search on Reuters. Keys are the same.
    """

    def categorizer(self, global_searcher: Searcher | View) -> sorting.Categorizer:
        categorizer = super().categorizer(global_searcher)
        if type(categorizer) is sorting.ColumnCategorizer:
            return _CachedColumnCategorizer(global_searcher, self.fieldname, self.reverse)
        return categorizer


# Per segment reader: (field, reverse) -> its column reader.
_COLUMNS: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


class _CachedColumnCategorizer(sorting.ColumnCategorizer):
    def set_searcher(self, segment_searcher: Searcher | View, docoffset: int) -> None:
        reader = segment_searcher.reader()
        self._creader = per_reader(
            _COLUMNS, reader, (self._fieldname, self._reverse),
            lambda: open_column(reader, self._fieldname, self._reverse),
        )


_undated_last = sorting.TranslateFacet(_is_undated, ColumnFacet("dated"))
SORT_FIELDS = ("dated", "published")  # the columns ``_sort_facet``'s keys are read from


def _has_columns(view: View, fieldnames: Sequence[str]) -> bool:
    """Whether the index has a column of each field: without one, Whoosh's facet is its
    posting categorizer, which needs Whoosh's searcher, and the search is ``collected``."""
    reader = view.reader()
    return all(reader.has_column(fieldname) for fieldname in fieldnames)


def column_groups(view: View, segments: Segments, facets: Sequence[str]) -> dict[str, dict[str, int]] | None:
    """Each facet's documents per value among the matches, as Whoosh's facet collector counts
    them (``ColumnFacet`` keys, ``sorting.Count``); ``None`` if a facet's field has no column."""
    groups: dict[str, dict[str, int]] = {}
    if not _has_columns(view, [FACET_FIELDS[name] for name in facets]):
        return None
    for name in facets:
        categorizer = ColumnFacet(FACET_FIELDS[name]).categorizer(view)
        if type(categorizer) is not _CachedColumnCategorizer:
            return None
        counts: Counter[str] = Counter()
        for leaf, offset, scores in segments:
            categorizer.set_searcher(leaf, offset)
            reader = leaf.reader()
            if _few(scores, reader, FEW_MATCHES_SHARE_FACETS) and not asked_before(_NAMES_ASKED, reader, name):
                for key, n in Counter(column_keys_at(categorizer._creader, scores)).items():
                    counts[categorizer.key_to_name(key)] += n
                continue
            coded = _column_names(reader, categorizer)
            if coded is None:
                return None
            codes, names = coded
            ids = matched_ids(scores)
            for code, n in enumerate(np.bincount(codes[ids], minlength=len(names)).tolist()):
                if n:
                    counts[names[code]] += n
        groups[name] = dict(counts)
    return groups


# Per segment reader: field -> each document's code in that field's column and each code's name.
_NAMES: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


def _column_names(reader: IndexReader, categorizer: _CachedColumnCategorizer) -> tuple[np.ndarray, list[Any]] | None:
    """Every document's code in the field's column (``column_codes``) and, for each code, the
    group name ``categorizer.key_to_name`` gives its key; read once per segment reader."""
    def coded() -> tuple[np.ndarray, list[Any]] | None:
        found = column_codes(categorizer._creader)
        return None if found is None else (found[0], [categorizer.key_to_name(key) for key in found[1]])

    return per_reader(_NAMES, reader, categorizer._fieldname, coded)


def _categorizer_keys(categorizer: sorting.Categorizer, docnums: list[int]) -> list[Any] | None:
    """The keys of the documents ``docnums``, composed as the multi-facet, translating and column
    categorizers compose theirs; ``None`` for any other categorizer."""
    if type(categorizer) is _CachedColumnCategorizer:
        return column_keys_at(categorizer._creader, docnums)
    if type(categorizer) in (sorting.MultiFacet.MultiCategorizer, sorting.TranslateFacet.TranslateCategorizer):
        parts = [_categorizer_keys(c, docnums) for c in categorizer.catters]
        if any(part is None for part in parts):
            return None
        if type(categorizer) is sorting.MultiFacet.MultiCategorizer:
            return list(zip(*parts))  # type: ignore[arg-type]
        return list(map(categorizer.fn, *parts))  # type: ignore[arg-type]
    return None


def sorted_counts(groups: dict[str, int]) -> list[tuple[str, int]]:
    """Most frequent first; documents without a value (key "") are left out."""
    return sorted(((k, n) for k, n in groups.items() if k), key=lambda kv: (-kv[1], kv[0]))


