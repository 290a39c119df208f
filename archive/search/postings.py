"""Reading document ids straight from postings, for filters and counts that need no scores.

Whoosh's matchers score every posting they pass (a wildcard's or a date range's union does so for
every document of every part); these read only the ids, a block at a time.
"""

from __future__ import annotations

import heapq
import os
import struct
import threading
import zlib
from array import array
from collections import OrderedDict
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from pickle import loads
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from whoosh import formats, matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.reading import IndexReader, TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from archive.records import record
from archive.search.docvalues import column_values, per_reader
from archive.search.lazy_numpy import np, numpy_imported
from archive.search.phrase import ExactPhrase
from archive.search.positions import PartPostings, in_order_within, shared_starts
from archive.search.scores import (ArrayScores, as_arrays, distinct_sorted, intersection, members, running_sum, union,
                                  within_sorted)
from archive.search import termfile
from archive.search.view import View

if TYPE_CHECKING:
    from whoosh.searching import SearchContext, Searcher


def posting_ids(matcher: Any, count: int = 0) -> Iterator[int]:
    """The ids of a term's postings, in order; those of a term of more than ``arrays_from()``
    postings (``count``, its document frequency) read as arrays."""
    if not isinstance(matcher, W3LeafMatcher):  # e.g. wrapped to skip deleted documents
        yield from matcher.all_ids()
        return
    if count > arrays_from() and matcher._i == 0 and not matcher._lastblock:
        yield from _all_postings(matcher)[0].tolist()
        return
    # A whole block of ids at a time (whoosh3's block attributes; the version is pinned).
    while matcher.is_active():
        ids, _ = block_postings(matcher)
        yield from ids[matcher._i :]
        matcher._i = matcher._blocklength
        matcher._next_block()


# Where a block's pickled values start: protocol 2 pickles each encoded posting value (bytes) as a
# call of _codecs.encode, the first one by name; the MARK before it opens the values' tuple.
_VALUES_START = b"(c_codecs\nencode\n"
_PICKLE_PAIR_END = b"\x86."  # TUPLE2, STOP


def block_postings(matcher: W3LeafMatcher) -> tuple[Any, Any]:
    """The current block's (ids, weights), as whoosh3's ``_read_ids`` and ``_read_weights`` give them.

    A block is a zlib-compressed pickle of (ids, weights, values), and for a positions field the
    values, an encoded list of positions per posting, are most of it: Whoosh decompresses and
    unpickles all three even to read an id. This decompresses only as far as the weights reach
    (at most 5 bytes per pickled id and 9 per weight) and unpickles just (ids, weights), cut where
    the values start. Blocks that do not look like that are read whole, as Whoosh reads them.
    """
    fixedsize = matcher._fixedsize
    variable = fixedsize is None or fixedsize < 0  # values pickled as bytes, one per posting
    if variable and matcher._ids is None and matcher._data is None and not matcher._byteids:
        pair = _ids_and_weights(matcher)
        if pair is not None:
            raw_ids, weights = pair
            matcher._ids = tuple(accumulate(raw_ids))  # whoosh3's delta_decode
            matcher._weights = _block_weights(weights, matcher._blocklength)
            return matcher._ids, matcher._weights
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._weights is None:
        matcher._read_weights()
    return matcher._ids, matcher._weights


def _block_weights(weights: Any, n: int) -> Any:
    """whoosh3's ``_read_weights``: None is 1.0 for every posting, one float the same for every
    posting (both as an array of 32-bit floats), else the tuple as it is."""
    if weights is None:
        return array("f", [1.0]) * n
    if isinstance(weights, float):
        return array("f", [weights]) * n
    return weights


def _ids_and_weights(matcher: W3LeafMatcher) -> tuple[Any, Any] | None:
    n = matcher._blocklength
    raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
    head = zlib.decompressobj().decompress(raw, 14 * n + 64) if matcher._compression else raw
    cut = head.find(_VALUES_START)
    if cut < 0:
        return None
    try:
        pair = loads(head[:cut] + _PICKLE_PAIR_END)
    except Exception:
        return None
    # A cut in the wrong place (the marker's bytes inside an id or weight) cannot give this shape.
    if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], tuple) and len(pair[0]) == n):
        return None
    weights = pair[1]
    if weights is None or isinstance(weights, float) or (isinstance(weights, tuple) and len(weights) == n):
        return pair
    return None


def query_ids(queries: Iterable[wq.Query], searcher: View | Searcher) -> set[int]:
    """The documents (of one segment's ``searcher``) matching any of ``queries``, unscored."""
    reader = searcher.reader()
    found: set[int] = set()
    for query in queries:
        if isinstance(query, wq.Term):
            try:
                text = reader.schema[query.fieldname].to_bytes(query.text)
            except KeyError:  # not a field: not in the reader
                continue
            term = termfile.postings(reader, query.fieldname, text)
            if term is not None:
                matcher, deleted = term
                ids = posting_ids(matcher, termfile.doc_frequency(reader, query.fieldname, text))
                found.update((docnum for docnum in ids if docnum not in deleted) if deleted else ids)
        else:
            # Whoosh's own matcher (a date range's remainder, a negated phrase) on its searcher.
            leaf = searcher.searcher() if isinstance(searcher, View) else searcher
            found.update(query.matcher(leaf, leaf.boolean_context()).all_ids())
    return found


class IdsFilter(wq.ConstantScoreQuery):
    """``ConstantScoreQuery`` over a union of parts, which it reads as ids only.

    Whoosh's version builds the child's matcher, scoring each part's postings into an array,
    then keeps only the ids. Matches, scores and size estimate (which shapes the AND tree that
    sums scores) are the same as ``ConstantScoreQuery(child)``.
    """

    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> matching.Matcher:
        if context is None:
            from whoosh.searching import SearchContext

            context = SearchContext()
        if context.needs_current:
            return super().matcher(searcher, context)
        child = self.child
        parts = child.subqueries if isinstance(child, wq.Or) else [child]
        ids = query_ids(parts, searcher)
        if not ids:
            return matching.NullMatcher()
        return SortedIdsMatcher(array("I", sorted(ids)), all_weights=self.score)


class SortedIdsMatcher(matching.ListMatcher):
    """A ``ListMatcher`` that skips by bisection instead of one id at a time."""

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise matching.ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)

    def copy(self) -> SortedIdsMatcher:
        return SortedIdsMatcher(self._ids, position=self._i, all_weights=self._all_weights)


class DatedIdsFilter(IdsFilter):
    """An ``IdsFilter`` of a date range's calendar-period terms that also knows what they cover:
    the documents whose ``published`` column value (Whoosh's long) is in ``[start, end)``.

    ANDed with other parts, it is checked against their few matches in the column (read once per
    segment reader) instead of reading every id of every period: ``published:>=1987-06-01`` is
    170,000 ids at 200,000 documents. Undated documents hold the column's default, 2**64 - 1,
    which no ``end`` (at most ``datetime.max``) exceeds.
    """

    def __init__(self, child: wq.Query, start: int, end: int, score: float = 1.0) -> None:
        super().__init__(child, score)
        self.bounds = (start, end)

    def _rewrap(self, child: wq.Query) -> DatedIdsFilter:
        return DatedIdsFilter(child, *self.bounds, score=self.score)


