"""Read input files (text, HTML, JSON, JSON Lines, WARC, any of them gzipped) into :class:`RawRecord`s.

Input problems never raise: each one becomes a :class:`RecordFailure` in the stream, so one bad
file or line costs that file or line only. Large inputs are streamed (JSON Lines line by line,
gzip through a size cap) so a 500 MB file or a gzip bomb does not fill memory.
"""

from __future__ import annotations

import csv
import dataclasses
import email.message
import email.utils
import gzip
import hashlib
import io
import itertools
import json
import os
import re
import sys
import warnings
import xml.sax
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO
from urllib.parse import urljoin

import dateutil.parser

from archive.ingest import markup
from archive.ingest.records import RawRecord, RecordFailure
from archive.ingest.sites import archived_url, host_of, names_host_of, site_of
from archive.ingest.textdetect import (GZIP_MAGIC, WARC_MAGIC, UndecodableError, decode_text, packed_kind,
                                      sniff_format, stream_encoding, wide_encoding)
from archive.names import readable

MiB = 1024 * 1024
STDIN = "-"

_EXTENSIONS = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".warc": "warc",
    ".wacz": "wacz",  # a web archive as Webrecorder packages it: WARC files in a zip
    ".csv": "csv", ".tsv": "tsv",
    ".mhtml": "mhtml", ".mht": "mhtml",
    ".rss": "feed", ".atom": "feed",
    ".xml": "xml",  # read when its content is a feed (see textdetect.sniff_format)
}
# Tables: one article a row, the header naming the fields as JSON's keys do.
_DELIMITERS = {"csv": ",", "tsv": "\t"}
# What a ".csv" may be separated by: a spreadsheet saved where the comma is the decimal mark
# (European Excel) writes semicolons, and some tools tabs or bars. The first is the default.
_CSV_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024

# JSON field names we understand, by the RawRecord field they fill; the first one present wins.
# Names match whatever their case, underscores, hyphens and spaces (_folded): the exports of news APIs,
# scrapers and feeds spell one field many ways (NewsAPI's "publishedAt", JSON Feed's
# "date_published" and "content_text", schema.org's "datePublished" and "articleBody").
_TITLE_KEYS = ("title", "headline")
_TEXT_KEYS = ("text", "body", "maintext", "content", "article", "article_body", "content_text", "content_html",
              "full_text")
_DATE_KEYS = ("published", "date", "date_publish", "published_at", "pubdate", "date_published", "publish_date",
              "publication_date")
_URL_KEYS = ("url", "link")
_SOURCE_KEYS = ("source", "source_domain", "site", "publisher", "site_name", "outlet", "publication", "source_name")
_AUTHOR_KEYS = ("author", "authors", "byline")
_ID_KEYS = ("id", "_id", "guid")
_LANGUAGE_KEYS = ("language", "lang")


def _folded(key: str) -> str:
    """A field name as compared: without case, underscores, hyphens or spaces (publishedAt =
    published_at = a spreadsheet's "Published At")."""
    return "".join(key.lower().split()).replace("_", "").replace("-", "")


_KNOWN_KEYS = frozenset(_folded(key) for key in
    _TITLE_KEYS + _TEXT_KEYS + _DATE_KEYS + _URL_KEYS + _SOURCE_KEYS + _AUTHOR_KEYS + _ID_KEYS + _LANGUAGE_KEYS)
_TEXT_FOLDED = frozenset(_folded(key) for key in _TEXT_KEYS)


def _names_a_text(names: Iterable[str]) -> bool:
    """Whether one of these field names (a JSON object's keys, a table's header) is a text field."""
    return any(_folded(name) in _TEXT_FOLDED for name in names)
# Each RawRecord field's names, folded once.
_FIELD_NAMES = tuple((group, tuple(dict.fromkeys(map(_folded, keys)))) for group, keys in (
    ("title", _TITLE_KEYS), ("text", _TEXT_KEYS), ("date", _DATE_KEYS), ("url", _URL_KEYS),
    ("source", _SOURCE_KEYS), ("author", _AUTHOR_KEYS), ("id", _ID_KEYS), ("language", _LANGUAGE_KEYS)))
# An object without text that holds its articles under one of these keys is a container.
_LIST_KEYS = ("articles", "items", "data", "records", "results", "documents", "docs", "entries", "posts", "stories")
# So is one holding such a container under one of these: an API's envelope around its page of
# articles ({"data": {"articles": [...]}}, the Guardian's {"response": {"results": [...]}}, Event
# Registry's {"articles": {"results": [...]}}). One envelope deep only: a list further down is more
# likely some field of one article than the articles.
_ENVELOPE_KEYS = (*_LIST_KEYS, "response", "result")

# trafilatura metadata that is either a RawRecord field already, the text itself, or not about the page.
_HTML_SKIPPED_META = frozenset(
    {"title", "author", "url", "date", "language", "sitename", "text", "raw_text", "body", "comments", "commentsbody",
     "filedate"}
)

_EPOCH = re.compile(r"[+-]?\d{9,13}(\.\d+)?")
_MIN_EPOCH = 1e8  # 1973; the epoch pattern above also wants 9+ digits
# A year alone, as an export writes a date it knows no better than that ("2024", or 2024).
_YEAR = re.compile(r"\d{4}")
# Epoch numbers past the last second of year 9999 are milliseconds; those below 1e11 (year 5138
# in seconds, March 1973 in milliseconds) seconds; between the two, either is possible.
_MS_EPOCH_ABOVE = 253402300799
_SECONDS_EPOCH_BELOW = 1e11
# A time zone named in letters at the end of a date ("22:00 EST", "00:30:00 CET", "(UTC)"),
# and the offsets of the names that mean one zone only; IST (India, Israel, Ireland), BST
# (British summer, Bangladesh) and other names leave a date without a numeric offset unreadable.
_ZONE_NAME = re.compile(r"\s*\(?\b([A-Z]{1,5})\)?\s*$")
_NOT_ZONES = frozenset({"AM", "PM", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "SEPT", "OCT",
                        "NOV", "DEC", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"})
_ZONE_HOURS = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "WET": 0, "WEST": 1, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12,
    "NZDT": 13, "MSK": 3, "SGT": 8, "HKT": 8,
}
_ZONE_SECONDS = {name: int(hours * 3600) for name, hours in _ZONE_HOURS.items()}
# A day and a month in figures before the year ("04.03.2021", "05/04/21"). Dotted, the day comes
# first wherever dates are so written; slashed or dashed, 05/04/2021 is 5 April in London and
# May 4 in New York, so unless one number cannot be a month (25/04/2021), no order is guessed.
_DATE_IN_FIGURES = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d./-])")
# RFC 2822's day, month and year ("Sat, 01 Jan 0099"), for the year as written.
_RFC2822_YEAR = re.compile(r"(?:[A-Za-z]+,?\s+)?\d{1,2}\s+[A-Za-z]+\.?\s+(\d+)\b")
# Publication dates before this year are placeholders, not dates: Go's and .NET's zero time
# (0001-01-01) is a scraper's "no date", and no news archive holds an article that old.
EARLIEST_YEAR = 1000


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep one hostile or broken input from exhausting memory or the stack."""

    max_file_bytes: int = 512 * MiB          # size of a file (or stdin) read whole: text, HTML, a JSON document
    max_decompressed_bytes: int = 1024 * MiB  # total bytes a gzip file may expand to, unless streamed (below)
    max_record_bytes: int = 64 * MiB         # one article: a text/HTML file, a JSON line, a WARC record
    max_json_depth: int = 64                 # nesting of arrays/objects in one JSON document
    # JSON Lines, WARC and tables are read a record at a time, each capped, so a file of them may be of
    # any size (a Common Crawl news WARC is ~1 GB gzipped, 4-5 GB inflated). Past
    # max_decompressed_bytes their gzip data may only go on expanding at news text's rates:
    # text and HTML inflate 3-10 times, a gzip bomb's zeros 1,000 times.
    max_gzip_ratio: float = 50.0


class _LimitExceeded(Exception):
    """A stream grew past its cap; the message names the cap."""


_GZIP_MEMBER = GZIP_MAGIC + b"\x08"  # a member header: the magic and deflate, its only method
# Compressed bytes decompressed a step, as gzip's own reader takes them: the caps on what comes
# out (_CappedReader) see each step's output.
_GZIP_CHUNK = io.DEFAULT_BUFFER_SIZE


class _GzipMembers(io.RawIOBase):
    """gzip data decompressed a member at a time, as gzip.GzipFile does, but able to go on past
    a damaged member: a WARC.gz is a sequence of independent members, one a record, so the
    members after a damaged one are still readable (see :meth:`resume`)."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._input = b""  # compressed bytes read but not yet decompressed
        self._offset = 0  # of _input's first byte in the source
        self._inflate: Any = None  # the current member's decompressor; None between members
        self.member_start = 0  # offset of the current (or last) member's header

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if not self._input:
                self._input = self._source.read(_GZIP_CHUNK)
                if not self._input:
                    if self._inflate is not None:
                        raise EOFError(f"the member at byte {self.member_start} ends before its end-of-stream marker")
                    return 0
            if self._inflate is None:
                padded = len(self._input)
                self._input = self._input.lstrip(b"\0")  # zeros after a member are padding, as gzip has it
                self._offset += padded - len(self._input)
                if not self._input:
                    continue
                self.member_start = self._offset
                self._inflate = zlib.decompressobj(wbits=31)  # (31: a gzip header and trailer, checked)
            try:
                out = self._inflate.decompress(self._input, len(buffer))
            except zlib.error as err:
                raise gzip.BadGzipFile(f"the member at byte {self.member_start}: {err}") from err
            rest = self._inflate.unused_data if self._inflate.eof else self._inflate.unconsumed_tail
            self._offset += len(self._input) - len(rest)
            self._input = rest
            if self._inflate.eof:
                self._inflate = None
            if out:
                buffer[: len(out)] = out
                return len(out)

    def resume(self) -> bool:
        """After an error, go on at the next member header past the damaged member's start;
        False when no header follows. (A header's bytes inside deflate data would be taken
        for one, and fail as damage of their own: rare, and still reported.)"""
        data, start = self._input, max(self.member_start + 1 - self._offset, 0)
        while (found := data.find(_GZIP_MEMBER, start)) < 0:
            kept = data[-(len(_GZIP_MEMBER) - 1):]  # a header split between two reads
            more = self._source.read(_GZIP_CHUNK)
            if not more:
                self._input, self._inflate = b"", None
                return False
            self._offset += len(data) - len(kept)
            data, start = kept + more, 0
        self._offset += found
        self._input, self._inflate = data[found:], None
        return True


