"""Per-document column values read in bulk and kept per segment reader (so per index snapshot)."""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import columns
from whoosh.reading import IndexReader

from archive.search.lazy_numpy import np


def per_reader(cache: WeakKeyDictionary[IndexReader, dict[Any, Any]], reader: IndexReader, key: Any,
               compute: Callable[[], Any]) -> Any:
    """``compute()`` once per segment reader (so per index snapshot) and ``key``; a None result
    is not kept."""
    values = cache.setdefault(reader, {})
    if key not in values:
        value = compute()
        if value is None:
            return None
        values[key] = value
    return values[key]


def written_lengths(column_reader: Any) -> array | None:
    """The document lengths at the end of a whoosh variable-length column (``column_reader``: one
    of its readers), or None when the column holds its offsets too (marked "X")."""
    lastbyte = column_reader._basepos + column_reader._length - 1
    code = chr(column_reader._dbfile.get_byte(lastbyte))
    if code == "X":
        return None
    doccount = column_reader._doccount
    return column_reader._dbfile.get_array(lastbyte - struct.calcsize(code) * doccount, code, doccount)


def running_sums(lengths: Iterable[int]) -> array:
    """0 and the running sums of ``lengths``, in C: each document's offset, then the end."""
    return array("L", accumulate(lengths, initial=0))


class _VarBytes(columns.VarBytesColumn):
    """whoosh's variable-length column, read as whoosh reads it except for the offsets."""

    class Reader(columns.VarBytesColumn.Reader):
        def _read_offsets_and_lengths(self) -> None:
            """Each document's offset as the running sum of the lengths before it, in C.

            whoosh sums them in a Python loop over every document of the segment when the reader
            opens (segments of fewer than 32,768 documents store no offsets): ~2 ms per segment of
            20,000 and column, paid by the first date-sorted or faceted search of a process."""
            lengths = written_lengths(self)
            if lengths is None:  # the offsets were written: whoosh reads them in one go
                super()._read_offsets_and_lengths()
                return
            self._lengths = lengths
            self._offsets = running_sums(lengths)[:-1]


def open_column(reader: IndexReader, fieldname: str, reverse: bool = False) -> Any:
    """``reader.column_reader(fieldname, reverse=reverse, translate=False)``, a variable-length
    column's opened by ``_VarBytes``."""
    column = None
    if type(reader.schema[fieldname].column_type) is columns.VarBytesColumn:
        column = _VarBytes()
    return reader.column_reader(fieldname, column, reverse=reverse, translate=False)


def asked_before(asked: WeakKeyDictionary[IndexReader, set[Any]] | WeakKeyDictionary[IndexReader, set[str]],
                 reader: IndexReader, key: Any) -> bool:
    """Whether ``key`` was asked about for this segment reader before (and note that it now was)."""
    keys = asked.setdefault(reader, set())
    if key in keys:
        return True
    keys.add(key)
    return False


def column_keys(column: Any) -> list[Any]:
    """``column.sort_key(docnum)`` for every document of the segment, in one read where whoosh3's
    column reader would seek and read once per document (~1 us each, for every match of every
    faceted or date-sorted search): a variable-length column's values sliced from its data, a
    numeric column's unpacked at once (negated if reversed, as its ``sort_key`` does)."""
    if type(column) in (columns.VarBytesColumn.Reader, _VarBytes.Reader):
        data = column._dbfile.get(column._basepos, column._length)
        return [data[start : start + length] if length else b"" for start, length in zip(column._offsets, column._lengths)]
    if type(column) is columns.NumericColumn.Reader:
        stored = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        values = [value for (value,) in struct.iter_unpack("!" + column._typecode, stored)]
        values += [column._default] * (column._doccount - column._count)
        return [0 - value for value in values] if column._reverse else values
    return [column.sort_key(docnum) for docnum in range(len(column))]


def column_keys_at(column: Any, docnums: Iterable[int]) -> list[Any]:
    """``[column.sort_key(docnum) for docnum in docnums]``, read as ``column_keys`` reads them:
    the column's data in one read, each document's value sliced or unpacked from it (where
    whoosh3's reader would seek and read once per document, ~10 us each through its layers)."""
    if type(column) in (columns.VarBytesColumn.Reader, _VarBytes.Reader):
        data = column._dbfile.get(column._basepos, column._length)
        offsets, lengths = column._offsets, column._lengths
        return [data[offsets[d] : offsets[d] + lengths[d]] if lengths[d] else b"" for d in docnums]
    if type(column) is columns.NumericColumn.Reader:
        count, size = column._count, column._fixedlen
        stored = column._dbfile.get(column._basepos, count * size)
        unpack = struct.Struct("!" + column._typecode).unpack_from
        default = column._default
        values = [unpack(stored, d * size)[0] if d < count else default for d in docnums]
        return [0 - value for value in values] if column._reverse else values
    return [column.sort_key(docnum) for docnum in docnums]


