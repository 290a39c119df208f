"""A segment's term look-ups and postings matchers with less of Whoosh's machinery.

A search looks each (term, segment) up several times: whether it is there, its document
frequency (the size estimates that shape AND and OR trees ask once per level), its postings.
Through Whoosh each goes through the reader, the schema (field checks, the text to bytes again)
and the term reader's key coding, ~5-15 us apiece, and a postings matcher reads the postings
header and its first block's header with a seek and a read each (~30 us): a wildcard's hundred
(term, segment) pairs or an OR of three words in two fields over ten segments pay a good part of
their search there. These read the same records straight from whoosh3's term file and postings
file (the version is pinned); a reader they do not know (another codec) goes through Whoosh.
"""

from __future__ import annotations

import struct
from pickle import loads
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermsReader
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.query.wrappers import WrappingQuery
from whoosh.reading import IndexReader, SegmentReader
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from archive.search.phrase import ExactPhrase

# whoosh3's term info record (W3TermInfo._struct): flags (1 if the postings are inlined),
# total weight, document frequency, min and max length bytes, max weight, first and last id;
# then the postings' offset and length in the postings file (``_EXTENT``), or the inlined
# postings pickled (which whoosh3 never writes with its default inlinelimit, 1).
_TERM_INFO = struct.Struct("!BfIBBfII")
_EXTENT = struct.Struct("!qi")  # a term info record's postings offset and length
_BLOCK_LENGTH = struct.Struct("!i")
# A block's info, pickled (protocol 2): (postings, last id, max weight, compression, min and
# max length bytes), each a small int (K, M, J: 1, 2 or 4 bytes), a float (G, 8) or None (N),
# then memoized and stopped: 3 + 6 * 9 + 4 bytes at most.
_INFO_MAX = 61
_INFO_SIZES = {ord("K"): 1, ord("M"): 2, ord("J"): 4, ord("G"): 8, ord("N"): 0}


def w3_terms(reader: IndexReader) -> W3TermsReader | None:
    """The whoosh3 term reader of a segment's reader; ``None`` for any other reader."""
    if type(reader) is not SegmentReader:
        return None
    terms = reader._terms
    return terms if type(terms) is W3TermsReader else None


def term_record(terms: W3TermsReader, fieldname: str, text: bytes) -> bytes | None:
    """The term's info record (``_TERM_INFO`` and what follows it), ``None`` if the segment does
    not hold the term: one look-up of its key (which the search's ``_TermLookups`` remembers)."""
    number = terms._fieldmap.get(fieldname)
    if number is None:
        return None
    for datapos, datalen in terms._tindex.ranges_for_key(pack_ushort(number) + text):
        return terms._dbfile.get(datapos, datalen)
    return None


def doc_frequency(reader: IndexReader, fieldname: str, text: bytes) -> int:
    """``reader.doc_frequency(fieldname, text)`` of an indexed field's term, given as bytes."""
    terms = w3_terms(reader)
    if terms is None:
        return reader.doc_frequency(fieldname, text)
    record = term_record(terms, fieldname, text)
    return 0 if record is None else _TERM_INFO.unpack_from(record)[2]


def estimate_size(reader: IndexReader, query: wq.Query, above: int | None = None) -> int:
    """``query.estimate_size(reader)``, the terms of terms, exact phrases, their ORs and ANDs and
    the queries wrapping them (constant scores, date filters) looked up as ``doc_frequency`` does.

    With ``above``, an OR's sum stops once it is over ``above``: the size is then some number
    over ``above`` and at most the size (a date filter's dozens of calendar periods need not all
    be looked up to know it is larger than the word it filters)."""
    kind = type(query)
    if kind is wq.Term or kind is ExactPhrase:
        try:
            field = reader.schema[query.fieldname]
        except KeyError:  # Term.estimate_size's 0; ExactPhrase's raises
            return query.estimate_size(reader)
        if field.format is None:  # whoosh's doc_frequency refuses it
            return query.estimate_size(reader)
        if kind is ExactPhrase:
            return min(doc_frequency(reader, query.fieldname, field.to_bytes(term)) for term, _ in query.parts)
        try:
            text = field.to_bytes(query.text)
        except ValueError:
            return 0
        return doc_frequency(reader, query.fieldname, text)
    if kind is wq.Or or kind is PreloadedOr:  # CompoundQuery.estimate_size
        total = 0
        for q in query.subqueries:
            total += estimate_size(reader, q)
            if above is not None and total > above:
                break
        return min(total, reader.doc_count())
    if kind is wq.And:
        return min(estimate_size(reader, q) for q in query.subqueries)
    if kind.estimate_size is WrappingQuery.estimate_size:  # e.g. a date filter: its child's
        return estimate_size(reader, query.child, above)
    return query.estimate_size(reader)