class _CappedReader(io.RawIOBase):
    """Reads from ``source`` and raises :class:`_LimitExceeded` once more than ``cap`` bytes came out.

    Damaged gzip data ends the stream where the damage starts, and ``damage`` says what happened:
    raising instead would throw away the good data already decompressed but not yet read.
    """

    def __init__(self, source: BinaryIO, cap: int, message: str) -> None:
        self._source = source
        # read1 returns what one step produced; read would lose it when the next step fails
        self._read = getattr(source, "read1", source.read)
        self._cap: int | None = cap
        self._message = message
        self._total = 0
        self._ratio: tuple[float, Callable[[], int]] | None = None
        self._settled = True
        self.damage: str | None = None

    def unsettled(self) -> _CappedReader:
        """Going past the cap raises only once :meth:`settle` is called (the cap is known to
        apply), and not at all after :meth:`lift`: the format is sniffed from a read-ahead."""
        self._settled = False
        return self

    @property
    def total(self) -> int:
        """Bytes that came out so far."""
        return self._total

    def lift(self) -> None:
        """No cap from here on (the stream is read a capped record at a time)."""
        self._cap = None
        self._settled = True

    def settle(self) -> None:
        """The cap applies: raise :class:`_LimitExceeded` if it was already passed."""
        self._settled = True
        if self._cap is not None and self._total > self._cap:
            raise _LimitExceeded(self._message)

    def cap_ratio(self, ratio: float, consumed: Callable[[], int]) -> None:
        """Past the cap, go on while at most ``ratio`` bytes came out per byte ``consumed()``
        went in (a stream of gzip data read a record at a time)."""
        self._ratio = (ratio, consumed)

    def resume(self) -> bool:
        """After damage, go on at the next gzip member (see _GzipMembers.resume); False when
        there is none."""
        self.damage = None
        return isinstance(self._source, _GzipMembers) and self._source.resume()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.damage is not None:
            return 0
        try:
            chunk = self._read(len(buffer))
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            self.damage = f"damaged or truncated gzip data: {err}"
            return 0
        self._total += len(chunk)
        if self._settled and self._cap is not None and self._total > self._cap and not self._within_ratio():
            raise _LimitExceeded(self._message)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _within_ratio(self) -> bool:
        if self._ratio is None:
            return False
        ratio, consumed = self._ratio
        went_in = consumed()
        return went_in > 0 and self._total <= ratio * went_in


def iter_records(
    paths: Sequence[str], *, stdin: BinaryIO | None = None, limits: ReadLimits = ReadLimits()
) -> Iterator[RawRecord | RecordFailure]:
    """Yield one RawRecord per article found in ``paths`` (``-`` is ``stdin``), or a failure per problem."""
    for item in iter_input_files(paths):
        if isinstance(item, RecordFailure):
            yield _readably_named(item)
        else:
            path, relative = item
            yield from map(_readably_named, _guarded_file(path, _read_file(path, relative, stdin, limits)))


def _readably_named(item: RawRecord | RecordFailure) -> RawRecord | RecordFailure:
    """``item`` with the file name in its path, record and path-made id as names.readable writes
    it: a name that is not UTF-8 is read (its file is open by then), but cannot be stored as is."""
    fields = ["origin", "record_ref"]
    if isinstance(item, RawRecord) and item.id_from_path:
        fields.append("external_id")
    changes = {name: readable(value) for name in fields if (value := getattr(item, name)) is not None}
    if all(changes[name] is getattr(item, name) for name in changes):
        return item  # (nearly always: no copy made)
    return dataclasses.replace(item, **changes)


def _guarded_file(path: str, results: Iterator[RawRecord | RecordFailure]) -> Iterator[RawRecord | RecordFailure]:
    """A file's records until something no rule foresaw stops its reader: then that file's
    failure, naming the record it stopped after, and the run goes on to the next file."""
    number = 0
    try:
        for result in results:
            number += 1
            yield result
    except Exception as err:  # noqa: BLE001 - the last resort (records are guarded one by one too)
        where = f"after record {number}" if number else None
        yield RecordFailure(path, f"reading stopped: {type(err).__name__}: {err}", where)


def iter_input_files(paths: Sequence[str], skipped: list[str] | None = None) -> Iterator[tuple[str, str] | RecordFailure]:
    """Yield ``(file path, path relative to its argument)`` for each input file, in a stable order.

    A named file is always read (its format sniffed when the extension is unknown); inside a folder,
    hidden entries and files with unknown extensions are skipped (the latter listed in ``skipped``,
    when given). Symbolic links inside a folder
    are followed, since linking data into the tree is a deliberate act of its owner, but every folder
    is entered at most once (by real path), so link loops end and linked folders are not read twice.
    """
    for arg in paths:
        if arg == STDIN:
            yield STDIN, STDIN
        elif os.path.isdir(arg):
            yield from _walk(arg, arg, {os.path.realpath(arg)}, skipped)
        elif os.path.isfile(arg):
            yield arg, os.path.basename(arg)
        elif os.path.lexists(arg):
            yield RecordFailure(arg, _not_a_file(arg))
        else:
            yield RecordFailure(arg, "no such file or folder")


def _not_a_file(path: str) -> str:
    """Why ``path``, which exists as a name, cannot be read as a file."""
    if os.path.islink(path) and not os.path.exists(path):
        try:
            return f"broken symbolic link (to {os.readlink(path)}, which does not exist)"
        except OSError:
            return "broken symbolic link"
    return "not a regular file or folder (a device, socket or pipe)"


def skipped_files(paths: Sequence[str]) -> list[str]:
    """The files inside the folders among ``paths`` that an ingest of them leaves unread: their
    extension names no format it reads (a folder of articles often holds a CSV of labels or notes)."""
    skipped: list[str] = []
    for _ in iter_input_files(paths, skipped):
        pass
    return [readable(path) for path in skipped]


