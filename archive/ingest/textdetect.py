"""Decide what a byte string is (format, text or binary) and decode text in whatever encoding it uses."""

from __future__ import annotations

import codecs
import json

import charset_normalizer

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
_PREFERRED = frozenset({"cp1252", "latin_1", "iso8859_15"})
# A text whose non-ASCII characters are this many times more often intact UTF-8 sequences than
# invalid bytes is UTF-8 with a few damaged bytes (pasted from elsewhere, cut mid-character), not
# a legacy code page: in those, nearly every non-ASCII byte is invalid UTF-8. One such page of
# trafilatura's evaluation set (3 stray bytes among ~100 umlauts) was read as cp1252 before,
# which garbled every umlaut ("schÃ¶n").
_UTF8_INTACT_PER_DAMAGED = 10
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<meta ", b"<title")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can recognise; ``str(err)`` says why."""


def decode_text(data: bytes) -> str:
    """Decode ``data`` as text: BOM, then UTF-8 (also with a few damaged bytes), then the encoding
    charset-normalizer is sure of."""
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
    damaged_utf8 = _mostly_utf8(data)
    if damaged_utf8 is not None:
        return damaged_utf8
    encoding = _likeliest_encoding(data)
    if encoding is None:
        raise UndecodableError("undecodable text: not UTF-8 and no known encoding fits")
    return data.decode(encoding)


def _likeliest_encoding(data: bytes) -> str | None:
    """The legacy encoding charset-normalizer finds for ``data``, None when none fits. Short
    texts often fit several code pages equally well ("naïve", "señor" read as well in cp1250 as
    in cp1252): of those tied, the most common one is the best bet."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if (match.chaos, match.coherence) == (best.chaos, best.coherence):
            preferred = [name for name in match.could_be_from_charset if name in _PREFERRED]
            if preferred:
                return preferred[0]
    return str(best.encoding)


def wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 when ``head`` starts with its byte-order mark, else None: text whose
    bytes hold NULs and whose newline is more than one byte, so it is decoded before it is split."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return None if encoding == "utf-8-sig" else encoding
    return None


def stream_encoding(head: bytes) -> str:
    """The encoding of a stream read a piece at a time, from its first bytes: UTF-8 (a BOM
    skipped) when they are UTF-8, else the one charset-normalizer finds (a spreadsheet saved on
    Windows: cp1252)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # (not only a character cut at the end of the read-ahead)
            return _likeliest_encoding(head) or "utf-8-sig"
    return "utf-8-sig"


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` decoded as UTF-8 with U+FFFD for its few invalid bytes, or None when invalid bytes
    are too common for UTF-8 text (see _UTF8_INTACT_PER_DAMAGED)."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    intact = len(text) - len(text.encode("ascii", errors="ignore")) - damaged
    return text if intact >= _UTF8_INTACT_PER_DAMAGED * damaged else None


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


# The root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom.
_FEED_ROOTS = (b"<rss", b"<rdf:rdf", b"<feed")


def _xml_root(lowered: bytes) -> bytes:
    """An XML document's first element, past its declaration, comments and processing
    instructions (a feed's stylesheet), from its lower-cased start."""
    rest = lowered
    while True:
        rest = rest.lstrip()
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!doctype", b">")):
            if rest.startswith(opening):
                end = rest.find(closing)
                if end < 0:
                    return b""
                rest = rest[end + len(closing):]
                break
        else:
            return rest