def ranked_words(searcher: View, query: wq.Query, limit: int) -> tuple[int, list[tuple[float, int]]] | None:
    """The total and the best ``limit`` (score, document number) pairs of ORs and ANDs of words.

    What Whoosh's top-N collector gives for ``query`` (best score first, then lowest document
    number) when it is a ``Term`` or ORs and ANDs of them, nested or preloaded (a wildcard's or
    fuzzy word's terms), exact phrases, phrases with slop, and date filters (``IdsFilter``) in an
    AND, read in one pass: each term's posting blocks are read at most once (in an AND, the parts
    after the smallest only in the blocks holding its matches), their ids and weights scored with
    BM25F's formula from the in-memory field lengths, and the scores summed as Whoosh's union and
    intersection matchers sum them (``_scores``). Whoosh instead walks the union matchers one
    document at a time, skipping blocks that cannot reach the top N, and so must count the matches
    in a second pass over every block. ``None`` when the query or the index is not one this
    handles (another weighting, boosts, field lengths not in memory): run it through Whoosh then.
    """
    segments = word_scores(searcher, query)
    return None if segments is None else top_scores(segments, limit)


Scores = dict[int, float] | ArrayScores  # document number -> score
Segments = list[tuple[View, int, Scores]]
Within = Sequence[int] | None  # document numbers, sorted: only these are wanted


def word_scores(searcher: View, query: wq.Query) -> Segments | None:
    """Each segment's searcher, document offset and matches (document number -> score) of an OR
    of words (see ``ranked_words``); ``None`` for queries and indexes this does not handle."""
    if not _plain(query):
        return None
    segments: Segments = []
    for leaf, offset in searcher.leaf_searchers():
        scores = _scores(leaf, query, searcher.weighting)
        if scores is None:
            return None
        segments.append((leaf, offset, scores))
    return segments


def top_scores(segments: Segments, limit: int) -> tuple[int, list[tuple[float, int]]]:
    """The number of matches and the best ``limit`` (score, global document number) pairs."""
    total = 0
    best: list[tuple[float, int]] = []
    for _, offset, scores in segments:
        total += len(scores)
        best.extend((score, offset + docnum) for docnum, score in _best(scores, limit))
    best.sort(key=_rank_key)
    return total, best[:limit]


def _rank_key(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])


def _plain(query: wq.Query) -> bool:
    """A term or an OR of them, nothing boosted, scaled or otherwise adjusted."""
    if query is wq.NullQuery:
        return True
    if type(query) is wq.Term:
        return query.boost == 1.0 and not query.minquality
    if type(query) is ExactPhrase:
        return query.boost == 1.0
    if type(query) is wq.Phrase:
        return query.boost == 1.0 and len(query.words) > 1
    if type(query) in (wq.Or, PreloadedOr):
        return (
            query.boost == 1.0
            and not query.scale
            and not query.minmatch
            and query.matcher_type == wq.Or.AUTO_MATCHER
            and all(_plain(q) for q in query.subqueries)
        )
    if type(query) is wq.And:
        subs = query.subqueries
        # A NOT only in an AND with something else to match: Whoosh's InverseMatcher matches the
        # last document of a segment even when it is deleted, which only such an AND hides.
        negations = [type(q) is wq.Not for q in subs]
        return (query.boost == 1.0 and not all(negations) and all(
            type(q) in (IdsFilter, DatedIdsFilter) or (negation and q.boost == 1.0) or _plain(q)
            for q, negation in zip(subs, negations)))
    return False


def _best(scores: Scores, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document number, score) pairs and their ties, in no order."""
    if isinstance(scores, ArrayScores):
        return scores.best(limit)
    if len(scores) <= limit:
        return list(scores.items())
    threshold = heapq.nlargest(limit, scores.values())[-1]
    return [(docnum, score) for docnum, score in scores.items() if score >= threshold]


def _scores(searcher: View, query: wq.Query, weighting: Any, within: Within = None) -> Scores | None:
    """Document number -> score of a ``_plain`` query in one segment, as Whoosh's matchers give it;
    with ``within`` (document numbers, sorted), of those documents only (at least: the caller
    intersects), each score the same as without it.

    An ``And`` is a tree of intersection matchers; an ``Or`` of two or more parts one of union
    matchers on a large segment, or for any two parts (``_tree_scores``); otherwise, like ``PreloadedOr`` always, an array
    into which each part's scores are added in turn, keeping the documents whose sum is above 0
    (``Or._matcher`` with no current match needed, ``ArrayUnionMatcher``).
    """
    if query is wq.NullQuery:
        return {}
    if type(query) is wq.Term:
        return _term_dict(searcher, query, weighting, within)
    if type(query) is ExactPhrase:
        return _phrase_scores(searcher, query, weighting, within)
    if type(query) is wq.Phrase:
        return _sloppy_scores(searcher, query, weighting, within)
    if type(query) in (IdsFilter, DatedIdsFilter):
        # SortedIdsMatcher's score: its weight, all_weights or else 1.0.
        score = query.score or 1.0
        published = column_values(searcher.reader(), "published")
        if within is not None and type(query) is DatedIdsFilter and published is not None:
            start, end = query.bounds
            return {docnum: score for docnum in within if start <= published[docnum] < end}
        child = query.child
        return dict.fromkeys(query_ids(child.subqueries if isinstance(child, wq.Or) else [child], searcher), score)
    if type(query) is wq.Not:
        return _inverse_scores(searcher, query, within)
    subs = query.subqueries
    if not subs:
        return {}
    if len(subs) == 1:
        return _scores(searcher, subs[0], weighting, within)
    if type(query) is wq.And:
        reader = searcher.reader()
        sizes = _and_sizes(reader, subs)
        parts = _and_parts(searcher, subs, sizes, weighting, within)
        return None if parts is None else _tree_join([(0 - size, part) for size, part in zip(sizes, parts)], _intersection)
    if type(query) is not PreloadedOr and len(subs) < query.TOO_MANY_CLAUSES and (
        len(subs) == 2 or searcher.doc_count_all() > 5000
    ):
        return _tree_scores(searcher, subs, weighting, within)
    found = []
    for sub in subs:
        scores = _scores(searcher, sub, weighting, within)
        if scores is None:
            return None
        found.append(scores)
    if any(isinstance(part, ArrayScores) for part in found):
        return running_sum([as_arrays(part) for part in found]).positive()
    summed: dict[int, float] = {}
    for scores in found:
        if not summed:
            summed = dict(scores)
            continue
        get = summed.get
        for docnum, score in scores.items():
            summed[docnum] = get(docnum, 0.0) + score
    return {docnum: score for docnum, score in summed.items() if score > 0}


def _inverse_scores(searcher: View, query: wq.Not, within: Within) -> Scores:
    """``Not``'s ``InverseMatcher``: every document (``within``, if given) that is not deleted and
    that the child does not match, each scored the matcher's weight, 1.0."""
    child = query.query
    excluded = query_ids(child.subqueries if type(child) in (wq.Or, PreloadedOr) else [child], searcher)
    if within is None:
        reader = searcher.reader()
        within = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
    if len(within) <= arrays_from():
        return {docnum: 1.0 for docnum in within if docnum not in excluded}
    ids = np.array(within, np.int64)
    ids = ids[~members(ids, np.fromiter(excluded, np.int64, len(excluded)))]
    return ArrayScores(ids, np.ones(len(ids), np.float64))