def postings(reader: IndexReader, fieldname: str, text: bytes) -> tuple[Any, frozenset[int]] | None:
    """The term's postings matcher, unwrapped, and the segment's deleted documents, which
    ``reader.postings`` would wrap it to skip; ``None`` if the segment does not hold the term.
    A whoosh3 segment's matcher is made by ``leaf_matcher``, others by Whoosh."""
    terms = w3_terms(reader)
    record = None if terms is None else term_record(terms, fieldname, text)
    if terms is None or (record is not None and record[0]):  # not whoosh3's, or postings inlined
        if (fieldname, text) not in reader:
            return None
        matcher = reader.postings(fieldname, text)
        if type(matcher) is FilterMatcher and matcher._exclude:
            deleted, matcher = frozenset(matcher._ids), matcher.child
            matcher.reset()  # the filter has already stepped past deleted documents at the start
            return matcher, deleted
        return matcher, frozenset()
    if record is None:
        return None
    offset, length = _EXTENT.unpack_from(record, _TERM_INFO.size)
    matcher = leaf_matcher(terms._postfile, offset, length, reader.schema[fieldname].format, (fieldname, text))
    return matcher, reader.deleted_docs_set


def leaf_matcher(postfile: Any, offset: int, length: int, format_: Any, term: tuple[str, bytes]) -> W3LeafMatcher:
    """``W3LeafMatcher(postfile, offset, length, format_, term=term)``, its postings header and
    first block header read with one ``postfile.get`` (a slice of the file's map) rather than
    seeks and reads of the file; a header not laid out as expected is read by Whoosh."""
    head = postfile.get(offset, 8 + _INFO_MAX)
    end = info_end(head, 8)
    if head[:4] != WHOOSH3_HEADER_MAGIC or end < 0:
        return W3LeafMatcher(postfile, offset, (length,), format_, term=term)
    (block_length,) = _BLOCK_LENGTH.unpack_from(head, 4)
    blocklength, maxid, maxweight, compression, minlength, maxlength = loads(head[8:end])
    matcher = W3LeafMatcher.__new__(W3LeafMatcher)
    # __init__'s attributes, then _read_header's, reset's and _goto's for the first block.
    matcher._postfile = postfile
    matcher._startoffset = offset
    matcher._length = (length,)  # as whoosh3's W3TermInfo.from_bytes leaves it
    matcher.format = format_
    matcher._term = term
    matcher._byteids = None
    matcher.scorer = None
    matcher._fixedsize = format_.fixed_value_size()
    matcher._baseoffset = offset + 4
    matcher._atend = False
    matcher._data = matcher._ids = matcher._weights = matcher._values = None
    matcher._i = 0
    matcher._lastblock = block_length < 0
    matcher._nextoffset = offset + 8 + abs(block_length)
    matcher._dataoffset = offset + end
    matcher._blocklength = blocklength
    matcher._maxid = maxid
    matcher._maxweight = maxweight
    matcher._compression = compression
    matcher._minlength = byte_to_length(minlength)
    matcher._maxlength = byte_to_length(maxlength)
    return matcher


def info_end(data: bytes, pos: int) -> int:
    """Where the pickled block info starting at ``pos`` ends; -1 if it is not one."""
    if data[pos : pos + 3] != b"\x80\x02(":
        return -1
    pos += 3
    for _ in range(6):
        size = _INFO_SIZES.get(data[pos]) if pos < len(data) else None
        if size is None:
            return -1
        pos += 1 + size
    return pos + 4 if data[pos : pos + 4] == b"tq\x00." else -1
