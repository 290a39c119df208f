"""Decide what a byte string is (format, text or binary) and decode text in whatever encoding it uses."""

from __future__ import annotations

import codecs
import json
import re

import chardet
import regex
from chardet.enums import EncodingEra

GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/"

# Byte-order marks say the encoding outright; UTF-16/32 text contains NUL bytes, so check these first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Windows-1252 (Latin-1's superset) is by far the commonest single-byte encoding, so it wins
# unless another one reads the bytes clearly better. A Western text with a few accented words
# ("naïve", "São", "Müller" in an English story, "José Núñez said.") reads about as well in a
# dozen code pages (cp1250 "naďve", "Núńez"): chardet scores cp1252 at 85-100% of the best there,
# and sentences really in cp1250, cp1257 or cp1254 at most 63% (Romanian in the rare ISO-8859-16
# more, and reads as cp1250 or cp1252).
_CP1252_WITHIN = 0.75
# The bytes chardet reads (its default), and so what its guesses are checked on.
_SAMPLE_BYTES = 200_000
# Windows, ISO and web encodings. DOS and classic Mac code pages (cp850's "M³ller", Mac Central
# European's "Cafť ownerís") fit short Western texts as well, and are rarely what a file is in.
_ERAS = EncodingEra.MODERN_WEB | EncodingEra.LEGACY_ISO
# A non-ASCII character touching a Latin letter that is neither a Latin letter nor punctuation
# ("Zoن", "M³ller", "Ibß±ez"): a sign of the wrong code page, which short texts (a name in a
# table cell) give too little else to go by. A decoding with more than one in
# _MISPLACED_PER_CHARACTER of its non-ASCII characters so placed is not considered.
_MISPLACED = regex.compile(r"(?<=[A-Za-z])[^\p{ASCII}]|[^\p{ASCII}](?=[A-Za-z])")
_AT_HOME_IN_A_WORD = regex.compile(r"[\p{Script=Latin}&&[\p{Lu}\p{Ll}]]|\p{P}|\p{So}", regex.V1)
_MISPLACED_PER_CHARACTER = 10
# A text whose non-ASCII characters are this many times more often intact UTF-8 sequences than
# invalid bytes is UTF-8 with a few damaged bytes (pasted from elsewhere, cut mid-character), not
# a legacy code page: in those, nearly every non-ASCII byte is invalid UTF-8. One such page of
# trafilatura's evaluation set (3 stray bytes among ~100 umlauts) was read as cp1252 before,
# which garbled every umlaut ("schÃ¶n").
_UTF8_INTACT_PER_DAMAGED = 10
# Archives and compressors other than gzip, by their first bytes (bzip2's with its block or
# end-of-stream magic, which text starting "BZh9" lacks): refused with a word on what to do.
_PACKED: tuple[tuple[re.Pattern[bytes], str], ...] = tuple((re.compile(magic, re.DOTALL), kind) for magic, kind in (
    (rb"PK(\x03\x04|\x05\x06)", "a zip archive"),
    (rb"BZh[1-9](1AY&SY|\x17rE8P\x90)", "a bzip2 file"),
    (rb"\xfd7zXZ\x00", "an xz file"),
    (rb"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (rb"Rar!\x1a\x07", "a RAR archive"),
    (rb"\x28\xb5\x2f\xfd", "a zstd file"),
    (rb".{257}ustar(\x00|  \x00)", "a tar archive"),
))
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<meta ", b"<title")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can recognise; ``str(err)`` says why."""


def decode_text(data: bytes) -> str:
    """Decode ``data`` as text: BOM, then UTF-8 (also with a few damaged bytes), then the legacy
    encoding that reads it best (see _likeliest_encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise UndecodableError(f"not valid {encoding} despite its byte-order mark") from err
    if b"\x00" in data:
        raise UndecodableError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    damaged_utf8 = data.decode("utf-8", errors="replace")
    if _few_damaged(damaged_utf8):
        return damaged_utf8
    encoding = _likeliest_encoding(data)
    if encoding is None:
        raise UndecodableError("undecodable text: not UTF-8 and no known encoding fits")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:  # (past the sample the encoding was judged on)
        raise UndecodableError(f"undecodable text: not UTF-8, and not {encoding} throughout") from err


def _likeliest_encoding(data: bytes) -> str | None:
    """The legacy encoding chardet finds likeliest for ``data`` among those whose letters sit
    plausibly in words (see _MISPLACED), but cp1252 when it reads the bytes nearly as well (see
    _CP1252_WITHIN); None when none fits."""
    sample = data[:_SAMPLE_BYTES]
    found = [(codec, float(guess["confidence"]))
             for guess in chardet.detect_all(sample, ignore_threshold=True, max_bytes=_SAMPLE_BYTES, encoding_era=_ERAS)
             if (codec := _codec(guess["encoding"])) is not None]
    best = next(((codec, score) for codec, score in found if _reads_as_words(sample, codec)), None)
    if best is None:
        return found[0][0] if found else None
    cp1252 = next((score for codec, score in found if codec == "cp1252"), 0.0)
    if cp1252 >= _CP1252_WITHIN * best[1] and _reads_as_words(sample, "cp1252"):
        return "cp1252"
    return best[0]


def _reads_as_words(sample: bytes, encoding: str) -> bool:
    """Whether ``sample`` decodes in ``encoding`` with few characters out of place in Latin words."""
    try:  # (the sample may end inside a character)
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    misplaced = sum(not _AT_HOME_IN_A_WORD.match(found.group()) for found in _MISPLACED.finditer(text))
    return misplaced * _MISPLACED_PER_CHARACTER <= len(text) - len(text.encode("ascii", errors="ignore"))


def _codec(name: str | None) -> str | None:
    """Python's own name for an encoding chardet names (``Windows-1252`` -> ``cp1252``)."""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


# Where the NULs fall in the first four bytes of UTF-16 or UTF-32 text without a byte-order
# mark that starts with two ASCII characters (JSON's, RFC 4627 section 3: `{\x00"\x00`).
_WIDE_BY_NULS: dict[tuple[bool, ...], str] = {
    (False, True, True, True): "utf-32-le",
    (True, True, True, False): "utf-32-be",
    (False, True, False, True): "utf-16-le",
    (True, False, True, False): "utf-16-be",
}


def wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 when ``head`` starts with its byte-order mark, or without one when its
    first four bytes hold NULs where that encoding puts them around ASCII (see _WIDE_BY_NULS),
    else None: text whose bytes hold NULs and whose newline is more than one byte, so it is
    decoded before it is split."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return None if encoding == "utf-8-sig" else encoding
    if len(head) < 4:
        return None
    return _WIDE_BY_NULS.get(tuple(byte == 0 for byte in head[:4]))


def stream_encoding(head: bytes) -> str:
    """The encoding of a stream read a line at a time (a table), from its first bytes: UTF-8 (a
    BOM skipped) unless more of their lines with non-ASCII bytes are invalid UTF-8 than valid,
    else the legacy encoding that reads them best (a spreadsheet saved on Windows: cp1252).

    Lines are the stream's records: a UTF-8 export with a row pasted from elsewhere stays UTF-8
    (that row is decoded on its own), where reading it all in a code page would garble every
    valid row. A legacy line is valid UTF-8 only by chance ("CAFÉ”"), so lines outvote bytes.
    """
    # (The read-ahead may end inside a character: that line is not counted as damaged.)
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=False)
    foreign = [line for line in text.splitlines() if not line.isascii()]
    damaged = sum("\ufffd" in line for line in foreign)
    if damaged <= len(foreign) - damaged:
        return "utf-8-sig"
    return _likeliest_encoding(head) or "utf-8-sig"