def _walk(root: str, folder: str, visited: set[str],
          skipped: list[str] | None = None) -> Iterator[tuple[str, str] | RecordFailure]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as err:
        yield RecordFailure(folder, f"cannot read folder: {err.strerror or err}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:  # (a link may point where this user may not look: /proc/1/cwd)
            is_dir = entry.is_dir()
            real = os.path.realpath(entry.path) if is_dir else ""
            is_file = not is_dir and entry.is_file()
        except OSError as err:
            yield RecordFailure(entry.path, f"cannot read: {err.strerror or err}")
            continue
        if is_dir:
            if real not in visited:
                visited.add(real)
                yield from _walk(root, entry.path, visited, skipped)
        elif is_file and _readable_in_folder(entry.path, entry.name):
            yield entry.path, os.path.relpath(entry.path, root).replace(os.sep, "/")
        elif is_file:
            if skipped is not None:
                skipped.append(entry.path)
        elif _format_from_name(entry.name)[0] is not None:
            # Named as an input but not a file to read: a link whose target is gone (a moved
            # disk, a deleted download) would otherwise vanish from the ingest without a word.
            yield RecordFailure(entry.path, _not_a_file(entry.path))


def _readable_in_folder(path: str, name: str) -> bool:
    """Whether a file inside a folder is read: its extension names a format, and a table has a
    text column (a folder of articles often holds a CSV of labels or notes beside them)."""
    fmt, gzipped = _format_from_name(name)
    if fmt is None:
        return False
    if fmt not in _DELIMITERS and fmt != "xml":
        return True
    try:
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as stream:
            head = stream.read(_SNIFF_BYTES)
    except (OSError, EOFError, zlib.error):
        return True  # reading it will say what is wrong
    if fmt == "xml":  # a feed, not a sitemap or some program's settings
        return sniff_format(head) == "feed"
    header = _table_header(head, _table_delimiter(head, fmt))
    return header is None or _names_a_text(header)


def _table_header(head: bytes, delimiter: str) -> list[str] | None:
    """A table's column names, read from its first bytes (None when they cannot be read)."""
    first = _header_line(head)
    try:
        return None if first is None else next(csv.reader([first], delimiter=delimiter), None)
    except csv.Error:
        return None


def _header_line(head: bytes) -> str | None:
    """A table's first line, decoded (None when it cannot be)."""
    try:
        return head.split(b"\n", 1)[0].decode(stream_encoding(head)).lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return None


def _table_delimiter(head: bytes, fmt: str) -> str:
    """The delimiter of a table whose first bytes are ``head``: a TSV's tab; for a CSV, a comma
    when its header holds two names or more so (a name may hold a semicolon), else the
    candidate that splits its header into the most names."""
    first = _header_line(head) if fmt == "csv" else None
    if first is None or _header_width(first, ",") > 1:
        return _DELIMITERS[fmt]
    return max(_CSV_DELIMITERS, key=lambda delimiter: _header_width(first, delimiter))


def _header_width(line: str, delimiter: str) -> int:
    """How many names ``line`` holds, split by ``delimiter`` (0 when it does not read)."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _format_from_name(name: str) -> tuple[str | None, bool]:
    """(format by extension or None, whether gzipped)."""
    lowered = name.lower()
    gzipped = lowered.endswith(".gz")
    stem = lowered[:-3] if gzipped else lowered
    fmt = _EXTENSIONS.get(os.path.splitext(stem)[1])
    if gzipped and fmt is None:
        return None, True
    return fmt, gzipped


def _read_file(
    path: str, relative: str, stdin: BinaryIO | None, limits: ReadLimits
) -> Iterator[RawRecord | RecordFailure]:
    fmt, gzipped = _format_from_name(relative) if path != STDIN else (None, False)
    if path == STDIN:
        source = stdin if stdin is not None else sys.stdin.buffer
        capped = _CappedReader(source, limits.max_file_bytes,
                               f"input is larger than {_size(limits.max_file_bytes)}").unsettled()
        yield from _named_by_text(_read_stream(path, relative, io.BufferedReader(capped, _SNIFF_BYTES), fmt,
                                               gzipped, limits, size=None, stdin=capped))
        return
    if fmt == "wacz":
        yield from _read_wacz(path, relative, limits)
        return
    try:
        size = os.stat(path).st_size  # (refused once its format is known, if read whole: _read_stream)
        with open(path, "rb", buffering=_SNIFF_BYTES) as stream:
            yield from _read_stream(path, relative, stream, fmt, gzipped, limits, size=size)
    except PermissionError:
        yield RecordFailure(path, "cannot read: permission denied")
    except OSError as err:
        yield RecordFailure(path, f"cannot read: {err.strerror or err}")


def _named_by_text(results: Iterator[RawRecord | RecordFailure]) -> Iterator[RawRecord | RecordFailure]:
    """Standard input's records, those without an id of their own named ``-:HASH`` by their
    text: its path, "-", would name every text piped in alike, each replacing the last, while
    the same text piped again is still found unchanged."""
    for result in results:
        if isinstance(result, RawRecord) and result.id_from_path:
            digest = hashlib.sha256(result.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            result = dataclasses.replace(result, external_id=f"{STDIN}:{digest}", id_from_path=False)
        yield result


# Formats read a record at a time, each record capped: a file of them may be of any size.
_STREAMED = frozenset({"jsonl", "warc", "csv", "tsv"})


def _read_stream(
    origin: str, relative: str, stream: io.BufferedReader, fmt: str | None, gzipped: bool, limits: ReadLimits,
    *, size: int | None, stdin: _CappedReader | None = None,
) -> Iterator[RawRecord | RecordFailure]:
    """``size``: the file's, to refuse one too big to read whole (None for stdin, which
    ``stdin`` caps as it is read)."""
    inflated: _CappedReader | None = None
    compressed = stream

    def damage() -> str | None:
        return inflated.damage if inflated is not None else None

    try:
        if gzipped or stream.peek(2).startswith(GZIP_MAGIC):  # whatever the name says
            if not stream.peek(1):
                yield RecordFailure(origin, "empty file")
                return
            cap = limits.max_decompressed_bytes
            inflated = _CappedReader(_GzipMembers(stream), cap, f"decompresses to more than {_size(cap)} (gzip bomb?)")
            stream = io.BufferedReader(inflated, _SNIFF_BYTES)
        head = stream.peek(_SNIFF_BYTES)
        if not head and not (fmt == "warc" and damage()):  # (a WARC.gz reads on past a damaged first member)
            yield RecordFailure(origin, damage() or "empty file" + (" after decompression" if gzipped else ""))
            return
        if (packed := packed_kind(head)) is not None:  # (a WACZ, a zip too, is read by name before this)
            yield RecordFailure(origin, f"{packed} is not read: unpack it and ingest what it holds")
            return
        if fmt is None:
            fmt = sniff_format(head)
        elif fmt == "json" and sniff_format(head) == "jsonl":  # JSON Lines named .json
            fmt = "jsonl"
        elif fmt == "xml":  # named so: a feed or an XHTML page, else no article
            fmt = sniffed if (sniffed := sniff_format(head)) in ("feed", "html") else "xml"
        if fmt == "xml":
            yield RecordFailure(origin, "XML, but not an RSS or Atom feed")
            return
        if fmt in _STREAMED:
            if stdin is not None:
                stdin.lift()
            if inflated is not None:
                inflated.cap_ratio(limits.max_gzip_ratio, _bytes_read(compressed, stdin))
        elif size is not None and size > limits.max_file_bytes:
            yield RecordFailure(origin, f"file too big ({_size(size)} > {_size(limits.max_file_bytes)})")
            return
        elif stdin is not None:
            stdin.settle()
        if fmt == "warc":  # (reads on past a damaged gzip member)
            yield from _read_warc_stretches(origin, relative, stream, inflated, limits)
            return
        results: Iterator[RawRecord | RecordFailure]
        if fmt in _DELIMITERS:
            results = _or_no_articles(_read_table(origin, relative, stream, limits, _table_delimiter(head, fmt)),
                                      origin, "a table with a header and no rows")
        elif fmt == "jsonl" and _pretty_printed(head):
            results = _read_pretty_printed(origin, relative, stream, limits)
        elif fmt == "jsonl":
            results = _or_no_articles(_read_jsonl(origin, relative, stream, limits), origin, "only blank lines")
        else:  # one document: read it whole, and only if it is whole
            # (A saved page's images make it far larger than its article: its HTML part is capped.)
            data = stream.read() if fmt in ("json", "gzip", "feed", "mhtml") else stream.read(limits.max_record_bytes + 1)
            if damage():
                yield RecordFailure(origin, str(damage()))
                return
            results = _read_document(origin, relative, data, fmt, limits)
        yield from _before_the_damage(results, damage)
        if damage():
            yield RecordFailure(origin, str(damage()))
    except _LimitExceeded as err:
        yield RecordFailure(origin, str(err))


def _or_no_articles(results: Iterator[RawRecord | RecordFailure], origin: str,
                    what: str) -> Iterator[RawRecord | RecordFailure]:
    """``results``, else a failure saying the input holds ``what``: an export that came back
    empty is a failure, as an empty file is, not a run that quietly added nothing."""
    empty = True
    for result in results:
        empty = False
        yield result
    if empty:
        yield RecordFailure(origin, f"no articles: {what}")


def _before_the_damage(results: Iterator[RawRecord | RecordFailure],
                       damage: Callable[[], str | None]) -> Iterator[RawRecord | RecordFailure]:
    """``results`` without the failure the damage caused (the record it cut), which is reported
    as the damage. The stream is read ahead, so damage may be known while records before it are
    still to come: a failure is held back until the next result shows it was the input's own."""
    held: RecordFailure | None = None
    for result in results:
        if held is not None:
            yield held
            held = None
        if isinstance(result, RecordFailure) and damage():
            held = result
        else:
            yield result


