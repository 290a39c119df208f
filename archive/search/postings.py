"""Reading document ids straight from postings, for filters and counts that need no scores.

Whoosh's matchers score every posting they pass (a wildcard's or a date range's union does so for
every document of every part); these read only the ids, a block at a time.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import formats, matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.scoring import BM25FScorer
from whoosh.searching import SearchContext, Searcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from archive.search.docvalues import column_values
from archive.search.phrase import ExactPhrase


def posting_ids(matcher: Any) -> Iterator[int]:
    """The ids of a term's postings, in order."""
    if not isinstance(matcher, W3LeafMatcher):  # e.g. wrapped to skip deleted documents
        yield from matcher.all_ids()
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
            n = matcher._blocklength
            if weights is None:
                matcher._weights = array("f", (1.0 for _ in range(n)))
            elif isinstance(weights, float):
                matcher._weights = array("f", (weights for _ in range(n)))
            else:
                matcher._weights = weights
            return matcher._ids, matcher._weights
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._weights is None:
        matcher._read_weights()
    return matcher._ids, matcher._weights


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


def query_ids(queries: Iterable[wq.Query], searcher: Searcher) -> set[int]:
    """The documents (of one segment's ``searcher``) matching any of ``queries``, unscored."""
    reader = searcher.reader()
    found: set[int] = set()
    for query in queries:
        if isinstance(query, wq.Term):
            if (query.fieldname, query.text) in reader:
                found.update(posting_ids(reader.postings(query.fieldname, query.text)))
        else:
            found.update(query.matcher(searcher, searcher.boolean_context()).all_ids())
    return found


class IdsFilter(wq.ConstantScoreQuery):
    """``ConstantScoreQuery`` over a union of parts, which it reads as ids only.

    Whoosh's version builds the child's matcher, scoring each part's postings into an array,
    then keeps only the ids. Matches, scores and size estimate (which shapes the AND tree that
    sums scores) are the same as ``ConstantScoreQuery(child)``.
    """

    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> matching.Matcher:
        context = context or SearchContext()
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


def ranked_words(searcher: Searcher, query: wq.Query, limit: int) -> tuple[int, list[tuple[float, int]]] | None:
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


Segments = list[tuple[Searcher, int, dict[int, float]]]
Within = Sequence[int] | None  # document numbers, sorted: only these are wanted


def word_scores(searcher: Searcher, query: wq.Query) -> Segments | None:
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


def _best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document number, score) pairs: highest score, then lowest number."""
    if len(scores) <= limit:
        return list(scores.items())
    threshold = heapq.nlargest(limit, scores.values())[-1]
    return [(docnum, score) for docnum, score in scores.items() if score >= threshold]


def _scores(searcher: Searcher, query: wq.Query, weighting: Any, within: Within = None) -> dict[int, float] | None:
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
        sizes = [q.estimate_size(reader) for q in subs]
        parts = _and_parts(searcher, subs, sizes, weighting, within)
        return None if parts is None else _tree_join([(0 - size, part) for size, part in zip(sizes, parts)], _intersection)
    if type(query) is not PreloadedOr and len(subs) < query.TOO_MANY_CLAUSES and (
        len(subs) == 2 or searcher.doc_count_all() > 5000
    ):
        return _tree_scores(searcher, subs, weighting, within)
    summed: dict[int, float] = {}
    for sub in subs:
        scores = _scores(searcher, sub, weighting, within)
        if scores is None:
            return None
        if not summed:
            summed = dict(scores)
            continue
        get = summed.get
        for docnum, score in scores.items():
            summed[docnum] = get(docnum, 0.0) + score
    return {docnum: score for docnum, score in summed.items() if score > 0}


def _inverse_scores(searcher: Searcher, query: wq.Not, within: Within) -> dict[int, float]:
    """``Not``'s ``InverseMatcher``: every document (``within``, if given) that is not deleted and
    that the child does not match, each scored the matcher's weight, 1.0."""
    child = query.query
    excluded = query_ids(child.subqueries if type(child) in (wq.Or, PreloadedOr) else [child], searcher)
    if within is None:
        reader = searcher.reader()
        within = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
    return {docnum: 1.0 for docnum in within if docnum not in excluded}


