"""Checking a phrase's positions in many documents at once, with numpy.

A posting's positions are ``formats.Positions``' encoding: a count, then the pickled list of
position deltas (the first one the first position). Unpickled one posting at a time, and checked
with a set per document, a phrase of common words (``"net loss"``: 20,000 candidate documents at
200,000) spent most of its time in those per-document calls. Here each part's values for all the
candidates are unpickled by one ``loads`` (each value's pickle without its STOP, inside one list),
the deltas summed per document by one cumulative sum, and the documents' start positions compared
as sorted (document, start) keys: the same matches as the set operations, document by document.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from pickle import loads
from typing import TYPE_CHECKING

from whoosh.system import _INT_SIZE

from archive.search.lazy_numpy import np
from archive.search.scores import distinct_sorted, within_sorted

if TYPE_CHECKING:
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

# (document number, position) as one sortable key; positions shifted so a start before the field
# (a later part's position less its offset) stays within its document's range.
_SPAN = 1 << 40
_SHIFT = 1 << 20


def positions(values: Sequence[str]) -> tuple[Ints, Ints] | None:
    """Every position of every value (as latin-1 text, ``postings.block_texts``): (index of its
    value, position), value by value, in order; ``None`` if they are not pickled lists of deltas."""
    if not values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # A pickle less its STOP pushes its one object; MARK ... LIST gathers them all (each value's
    # own PROTO and memo entries are its own: the memo is written before it is read).
    try:
        lists = loads(b"(" + "".join([value[_INT_SIZE:-1] for value in values]).encode("latin-1") + b"l.")
        if len(lists) != len(values):
            return None
        lengths = np.fromiter(map(len, lists), np.int64, len(lists))
        deltas = np.fromiter(chain.from_iterable(lists), np.int64, int(lengths.sum()))
    except Exception:
        return None
    owners = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    running = np.cumsum(deltas)
    present = lengths > 0
    firsts = (np.cumsum(lengths) - lengths)[present]
    # Each value's running sum restarts at its first delta.
    before = np.repeat(running[firsts] - deltas[firsts], lengths[present])
    return owners, running - before


class PartPostings:
    """A phrase part's postings (of the documents read): document numbers ascending, and aligned
    with them each one's weight (float64) and value (latin-1 text, ``postings.block_texts``)."""

    __slots__ = ("ids", "weights", "values", "_starts", "_where")

    def __init__(self, ids: Ints, weights: npt.NDArray[np.float64], values: list[str]) -> None:
        self.ids = ids
        self.weights = weights
        self.values = values
        self._starts: Ints | None = None
        self._where: Ints | None = None

    def at(self, docnums: Ints) -> Ints:
        """Where these documents (ascending, all present) are."""
        return np.searchsorted(self.ids, docnums)

    def values_at(self, docnums: Ints) -> list[str]:
        values = self.values
        return [values[i] for i in self.at(docnums).tolist()]

    def decode_all(self) -> int:
        """Unpickle every value's positions once, kept for ``positions_at`` (for postings read
        by many searches: ``postings._decoded``); the bytes kept, 0 if they do not parse."""
        if self._where is None:
            found = positions(self.values)
            if found is None:
                return 0
            owners, self._where = found
            self._starts = np.searchsorted(owners, np.arange(len(self.values) + 1))
        assert self._starts is not None
        return int(self._starts.nbytes + self._where.nbytes)

    def positions_at(self, docnums: Ints) -> tuple[Ints, Ints] | None:
        """``positions(self.values_at(docnums))``: from the positions decoded by ``decode_all``
        if they are, else unpickled."""
        if self._where is None or self._starts is None:
            return positions(self.values_at(docnums))
        at = self.at(docnums)
        firsts = self._starts[at]
        counts = self._starts[at + 1] - firsts
        owners = np.repeat(np.arange(len(at), dtype=np.int64), counts)
        # Each owner's positions: its first index plus 0, 1, ... counts - 1.
        steps = np.arange(len(owners), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        return owners, self._where[np.repeat(firsts, counts) + steps]


def shared_starts(candidates: Ints, parts: Sequence[PartPostings], offsets: Sequence[int]) -> Ints | None:
    """The ``candidates`` (document numbers, ascending) in which some position of each part less
    the part's offset is the same for every part; ``None`` as ``positions``. A later part's
    values are unpickled only for the documents still matching."""
    alive = candidates
    keys: Ints | None = None
    for part, offset in zip(parts, offsets):
        found = part.positions_at(alive)
        if found is None:
            return None
        owners, where = found
        part_keys = alive[owners] * _SPAN + (where - offset + _SHIFT)
        if not _ascending(part_keys):
            return None
        keys = part_keys if keys is None else keys[within_sorted(keys, part_keys)]
        alive = distinct_sorted(keys // _SPAN)
        if not len(alive):
            break
    return alive


def in_order_within(candidates: Ints, words: Sequence[PartPostings], slop: int) -> Ints | None:
    """The ``candidates`` (ascending) in which each word (in phrase order) stands 1 to ``slop`` positions after a position of the previous word that continues the chain
    from the first word; ``None`` as ``positions``. Each word's positions that continue the chain
    are kept as sorted (document, position) keys: a position continues it if the first key at or
    after (document, position - slop) is before (document, position)."""
    alive = candidates
    ends: Ints | None = None
    for word in words:
        found = word.positions_at(alive)
        if found is None:
            return None
        owners, where = found
        keys = alive[owners] * _SPAN + (where + _SHIFT)
        if not _ascending(keys):
            return None
        if ends is not None:
            at = np.searchsorted(ends, keys - slop)
            at_end = at == len(ends)
            keys = keys[~at_end & (ends[np.where(at_end, 0, at)] < keys)] if len(ends) else keys[:0]
        ends = keys
        alive = distinct_sorted(ends // _SPAN)
        if not len(alive):
            break
    return alive


def _ascending(keys: Ints) -> bool:
    """Documents in order and each one's positions increasing, as they are stored."""
    return bool((keys[1:] > keys[:-1]).all())
