"""A posting pool for Whoosh's segment writer that keeps postings grouped by term.

Whoosh's own pool (``whoosh.writing.PostingPool``) keeps one ``(field, term, docnum, weight,
value)`` tuple per posting, sorts them all at commit (spilling sorted runs to disk past its
memory limit and merging them back) and then writes them one ``add_posting`` call at a time:
on Reuters that commit was ~60% of the index time, and the tuples ~200 bytes a posting.

This pool appends each posting to its term's arrays as it is added. Documents arrive in
document-number order, so each term's postings are already in order; the commit only sorts the
terms and hands Whoosh's own block writer (``W3PostingsWriter._write_block``) a block of postings
at a time. The files written are byte for byte those Whoosh's pool gives (tests compare them).

Past ``limit`` bytes (an estimate) the terms are written to a temporary run file, sorted, and the
runs are merged term by term at the commit, so memory stays bounded on a rebuild of a big archive.
"""

from __future__ import annotations

import heapq
import io
import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

# (docnums, weights, values) of one term, in document order.
Entry = tuple[array, array, list]

_TERM_COST = 300  # estimated bytes of a term's key, arrays, list and dict slot
_POSTING_COST = 20  # two array items and a list slot (values are mostly shared objects)


def _new_entry() -> Entry:
    return (array("I"), array("d"), [])


class TermPool:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.fields: dict[str, dict[bytes, Entry]] = {}
        self.fieldnames: set[str] = set()  # as Whoosh's pool, for its multiprocessing writer
        self._runs: list[IO[bytes]] = []
        self._unordered = False  # some term got a docnum below its last one (see ``add``)

    # ------------------------------------------------------------ adding

    def add_field(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, bytes | None]],
                  boost: float, scorable: bool) -> int:
        """Add one document's postings of one field; returns the field length (sum of frequencies)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = 0
        added = 0
        new_terms = 0
        for tbytes, freq, weight, vbytes in items:
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), [])
                new_terms += len(tbytes) + _TERM_COST
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            entry[2].append(vbytes or b"")
            length += freq
            added += 1
        self.size += new_terms + added * _POSTING_COST
        if self.size > self.limit:
            self._save_run()
        return length if scorable else 0

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting, as Whoosh's pool takes it (used when segments are merged into the writer)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = _new_entry()
            self.size += len(tbytes) + _TERM_COST
        elif entry[0] and entry[0][-1] > docnum:
            self._unordered = True
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes or b"")
        self.size += _POSTING_COST
        if self.size > self.limit:
            self._save_run()

    # ------------------------------------------------------------ reading back

    def _memory_terms(self) -> Iterator[tuple[tuple[str, bytes], Entry]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                entry = terms[tbytes]
                if self._unordered:
                    entry = _in_order(entry)
                yield (fieldname, tbytes), entry

    def _save_run(self) -> None:
        run = tempfile.TemporaryFile(prefix="archive-postings-", suffix=".run")
        # One pickle per term: one pickler for the whole run would keep every value alive in its
        # memo, and so would the unpickler reading it back.
        for key, (ids, weights, values) in self._memory_terms():
            pickle.dump((key, ids.tobytes(), weights.tobytes(), values), run, pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, run)
        run.flush()
        self._runs.append(run)
        self.fields = {}
        self.size = 0
        self._unordered = False

    def terms(self) -> Iterator[tuple[str, bytes, Entry]]:
        """Every term in (field, term) order with all its postings in document order."""
        if not self._runs:
            for (fieldname, tbytes), entry in self._memory_terms():
                yield fieldname, tbytes, entry
            return
        # Runs hold earlier documents than later runs and than memory: concatenating a term's
        # parts in that order keeps its postings in document order.
        sources = [_read_run(run, number) for number, run in enumerate(self._runs)]
        memory = len(self._runs)
        sources.append(((key, memory, entry) for key, entry in self._memory_terms()))
        current: tuple[str, bytes] | None = None
        merged: Entry = _new_entry()
        for key, _, (ids, weights, values) in heapq.merge(*sources, key=lambda part: part[:2]):
            if key != current:
                if current is not None:
                    yield current[0], current[1], merged
                current, merged = key, _new_entry()
            merged[0].extend(ids)
            merged[1].extend(weights)
            merged[2].extend(values)
        if current is not None:
            yield current[0], current[1], merged

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """All postings in Whoosh's pool order (field, term, docnum), as Whoosh's pool gives them."""
        for fieldname, tbytes, (ids, weights, values) in self.terms():
            for docnum, weight, vbytes in zip(ids, weights, values):
                yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []
        self.fields = {}

    # ------------------------------------------------------------ writing

    def write(self, fieldwriter: Any, schema: Any, lengths: Any) -> None:
        """Write every term's postings through a whoosh3 ``W3FieldWriter``.

        Each term's blocks are encoded by Whoosh's own posting writer (a block at a time, where
        ``FieldWriter.add_postings`` makes one ``add_posting`` call per posting) into a scratch
        file, then copied to the segment's postings file in term order and the term's info
        added: the blocks, their statistics and the term infos come out as Whoosh makes them.
        Encoding is most of a commit, and a term's bytes do not depend on where they go, so a
        pool in memory is encoded on every core (archive.parallel); one spilled to run files
        is encoded here as its terms stream in.
        """
        fieldnames = sorted(self.fieldnames)
        formats = {name: schema[name].format for name in fieldnames}
        field_lengths = {name: lengths.field_lengths(name) if lengths is not None else None for name in fieldnames}
        codec = fieldwriter._codec

        def encode(terms: Sequence[tuple[str, bytes, Entry]]) -> list[tuple[Any, bytes]]:
            return _encode_terms(codec, formats, field_lengths, terms)

        if self._runs:
            encoded = (item for chunk in _chunks(self.terms(), _STREAM_CHUNK) for item in zip(chunk, encode(chunk)))
        else:
            from archive.parallel import map_shares_forked  # (only a commit needs it)

            terms = list(self.terms())
            encoded = zip(terms, map_shares_forked(encode, terms))
        _write_encoded(fieldwriter, schema, ((f, t, info, data) for (f, t, _), (info, data) in encoded))


# Terms encoded at a time from a spilled pool (its run files are merged as they are read).
_STREAM_CHUNK = 4096


def _chunks(items: Iterable[tuple[str, bytes, Entry]], size: int) -> Iterator[list[tuple[str, bytes, Entry]]]:
    chunk: list[tuple[str, bytes, Entry]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _encode_terms(codec: Any, formats: dict[str, Any], field_lengths: dict[str, list[int | None] | None],
                  terms: Sequence[tuple[str, bytes, Entry]]) -> list[tuple[Any, bytes]]:
    """Each term's info and the bytes of its postings, as a whoosh3 posting writer writes them."""
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.filedb.structfile import StructFile

    scratch = StructFile(io.BytesIO())
    postwriter = codec.postings_writer(scratch)
    blocklimit = postwriter._blocklimit
    spans: list[tuple[Any, int, int]] = []
    for fieldname, _, (ids, weights, values) in terms:
        start = scratch.tell()
        postwriter.start_postings(formats[fieldname], W3TermInfo())
        doc_lengths = field_lengths[fieldname]
        count = len(ids)
        for first in range(0, count, blocklimit):
            end = first + blocklimit
            block_ids = ids[first:end]
            block_weights = weights[first:end]
            postwriter._ids = block_ids
            postwriter._weights = array("f", block_weights)
            postwriter._values = [v for v in values[first:end] if v]
            postwriter._maxweight = max(0, max(block_weights))
            if doc_lengths is None:
                postwriter._minlength, postwriter._maxlength = None, 0
            else:
                known = [doc_lengths[d] for d in block_ids]
                known = [n for n in known if n]
                postwriter._minlength = min(known) if known else None
                postwriter._maxlength = max(known) if known else 0
            if end < count:  # Whoosh writes a full block when the next posting arrives
                postwriter._write_block()
        info = postwriter.finish_postings()  # (writes the last block)
        spans.append((info, start, scratch.tell()))
    data = scratch.file.getvalue()
    return [(info, data[start:end]) for info, start, end in spans]


