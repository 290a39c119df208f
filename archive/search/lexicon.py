"""A segment's terms of one field, read from its term file in one piece and decoded on demand.

``reader.lexicon(field)`` steps through whoosh3's ordered hash file one key at a time (a seek and
two reads each, ~2.5 us per term): 1.3 s of CPU for the text and title terms of a 200,000-document
archive in 10 segments. Decoding every term of the run one by one still cost ~0.5 s, paid by
the first suggestion or fuzzy word of every `archive search` process. ``SegmentTerms`` decodes
only the terms a caller looks at (a Levenshtein walk bisects, ~20 terms per step), finding them
through the file's own sorted array of key positions; a process's later walks, over every term,
get them all from one decode (``every_term``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import overload

from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.filedb.filetables import OrderedHashReader, _lengths
from whoosh.reading import SegmentReader
from whoosh.system import _SHORT_SIZE, pack_ushort

from archive.search.lazy_numpy import np

_HEADER = _lengths.size


class SegmentTerms(Sequence[str]):
    """One field's terms of a segment, in the term file's (sorted) order: ``data`` is the run of
    the field's records, ``starts`` where each record begins in the file (``base`` being where
    ``data`` begins).

    A term is decoded when a look-up first reaches it: the first term of every ``BLOCK`` up
    front, so ``bisect_left`` is a binary search in C over those and then a short one over the
    block's terms (a Levenshtein walk looks at a few thousand terms of a segment's 50,000)."""

    BLOCK = 64

    def __init__(self, data: bytes, starts: Sequence[int], base: int) -> None:
        self._data = data
        self._starts = starts
        self._base = base
        self._decoded: dict[int, str] = {}
        self._firsts = [self._decode(i) for i in range(0, len(starts), self.BLOCK)]

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        term = self._decoded.get(i)
        return self._decode(i) if term is None else term

    def __iter__(self) -> Iterator[str]:
        """Every term, decoded at once (a look-up's bisect decodes only what it reaches)."""
        return iter(self.every_term())

    def every_term(self) -> list[str]:
        """Every term, in order, from one decode of all their bytes: each record's term cut out
        with numpy, a newline before each, then decoded and split in C (a term holding a newline
        itself is decoded one by one). One by one, the text terms of a segment of 20,000
        documents (~39,000) took ~65 ms, paid ten times by a process's second fuzzy word or
        suggestion at 200,000 documents; this way ~10 ms."""
        if not len(self._starts):
            return []
        data = np.frombuffer(self._data, np.uint8)
        records = np.asarray(self._starts, np.int64) - self._base
        key_lengths = np.ndarray((len(data) - 3,), ">i4", data, strides=(1,))[records]  # a record's first int
        # Each term's bytes with the byte before it (the last of its field number), which
        # becomes its separator: gathered from the run, which also holds each term's value.
        sizes = key_lengths - _SHORT_SIZE + 1
        placed = np.cumsum(sizes) - sizes  # where each term's separator lands
        taken = data[np.repeat(records + _HEADER + _SHORT_SIZE - 1 - placed, sizes) + np.arange(int(sizes.sum()))]
        taken[placed] = ord("\n")
        terms = taken.tobytes().decode("utf-8").split("\n")[1:]
        if len(terms) != len(self._starts):
            return [self[i] for i in range(len(self))]
        return terms

    def bisect_left(self, term: str, lo: int = 0, hi: int | None = None) -> int:
        """``bisect.bisect_left(self, term, lo, hi)``."""
        size = len(self._starts)
        block = bisect_left(self._firsts, term)
        place = block * self.BLOCK
        if block:  # the term is after the previous block's first: somewhere in that block
            low, high = (block - 1) * self.BLOCK + 1, min(place, size)
            decoded = self._decoded
            while low < high:
                middle = (low + high) // 2
                found = decoded.get(middle)
                if (self._decode(middle) if found is None else found) < term:
                    low = middle + 1
                else:
                    high = middle
            place = low
        return min(max(place, lo), size if hi is None else hi)

    def _decode(self, i: int) -> str:
        pos = self._starts[i] - self._base
        keylen = _lengths.unpack_from(self._data, pos)[0]
        key = pos + _HEADER
        term = self._decoded[i] = self._data[key + _SHORT_SIZE : key + keylen].decode("utf-8")
        return term


def terms_bisect_left(terms: Sequence[str], term: str, lo: int = 0, hi: int | None = None) -> int:
    """``bisect.bisect_left`` over sorted terms, a ``SegmentTerms`` by its blocks."""
    if isinstance(terms, SegmentTerms):
        return terms.bisect_left(term, lo, hi)
    return bisect_left(terms, term, lo, len(terms) if hi is None else hi)


def segment_terms(reader: SegmentReader, fieldname: str) -> Sequence[str]:
    """``reader.lexicon(fieldname)``, decoded (in the same sorted order).

    The term file holds (key length, value length, key, value) records in key order, a key being
    the field's number (two bytes) and then the term, and after them an array of every record's
    position in key order: the field's records are one run between the first keys of its number
    and of the next, which is sliced out of a single read, and their positions a slice of that
    array.
    """
    terms = reader._terms
    if type(terms) is not W3TermsReader:  # another codec: the reader's own walk
        return [term.decode("utf-8") for term in reader.lexicon(fieldname)]
    number = terms._fieldmap.get(fieldname)
    if number is None:
        return []
    table = terms._tindex
    first = _first_at_or_after(table, pack_ushort(number))
    last = _first_at_or_after(table, pack_ushort(number + 1)) if number < 0xFFFF else table.indexlen
    if first == last:
        return []
    starts = table.dbfile.get_array(table.indexbase + first * table.indexsize, table.extras["indextype"], last - first)
    start = starts[0]
    end = table._get_pos(table.indexbase + last * table.indexsize) if last < table.indexlen else table.endofdata
    return SegmentTerms(table.dbfile.get(start, end - start), starts, start)


def _first_at_or_after(table: OrderedHashReader, key: bytes) -> int:
    """The place in the file's array of key positions of the first key that is ``key`` or after
    it (``table.closest_key_pos``'s search, giving the place rather than the position)."""
    return bisect_left(_KeyPositions(table), key)


class _KeyPositions(Sequence[bytes]):
    """The keys of an ordered hash file in order, each read when asked for."""

    def __init__(self, table: OrderedHashReader) -> None:
        self._table = table

    def __len__(self) -> int:
        return int(self._table.indexlen)

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        table = self._table
        return bytes(table.key_at(table._get_pos(table.indexbase + i * table.indexsize)))