def _and_sizes(reader: IndexReader, subs: list[wq.Query]) -> list[int]:
    """What ``And`` takes for its parts' sizes (``estimate_size``): they pick the part read first
    and shape the tree that sums the scores (``_tree_join``). A lone date filter's size beside
    other parts is counted only until it is larger than theirs (``estimate_size``'s ``above``):
    then it is the largest whatever its size, which is all the tree and the choice depend on."""
    dated = [i for i, q in enumerate(subs) if type(q) is DatedIdsFilter]
    if len(dated) != 1 or len(subs) < 2:
        return [termfile.estimate_size(reader, q) for q in subs]
    sizes = [0 if i == dated[0] else termfile.estimate_size(reader, q) for i, q in enumerate(subs)]
    sizes[dated[0]] = termfile.estimate_size(reader, subs[dated[0]], above=max(sizes))
    return sizes


def _and_parts(searcher: View, subs: list[wq.Query], sizes: list[int], weighting: Any,
               within: Within) -> list[Scores] | None:
    """Each part's scores: the smallest part's (by estimate) first, then every other part's only
    at the documents that one matched, which is all their intersection can hold. A long part is
    then read only in the posting blocks that hold them (``_blocks_at``), a date filter checked
    in the ``published`` column, a phrase's positions decoded only there."""
    first = min(range(len(subs)), key=sizes.__getitem__)
    found = _scores(searcher, subs[first], weighting, within)
    if found is None:
        return None
    candidates = found.ids.tolist() if isinstance(found, ArrayScores) else sorted(found)
    parts: list[Scores] = []
    for i, sub in enumerate(subs):
        scores = found if i == first else _scores(searcher, sub, weighting, candidates)
        if scores is None:
            return None
        parts.append(scores)
    return parts


def _tree_scores(searcher: View, subs: list[wq.Query], weighting: Any, within: Within) -> Scores | None:
    """The scores of ``DefaultOr``'s tree of union matchers (``_tree_join``)."""
    reader = searcher.reader()
    parts: list[tuple[int, Scores]] = []
    for sub in subs:
        scores = _scores(searcher, sub, weighting, within)
        if scores is None:
            return None
        parts.append((termfile.estimate_size(reader, sub), scores))
    return _tree_join(parts, _union)


def _tree_join(
    parts: list[tuple[int, Scores]],
    join: Callable[[Scores, Scores], Scores],
) -> Scores:
    """The scores of ``DefaultOr``'s tree of union matchers or ``And``'s of intersection
    matchers over (weight, scores) parts, a join's score being its first part's plus its second's.

    Whoosh builds the tree like a Huffman code (``make_weighted_tree``): parts sorted by weight
    (estimated size; for ``And`` negated), the two lightest joined and the join put back after the
    parts of the same weight, until one is left. (It sorts (weight, matcher) pairs, but matchers
    never compare as less than one another, so equal weights keep their order.) Float addition is
    not associative, so the grouping matters; it is commutative, so a join may add either way.
    """
    parts.sort(key=_size)
    while len(parts) > 1:
        (size_a, a), (size_b, b) = parts.pop(0), parts.pop(0)
        insort(parts, (size_a + size_b, join(a, b)), key=_size)
    return parts[0][1]


def _intersection(a: Scores, b: Scores) -> Scores:
    if isinstance(a, ArrayScores) or isinstance(b, ArrayScores):
        return intersection(as_arrays(a), as_arrays(b))
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return {docnum: score + big[docnum] for docnum, score in small.items() if docnum in big}


def _size(part: tuple[int, Scores]) -> int:
    return part[0]


def _union(a: Scores, b: Scores) -> Scores:
    if isinstance(a, ArrayScores) or isinstance(b, ArrayScores):
        return union(as_arrays(a), as_arrays(b))
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    get = big.get
    for docnum, score in small.items():
        other = get(docnum)
        big[docnum] = score if other is None else score + other
    return big


def _term_dict(searcher: View, term: wq.Term, weighting: Any, within: Within) -> Scores | None:
    if term.fieldname not in searcher.schema:
        return {}
    try:
        text = searcher.schema[term.fieldname].to_bytes(term.text)
    except ValueError:
        return {}
    return _term_scores(searcher, term.fieldname, text, weighting, within)


def _term_scores(searcher: View, fieldname: str, text: bytes, weighting: Any, within: Within = None) -> Scores | None:
    """Document number -> the term's BM25F score there (only for documents ``within``, if given),
    scored a term at a time (``scores``): ``BM25._score``'s operations, elementwise in float64.
    A term with more than ``arrays_from()`` postings to read is read and scored as arrays; one
    with fewer a block at a time and scored in Python."""
    reader = searcher.reader()
    term = termfile.postings(reader, fieldname, text)
    if term is None:
        return {}
    bm25 = _bm25(searcher, fieldname, text, weighting, *term)
    if bm25 is None:
        return None
    matcher = bm25.matcher
    count = termfile.doc_frequency(reader, fieldname, text)
    every_block = within is None or 2 * len(within) > count
    found = None
    if type(matcher) is W3LeafMatcher and not matcher._lastblock and _arrays_for(count, within):
        if every_block:
            found = _all_postings(matcher)  # as _postings_of would: every block
        elif matcher._i == 0 and not matcher._byteids:
            found = _extent_postings(matcher, np.array(within, np.int64))  # the blocks _blocks_at would read
    if found is None:
        id_list: list[int] = []
        weight_list: list[float] = []
        for block_ids, block_weights, _ in _postings_of(matcher, count, within):
            id_list.extend(block_ids)
            weight_list.extend(block_weights)
        if len(id_list) <= arrays_from():
            return _few_scores(bm25, id_list, weight_list)
        found = np.array(id_list, np.int64), np.array(weight_list, np.float64)
    ids, weights = found
    scores = bm25.scores(ids, weights)
    if scores is None:
        return None
    if len(bm25.deleted):
        live = ~members(ids, np.fromiter(bm25.deleted, np.int64))
        ids, scores = ids[live], scores[live]
    return ArrayScores(ids, scores)


# Postings to read above which a term or phrase is read and scored as arrays, before numpy is
# imported and once it is. Importing numpy costs ~80 ms, more than Python takes for thousands of
# postings; once imported, arrays are faster from a block's worth on (for phrases much faster:
# `"oil prices"` on Reuters, 1,368 and 1,619 postings, 13 ms as arrays, 17 ms in Python). So a
# search imports numpy only for a long posting list (an `archive search` of the benchmark's
# queries on Reuters never does), and a process that has it (a server, the benchmark's
# in-process searches) uses it as before for every term of more than one block; a wildcard's
# hundreds of rare words stay in Python either way.
ARRAYS_FROM = 4096
ARRAYS_FROM_IMPORTED = 128
# A process's first search, though, reads in Python up to FIRST_SEARCH_ARRAYS_FROM postings of a
# term: importing numpy for one search costs more than Python takes for even the commonest words of
# a large archive (200,000 documents, first run in a fresh process, CPU: "bank", 55,608 postings,
# 92-138 ms in Python against 234-340 ms with numpy's import; "said", 177,559: 199-221 against
# 297-377), and an `archive search` process runs one search. From the second search on (a server,
# repeated in-process searches) numpy pays for itself, as above.
FIRST_SEARCH_ARRAYS_FROM = 200_000
_searches_done = 0