# Variable-length values up to this many bytes are coded by numpy (a segment's source names,
# years, "dated" flags: a few bytes each); longer ones in Python.
CODES_MAX_WIDTH = 32


@lru_cache(maxsize=1)
def _word_masks() -> np.ndarray:
    """For k = 0..8: a 64-bit word's first k bytes (big-endian) kept, the others cleared."""
    return np.array([(2**64 - 1) ^ (2 ** (64 - 8 * k) - 1) for k in range(9)], np.uint64)


def column_codes(column: Any) -> tuple[np.ndarray, list[Any]] | None:
    """Each document's ``column.sort_key`` of a variable-length column as a code into ``keys``,
    the segment's distinct keys in ascending order: ``keys[codes[docnum]] == column.sort_key(docnum)``,
    so codes order documents as their keys do. Read with numpy, where ``column_keys`` makes a
    Python object per document (~5 ms a column of a segment of 20,000). ``None`` for a column of
    another kind."""
    if type(column) not in (columns.VarBytesColumn.Reader, _VarBytes.Reader):
        return None
    lengths = np.asarray(column._lengths).astype(np.int64, copy=False)
    offsets = np.asarray(column._offsets).astype(np.int64, copy=False)
    data = np.frombuffer(column._dbfile.get(column._basepos, column._length), np.uint8)
    width = int(lengths.max()) if len(lengths) else 0
    if width == 0:
        return np.zeros(len(lengths), np.int64), [b""] if len(lengths) else []
    # A value's bytes as big-endian words, zero-padded: words order values as bytes compare,
    # except that a value ending in NUL would tie with the same value without it.
    ends_in_nul = bool((data[(offsets + lengths - 1)[lengths > 0]] == 0).any())
    if width > CODES_MAX_WIDTH or ends_in_nul:
        keys = column_keys(column)
        distinct = sorted(set(keys))
        code_of = {key: code for code, key in enumerate(distinct)}
        return np.fromiter(map(code_of.__getitem__, keys), np.int64, len(keys)), distinct
    count = -(-width // 8)
    padded = np.concatenate([data, np.zeros(8 * count, np.uint8)])  # a word read past the end stays in
    # The big-endian word starting at each byte: a view, one byte apart.
    at_byte = np.ndarray((len(padded) - 7,), ">u8", padded, strides=(1,))
    words = np.empty((count, len(lengths)), np.uint64)
    for n in range(count):
        words[n] = at_byte[offsets + 8 * n] & _word_masks()[np.clip(lengths - 8 * n, 0, 8)]  # the value's bytes only
    order = np.lexsort(words[::-1])  # lexsort's last key sorts first: the first word
    ordered = words[:, order]
    first = np.ones(len(order), bool)
    first[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    codes = np.empty(len(order), np.int64)
    codes[order] = np.cumsum(first) - 1
    firsts = order[first].tolist()
    keys = [data[offsets[d] : offsets[d] + lengths[d]].tobytes() for d in firsts]
    return codes, keys


def column_order(column: Any) -> np.ndarray | None:
    """An array that orders a segment's documents as ``column.sort_key`` orders them: a numeric
    column's values (bitwise negated when reversed: ``~`` reverses the order of integers without
    overflow), a variable-length column's codes (``column_codes``); ``None`` for other columns."""
    if type(column) is not columns.NumericColumn.Reader:
        coded = column_codes(column)
        return None if coded is None else coded[0]
    count, doccount = column._count, column._doccount
    values = np.frombuffer(column._dbfile.get(column._basepos, count * column._fixedlen),
                           np.dtype(column._typecode).newbyteorder(">"))
    if doccount > count:
        values = np.concatenate([values, np.full(doccount - count, column._default, values.dtype)])
    if not column._reverse:
        return values
    return ~values if values.dtype.kind in "iu" else -values


# Per segment reader: field -> each document's column value.
_VALUES: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


def column_values(reader: IndexReader, fieldname: str) -> list[Any] | None:
    """Each document's value in the field's column as stored (for a DATETIME, Whoosh's long;
    the column's default where a document has none), or ``None`` if the field has no column."""
    if not reader.has_column(fieldname):
        return None
    return per_reader(_VALUES, reader, fieldname,
                      lambda: column_keys(open_column(reader, fieldname)))