def _write_encoded(fieldwriter: Any, schema: Any, encoded: Iterable[tuple[str, bytes, Any, bytes]]) -> None:
    """Copy encoded terms (in field and term order) to the segment: what ``finish_term`` does,
    with the term's postings placed where the postings file ends now."""
    from whoosh.system import pack_ushort

    postfile = fieldwriter._postfile
    lastfield = None
    for fieldname, tbytes, info, data in encoded:
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lastfield = fieldname
        if not info.is_inlined():
            info.set_extent(postfile.tell(), len(data))
            postfile.write(data)
        fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, info.to_bytes())
    if lastfield is not None:
        fieldwriter.finish_field()


def _in_order(entry: Entry) -> Entry:
    ids, weights, values = entry
    if all(a <= b for a, b in zip(ids, ids[1:])):
        return entry
    order = sorted(range(len(ids)), key=ids.__getitem__)  # stable: equal docnums keep their order
    return (array("I", [ids[i] for i in order]), array("d", [weights[i] for i in order]),
            [values[i] for i in order])


def _read_run(run: IO[bytes], number: int) -> Iterator[tuple[tuple[str, bytes], int, Entry]]:
    run.seek(0)
    while True:
        item = pickle.load(run)
        if item is None:
            return
        key, ids, weights, values = item
        entry = (array("I"), array("d"), values)
        entry[0].frombytes(ids)
        entry[1].frombytes(weights)
        yield key, number, entry