def _bytes_read(stream: io.BufferedReader, stdin: _CappedReader | None) -> Callable[[], int]:
    """How many bytes of ``stream`` (a file, or stdin as ``stdin`` counts them) were read so far."""
    if stdin is not None:
        return lambda: stdin.total
    return stream.tell


def _read_document(
    origin: str, relative: str, data: bytes, fmt: str, limits: ReadLimits
) -> Iterator[RawRecord | RecordFailure]:
    if fmt == "gzip":
        yield RecordFailure(origin, "gzip inside gzip is not supported")
    elif fmt == "json":
        yield from _read_json(origin, relative, data, limits)
    elif fmt == "feed":
        yield from _read_feed(origin, relative, data, limits)
    elif fmt == "mhtml":  # (MIME: its parts say how they are encoded)
        yield _mhtml_record(data, origin, relative, limits)
    elif len(data) > limits.max_record_bytes:
        yield RecordFailure(origin, f"too big for one article (> {_size(limits.max_record_bytes)})")
    else:
        try:
            text = decode_text(data)
        except UndecodableError as err:
            yield RecordFailure(origin, str(err))
            return
        if fmt == "html":
            yield _named_by_path(_html_record(text, origin, relative))
        elif not text.strip():
            yield RecordFailure(origin, "no text (only whitespace)")
        else:
            yield RawRecord(origin=origin, external_id=relative, text=text, fmt="txt", id_from_path=True)


def _read_json(origin: str, relative: str, data: bytes, limits: ReadLimits) -> Iterator[RawRecord | RecordFailure]:
    try:
        document = _load_json(data, limits.max_json_depth)
    except ValueError as err:
        yield RecordFailure(origin, str(err))
        return
    yield from _document_records(document, origin, relative)


def _document_records(document: Any, origin: str, relative: str) -> Iterator[RawRecord | RecordFailure]:
    """The records of one parsed JSON document: an article, or a list of them (maybe in an envelope)."""
    items = _json_items(document)
    if items is None:
        if isinstance(document, dict):
            yield _json_record(document, origin, relative, None)
        else:
            yield RecordFailure(origin, f"JSON is {_json_kind(document)}, not an object or a list of objects")
        return
    yield from _or_no_articles((_json_record(item, origin, relative, number)
                                for number, item in enumerate(items, start=1)), origin, "an empty list")


def _read_jsonl(
    origin: str, relative: str, stream: BinaryIO | io.BufferedIOBase, limits: ReadLimits
) -> Iterator[RawRecord | RecordFailure]:
    """One JSON object per line; records are numbered by line so ids and failures point at the line."""
    lines = _utf8_lines(stream)
    number = 0
    while True:
        try:
            line = lines(limits.max_record_bytes + 1)
        except UnicodeDecodeError as err:
            yield RecordFailure(origin, f"line {number + 1}: not valid {err.encoding}", str(number + 1))
            return
        if not line:
            return
        number += 1
        if len(line) > limits.max_record_bytes and not line.endswith(b"\n"):
            while (rest := lines(MiB)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the over-long line without holding it
            yield RecordFailure(origin, f"line {number} is longer than {_size(limits.max_record_bytes)}", str(number))
            continue
        if not line.strip():
            continue
        try:
            value = _load_json(line, limits.max_json_depth)
        except ValueError as err:
            yield RecordFailure(origin, f"line {number}: {err}", str(number))
            continue
        yield _json_record(value, origin, relative, number)


def _pretty_printed(head: bytes) -> bool:
    """Whether a JSON Lines file's first bytes look like one JSON document spread over lines
    (a tool saved ``.jsonl`` with indentation): neither of its first two lines is a JSON value
    by itself. (A third line shows the second was read whole.)"""
    text = head.decode(wide_encoding(head) or "utf-8", errors="replace")
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) > 2 and not any(map(_is_json_value, lines[:2]))