def _and_parts(searcher: Searcher, subs: list[wq.Query], sizes: list[int], weighting: Any,
               within: Within) -> list[dict[int, float]] | None:
    """Each part's scores: the smallest part's (by estimate) first, then every other part's only
    at the documents that one matched, which is all their intersection can hold. A long part is
    then read only in the posting blocks that hold them (``_blocks_at``), a date filter checked
    in the ``published`` column, a phrase's positions decoded only there."""
    first = min(range(len(subs)), key=sizes.__getitem__)
    found = _scores(searcher, subs[first], weighting, within)
    if found is None:
        return None
    candidates = sorted(found)
    parts: list[dict[int, float]] = []
    for i, sub in enumerate(subs):
        scores = found if i == first else _scores(searcher, sub, weighting, candidates)
        if scores is None:
            return None
        parts.append(scores)
    return parts


def _tree_scores(searcher: Searcher, subs: list[wq.Query], weighting: Any, within: Within) -> dict[int, float] | None:
    """The scores of ``DefaultOr``'s tree of union matchers (``_tree_join``)."""
    reader = searcher.reader()
    parts: list[tuple[int, dict[int, float]]] = []
    for sub in subs:
        scores = _scores(searcher, sub, weighting, within)
        if scores is None:
            return None
        parts.append((sub.estimate_size(reader), scores))
    return _tree_join(parts, _union)


def _tree_join(
    parts: list[tuple[int, dict[int, float]]],
    join: Callable[[dict[int, float], dict[int, float]], dict[int, float]],
) -> dict[int, float]:
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


