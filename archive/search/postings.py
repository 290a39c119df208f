"""Reading document ids straight from postings, for filters and counts that need no scores.

Whoosh's matchers score every posting they pass (a wildcard's or a date range's union does so for
every document of every part); these read only the ids, a block at a time.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.searching import SearchContext, Searcher
from whoosh.util.numeric import byte_to_length


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


def ranked_words(searcher: Searcher, query: wq.Query, limit: int) -> tuple[int, list[tuple[float, int]]] | None:
    """The total and the best ``limit`` (score, document number) pairs of a one- or two-word OR.

    What Whoosh's top-N collector gives for ``query`` (a ``Term``, or an ``Or`` of two; best score
    first, then lowest document number), read in one pass: each term's posting blocks are read
    once, their ids and weights scored with BM25F's formula from the in-memory field lengths, the
    two terms' scores summed where both match. Whoosh instead walks a union matcher one document at
    a time, skipping blocks that cannot reach the top N, and so must count the matches in a second
    pass over every block. ``None`` when the query or the index is not one this handles (another
    weighting, boosts, field lengths not in memory): run it through Whoosh then.
    """
    terms = _plain_terms(query)
    if terms is None:
        return None
    total = 0
    best: list[tuple[float, int]] = []
    for leaf, offset in searcher.leaf_searchers():
        scores = _segment_scores(leaf, terms, searcher.weighting)
        if scores is None:
            return None
        total += len(scores)
        best.extend((score, offset + docnum) for docnum, score in _best(scores, limit))
    best.sort(key=_rank_key)
    return total, best[:limit]


def _rank_key(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])


def _plain_terms(query: wq.Query) -> list[wq.Term] | None:
    if type(query) is wq.Term:
        terms = [query]
    elif type(query) is wq.Or and query.boost == 1.0 and not query.scale and len(query.subqueries) == 2:
        terms = list(query.subqueries)
    else:
        return None
    if all(type(t) is wq.Term and t.boost == 1.0 and not t.minquality for t in terms):
        return terms
    return None


def _best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document number, score) pairs: highest score, then lowest number."""
    if len(scores) <= limit:
        return list(scores.items())
    threshold = heapq.nlargest(limit, scores.values())[-1]
    return [(docnum, score) for docnum, score in scores.items() if score >= threshold]


def _segment_scores(searcher: Searcher, terms: list[wq.Term], weighting: Any) -> dict[int, float] | None:
    """Document number -> summed score of ``terms`` in one segment, as Whoosh's union scores it."""
    reader = searcher.reader()
    per_term: list[dict[int, float]] = []
    for term in terms:
        field = searcher.schema[term.fieldname] if term.fieldname in searcher.schema else None
        if field is None:
            continue
        try:
            text = field.to_bytes(term.text)
        except ValueError:
            continue
        if (term.fieldname, text) not in reader:
            continue
        scores = _term_scores(searcher, term.fieldname, text, weighting)
        if scores is None:
            return None
        per_term.append(scores)
    if not per_term:
        return {}
    if len(per_term) == 1:
        return per_term[0]
    # The union matcher's score is first + second; float addition is commutative, so adding the
    # smaller list into the bigger gives the same sums.
    small, big = sorted(per_term, key=len)
    for docnum, score in small.items():
        other = big.get(docnum)
        big[docnum] = score if other is None else score + other
    return big


def _term_scores(searcher: Searcher, fieldname: str, text: bytes, weighting: Any) -> dict[int, float] | None:
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
    # BM25F's bm25(idf, tf, fl, avgfl, B, K1), with the part that depends only on the document's
    # length byte computed once per byte: the same operations in the same order.
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    k1_1 = K1 + 1
    norms = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) if b else None for b in range(256)]
    scores: dict[int, float] = {}
    for ids, weights in _posting_blocks(matcher):
        try:
            block = [idf * ((w * k1_1) / (w + norms[lengths[d]])) for d, w in zip(ids, weights)]
        except TypeError:  # a length byte of 0, which Whoosh's scorer cannot score either
            return None
        scores.update(zip(ids, block))
    for docnum in deleted:
        scores.pop(docnum, None)
    return scores


def _posting_blocks(matcher: Any) -> Iterator[tuple[Any, Any]]:
    """A term's (ids, weights), a block at a time."""
    if type(matcher) is not W3LeafMatcher:  # e.g. postings inlined in the term info
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while matcher.is_active():
        ids, weights = block_postings(matcher)
        yield ids[matcher._i :], weights[matcher._i :]
        matcher._i = matcher._blocklength
        matcher._next_block()
