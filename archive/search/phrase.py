"""An exact phrase query that checks positions with set operations instead of Whoosh's span objects.

Whoosh's ``Phrase`` builds a ``Span`` object for every position of every word in every candidate
document, which made a two-word phrase of ordinary words cost ~15 ms on Reuters and one of
common words (hundreds of positions per document) ten times that. ``ExactPhrase`` takes its
parts as (term, offset) pairs: a part matches where the term stands at the phrase's start plus
its offset. Parts can be single words or common-word grams (``analysis.phrase_units``), and
offsets may leave gaps, so a word already held by a gram is not looked up again.

Documents are found rarest part first (leapfrogging with ``skip_to``); only where every part is
present are positions decoded, and the phrase matches if some start position is shared by all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import formats, matching
from whoosh import query as wq
from whoosh.system import _INT_SIZE


class ExactPhrase(wq.Query):
    """Documents whose ``fieldname`` holds every ``(term, offset)`` part at one start position."""

    def __init__(self, fieldname: str, parts: Sequence[tuple[str, int]]) -> None:
        self.fieldname = fieldname
        self.parts = tuple(parts)
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExactPhrase) and (self.fieldname, self.parts) == (other.fieldname, other.parts)

    def __hash__(self) -> int:
        return hash((self.fieldname, self.parts))

    def __repr__(self) -> str:
        return f"ExactPhrase({self.fieldname!r}, {self.parts!r})"

    def __str__(self) -> str:
        return f"{self.fieldname}:{self.parts!r}"

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, Any]]:
        for term, _ in self.parts:
            yield self.fieldname, term

    def field(self) -> str:
        return self.fieldname

    def estimate_size(self, ixreader: Any) -> int:
        return min(ixreader.doc_frequency(self.fieldname, term) for term, _ in self.parts)

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        found = []
        for term, offset in self.parts:
            frequency = reader.doc_frequency(self.fieldname, term)
            if not frequency:
                return matching.NullMatcher()
            found.append((frequency, offset, wq.Term(self.fieldname, term).matcher(searcher, context)))
        found.sort(key=lambda part: part[0])
        plain = type(field.format) is formats.Positions
        return PhraseMatcher([(m, offset) for _, offset, m in found], plain)


class PhraseMatcher(matching.Matcher):
    def __init__(self, parts: list[tuple[matching.Matcher, int]], plain_positions: bool) -> None:
        self._parts = parts
        self._plain = plain_positions
        self._active = True
        self._find()

    def _positions(self, matcher: matching.Matcher) -> Iterator[int]:
        if self._plain:
            # formats.Positions: a count, then the pickled list of position deltas.
            return accumulate(loads(matcher.value()[_INT_SIZE:]))
        return iter(matcher.value_as("positions"))

    def _find(self) -> None:
        """Move to the first document, from the current one on, that holds the phrase."""
        parts = self._parts
        lead = parts[0][0]
        while lead.is_active():
            target = lead.id()
            for matcher, _ in parts[1:]:
                if matcher.id() < target:
                    matcher.skip_to(target)
                    if not matcher.is_active():
                        self._active = False
                        return
                if matcher.id() > target:
                    lead.skip_to(matcher.id())
                    break
            else:
                if self._shares_a_start():
                    return
                lead.next()
        self._active = False

    def _shares_a_start(self) -> bool:
        matcher, offset = self._parts[0]
        starts = {p - offset for p in self._positions(matcher)}
        for matcher, offset in self._parts[1:]:
            starts.intersection_update([p - offset for p in self._positions(matcher)])
            if not starts:
                return False
        return True

    def is_active(self) -> bool:
        return self._active

    def id(self) -> int:
        return int(self._parts[0][0].id())

    def next(self) -> bool:
        self._parts[0][0].next()
        self._find()
        return False

    def skip_to(self, id: int) -> None:
        if not self._active:
            raise matching.ReadTooFar
        if id <= self.id():
            return
        self._parts[0][0].skip_to(id)
        self._find()

    def score(self) -> float:
        return sum(matcher.score() for matcher, _ in self._parts)

    def weight(self) -> float:
        return sum(matcher.weight() for matcher, _ in self._parts)

    def supports(self, astype: str) -> bool:
        return False

    def copy(self) -> PhraseMatcher:
        copied = PhraseMatcher.__new__(PhraseMatcher)
        copied._parts = [(matcher.copy(), offset) for matcher, offset in self._parts]
        copied._plain = self._plain
        copied._active = self._active
        return copied

    def reset(self) -> None:
        for matcher, _ in self._parts:
            matcher.reset()
        self._active = True
        self._find()

    def term_matchers(self) -> Iterator[matching.Matcher]:
        for matcher, _ in self._parts:
            yield from matcher.term_matchers()