def _intersection(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return {docnum: score + big[docnum] for docnum, score in small.items() if docnum in big}


def _size(part: tuple[int, dict[int, float]]) -> int:
    return part[0]


def _union(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    get = big.get
    for docnum, score in small.items():
        other = get(docnum)
        big[docnum] = score if other is None else score + other
    return big


def _term_dict(searcher: Searcher, term: wq.Term, weighting: Any, within: Within) -> dict[int, float] | None:
    if term.fieldname not in searcher.schema:
        return {}
    try:
        text = searcher.schema[term.fieldname].to_bytes(term.text)
    except ValueError:
        return {}
    if (term.fieldname, text) not in searcher.reader():
        return {}
    return _term_scores(searcher, term.fieldname, text, weighting, within)


def _term_scores(searcher: Searcher, fieldname: str, text: bytes, weighting: Any, within: Within = None) -> dict[int, float] | None:
    """Document number -> the term's BM25F score there (only for documents ``within``, if given)."""
    bm25 = _bm25_postings(searcher, fieldname, text, weighting)
    if bm25 is None:
        return None
    idf, k1_1, norms, lengths = bm25.idf, bm25.k1_1, bm25.norms, bm25.lengths
    scores: dict[int, float] = {}
    count = searcher.reader().doc_frequency(fieldname, text) if within is not None else 0
    for ids, weights, _ in _postings_of(bm25.matcher, count, within):
        try:  # BM25._score, inlined: one call per block rather than per posting
            block = [idf * ((w * k1_1) / (w + norms[lengths[d]])) for d, w in zip(ids, weights)]  # type: ignore[operator]
        except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
            return None
        scores.update(zip(ids, block))
    for docnum in bm25.deleted:
        scores.pop(docnum, None)
    return scores


@dataclass(frozen=True)
class _BM25:
    """A term's postings matcher (unwrapped), the deleted documents it would skip, and what its
    BM25F score needs: BM25F's bm25(idf, tf, fl, avgfl, B, K1), with the part that depends only
    on the document's length byte computed once per byte (``norms``), the same operations in the
    same order. A length byte of 0 has no norm (``None``): Whoosh's scorer cannot score it either."""

    matcher: Any
    deleted: Any
    idf: float
    k1_1: float
    norms: tuple[float | None, ...]
    lengths: bytes

    def _score(self, docnum: int, weight: float) -> float:
        return self.idf * ((weight * self.k1_1) / (weight + self.norms[self.lengths[docnum]]))  # type: ignore[operator]


def _bm25_postings(searcher: Searcher, fieldname: str, text: bytes, weighting: Any) -> _BM25 | None:
    """``None`` for another weighting or field lengths not in memory."""
    matcher = searcher.postings(fieldname, text, weighting=weighting)
    deleted: Any = ()
    if type(matcher) is FilterMatcher and matcher._exclude:
        deleted = matcher._ids
        matcher = matcher.child
        matcher.reset()  # the filter has already stepped past deleted documents at the start
    scorer = matcher.scorer if hasattr(matcher, "scorer") else getattr(matcher, "_scorer", None)
    lengths = getattr(getattr(searcher.reader(), "_perdoc", None), "_readers", {}).get(f"_{fieldname}_len")
    if type(scorer) is not BM25FScorer or type(lengths) is not bytes:
        return None
    return _BM25(matcher, deleted, scorer.idf, scorer.K1 + 1, _norms(scorer.avgfl, scorer.B, scorer.K1), lengths)


@lru_cache(maxsize=64)
def _norms(avgfl: float, B: float, K1: float) -> tuple[float | None, ...]:
    """BM25F's length part for each length byte (``None`` for 0). It depends on nothing else,
    and ``avgfl`` is the whole index's, so every term of every segment of a snapshot shares one
    table: built per term it cost ~0.6 ms, times terms and segments (20 for a word in two fields
    over 10 segments)."""
    return tuple(K1 * ((1 - B) + B * byte_to_length(b) / avgfl) if b else None for b in range(256))


def _posting_blocks(matcher: Any, with_values: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """A term's (ids, weights, values or None), a block at a time."""
    if type(matcher) is not W3LeafMatcher:  # e.g. postings inlined in the term info
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if with_values:
                values.append(matcher.value())
            matcher.next()
        yield ids, weights, values if with_values else None
        return
    while matcher.is_active():
        i = matcher._i
        if with_values:
            ids, weights, values = block_values(matcher)
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
    undecoded, and a block's values (positions: most of it) are decoded only if it holds one."""
    if type(matcher) is not W3LeafMatcher:  # postings inlined in the term info: a handful
        keep = set(wanted)
        for ids, weights, values in _posting_blocks(matcher, with_values):
            picked = [k for k, docnum in enumerate(ids) if docnum in keep]
            yield ([ids[k] for k in picked], [weights[k] for k in picked],
                   [values[k] for k in picked] if with_values else None)
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
                values = block_values(matcher)[2] if with_values else None
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


def _phrase_scores(searcher: Searcher, phrase: ExactPhrase, weighting: Any, within: Within = None) -> dict[int, float] | None:
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
    parts = _phrase_parts(searcher, phrase.fieldname, [(f, text) for f, _, text in found], weighting, within)
    if parts is None:
        return None
    offsets = [offset for _, offset, _ in found]
    matched: dict[int, float] = {}
    for docnum in parts.candidates:
        if not _shares_a_start([part[docnum] for part in parts.values], offsets):
            continue
        try:
            matched[docnum] = sum([bm25._score(docnum, part[docnum]) for part, bm25 in zip(parts.weights, parts.scorers)])
        except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
            return None
    return matched


@dataclass(frozen=True)
class _PhraseParts:
    """Per part, document number -> weight and -> encoded positions (dicts of numbers and bytes,
    which the garbage collector does not track: a dict of (weight, value) tuples made a query
    allocate thousands of tracked objects, and every few queries pay a ~10 ms full collection);
    each part's scorer; the documents holding every part, not deleted, in order."""

    weights: list[dict[int, float]]
    values: list[dict[int, bytes]]
    scorers: list[_BM25]
    candidates: list[int]


def _phrase_parts(searcher: Searcher, fieldname: str, parts: list[tuple[int, bytes]], weighting: Any,
                  within: Within) -> _PhraseParts | None:
    """The postings of a phrase's parts ((frequency, term), rarest first), each read once: each
    part after the rarest only at the documents the parts before it share (``_postings_of``), and
    with ``within`` the rarest too; positions are decoded only in blocks holding such documents."""
    weights: list[dict[int, float]] = []
    values: list[dict[int, bytes]] = []
    scorers: list[_BM25] = []
    deleted: set[int] = set()
    for k, (frequency, text) in enumerate(parts):
        bm25 = _bm25_postings(searcher, fieldname, text, weighting)
        if bm25 is None:
            return None
        deleted.update(bm25.deleted)
        part_weights: dict[int, float] = {}
        part_values: dict[int, bytes] = {}
        for ids, block_weights, block_values in _postings_of(bm25.matcher, frequency, within, with_values=True):
            part_weights.update(zip(ids, block_weights))
            part_values.update(zip(ids, block_values))
        if k + 1 < len(parts):
            shared = part_values.keys() if within is None else set(within).intersection(part_values)
            if 2 * len(shared) <= parts[k + 1][0]:  # few enough for the next part to read only these
                within = sorted(shared)
        weights.append(part_weights)
        values.append(part_values)
        scorers.append(bm25)
    candidates = set(values[0]).intersection(*values[1:])
    return _PhraseParts(weights, values, scorers, sorted(candidates - deleted))


def _sloppy_scores(searcher: Searcher, phrase: wq.Phrase, weighting: Any, within: Within = None) -> dict[int, float] | None:
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
    parts = _phrase_parts(searcher, phrase.fieldname, [(frequencies[i], words[i]) for i in order], weighting, within)
    if parts is None:
        return None
    in_phrase = [order.index(i) for i in range(len(words))]
    values = [parts.values[k] for k in in_phrase]
    weights = [parts.weights[k] for k in in_phrase]
    scorers = [parts.scorers[k] for k in in_phrase]
    matched: dict[int, float] = {}
    for docnum in parts.candidates:
        if not _in_order_within([part[docnum] for part in values], phrase.slop):
            continue
        try:
            matched[docnum] = _tree_sum([bm25._score(docnum, part[docnum]) for part, bm25 in zip(weights, scorers)])
        except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
            return None
    return matched


def _tree_sum(scores: list[float]) -> float:
    """``whoosh.util.make_binary_tree``'s grouping of a sum: (first half) + (second half)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _in_order_within(values: list[bytes], slop: int) -> bool:
    """Whether each word's positions (``formats.Positions`` values, in phrase order) hold one 1 to
    ``slop`` after one of the previous word's that continues the chain from the first word."""
    ends = list(accumulate(loads(values[0][_INT_SIZE:])))
    for value in values[1:]:
        ends = [p for p in accumulate(loads(value[_INT_SIZE:])) if _ends_within(ends, p, slop)]
        if not ends:
            return False
    return True


def _ends_within(ends: list[int], position: int, slop: int) -> bool:
    i = bisect_left(ends, position - slop)
    return i < len(ends) and ends[i] < position


def _shares_a_start(values: list[bytes], offsets: list[int]) -> bool:
    """Whether the parts' positions in a document, each less its offset, have a value in common.

    A posting's value is ``formats.Positions``' encoding: a count, then the pickled list of
    position deltas, the first one the first position; taking the offset off that one shifts them
    all, so the starts come out of ``accumulate`` (in C) as they are.
    """
    deltas = loads(values[0][_INT_SIZE:])
    deltas[0] -= offsets[0]
    starts = set(accumulate(deltas))
    last = len(values) - 1
    for i in range(1, len(values)):
        deltas = loads(values[i][_INT_SIZE:])
        deltas[0] -= offsets[i]
        if i == last:
            return not starts.isdisjoint(accumulate(deltas))
        starts.intersection_update(accumulate(deltas))
        if not starts:
            return False
    return True  # a phrase of one part