def _is_json_value(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


_PRETTY_PRINTED = "looks like one JSON document (pretty-printed), not JSON Lines (one object a line)"


def _read_pretty_printed(
    origin: str, relative: str, stream: BinaryIO | io.BufferedIOBase, limits: ReadLimits
) -> Iterator[RawRecord | RecordFailure]:
    """A JSON Lines file that looks like one JSON document (see _pretty_printed): read as one
    when it parses as one; else as JSON Lines when any of its lines is a record (a few broken
    lines at its start), else one failure saying what it looks like rather than one a line."""
    data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        yield RecordFailure(origin, f"{_PRETTY_PRINTED}, and too big to read whole (> {_size(limits.max_file_bytes)})")
        return
    try:
        document = _load_json(data, limits.max_json_depth)
    except ValueError as err:
        lines = list(_read_jsonl(origin, relative, io.BufferedReader(io.BytesIO(data)), limits))
        if any(isinstance(line, RawRecord) for line in lines):
            yield from lines
        else:
            yield RecordFailure(origin, f"{_PRETTY_PRINTED}, and it does not parse as one: {err}")
        return
    yield from _document_records(document, origin, relative)


def _utf8_lines(stream: BinaryIO | io.BufferedIOBase) -> Callable[[int], bytes]:
    """A reader of ``stream``'s next line (at most so many characters) as UTF-8 bytes. UTF-16
    and UTF-32 (a byte-order mark says so) are decoded first: split as bytes, their two- or
    four-byte newlines would cut every line in the middle of a character."""
    peek = getattr(stream, "peek", None)
    encoding = wide_encoding(peek(4)) if peek is not None else None
    if encoding is None:
        return stream.readline
    text = io.TextIOWrapper(stream, encoding=encoding, newline="\n")  # type: ignore[arg-type]
    return lambda size: text.readline(size).encode("utf-8")


# pandas' name for a column it read without one (its row numbers, saved again).
_UNNAMED_COLUMN = re.compile(r"Unnamed: \d+")
# A byte that the table's encoding could not read, as errors="surrogateescape" passes it on.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _decoded_again(cell: str, encoding: str) -> str:
    """A table cell holding bytes its encoding could not read, decoded as a text on its own
    (a few damaged bytes in UTF-8, or another encoding) by decode_text."""
    if not _ESCAPED_BYTE.search(cell):
        return cell
    plain = "utf-8" if encoding == "utf-8-sig" else encoding  # (utf-8-sig would write a BOM first)
    return decode_text(cell.encode(plain, errors="surrogateescape"))


def _read_table(
    origin: str, relative: str, stream: io.BufferedReader, limits: ReadLimits, delimiter: str
) -> Iterator[RawRecord | RecordFailure]:
    """One article a row of a CSV or TSV file; its header names the fields (as JSON's keys, see
    _FIELD_NAMES). Rows are numbered from 1 after the header, so ids and failures point at them."""
    encoding = stream_encoding(stream.peek(_SNIFF_BYTES))
    # Bytes the encoding cannot read come through as lone surrogates: only their row is mended.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    if csv.field_size_limit() < limits.max_record_bytes:  # (process-wide: only ever raised)
        csv.field_size_limit(limits.max_record_bytes)
    consumed: list[str] = []  # the lines of the row being read, to check its quoting again

    def lines() -> Iterator[str]:
        for line in text:
            consumed.append(line)
            yield line

    rows = csv.reader(lines(), delimiter=delimiter)
    number = 0
    try:
        header = ["" if _UNNAMED_COLUMN.fullmatch(name.strip()) else name.strip() for name in next(rows, [])]
        if not _names_a_text(header):
            shown = ", ".join(repr(name) for name in header[:12]) or "none"
            yield RecordFailure(origin, f"table has no text column (looked for: {', '.join(_TEXT_KEYS)}); "
                                        f"its columns: {shown}")
            return
        while True:
            number += 1
            consumed.clear()
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as err:  # this row only: the reader goes on at the next line
                reason = f"longer than {_size(limits.max_record_bytes)}" if "field limit" in str(err) else str(err)
                yield RecordFailure(origin, reason, f"row {number}")
                continue
            if sum(map(len, row)) > limits.max_record_bytes:  # (the parser's own limit is process-wide)
                yield RecordFailure(origin, f"longer than {_size(limits.max_record_bytes)}", f"row {number}")
                continue
            if not any(cell.strip() for cell in row):
                continue
            if any(_ESCAPED_BYTE.search(cell) for cell in row):
                try:
                    row = [_decoded_again(cell, encoding) for cell in row]
                except UndecodableError as err:
                    yield RecordFailure(origin, str(err), f"row {number}")
                    continue
            # Empty cells are missing fields, and a column without a name (a spreadsheet's row
            # numbers, "Unnamed: 0" once pandas saved them again) is no field.
            fields, repeated = _row_fields(header, row)
            record = _json_record(fields, origin, relative, number, fmt="csv")
            if isinstance(record, RawRecord):
                _keep_unplaced_cells(record, repeated, row[len(header):])
            swallowed = _swallowed_row(row, len(header), delimiter)
            if swallowed is not None and _well_quoted(consumed, len(header), delimiter):
                swallowed = None  # (a cell's line that only looks like a row: its quotes close)
            if swallowed is not None and isinstance(record, RawRecord):
                record.extra["unclosed_quote"] = swallowed
            yield record
    except csv.Error as err:  # in the header
        yield RecordFailure(origin, f"malformed table header: {err}")


def _row_fields(header: list[str], row: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A row's fields, each named column's cell, and the cells of columns whose name an earlier
    column has (as ``content (2)``), when that one's cell took the field: an export joined from
    two tables repeats names, and its other cells are kept, not lost."""
    fields: dict[str, str] = {}
    repeated: dict[str, str] = {}
    seen: dict[str, int] = {}
    for name, cell in zip(header, row):
        seen[name] = seen.get(name, 0) + 1
        if not name or not cell.strip():
            continue
        if name in fields:
            repeated[f"{name} ({seen[name]})"] = cell
        else:
            fields[name] = cell
    return fields, repeated


def _keep_unplaced_cells(record: RawRecord, repeated: dict[str, str], beyond: list[str]) -> None:
    """Keep in ``record.extra``, for a note to name, the cells no field took: ``repeated``
    columns' and those ``beyond`` the header's last name."""
    if repeated:
        record.extra["repeated_columns"] = repeated
    if any(cell.strip() for cell in beyond):
        record.extra["extra_cells"] = beyond


_SHAPE_RUNS = re.compile(r"(\d)\d*|([^\W\d_])[^\W\d_]*")


def _swallowed_row(row: list[str], width: int, delimiter: str) -> str | None:
    """A line inside one of ``row``'s cells that reads as a row of its own ("3,After,...": its
    first field shaped as the row's, and as many fields as the header with the cells after
    it), or None. A quote left open makes the parser read on into the next rows, merging them
    into one; the line is named so the user can find the quote."""
    for column, cell in enumerate(row):
        for line in cell.split("\n")[1:]:
            try:
                fields = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            if (len(fields) + len(row) - column - 1 == width and 0 < len(fields[0]) <= 40
                    and _shape(fields[0]) == _shape(row[0])):
                return line
    return None


def _well_quoted(lines: list[str], width: int, delimiter: str) -> bool:
    """A row's own ``lines`` read strictly as one row of ``width`` fields: each quote closed where
    its cell ends. A quote left open is closed by the next one, a later cell's opening quote,
    with that cell's text after it: no file a table program wrote has that."""
    try:
        rows = list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return len(rows) == 1 and len(rows[0]) == width


def _shape(field: str) -> str:
    """A field's shape: each run of digits a 0, of letters an a ("12" and "3" alike, "a-17" and "b-2")."""
    return _SHAPE_RUNS.sub(lambda m: "0" if m.group(1) else "a", field.strip())


def _load_json(data: bytes, max_depth: int) -> Any:
    """Parse JSON bytes (any encoding); ValueError with a readable message when that is impossible."""
    try:
        # (UTF-16 without a byte-order mark is valid UTF-8 too: its NULs are ASCII.)
        text = data.decode(wide_encoding(data[:4]) or "utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = decode_text(data)
        except UndecodableError as err:
            raise ValueError(str(err)) from err
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        # A JSON Lines record is one line: its own line number is given by the caller.
        where = f"line {err.lineno}, column {err.colno}" if "\n" in text.strip() else f"column {err.colno}"
        raise ValueError(f"malformed JSON at {where}: {_json_problem(err)}") from err
    except RecursionError as err:  # json's C parser recurses per nesting level
        raise ValueError(f"JSON nested deeper than {max_depth} levels") from err
    if _too_deep(value, max_depth):
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return value


def _json_problem(err: json.JSONDecodeError) -> str:
    """json's message without its dangling "at" (its position is given before it), with the
    character at fault when it is a control character, which a reader of the file cannot see."""
    problem = err.msg.removesuffix(" at")
    if problem.endswith("starting"):  # "Unterminated string starting at"
        return f"{problem} there"
    if problem == "Invalid control character" and err.pos < len(err.doc):
        return f"{problem} {err.doc[err.pos]!r} in a string (JSON wants it escaped)"
    return problem


def _too_deep(value: Any, max_depth: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _json_items(document: Any, envelopes: int = 1) -> list[Any] | None:
    """The list of articles a JSON document holds, or None when it is (at most) one article.

    ``envelopes``: how many objects without text of their own may stand between the document
    and a container."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict) or _names_a_text(document):
        return None
    for key in _LIST_KEYS:
        if isinstance(document.get(key), list):
            return document[key]
    for key in _ENVELOPE_KEYS if envelopes else ():
        inner = document.get(key)
        if isinstance(inner, dict) and (items := _json_items(inner, envelopes - 1)) is not None:
            return items
    return None


def _json_kind(value: Any) -> str:
    kinds = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object",
             type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def _json_record(value: Any, origin: str, relative: str, number: int | None, fmt: str = "json") -> RawRecord | RecordFailure:
    """Map one JSON object (or a table's row) to a RawRecord; ``number`` is its place in a
    multi-record file (a table's rows are named "row N")."""
    ref = None if number is None else f"row {number}" if fmt == "csv" else str(number)
    return _guarded(lambda: _mapped_record(value, origin, relative, number, fmt, ref), origin, ref)


def _guarded(read: Callable[[], RawRecord | RecordFailure], origin: str, ref: str | None) -> RawRecord | RecordFailure:
    """The last resort: whatever goes wrong reading one record is that record's failure, and the
    rest of the file and the run carry on."""
    try:
        return read()
    except Exception as err:  # noqa: BLE001 - an input no rule foresaw is still an input problem
        return RecordFailure(origin, f"could not be read: {type(err).__name__}: {err}", ref)


def _mapped_record(value: Any, origin: str, relative: str, number: int | None, fmt: str,
                   ref: str | None) -> RawRecord | RecordFailure:
    if not isinstance(value, dict):
        return RecordFailure(origin, f"record is {_json_kind(value)}, not a JSON object", ref)
    fields = {key: value[key] for key in value}
    folded_of = {key: _folded(key) for key in fields}
    names: dict[str, str] = {}  # folded name -> the record's own spelling (the first, if several)
    for key, name in folded_of.items():
        names.setdefault(name, key)
    used = {group: _pop_first(fields, names, folded) for group, folded in _FIELD_NAMES}
    # A number _as_text reads too (a title or an id may be one), but it is no article.
    raw_text = None if isinstance(used["text"], (int, float, bool)) else _as_text(used["text"])
    if used["text"] is not None and raw_text is None:
        # (Not "no text": the field is there, holding something else; a number stored as an
        # article would be a document of one word.)
        kind = "a list holding other than strings" if isinstance(used["text"], list) else _json_kind(used["text"])
        return RecordFailure(origin, f"record's text is {kind}, not text", ref)
    text = _without_markup(raw_text)
    if not text or not text.strip():
        if raw_text and raw_text.strip():
            # (Say so: the field is there, a user looking at the file would see text in it.)
            return RecordFailure(origin, "record's text is only HTML markup (nothing left once tags are removed)", ref)
        return RecordFailure(origin, f"record has no text (looked for: {', '.join(_TEXT_KEYS)})", ref)
    own_id = _as_id(_plain(used["id"]))
    external_id = (relative if number is None else f"{relative}#{number}") if own_id is None else own_id
    extra = dict(fields)  # what is left: understood duplicates and unknown fields
    url = _as_text(used["url"])
    published = parse_date(used["date"])
    if published is None and used["date"] not in (None, ""):
        extra["published_raw"] = str(used["date"])
    return RawRecord(
        origin=origin, external_id=external_id, text=text, fmt=fmt,
        title=_without_markup(_as_text(used["title"])), author=_as_author(used["author"]),
        source=_as_name(used["source"]) or site_of(url),
        url=url, published_at=published, language=_as_text(used["language"]),
        record_ref=ref, extra=extra, unknown_fields=[key for key in fields if folded_of[key] not in _KNOWN_KEYS],
        id_from_path=own_id is None,
    )


# MongoDB's extended JSON (mongoexport's output) gives a value its BSON type in a one-key object.
_EXTENDED_TYPES = ("$oid", "$numberLong", "$numberInt")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def _plain(value: Any) -> Any:
    """``value`` unwrapped from MongoDB's extended JSON (``{"$oid": "5f1d..."}`` is its text)."""
    if isinstance(value, dict) and len(value) == 1:
        [(key, inner)] = value.items()
        if key in _EXTENDED_TYPES:
            return inner
    return value


def _mongo_date(value: Any) -> datetime | None:
    """The date ``{"$date": value}`` in MongoDB's extended JSON: ISO-8601 text, or milliseconds
    since the epoch (``{"$numberLong": "..."}`` or a number), which need no guessing between
    seconds and milliseconds."""
    inner = _plain(value)
    if isinstance(inner, str) and _WHOLE_NUMBER.fullmatch(inner.strip()):
        inner = int(inner)
    if isinstance(inner, (int, float)) and not isinstance(inner, bool):
        return datetime.fromtimestamp(inner / 1000, tz=timezone.utc)
    return _parsed_date(inner) if isinstance(inner, str) else None


def _as_id(value: Any) -> str | None:
    """A record's own id as text, None when it has none: a boolean or an object names no
    record, and a whole-number float is the integer a tool wrote as one (``1.0`` is ``1``)."""
    if value in (None, "") or isinstance(value, (bool, dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pop_first(fields: dict[str, Any], names: dict[str, str], folded_keys: tuple[str, ...]) -> Any:
    """The value of the first of ``folded_keys`` the record holds (``names``: its spellings by
    folded name), taken out of ``fields``."""
    present = [names[folded] for folded in folded_keys if folded in names and names[folded] in fields]
    for key in present:
        if fields.get(key) not in (None, "", []):
            return fields.pop(key)
    for key in present:  # present but empty: understood, so not reported as unknown
        fields.pop(key, None)
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("rendered"), str):
        return str(value["rendered"])  # WordPress's REST API: {"rendered": "<p>...</p>", "protected": false}
    if isinstance(value, list) and value and all(isinstance(part, str) for part in value):
        return "\n\n".join(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _without_markup(text: str | None) -> str | None:
    """A JSON field's text with its HTML (tags, character references) turned into plain text."""
    return markup.as_text(text) if text and markup.holds_markup(text) else text


def _page_site(named: str | None, url: str | None) -> str | None:
    """A page's publisher: the site it names (trafilatura's reading of its metadata, else of its
    address), unless that is only the web archive it was fetched from, whose replay address
    holds the page's own (sites.py)."""
    archived = archived_url(url)
    if archived is None or url is None or not (named is None or names_host_of(named, url)):
        return named
    return host_of(archived)  # (the archived address parsed once, not again by site_of)


def _as_name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    return _as_text(value)


def _as_author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [name for name in map(_as_name, value) if name]
        return "; ".join(names) or None
    return _as_name(value)


def _named_by_path(item: RawRecord | RecordFailure) -> RawRecord | RecordFailure:
    """``item``, its external id marked as made from its path (see RawRecord.id_from_path)."""
    return dataclasses.replace(item, id_from_path=True) if isinstance(item, RawRecord) else item


def _html_record(
    html: str, origin: str, external_id: str, *, url: str | None = None,
    record_ref: str | None = None, extra: dict[str, Any] | None = None, fmt: str = "html",
) -> RawRecord | RecordFailure:
    # Imported here: trafilatura and lxml take ~80 ms that ingests of text and JSON files don't need.
    import trafilatura
    from trafilatura.settings import Document, set_date_params

    # Ask for the time of day too: trafilatura's default date format drops it. Only a date the page
    # states (its metadata, markup or address): see _guessed_date for the others. htmldate's own
    # floor (1995) would drop an older page's date unseen: the archive's is EARLIEST_YEAR.
    date_params = {**set_date_params(False), "outputformat": _DATE_FORMAT, "min_date": f"{EARLIEST_YEAR:04d}-01-01"}
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, date_extraction_params=date_params
        )
    except Exception as err:  # noqa: BLE001 - a parser failing on odd markup is an input problem, not a bug of ours
        return RecordFailure(origin, f"HTML could not be parsed: {err}", record_ref)
    found = document.as_dict() if isinstance(document, Document) else {}
    if not (found.get("text") or "").strip():
        return RecordFailure(origin, "no article text found in the HTML", record_ref)
    metadata = dict(extra or {})
    metadata.update(
        (key, value) for key, value in found.items()
        if key not in _HTML_SKIPPED_META and value not in (None, "", [], {})
    )
    if url and found.get("url") and found["url"] != url:
        metadata["page_url"] = found["url"]  # the page's canonical address; the fetched one is the url
    if found.get("date") and found.get("title") and found["date"][:4] in found["title"]:
        # "What happened on March 3, 2021": the day a headline names is the story's subject, not
        # when the page ran; a farm's undated copy so dated read as older than its original.
        stated = _date_besides_the_headline(html, url, date_params)
        if stated is None:
            metadata["published_guess"] = found.pop("date")
        elif stated[:10] != found["date"][:10]:
            found["date"] = stated
    published = parse_date(found.get("date"))
    if published is None and found.get("date"):
        metadata["published_raw"] = found["date"]
    if not found.get("date") and "published_guess" not in metadata:
        refused = _refused_date(html, url, date_params)
        if refused:
            metadata["published_raw"] = refused
        guess = _guessed_date(html, url)
        if guess:
            metadata["published_guess"] = guess
    return RawRecord(
        origin=origin, external_id=external_id, text=found["text"], fmt=fmt,
        title=found.get("title") or None, author=found.get("author") or None,
        source=_page_site(found.get("sitename") or found.get("hostname") or None, url),
        url=url or found.get("url") or None, published_at=published, language=found.get("language") or None,
        record_ref=record_ref, extra=metadata,
    )


_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _date_besides_the_headline(html: str, url: str | None, params: dict[str, Any]) -> str | None:
    """The date the page states once the words of its <title> and <h1> are blanked (htmldate reads
    them too, and takes a date they name for the page's), or None. Only their own words: a byline
    with its <time> may sit inside an <h1> left open. Asked only of a page whose title names the
    year of its date (a few pages in a thousand)."""
    from htmldate import find_date
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
        for element in tree.xpath("//title | //h1"):
            element.text = None
        for element in tree.xpath("//meta[contains(@property, 'title') or contains(@name, 'title')]"):
            element.set("content", "")
        return find_date(tree, url=url, **params)
    except Exception:  # noqa: BLE001 - markup lxml cannot read again: no date besides
        return None


# Bounds wide enough for any date a page states (htmldate compares timestamps, which the
# calendar's first and last days lack in some time zones).
_ANY_DATE = {"min_date": "0002-01-01", "max_date": "9999-12-30"}


def _refused_date(html: str, url: str | None, params: dict[str, Any]) -> str | None:
    """The date a page states but the bounds of ``params`` refused (before EARLIEST_YEAR: a zero
    date; after today), or None: kept in raw_meta, as any date the ingest cannot take is."""
    from htmldate import find_date

    try:
        return find_date(html, url=url, **{**params, **_ANY_DATE})
    except Exception:  # noqa: BLE001 - markup htmldate cannot read: no date to keep
        return None


def _guessed_date(html: str, url: str | None) -> str | None:
    """The date a page that states none might have, as htmldate's extensive search guesses it from
    its text: a date its story names, the year of its copyright line ("© 2024", on every page of
    the site whenever the story ran). Kept in raw_meta as ``published_guess``, not as the page's
    publication date: provenance takes the earlier of two dated texts for the source, and a
    farm's undated copy of a March article, dated by its footer, would read as January's."""
    from htmldate import find_date
    from trafilatura.settings import set_date_params

    try:
        return find_date(html, url=url, **{**set_date_params(True), "outputformat": _DATE_FORMAT})
    except Exception:  # noqa: BLE001 - a guess that fails is no guess
        return None


# A reference to half of a UTF-16 pair ("&#xD800;", "&#55296;"): no character, and feedparser
# fails on the whole feed for it; U+FFFD, as HTML's own rules have it, keeps the entry's text.
_SURROGATE_REFERENCE = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d\d\d|57[0-2]\d\d|573[0-3]\d|5734[0-3]));")


def _read_feed(origin: str, relative: str, data: bytes, limits: ReadLimits) -> Iterator[RawRecord | RecordFailure]:
    """An RSS or Atom feed: one article an entry, its text the fullest content the entry
    carries (WordPress's content:encoded), else its summary; the feed's title is the outlet."""
    import feedparser  # only feeds need it

    parsed = feedparser.parse(_SURROGATE_REFERENCE.sub(b"&#xFFFD;", data))
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        yield RecordFailure(origin, f"malformed feed: {problem}" if problem else "no articles: a feed with no entries")
        return
    outlet = _without_markup(_as_text(parsed.feed.get("title")))  # (an Atom title of type="html")
    language = _as_text(parsed.feed.get("language"))
    home = _as_text(parsed.feed.get("link"))
    base = home if home and _WEB_ADDRESS.match(home) else None
    cut = _cut_in_last_entry(data, parsed.get("bozo_exception"))
    for number, entry in enumerate(parsed.entries, start=1):
        if cut is not None and number == len(parsed.entries):
            yield RecordFailure(origin, cut, str(number))
        else:
            yield _guarded(lambda: _feed_entry(entry, number, origin, relative, outlet, language, base, limits),
                           origin, str(number))


def _cut_in_last_entry(data: bytes, problem: Any) -> str | None:
    """Why a feed's last entry is refused when the XML stops inside it (a download cut short),
    else None: feedparser reads on regardless, and the entry it makes of the rest is partial."""
    if not isinstance(problem, xml.sax.SAXParseException):
        return None
    lowered = data.lower()
    opened = max(lowered.rfind(b"<item"), lowered.rfind(b"<entry"))
    closed = max(lowered.rfind(b"</item>"), lowered.rfind(b"</entry>"))
    if opened <= closed:
        return None
    return (f"the feed is cut short in this entry: malformed XML at line {problem.getLineNumber()}, "
            f"column {problem.getColumnNumber()} ({problem.getMessage()})")


_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)


def _entry_url(entry: Any, base: str | None) -> str | None:
    """An entry's address: its link, a relative one resolved against the channel's ``base``
    (feedparser resolves only against xml:base, which RSS lacks); not the id feedparser takes
    for the link of an entry without one, unless that id is a web address (an Atom ``tag:`` or
    ``urn:`` id names no page)."""
    link = _as_text(entry.get("link"))
    if not link or (entry.get("guidislink") and not _WEB_ADDRESS.match(link)):
        return None
    return urljoin(base, link) if base else link


def _feed_entry(entry: Any, number: int, origin: str, relative: str, outlet: str | None, language: str | None,
                base: str | None, limits: ReadLimits) -> RawRecord | RecordFailure:
    ref = str(number)
    bodies = [content.get("value") or "" for content in entry.get("content") or []]
    html = max(bodies, key=len, default="") or entry.get("summary") or ""
    if len(html) > limits.max_record_bytes:
        return RecordFailure(origin, f"entry longer than {_size(limits.max_record_bytes)}", ref)
    text = _without_markup(html)
    if not text or not text.strip():
        return RecordFailure(origin, "entry has no text (no content or summary)", ref)
    date = entry.get("published") or entry.get("updated")
    published = parse_date(date)
    own_id = _as_text(entry.get("id")) or _as_text(entry.get("link"))
    extra: dict[str, Any] = {"feed_entry": number}
    if published is None and date:
        extra["published_raw"] = date
    if not bodies and entry.get("summary"):
        extra["text_is_summary"] = True  # the feed carries no full text: the page has more
    return RawRecord(
        origin=origin, external_id=own_id or f"{relative}#{number}", id_from_path=not own_id,
        text=text, fmt="feed", title=_without_markup(_as_text(entry.get("title"))),
        author=_as_text(entry.get("author")), source=outlet, url=_entry_url(entry, base),
        published_at=published, language=language, record_ref=ref, extra=extra,
    )


def _mhtml_record(data: bytes, origin: str, relative: str, limits: ReadLimits) -> RawRecord | RecordFailure:
    """A page a browser saved as one file ("Webpage, Single File": MIME multipart/related):
    its HTML part, read as an HTML page at the address it was saved from."""
    import email
    import email.policy

    # The default policy unfolds headers ("Content-Location:\r\n https://...", as Python's email writes them).
    message = email.message_from_bytes(data, policy=email.policy.default)
    part = next((p for p in message.walk() if p.get_content_type() in ("text/html", "application/xhtml+xml")), None)
    if part is None:
        return RecordFailure(origin, "no HTML part in the saved page (not an MHTML page?)")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        return RecordFailure(origin, "the saved page's HTML part is empty")
    if len(payload) > limits.max_record_bytes:
        return RecordFailure(origin, f"the saved page's HTML is too big for one article (> {_size(limits.max_record_bytes)})")
    try:
        html = _page_text(payload, part.get_content_charset())
    except UndecodableError as err:
        return RecordFailure(origin, str(err))
    # (An address folded onto a line of its own keeps the space it was folded with.)
    url = str(message.get("Snapshot-Content-Location") or part.get("Content-Location") or "").strip() or None
    saved = message.get("Date")
    return _named_by_path(_html_record(html, origin, relative, url=url,
                                       extra={"saved_at": str(saved)} if saved else None, fmt="mhtml"))


def _page_text(data: bytes, charset: str | None) -> str:
    """A page's bytes as text: in the charset its part or HTTP header declares, else as
    decode_text reads them (raising UndecodableError)."""
    declared = _decoded_as_declared(data, charset)
    return declared if declared is not None else decode_text(data)


def _declared_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header names (``text/html; charset=iso-8859-1``), or None."""
    header = email.message.Message()
    header["Content-Type"] = content_type or ""
    return header.get_content_charset()


def _decoded_as_declared(data: bytes, charset: str | None) -> str | None:
    """``data`` in the charset its part declares; None when it declares none, an unknown one, or
    one its bytes are not in (then the bytes decide, as for any text)."""
    if not charset:
        return None
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _read_wacz(path: str, relative: str, limits: ReadLimits) -> Iterator[RawRecord | RecordFailure]:
    """A WACZ file (Webrecorder's ArchiveWeb.page, Browsertrix): a zip whose ``archive/`` folder
    holds the crawl's WARC files, each read as a WARC named ``FILE!MEMBER``."""
    import zipfile

    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        yield RecordFailure(path, f"not a WACZ file (a zip of WARC files): {err}")
        return
    with package:
        members = sorted(name for name in package.namelist()
                         if name.startswith("archive/") and name.lower().endswith((".warc", ".warc.gz")))
        if not members:
            yield RecordFailure(path, "the WACZ file holds no WARC files under archive/")
        for name in members:
            try:
                with package.open(name) as member:
                    yield from _read_stream(f"{path}!{name}", f"{relative}!{name}", member,  # type: ignore[arg-type]
                                            "warc", name.lower().endswith(".gz"), limits, size=None)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
                yield RecordFailure(f"{path}!{name}", f"damaged member of the WACZ file: {err}")


def _read_warc_stretches(origin: str, relative: str, stream: io.BufferedReader, inflated: _CappedReader | None,
                         limits: ReadLimits) -> Iterator[RawRecord | RecordFailure]:
    """A WARC file's records. In a WARC.gz each record is a gzip member of its own: a damaged
    member is one failure naming its offset, and reading goes on at the next member, so the
    damage costs only the records it touched."""
    numbers = itertools.count(1)  # (records are numbered through the whole file)
    if inflated is None:
        yield from _read_warc(origin, relative, stream, limits, numbers)
        return
    while True:
        yield from _read_warc(origin, relative, stream, limits, numbers, lambda: inflated.damage is not None)
        if inflated.damage is None:
            return
        yield RecordFailure(origin, inflated.damage)
        if not inflated.resume():
            return
        stream.detach()  # (a dropped reader would close the stream; what it read ahead is damaged)
        stream = io.BufferedReader(inflated, _SNIFF_BYTES)


def _read_warc(
    origin: str, relative: str, stream: io.BufferedReader, limits: ReadLimits, numbers: Iterator[int],
    damaged: Callable[[], bool] = lambda: False,
) -> Iterator[RawRecord | RecordFailure]:
    """HTML ``response`` records with a 2xx status; the WARC-Record-ID is the record's own id.
    Reading stops at a record that is malformed or cut short, its failure left to the caller
    when ``damaged()`` says the stream ended at damage: the record is what the damage cut.

    The capture date (WARC-Date) is not the publication date, so it is only kept in extra.
    """
    head = stream.peek(len(WARC_MAGIC))
    if not head.startswith(WARC_MAGIC):
        if head and not damaged():
            yield RecordFailure(origin, "malformed WARC: it does not start with a WARC/ header")
        return
    from warcio.exceptions import ArchiveLoadFailed  # only WARC input needs warcio

    archive = _quiet_archive_iterator(stream)
    records = iter(archive)
    number = 0
    while True:
        try:
            misaligned = archive.err_count
            record = next(records, None)
            if archive.err_count > misaligned and number and not damaged():
                yield RecordFailure(origin, "malformed WARC: the record does not end where its Content-Length "
                                            "says (no blank line after it); the next one is read from there",
                                    f"record {number}")
            if record is None:
                # warcio ends quietly where the stream ends inside a record's headers; the
                # record's first line, read already (next_line), or no record at all, tells.
                if (archive.next_line or not number) and not damaged():
                    yield RecordFailure(origin, "malformed WARC: the record is cut short (in its headers)",
                                        f"record {next(numbers)}")
                return
            number = next(numbers)
            page = _warc_page(record, limits)
            cut = _cut_short(record)
        # warcio reports damaged archives with whatever error the damage happens to cause; its
        # own messages say what is wrong, Python's (a None header read as text) do not.
        except (ArchiveLoadFailed, ValueError, AttributeError, KeyError, IndexError) as err:
            told = isinstance(err, (ArchiveLoadFailed, ValueError)) and " ".join(str(err).split())  # (one line)
            reason = told or "a record's header is damaged or incomplete"
            if not damaged():
                yield RecordFailure(origin, f"malformed WARC: {reason}", f"after record {number}" if number else None)
            return
        if cut:
            if not damaged():
                yield RecordFailure(origin, f"malformed WARC: {cut}", f"record {number}")
            return
        if page is None:
            continue
        own_id = record.rec_headers.get_header("WARC-Record-ID")
        record_id = own_id or f"{relative}#{number}"
        if isinstance(page, str):
            yield RecordFailure(origin, page, record_id)
            continue
        try:  # (the HTTP header's charset comes before the page's own <meta>, as in a browser)
            html = _page_text(page, _declared_charset(record.http_headers.get_header("Content-Type")))
        except UndecodableError as err:
            yield RecordFailure(origin, str(err), record_id)
            continue
        warc_date = record.rec_headers.get_header("WARC-Date")
        page_record = _guarded(lambda: _html_record(
            html, origin, record_id, url=record.rec_headers.get_header("WARC-Target-URI"),
            record_ref=record_id, extra={"warc_date": warc_date} if warc_date else None, fmt="warc",
        ), origin, record_id)
        if not own_id:
            page_record = _named_by_path(page_record)
        yield page_record


def _quiet_archive_iterator(stream: io.BufferedReader) -> Any:
    """warcio's ArchiveIterator over ``stream``, without the lines it writes to stderr itself (a
    record not followed by a blank line: counted in ``err_count``, reported by the caller as a
    failure line of ours) nor its logger's warnings (spaces in a target URI, which it mends)."""
    import logging

    from warcio.archiveiterator import ArchiveIterator

    logging.getLogger("warcio").addHandler(logging.NullHandler())
    logging.getLogger("warcio").propagate = False

    class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
        INC_RECORD = ""  # (the format of that stderr message: nothing to write)

    return QuietArchiveIterator(stream)


def _cut_short(record: Any) -> str | None:
    """Why ``record`` is not whole (a crawl killed mid-write, a copy cut off), or None: its
    header ends before its Content-Length, or its block before Content-Length bytes. Reads the
    rest of its block, as warcio would to reach the next record."""
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        return "the record is cut short (its header has no Content-Length)"
    while record.raw_stream.read(_SNIFF_BYTES):
        pass
    return "the record is cut short" if getattr(record.raw_stream, "limit", 0) > 0 else None


def _warc_page(record: Any, limits: ReadLimits) -> bytes | str | None:
    """The HTML body of a successful response record, a failure reason, or None for other records."""
    if record.rec_type is None:
        raise ValueError("a record without a WARC-Type")
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower() or not record.http_headers.get_statuscode().startswith("2"):
        return None
    unreadable = _unsupported_encoding(record.http_headers.get_header("Content-Encoding"))
    if unreadable:
        return unreadable
    body: bytes = record.content_stream().read(limits.max_record_bytes + 1)
    if len(body) > limits.max_record_bytes:
        return f"record too big (> {_size(limits.max_record_bytes)})"
    return body


def _unsupported_encoding(encoding: str | None) -> str | None:
    """Why a page sent with ``encoding`` (its Content-Encoding) cannot be read, or None when it
    can: warcio decompresses gzip and deflate, and Brotli only with the optional brotlicffi
    package, handing back the compressed bytes otherwise (which read as a binary file)."""
    from warcio.bufferedreaders import BufferedReader

    name = (encoding or "").strip().lower()
    if name in ("", "identity") or name in BufferedReader.DECOMPRESSORS:
        return None
    hint = " (installing the brotlicffi package lets warcio read it)" if name == "br" else ""
    return f"the page is compressed with Content-Encoding {name!r}, which cannot be decoded here{hint}"


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO-8601, RFC-2822, ``YYYY-MM-DD``, epoch seconds or similar.

    Naive times are taken as UTC, and a year alone (``"2024"`` or ``2024``) as midnight on its
    January 1. Returns None rather than guess: text missing the day or month of a date that
    names them, or its year (``"March 2020"``, ``"Monday"``), is refused instead of being filled in from today, so is
    a date in figures that reads either way (``"05/04/2021"``, see _DATE_IN_FIGURES), and so is
    a date before :data:`EARLIEST_YEAR`.
    """
    try:
        moment = _parsed_date(value)
    except (ValueError, OverflowError, OSError, TypeError, IndexError):
        # Out of any calendar: an offset past 24 hours, a shift past year 1 or 9999, an
        # integer too large for a float. Unreadable, as any other date that cannot be read.
        return None
    return moment if moment is None or moment.year >= EARLIEST_YEAR else None


def _parsed_date(value: Any) -> datetime | None:
    value = _plain(value)  # (MongoDB's {"$numberLong": "..."} is a number)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict):
        return _mongo_date(value["$date"]) if list(value) == ["$date"] else None
    if isinstance(value, int) and EARLIEST_YEAR <= value <= 9999:
        return _year_alone(value)
    if isinstance(value, (int, float)):  # other small numbers are counts, not times
        return _from_epoch(value) if abs(value) >= _MIN_EPOCH else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    if _YEAR.fullmatch(text):
        return _year_alone(int(text))
    zone = _ZONE_NAME.search(text)
    named = zone is not None and zone.group(1) not in _NOT_ZONES
    moment = _local_time(text[:zone.start()] if named and zone else text)
    if moment is None or moment.tzinfo is not None:
        return None if moment is None else _as_utc(moment)
    if named and zone:
        offset = _ZONE_SECONDS.get(zone.group(1))
        if offset is None:  # IST: India, Israel or Ireland? Undated, rather than hours wrong
            return None
        moment = moment.replace(tzinfo=timezone(timedelta(seconds=offset)))
    return _as_utc(moment)


def _year_alone(year: int) -> datetime:
    """A year stored as midnight on its January 1, which provenance reads as the whole year
    (provenance/dates.py); before EARLIEST_YEAR, parse_date refuses it."""
    return datetime(year, 1, 1, tzinfo=timezone.utc)


def _local_time(text: str) -> datetime | None:
    """The time ``text`` states, with its offset when it gives one as a number, else naive."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    rfc2822 = _RFC2822_YEAR.match(text)
    if rfc2822 is None:  # (email.utils reads other shapes too, wrongly: "10:00 PM" as 10:00)
        return _parse_loose(text)
    if len(rfc2822.group(1)) > 2 and int(rfc2822.group(1)) < EARLIEST_YEAR:
        return None  # email.utils reads "0099" as 1999, as if it were "99"
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return _parse_loose(text)


def _parse_loose(text: str) -> datetime | None:
    figures = _DATE_IN_FIGURES.search(text)
    if figures is not None and figures.group(2) != "." and _either_way(figures):
        return None
    day_first = figures is not None and figures.group(2) == "."
    # Parsing with two different defaults shows whether the text itself gave year, month and day.
    try:
        with warnings.catch_warnings():
            # A zone name dateutil does not know would leave the time naive, read as UTC:
            # unreadable instead (see _ZONE_NAME).
            warnings.simplefilter("error", dateutil.parser.UnknownTimezoneWarning)
            first = dateutil.parser.parse(text, default=datetime(2001, 1, 1), dayfirst=day_first, tzinfos=_ZONE_SECONDS)
            second = dateutil.parser.parse(text, default=datetime(2002, 2, 2), dayfirst=day_first, tzinfos=_ZONE_SECONDS)
    except (ValueError, OverflowError, dateutil.parser.UnknownTimezoneWarning):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first


def _either_way(figures: re.Match[str]) -> bool:
    """A date in figures whose first two numbers could each be its month, and differ."""
    first, second = int(figures.group(1)), int(figures.group(3))
    return first != second and first <= 12 and second <= 12


def _from_epoch(seconds: float) -> datetime | None:
    if abs(seconds) > _MS_EPOCH_ABOVE:
        seconds /= 1000
    elif abs(seconds) >= _SECONDS_EPOCH_BELOW:
        return None  # year 5138 or later in seconds, or 1973-77 in milliseconds: no telling which
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _size(count: int) -> str:
    return f"{count / MiB:.1f} MiB" if count >= MiB else f"{count} bytes"