def arrays_from() -> int:
    if numpy_imported():
        return ARRAYS_FROM_IMPORTED
    return FIRST_SEARCH_ARRAYS_FROM if _searches_done == 0 else ARRAYS_FROM


def search_done() -> None:
    """Count a finished search: a process's first one reads long posting lists in Python."""
    global _searches_done
    _searches_done += 1


def _arrays_for(count: int, within: Within) -> bool:
    """Whether a term of ``count`` postings, read at the documents ``within`` (if given), has more
    than ``arrays_from()`` postings to read: all of them, or (as ``_postings_of``) only those at
    ``within`` when they are few."""
    if within is not None and 2 * len(within) <= count:
        return len(within) > arrays_from()
    return count > arrays_from()


def _few_scores(bm25: _BM25, ids: list[int], weights: list[float]) -> dict[int, float] | None:
    idf, k1_1, norms, lengths = bm25.idf, bm25.k1_1, bm25.norms.table, bm25.lengths
    try:  # BM25._score, inlined
        scores = [idf * ((w * k1_1) / (w + norms[lengths[d]])) for d, w in zip(ids, weights)]  # type: ignore[operator]
    except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
        return None
    if bm25.deleted:
        deleted = bm25.deleted
        return {docnum: score for docnum, score in zip(ids, scores) if docnum not in deleted}
    return dict(zip(ids, scores))


