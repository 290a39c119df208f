"""Per-document column values read in bulk and kept per segment reader (so per index snapshot)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import columns
from whoosh.reading import IndexReader


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


def column_keys(column: Any) -> list[Any]:
    """``column.sort_key(docnum)`` for every document of the segment, in one read where whoosh3's
    column reader would seek and read once per document (~1 us each, for every match of every
    faceted or date-sorted search): a variable-length column's values sliced from its data, a
    numeric column's unpacked at once (negated if reversed, as its ``sort_key`` does)."""
    if type(column) is columns.VarBytesColumn.Reader:
        data = column._dbfile.get(column._basepos, column._length)
        return [data[start : start + length] if length else b"" for start, length in zip(column._offsets, column._lengths)]
    if type(column) is columns.NumericColumn.Reader:
        stored = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        values = [value for (value,) in struct.iter_unpack("!" + column._typecode, stored)]
        values += [column._default] * (column._doccount - column._count)
        return [0 - value for value in values] if column._reverse else values
    return [column.sort_key(docnum) for docnum in range(len(column))]


# Per segment reader: field -> each document's column value.
_VALUES: WeakKeyDictionary[IndexReader, dict[Any, Any]] = WeakKeyDictionary()


def column_values(reader: IndexReader, fieldname: str) -> list[Any] | None:
    """Each document's value in the field's column as stored (for a DATETIME, Whoosh's long;
    the column's default where a document has none), or ``None`` if the field has no column."""
    if not reader.has_column(fieldname):
        return None
    return per_reader(_VALUES, reader, fieldname,
                      lambda: column_keys(reader.column_reader(fieldname, translate=False)))