def _few_damaged(text: str) -> bool:
    """Whether ``text``, decoded as UTF-8 with U+FFFD for invalid bytes, has few enough of them
    to be UTF-8 text (see _UTF8_INTACT_PER_DAMAGED)."""
    damaged = text.count("\ufffd")
    intact = len(text) - len(text.encode("ascii", errors="ignore")) - damaged
    return intact >= _UTF8_INTACT_PER_DAMAGED * damaged


def packed_kind(head: bytes) -> str | None:
    """What kind of archive or compressed file (other than gzip) ``head`` starts, if any."""
    return next((kind for magic, kind in _PACKED if magic.match(head)), None)


def _is_mhtml(head: bytes) -> bool:
    """A page saved by a browser as one MIME file: mail-like headers, then multipart/related."""
    headers = head[:4096].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    return headers.startswith((b"from:", b"mime-version:", b"snapshot-content-location:", b"subject:",
                               b"date:", b"content-type:")) and b"multipart/related" in headers


def sniff_format(head: bytes) -> str:
    """Guess the format of a stream from its first bytes: gzip, warc, mhtml, json, jsonl, feed
    (RSS or Atom), xml (any other), html or txt.

    ``{`` starts JSON Lines when the first line is a complete JSON value by itself, else one JSON
    document (pretty-printed objects do not parse line by line).
    """
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(WARC_MAGIC):
        return "warc"
    wide = wide_encoding(head)
    if wide is not None:  # (sniffed as the text it is: its bytes hold a NUL after each ASCII letter)
        head = head.decode(wide, errors="ignore").encode("utf-8")
    if _is_mhtml(head):
        return "mhtml"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first, newline, rest = stripped.partition(b"\n")
        if newline and rest.strip():
            try:
                json.loads(first)
            except ValueError:
                return "json"
            return "jsonl"
        return "json"
    lowered = stripped[:2048].lower()
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<rss") or lowered.startswith(b"<feed"):
        root = _xml_root(lowered)
        if root.startswith(_FEED_ROOTS):
            return "feed"
        if not root.startswith(b"<html") and lowered.startswith(b"<?xml"):
            return "xml"
    if any(m in lowered for m in _HTML_MARKERS):
        return "html"
    return "txt"


def _doctype_closing(rest: bytes) -> bytes:
    """What ends a document type declaration at the start of ``rest``: ``]>`` when it has an
    internal subset (``<!DOCTYPE rss [<!ENTITY ...>]>``, whose declarations hold ``>``), else ``>``."""
    bracket, end = rest.find(b"["), rest.find(b">")
    return b"]>" if 0 <= bracket < end else b">"


# The root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom.
_FEED_ROOTS = (b"<rss", b"<rdf:rdf", b"<feed")


def _xml_root(lowered: bytes) -> bytes:
    """An XML document's first element, past its declaration, comments and processing
    instructions (a feed's stylesheet), from its lower-cased start."""
    rest = lowered
    while True:
        rest = rest.lstrip()
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!doctype", _doctype_closing(rest))):
            if rest.startswith(opening):
                end = rest.find(closing)
                if end < 0:
                    return b""
                rest = rest[end + len(closing):]
                break
        else:
            return rest
