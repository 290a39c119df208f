"""Reading document ids straight from postings, for filters and counts that need no scores.

Whoosh's matchers score every posting they pass (a wildcard's or a date range's union does so for
every document of every part); these read only the ids, a block at a time.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.searching import SearchContext, Searcher


def posting_ids(matcher: Any) -> Iterator[int]:
    """The ids of a term's postings, in order."""
    if not isinstance(matcher, W3LeafMatcher):  # e.g. wrapped to skip deleted documents
        yield from matcher.all_ids()
        return
    # A whole block of ids at a time (whoosh3's block attributes; the version is pinned).
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        yield from matcher._ids[matcher._i :]
        matcher._i = matcher._blocklength
        matcher._next_block()


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