def _all_postings(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """A term's ids and weights from the matcher's position on, as whoosh3 reads them
    (``block_postings``), gathered into two arrays: from one read of all its blocks
    (``_extent_postings``) when the matcher is at the start, else a block at a time."""
    if matcher._i == 0 and matcher._dataoffset is not None and not matcher._byteids and not matcher._lastblock:
        found = _extent_postings(matcher)
        if found is not None:
            return found
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        i = matcher._i
        block_ids, block_weights = block_postings(matcher)
        ids.extend(block_ids[i:] if i else block_ids)
        weights.extend(block_weights[i:] if i else block_weights)
        matcher._i = matcher._blocklength
        matcher._next_block()
    return np.array(ids, np.int64), np.array(weights, np.float64)


_INFO_START = b"\x80\x02("  # a protocol 2 pickle of a tuple: PROTO 2, MARK
_BLOCK_START = struct.Struct("!i")


def _extent_postings(matcher: W3LeafMatcher, wanted: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's ids and weights (the matcher at its first block; it is not moved), from one read
    of the term's postings (``_extent_blocks``): each block's (ids, weights) read from the
    pickle's bytes (``_block_arrays``), the ids' deltas undone for all blocks at once. With
    ``wanted`` (document numbers, ascending), only their postings are kept, and unless the whole
    term is in the decoded cache (``_decoded``), only the blocks that could hold one are decoded.
    ``None`` where the bytes are not laid out as expected (the caller reads the blocks through
    the matcher)."""
    if wanted is None:
        return _decoded(matcher, "postings", _decode_extent_postings)
    whole = _cached(matcher, "postings")
    if whole is None and _read_before(matcher, "postings"):
        whole = _decoded(matcher, "postings", _decode_extent_postings)
    if whole is not None:
        keep = within_sorted(whole[0], wanted)
        return whole[0][keep], whole[1][keep]
    return _decode_extent_postings(matcher, wanted)


def _decode_extent_postings(matcher: W3LeafMatcher, wanted: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """``_extent_postings``, decoded from the file."""
    found = _extent_blocks(matcher)
    if found is None:
        return None
    data, blocks = found
    if wanted is not None:
        # Block k holds the ids after block k-1's last id, up to its own.
        holding = np.searchsorted(np.array([block[1] for block in blocks], np.int64), wanted)
        blocks = [blocks[k] for k in distinct_sorted(holding[holding < len(blocks)]).tolist()]
    firsts: list[int] = []
    deltas: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for n, _, compression, start, end in blocks:
        block = _block_arrays(data[start:end], n, compression)
        if block is None:
            return None
        firsts.append(block[0])
        deltas.append(block[1])
        weights.append(block[2])
    if not blocks:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    # A block's first id is whole, the others deltas: as a delta from the previous block's last
    # id, one running sum over all blocks gives every id.
    counts = np.array([block[0] for block in blocks], np.int64)
    lasts = np.array([block[1] for block in blocks], np.int64)
    starts = np.cumsum(counts) - counts  # where each block starts
    rest = np.concatenate(deltas).astype(np.int64)
    ids = np.cumsum(np.insert(rest, starts - np.arange(len(counts)), np.array(firsts, np.int64) - np.concatenate([[0], lasts[:-1]])))
    if not np.array_equal(ids[starts + counts - 1], lasts):
        return None
    weights_array = np.concatenate(weights).astype(np.float64)
    if wanted is not None:
        keep = within_sorted(ids, wanted)
        ids, weights_array = ids[keep], weights_array[keep]
    return ids, weights_array


# Decoded postings of whole terms, per postings file (so per segment, whose postings never
# change; a new snapshot's readers open their files anew): what reading a common word's or a
# phrase part's blocks cost (zlib and unpickling, ~0.5 us a posting with positions: `"oil
# prices"` ~100 ms at 200,000 documents) is paid once while it stays in the file's budget,
# least recently used out first. A process that searches again (the API, a server) reads the
# terms of recent queries from memory; one `archive search` process gains nothing and loses
# nothing. The arrays are made read-only: they are shared by every search that reads the term.
# ARCHIVE_SEARCH_CACHE_MB sets the budget per segment (0: no cache).
DECODED_BYTES_PER_SEGMENT = int(os.environ.get("ARCHIVE_SEARCH_CACHE_MB", "8")) << 20
_DECODED: WeakKeyDictionary[Any, OrderedDict[tuple[int, str], tuple[Any, int]]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def _cached(matcher: W3LeafMatcher, kind: str) -> Any:
    """The cached ``_decoded`` of the matcher's term, or ``None``. Phrase parts read a second
    time have their positions decoded too (``PartPostings.decode_all``), kept with them. Terms
    are known by where their first block's data starts: a matcher moved past it finds nothing."""
    if matcher._i:
        return None
    key = (matcher._dataoffset, kind)
    with _LOCK:
        entries = _DECODED.get(matcher._postfile)
        found = None if entries is None else entries.get(key)
        if found is None:
            return None
        assert entries is not None
        entries.move_to_end(key)
    part, size = found
    if isinstance(part, PartPostings) and part._where is None:
        grown = size + part.decode_all()
        with _LOCK:
            if key in entries:
                entries[key] = (part, grown)
                _evict(entries, keep=key)
    return part


def _evict(entries: OrderedDict[tuple[int, str], tuple[Any, int]], keep: tuple[int, str]) -> None:
    """Drop the least recently used entries (never ``keep``) until the rest fit the budget."""
    total = sum(size for _, size in entries.values())
    while total > DECODED_BYTES_PER_SEGMENT and len(entries) > 1:
        oldest = next(iter(entries))
        if oldest == keep:
            entries.move_to_end(oldest)
            continue
        total -= entries.pop(oldest)[1]


_READ: WeakKeyDictionary[Any, set[tuple[int, str]]] = WeakKeyDictionary()


def _read_before(matcher: W3LeafMatcher, kind: str) -> bool:
    """Whether the matcher's term was read (as ``kind``) before and could be kept once decoded
    whole (not too large for the cache); notes that it is read now."""
    key = (matcher._dataoffset, kind)
    with _LOCK:
        read = _READ.setdefault(matcher._postfile, set())
        if key in read:
            return (matcher._dataoffset, f"{kind}, too large") not in read
        read.add(key)
    return False


def _whole_term(matcher: W3LeafMatcher, with_values: bool) -> Any:
    """The matcher's term (at its first block) as ``_extent_postings`` or, ``with_values``,
    ``_extent_texts`` give it, if it is in the decoded cache, or if numpy is in use and it was read
    before (then decoded whole and kept); else ``None``."""
    if matcher._i or matcher._lastblock or matcher._byteids:
        return None
    kind = "texts" if with_values else "postings"
    found = _cached(matcher, kind)
    if found is None and numpy_imported() and _read_before(matcher, kind):
        found = _extent_texts(matcher) if with_values else _extent_postings(matcher)
    return found


def _decoded(matcher: W3LeafMatcher, kind: str, decode: Callable[[W3LeafMatcher], Any]) -> Any:
    """``decode(matcher)`` (a term's postings as arrays, or ``PartPostings``), from the cache of
    the matcher's postings file if it is there, else decoded and kept there."""
    found = _cached(matcher, kind)
    if found is not None:
        return found
    found = decode(matcher)
    if found is None:
        return None
    if isinstance(found, PartPostings):
        arrays = [found.ids, found.weights]
        size = sum(map(len, found.values)) + 56 * len(found.values)
    else:
        arrays = list(found)
        size = 0
    for array_ in arrays:
        array_.flags.writeable = False
        size += array_.nbytes
    if size > DECODED_BYTES_PER_SEGMENT // 4:  # one term should not push out all the others
        with _LOCK:  # nor be decoded whole again where only some documents are wanted
            _READ.setdefault(matcher._postfile, set()).add((matcher._dataoffset, f"{kind}, too large"))
        return found
    with _LOCK:  # searches in several threads share the cache
        entries = _DECODED.setdefault(matcher._postfile, OrderedDict())
        entries[(matcher._dataoffset, kind)] = (found, size)
        _evict(entries, keep=(matcher._dataoffset, kind))
    return found


def _extent_blocks(matcher: W3LeafMatcher) -> tuple[bytes, list[tuple[int, int, int, int, int]]] | None:
    """A term's postings in one read, and per block (postings, last id, compression, where its
    data starts and ends in them), from the blocks' headers; ``None`` if they do not parse."""
    start, length = matcher._startoffset, matcher._length
    if isinstance(length, tuple):  # whoosh3's W3TermInfo.from_bytes keeps struct.unpack's tuple
        (length,) = length
    data = matcher._postfile.get(start, length)
    pos = matcher._baseoffset - start
    if data[:pos] != b"W3Bl" or pos != 4:
        return None
    blocks: list[tuple[int, int, int, int, int]] = []
    end = len(data)
    while True:
        if pos + 4 > end:
            return None
        (length,) = _BLOCK_START.unpack_from(data, pos)
        info_start = pos + 4
        pos = info_start + abs(length)
        info_end = termfile.info_end(data, info_start)
        if info_end < 0 or pos > end or (not blocks and start + info_end != matcher._dataoffset):
            return None
        n, last_id, _, compression, _, _ = loads(data[info_start:info_end])
        blocks.append((n, last_id, compression, info_end, pos))
        if length < 0:
            break
    return (data, blocks) if pos == end else None


_K = {n: b"K" * n for n in range(1025)}
_FIRST_ID = {ord("K"): (1, "<u1"), ord("M"): (2, "<u2"), ord("J"): (4, "<i4")}


def _block_arrays(data: bytes, n: int, compression: int) -> tuple[int, np.ndarray, np.ndarray] | None:
    """A block's first id, its other ids' deltas and its weights (whoosh3's ``_read_weights``:
    1.0 for None, a single weight as a 32-bit float), read from the pickle's bytes when every
    delta after the first id is below 256 (K opcodes) and the weights are None, one float or a
    tuple of floats (G opcodes); otherwise from ``loads`` of the (ids, weights) pair."""
    head = zlib.decompressobj().decompress(data, 14 * n + 64) if compression else data
    first = _FIRST_ID.get(head[3]) if n > 3 and len(head) > 3 else None
    if first is not None and head[:3] == _INFO_START:
        size, kind = first
        start = 4 + size  # the second id's opcode
        end = start + 2 * (n - 1)
        if head[start:end:2] == _K.get(n - 1) and head[end : end + 2] == b"tq":
            first_id = int(np.frombuffer(head, kind, 1, 4)[0])
            deltas = np.frombuffer(head, np.uint8, 2 * (n - 1), start)[1::2]
            w = end + 3
            kind = head[w : w + 1]
            if kind == b"N":
                return first_id, deltas, np.ones(n, np.float32)
            if kind == b"G":
                return first_id, deltas, np.full(n, np.frombuffer(head, ">f8", 1, w + 1)[0], np.float32)
            if kind == b"(" and head[w + 1 : w + 1 + 9 * n : 9] == b"G" * n and head[w + 1 + 9 * n : w + 2 + 9 * n] == b"t":
                return first_id, deltas, np.ndarray((n,), ">f8", head, w + 2, (9,))
    cut = head.find(_VALUES_START)
    try:
        if cut < 0:
            raise ValueError
        raw_ids, raw_weights = loads(head[:cut] + _PICKLE_PAIR_END)
    except Exception:
        raw_ids, raw_weights, _ = loads(zlib.decompress(data) if compression else data)
    if len(raw_ids) != n:
        return None
    if raw_weights is None:
        block_weights = np.ones(n, np.float32)
    elif isinstance(raw_weights, float):
        block_weights = np.full(n, raw_weights, np.float32)
    else:
        block_weights = np.array(raw_weights, np.float64)
    return raw_ids[0], np.array(raw_ids[1:], np.int64), block_weights


class _BM25:
    """A term's postings matcher (unwrapped), the deleted documents it would skip, and what its
    BM25F score needs: BM25F's bm25(idf, tf, fl, avgfl, B, K1), with the part that depends only
    on the document's length byte computed once per byte (``norms``), the same operations in the
    same order. A length byte of 0 has no norm (``None``): Whoosh's scorer cannot score it either.
    (A plain class: one is made per term and segment, and a ``@record`` costs microseconds more.)"""

    __slots__ = ("matcher", "deleted", "idf", "k1_1", "norms", "lengths")

    def __init__(self, matcher: Any, deleted: Any, idf: float, k1_1: float, norms: _Norms, lengths: bytes) -> None:
        self.matcher = matcher
        self.deleted = deleted
        self.idf = idf
        self.k1_1 = k1_1
        self.norms = norms
        self.lengths = lengths

    def _score(self, docnum: int, weight: float) -> float:
        return self.idf * ((weight * self.k1_1) / (weight + self.norms.table[self.lengths[docnum]]))  # type: ignore[operator]

    def scores(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
        """``_score`` of each (document number, weight), elementwise in float64."""
        lengths = np.frombuffer(self.lengths, np.uint8)[ids]
        if not lengths.all():  # a length byte of 0, which Whoosh's scorer cannot score either
            return None
        return self.idf * ((weights * self.k1_1) / (weights + self.norms.array()[lengths]))


def _bm25_postings(searcher: View, fieldname: str, text: bytes, weighting: Any) -> _BM25 | None:
    """``_bm25`` of a term the segment holds."""
    found = termfile.postings(searcher.reader(), fieldname, text)
    if found is None:
        raise TermNotFound(f"No term {fieldname}:{text!r}")
    return _bm25(searcher, fieldname, text, weighting, *found)


def _bm25(searcher: View, fieldname: str, text: bytes, weighting: Any, matcher: Any,
          deleted: frozenset[int]) -> _BM25 | None:
    """The term's ``matcher`` (``termfile.postings``) with what its score needs; ``None`` for
    another weighting, a field not scored by its lengths, or field lengths not in memory.

    What ``searcher.postings(fieldname, text, weighting)`` gives, without the scorer it builds per
    term and segment (BM25FScorer: the index's average field length summed over every segment,
    the term's info parsed, its best score computed; ~0.1 ms, most of a wildcard's cost at 10
    segments): the same idf (the top searcher's, cached per term), average length and
    parameters."""
    lengths = getattr(getattr(searcher.reader(), "_perdoc", None), "_readers", {}).get(f"_{fieldname}_len")
    if type(weighting) is not BM25F or not searcher.schema[fieldname].scorable or type(lengths) is not bytes:
        return None
    top = searcher.get_parent()
    B = weighting._field_B.get(fieldname, weighting.B)
    norms = _norms(_average_length(top, fieldname), B, weighting.K1)
    return _BM25(matcher, deleted, top.idf(fieldname, text), weighting.K1 + 1, norms, lengths)


# Per top reader (so per index snapshot): field -> BM25FScorer's average field length.
_AVERAGE_LENGTHS: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


def _average_length(top: View, fieldname: str) -> float:
    return per_reader(_AVERAGE_LENGTHS, top.reader(), fieldname, lambda: top.avg_field_length(fieldname) or 1)


class _Norms:
    """BM25F's length part for each length byte (``table``, ``None`` for 0), and the same as a
    float64 array (NaN for 0, which is never looked up), made when first asked for: numpy may
    not be imported yet."""

    __slots__ = ("table", "_array")

    def __init__(self, table: tuple[float | None, ...]) -> None:
        self.table = table
        self._array: np.ndarray | None = None

    def array(self) -> np.ndarray:
        if self._array is None:
            self._array = np.array([np.nan if norm is None else norm for norm in self.table], np.float64)
        return self._array


@lru_cache(maxsize=64)
def _norms(avgfl: float, B: float, K1: float) -> _Norms:
    """BM25F's length part for each length byte. It depends on nothing else, and ``avgfl`` is the
    whole index's, so every term of every segment of a snapshot shares one table: built per term
    it cost ~0.6 ms, times terms and segments (20 for a word in two fields over 10 segments)."""
    return _Norms(tuple(K1 * ((1 - B) + B * byte_to_length(b) / avgfl) if b else None for b in range(256)))


def _posting_blocks(matcher: Any, with_values: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """A term's (ids, weights, values as latin-1 text (``block_texts``) or None), a block at a time."""
    if type(matcher) is not W3LeafMatcher:  # e.g. postings inlined in the term info
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if with_values:
                values.append(_as_text(matcher.value()))
            matcher.next()
        yield ids, weights, values if with_values else None
        return
    while matcher.is_active():
        i = matcher._i
        if with_values:
            ids, weights, values = block_texts(matcher)
            yield ids[i:], weights[i:], values[i:]
        else:
            ids, weights = block_postings(matcher)
            yield ids[i:], weights[i:], None
        matcher._i = matcher._blocklength
        matcher._next_block()


def _postings_of(matcher: Any, count: int, within: Within, with_values: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """``_posting_blocks``, or ``_blocks_at`` when only documents ``within`` are wanted and they
    are few beside the ``count`` postings (otherwise nearly every block holds one: read them all)."""
    if within is None or 2 * len(within) > count:
        return _posting_blocks(matcher, with_values)
    return _blocks_at(matcher, within, with_values)


def _blocks_at(matcher: Any, wanted: Sequence[int], with_values: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """``_posting_blocks``'s (ids, weights, values or None), kept to the postings of ``wanted``
    documents (sorted): a block whose header's last id is below the next wanted document is passed
    undecoded, and a block's values (positions: most of it) are decoded only if it holds one.
    A term whose whole postings are decoded (``_whole_term``) is read from them instead."""
    if type(matcher) is not W3LeafMatcher:  # postings inlined in the term info: a handful
        keep = set(wanted)
        for ids, weights, values in _posting_blocks(matcher, with_values):
            picked = [k for k, docnum in enumerate(ids) if docnum in keep]
            yield ([ids[k] for k in picked], [weights[k] for k in picked],
                   [values[k] for k in picked] if with_values else None)
        return
    whole = _whole_term(matcher, with_values)
    if whole is not None:
        ids, weights = (whole.ids, whole.weights) if with_values else whole
        at = np.flatnonzero(within_sorted(ids, np.array(wanted, np.int64)))
        values = whole.values if with_values else None
        yield (ids[at].tolist(), weights[at].tolist(),
               [values[k] for k in at.tolist()] if values is not None else None)
        return
    j, n = 0, len(wanted)
    while matcher.is_active() and j < n:
        last = matcher.block_max_id()
        if wanted[j] <= last:
            upto = bisect_right(wanted, last, j)
            keep = set(wanted[j:upto])
            j = upto
            ids, weights = block_postings(matcher)
            picked = [k for k in range(matcher._i, len(ids)) if ids[k] in keep]
            if picked:
                values = block_texts(matcher)[2] if with_values else None
                yield ([ids[k] for k in picked], [weights[k] for k in picked],
                       [values[k] for k in picked] if with_values else None)
        matcher._i = matcher._blocklength
        matcher._next_block()


def block_values(matcher: W3LeafMatcher) -> tuple[Any, Any, Any]:
    """The current block's (ids, weights, values), as whoosh3's ``_read_ids``, ``_read_weights``
    and ``_read_values`` give them; the ids are undone from their deltas by ``accumulate`` (in C)
    rather than ``_read_ids``'s generator, a third of the time of reading a positions block."""
    if matcher._ids is None and not matcher._byteids:
        if matcher._data is None:
            matcher._read_data()
        matcher._ids = tuple(accumulate(matcher._data[0]))
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._weights is None:
        matcher._read_weights()
    if matcher._values is None:
        matcher._read_values()
    return matcher._ids, matcher._weights, matcher._values


# A positions block's values are bytes, which protocol 2 pickles as ``_codecs.encode(text,
# "latin1")``, one call per posting: unpickled with that function swapped for ``_same_text`` (by
# its name, in the one GLOBAL opcode, which the values' own memo entry then stands for), the block
# loads in half the time and each value stays the text. ``str.removesuffix`` is a C method that
# returns the text itself: a pickled ``formats.Positions`` value ends with the pickle's STOP (".").
_same_text = str.removesuffix
_ENCODE_GLOBAL = b"c_codecs\nencode\n"
_SAME_TEXT_GLOBAL = f"c{__name__}\n_same_text\n".encode()


def block_texts(matcher: W3LeafMatcher) -> tuple[Any, Any, tuple[str, ...]]:
    """``block_values``' (ids, weights, values) with each value as its latin-1 text
    (``_as_text``); only for values that are ``formats.Positions``' encodings is that quick."""
    n = matcher._blocklength
    fixedsize = matcher._fixedsize
    if matcher._values is None and not matcher._byteids and (fixedsize is None or fixedsize < 0):
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = zlib.decompress(raw) if matcher._compression else raw
        cut = data.find(_VALUES_START)
        try:
            loaded = loads(data[: cut + 1] + _SAME_TEXT_GLOBAL + data[cut + 1 + len(_ENCODE_GLOBAL) :]) if cut >= 0 else None
        except Exception:
            loaded = None
        if (isinstance(loaded, tuple) and len(loaded) == 3 and isinstance(loaded[0], tuple) and len(loaded[0]) == n
                and isinstance(loaded[2], tuple) and len(loaded[2]) == n and set(map(type, loaded[2])) <= {str}):
            if matcher._ids is None:
                matcher._ids = tuple(accumulate(loaded[0]))
            if matcher._weights is None:
                matcher._weights = _block_weights(loaded[1], n)
            return matcher._ids, matcher._weights, loaded[2]
    ids, weights, values = block_values(matcher)
    return ids, weights, tuple(map(_as_text, values))


def _as_text(value: Any) -> Any:
    """A value's latin-1 text; values of other formats (None) as they are."""
    return value.decode("latin-1") if type(value) is bytes else value


def _phrase_scores(searcher: View, phrase: ExactPhrase, weighting: Any, within: Within = None) -> Scores | None:
    """``PhraseMatcher``'s matches and scores (the sum of its parts' term scores, rarest part
    first), from each part's postings read once (``_phrase_parts``): a document matches where
    some start position is shared by all parts, and only matches are scored."""
    field = searcher.schema[phrase.fieldname]
    if type(field.format) is not formats.Positions:
        return None
    reader = searcher.reader()
    found = []
    for term, offset in phrase.parts:
        frequency = reader.doc_frequency(phrase.fieldname, term)
        if not frequency:
            return {}
        found.append((frequency, offset, field.to_bytes(term)))
    found.sort(key=lambda part: part[0])
    offsets = [offset for _, offset, _ in found]
    if not _arrays_for(found[0][0], within):
        return _few_phrase_scores(searcher, phrase.fieldname, [(f, text) for f, _, text in found], weighting, within,
                                  list(range(len(found))), lambda values: _shares_a_start(values, offsets), sum)
    parts = _phrase_parts(searcher, phrase.fieldname, [(f, text) for f, _, text in found], weighting, within)
    if parts is None:
        return None
    matched = shared_starts(parts.candidates, parts.postings, offsets)
    if matched is None:  # positions not pickled lists: one document at a time
        matched = _each_document(parts.candidates, parts.postings, lambda values: _shares_a_start(values, offsets))
    return _matched_scores(matched, parts.postings, parts.scorers, sum)  # 0 + first + second ...


def _few_phrase_scores(searcher: View, fieldname: str, parts: list[tuple[int, bytes]], weighting: Any,
                       within: Within, order: list[int], matches: Callable[[list[str]], bool],
                       total: Callable[[list[Any]], Any]) -> dict[int, float] | None:
    """``_phrase_parts``, then the documents whose parts' values ``matches`` and their scores (the
    ``total`` of the parts' term scores), in Python, for a phrase whose rarest part has at most
    ``arrays_from()`` postings to read: the parts are read as ``_phrase_parts`` reads them (rarest
    first, each later one only at the documents the ones before it share when they are few),
    and their values checked and scores totalled in ``order`` (indexes into ``parts``)."""
    tables: list[dict[int, tuple[float, str]]] = []
    scorers: list[_BM25] = []
    deleted: set[int] = set()
    wanted = None if within is None else set(within)
    candidates: list[int] = []
    for k, (frequency, text) in enumerate(parts):
        bm25 = _bm25_postings(searcher, fieldname, text, weighting)
        if bm25 is None:
            return None
        deleted.update(bm25.deleted)
        table: dict[int, tuple[float, str]] = {}
        for ids, weights, values in _postings_of(bm25.matcher, frequency, within, with_values=True):
            table.update(zip(ids, zip(weights, values)))
        candidates = list(table) if k == 0 else [docnum for docnum in candidates if docnum in table]
        if k + 1 < len(parts):
            shared = candidates if wanted is None else [docnum for docnum in candidates if docnum in wanted]
            if 2 * len(shared) <= parts[k + 1][0]:  # few enough for the next part to read only these
                within = shared
        tables.append(table)
        scorers.append(bm25)
    tables = [tables[k] for k in order]
    scorers = [scorers[k] for k in order]
    found: dict[int, float] = {}
    try:
        for docnum in candidates:
            if docnum in deleted:
                continue
            entries = [table[docnum] for table in tables]
            if matches([value for _, value in entries]):
                found[docnum] = total([bm25._score(docnum, weight) for bm25, (weight, _) in zip(scorers, entries)])
    except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
        return None
    return found


def _each_document(candidates: np.ndarray, parts: list[PartPostings], matches: Callable[[list[str]], bool]) -> np.ndarray:
    """The candidates whose parts' values (one per part) ``matches``, checked one by one."""
    values = [part.values_at(candidates) for part in parts]
    return candidates[np.array([matches(list(each)) for each in zip(*values)], bool)] if len(candidates) else candidates


@record
class _PhraseParts:
    """Each part's postings (ids, weights and positions as arrays and a list of texts, which the
    garbage collector does not track: a dict of (weight, value) tuples made a query allocate
    thousands of tracked objects, and every few queries pay a ~10 ms full collection) and scorer;
    the documents holding every part, not deleted, ascending."""

    postings: list[PartPostings]
    scorers: list[_BM25]
    candidates: np.ndarray


def _phrase_parts(searcher: View, fieldname: str, parts: list[tuple[int, bytes]], weighting: Any,
                  within: Within) -> _PhraseParts | None:
    """The postings of a phrase's parts ((frequency, term), rarest first), each read once: each
    part after the rarest only at the documents the parts before it share (``_postings_of``), and
    with ``within`` the rarest too; positions are decoded only in blocks holding such documents."""
    postings: list[PartPostings] = []
    scorers: list[_BM25] = []
    deleted: set[int] = set()
    wanted = None if within is None else np.array(within, np.int64)
    candidates: np.ndarray | None = None
    for k, (frequency, text) in enumerate(parts):
        bm25 = _bm25_postings(searcher, fieldname, text, weighting)
        if bm25 is None:
            return None
        deleted.update(bm25.deleted)
        part = _part_postings(bm25.matcher, frequency, within)
        candidates = part.ids if candidates is None else candidates[members(candidates, part.ids)]
        if k + 1 < len(parts):
            shared = candidates if wanted is None else candidates[members(candidates, wanted)]
            if 2 * len(shared) <= parts[k + 1][0]:  # few enough for the next part to read only these
                within = shared.tolist()
        postings.append(part)
        scorers.append(bm25)
    assert candidates is not None
    if deleted:
        candidates = candidates[~members(candidates, np.fromiter(deleted, np.int64, len(deleted)))]
    return _PhraseParts(postings, scorers, candidates)


def _part_postings(matcher: Any, frequency: int, within: Within) -> PartPostings:
    """A phrase part's postings, as ``_postings_of`` gives them (every block, or only at the
    documents ``within`` if they are few): every block of a term of several from one read
    (``_extent_texts``), else through the matcher (which, for a few documents, unpickles the
    values only of blocks holding one: cheaper there, measured)."""
    every_block = within is None or 2 * len(within) > frequency
    if type(matcher) is W3LeafMatcher and not matcher._lastblock and matcher._i == 0 and not matcher._byteids:
        # Read at a few documents, a term is read whole (and cached) from its second time on:
        # it holds more documents than asked for, which the caller's intersection drops.
        found = _cached(matcher, "texts")
        if found is None and (every_block or _read_before(matcher, "texts")):
            found = _extent_texts(matcher)
        if found is not None:
            return found
    ids: list[int] = []
    weights: list[float] = []
    values: list[str] = []
    for block_ids, block_weights, block_values in _postings_of(matcher, frequency, within, with_values=True):
        ids.extend(block_ids)
        weights.extend(block_weights)
        values.extend(block_values)
    return PartPostings(np.array(ids, np.int64), np.array(weights, np.float64), values)


def _extent_texts(matcher: W3LeafMatcher) -> PartPostings | None:
    """``_extent_postings`` with each posting's value as its latin-1 text (``block_texts``' way
    of unpickling), from one read of the term's postings (or the decoded cache, ``_decoded``);
    ``None`` if they do not parse."""
    return _decoded(matcher, "texts", _decode_extent_texts)


def _decode_extent_texts(matcher: W3LeafMatcher) -> PartPostings | None:
    found = _extent_blocks(matcher)
    if found is None:
        return None
    data, blocks = found
    ids: list[int] = []
    weights: list[Any] = []
    values: list[str] = []
    for n, last_id, compression, start, end in blocks:
        block = zlib.decompress(data[start:end]) if compression else data[start:end]
        cut = block.find(_ENCODE_GLOBAL)
        try:
            loaded = loads(block[:cut] + _SAME_TEXT_GLOBAL + block[cut + len(_ENCODE_GLOBAL) :]) if cut >= 0 else None
        except Exception:
            loaded = None
        if not (isinstance(loaded, tuple) and len(loaded) == 3 and isinstance(loaded[0], tuple) and len(loaded[0]) == n
                and isinstance(loaded[2], tuple) and len(loaded[2]) == n and set(map(type, loaded[2])) <= {str}):
            return None
        block_ids = list(accumulate(loaded[0]))
        if block_ids[-1] != last_id:
            return None
        ids.extend(block_ids)
        weights.extend(_block_weights(loaded[1], n))
        values.extend(loaded[2])
    return PartPostings(np.array(ids, np.int64), np.array(weights, np.float64), values)


def _sloppy_scores(searcher: View, phrase: wq.Phrase, weighting: Any, within: Within = None) -> Scores | None:
    """What Whoosh's own matcher gives for ``Phrase`` with a slop (a ``SpanNear2`` in order): the
    words stand in order, each 1 to ``slop`` positions after the one before, and a match scores as
    Whoosh's binary tree of intersection matchers over the words sums it (``_tree_sum``). The
    postings are read as for an exact phrase (``_phrase_parts``) and only candidates' positions
    decoded; Whoosh builds a span object per position of every word in every candidate (at
    200,000 documents ``"trade deficit"~3`` took ~270 ms of CPU that way, ~160 ms this way).
    ``None`` for fields without plain positions."""
    if phrase.fieldname not in searcher.schema:
        return {}
    field = searcher.schema[phrase.fieldname]
    if type(field.format) is not formats.Positions:
        return None
    reader = searcher.reader()
    words = []
    for word in phrase.words:
        try:
            text = field.to_bytes(word)
        except ValueError:
            return {}
        if (phrase.fieldname, text) not in reader:
            return {}
        words.append(text)
    frequencies = [reader.doc_frequency(phrase.fieldname, text) for text in words]
    order = sorted(range(len(words)), key=frequencies.__getitem__)  # read the rarest first
    in_phrase = [order.index(i) for i in range(len(words))]
    if not _arrays_for(frequencies[order[0]], within):
        return _few_phrase_scores(searcher, phrase.fieldname, [(frequencies[i], words[i]) for i in order], weighting,
                                  within, in_phrase, lambda values: _in_order_within(values, phrase.slop), _tree_sum)
    parts = _phrase_parts(searcher, phrase.fieldname, [(frequencies[i], words[i]) for i in order], weighting, within)
    if parts is None:
        return None
    postings = [parts.postings[k] for k in in_phrase]
    scorers = [parts.scorers[k] for k in in_phrase]
    matched = in_order_within(parts.candidates, postings, phrase.slop)
    if matched is None:  # positions not pickled lists: one document at a time
        matched = _each_document(parts.candidates, postings, lambda values: _in_order_within(values, phrase.slop))
    return _matched_scores(matched, postings, scorers, _tree_sum)


def _matched_scores(matched: np.ndarray, parts: list[PartPostings], scorers: list[_BM25],
                    total: Callable[[list[Any]], Any]) -> ArrayScores | None:
    """The ``matched`` documents (ascending) scored as the ``total`` of each part's term score,
    elementwise (``total`` adds the parts' arrays in the order it would add their floats)."""
    scores = []
    for part, bm25 in zip(parts, scorers):
        part_scores = bm25.scores(matched, part.weights[part.at(matched)])
        if part_scores is None:
            return None
        scores.append(part_scores)
    return ArrayScores(matched, total(scores))


def _tree_sum(scores: list[float]) -> float:
    """``whoosh.util.make_binary_tree``'s grouping of a sum: (first half) + (second half)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _in_order_within(values: list[str], slop: int) -> bool:
    """Whether each word's positions (``formats.Positions`` values, in phrase order) hold one 1 to
    ``slop`` after one of the previous word's that continues the chain from the first word."""
    ends = list(accumulate(loads(values[0][_INT_SIZE:].encode("latin-1"))))
    for value in values[1:]:
        ends = [p for p in accumulate(loads(value[_INT_SIZE:].encode("latin-1"))) if _ends_within(ends, p, slop)]
        if not ends:
            return False
    return True


def _ends_within(ends: list[int], position: int, slop: int) -> bool:
    i = bisect_left(ends, position - slop)
    return i < len(ends) and ends[i] < position


def _shares_a_start(values: list[str], offsets: list[int]) -> bool:
    """Whether the parts' positions in a document, each less its offset, have a value in common.

    A posting's value (as latin-1 text) is ``formats.Positions``' encoding: a count, then the pickled list of
    position deltas, the first one the first position; taking the offset off that one shifts them
    all, so the starts come out of ``accumulate`` (in C) as they are.
    """
    deltas = loads(values[0][_INT_SIZE:].encode("latin-1"))
    deltas[0] -= offsets[0]
    starts = set(accumulate(deltas))
    last = len(values) - 1
    for i in range(1, len(values)):
        deltas = loads(values[i][_INT_SIZE:].encode("latin-1"))
        deltas[0] -= offsets[i]
        if i == last:
            return not starts.isdisjoint(accumulate(deltas))
        starts.intersection_update(accumulate(deltas))
        if not starts:
            return False
    return True  # a phrase of one part
