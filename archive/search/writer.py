"""The index's segment writer, for ingests and rebuilds (a search does not import this module,
nor Whoosh's writing modules: ``index._open_writer`` imports it)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.base import WrappingCodec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3Segment
from whoosh.util import IDCHARS
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from archive.search.index import byte_column
from archive.search.pool import TermPool
from archive.search.schema import Text, new_index_schema


class PooledSegmentWriter(SegmentWriter):
    """Whoosh's writer with a faster posting pool and commit; the files it writes are the same.

    - Postings go to a :class:`~archive.search.pool.TermPool` (grouped by term as they are added)
      instead of Whoosh's pool of one tuple per posting that the commit sorts and writes one
      posting at a time; the commit writes each term's postings a block at a time.
    - Field lengths are read from memory while writing postings: whoosh3 reads the new segment's
      length column one byte per call (seek + read); it is one byte per document, so it is read
      whole once per field instead.

    Fields with term vectors or separate spelling words (none in this schema) keep Whoosh's pool.
    """

    def __init__(self, ix: whoosh_index.FileIndex, **kwargs: Any) -> None:
        kwargs.setdefault("codec", _FreshlyNamedSegments(W3Codec()))
        super().__init__(ix, **kwargs)
        limit = kwargs.get("limitmb", 128) * 1024 * 1024
        fields = self.schema.items()
        if not any(field.vector or field.separate_spelling() for _, field in fields):
            self.pool = TermPool(limit)
        # Fields whose postings a document may bring along (``_postings``, made by
        # ``schema.analyse`` under the schema of a new index): those this index analyses alike.
        new = new_index_schema()
        self._analysed_alike = frozenset(
            name for name, field in fields
            if isinstance(field, Text) and name in new.names() and field.analyses_like(new[name]))

    def add_document(self, **fields: Any) -> None:
        pool = self.pool
        if not isinstance(pool, TermPool):
            return super().add_document(**fields)
        # Whoosh's SegmentWriter.add_document without vectors and spelling words, handing each
        # field's postings to the pool in one call.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        analysed = fields.get("_postings") or {}
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    postings = analysed.get(fieldname) if fieldname in self._analysed_alike else None
                    length = pool.add_field(fieldname, docnum, field.index(value) if postings is None else postings,
                                            fieldboost, field.scorable)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        pool = self.pool
        if not isinstance(pool, TermPool):
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        pool.write(self.fieldwriter, self.schema, lengths)
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def per_document_reader(self) -> object:
        return _LengthsInMemory(super().per_document_reader())


class _FreshlyNamedSegments(WrappingCodec):
    """whoosh3, with new segments named from the system's randomness.

    Whoosh names a segment with the ``random`` module, whose state is the program's: a program
    that seeds it (a researcher's script for a reproducible sample; hypothesis, before every test
    case) makes two writers draw the same name, and the second segment's files overwrite the first
    one's, which the table of contents still lists (documents lost from the index, then a terms
    file it cannot read). The segment made here is a plain ``W3Segment`` holding the plain codec,
    so tables of contents pickle as Whoosh's own."""

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        while True:
            segid = "".join(secrets.choice(IDCHARS) for _ in range(SEGMENT_ID_CHARS))
            prefix = f"{indexname}_{segid}."
            if not any(name.startswith(prefix) for name in storage.list()):
                return W3Segment(self._child, indexname, segid=segid)


SEGMENT_ID_CHARS = 16  # as Whoosh's own (IDCHARS: what its file-name patterns accept)

_LENGTHS = [byte_to_length(b) if b else None for b in range(256)]


class _LengthsInMemory:
    def __init__(self, reader: object) -> None:
        self._reader = reader

    def __getattr__(self, name: str) -> object:
        return getattr(self._reader, name)

    def doc_field_length_reader(self, fieldname: str, default: int = 0) -> Callable[[int], int | None]:
        lenfield = f"_{fieldname}_len"  # whoosh3's name for a field's length column
        reader = self._reader
        if not reader.has_column(lenfield):  # type: ignore[attr-defined]
            return lambda docnum: default
        column = reader.column_reader(lenfield, LENGTHS_COLUMN)  # type: ignore[attr-defined]
        return [_LENGTHS[b] for b in byte_column(column)].__getitem__

    def field_lengths(self, fieldname: str) -> list[int | None] | None:
        """Each document's length of ``fieldname`` (as the column stores it), None without a column."""
        lenfield = f"_{fieldname}_len"
        reader = self._reader
        if not reader.has_column(lenfield):  # type: ignore[attr-defined]
            return None
        column = reader.column_reader(lenfield, LENGTHS_COLUMN)  # type: ignore[attr-defined]
        return [_LENGTHS[b] for b in byte_column(column)]
