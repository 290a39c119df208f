"""Names the archive stores and shows for what the file system or the command line gave it.

Python hands on the bytes of a file name or an argument that are not UTF-8 (a Latin-1 name from
an old Windows zip, ``caf\\xe9.txt``) as lone surrogates, which SQLite cannot store and a UTF-8
terminal cannot print.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Python's surrogateescape writes the byte 0xNN as U+DCNN.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def readable(name: str) -> str:
    """``name`` with each byte that is not UTF-8 written as ``\\xNN`` (``caf\\xe9.txt``), and any
    other lone surrogate as ``\\uNNNN``; a name that decodes is returned as it is, so the ids of
    such names never change. The same bytes always give the same name: ingesting the file
    again finds its document, and ``archive show`` finds it by the name as typed."""
    if not _LONE_SURROGATE.search(name):
        return name
    return _LONE_SURROGATE.sub(_written, name)


def _written(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if code in _ESCAPED_BYTES else f"\\u{code:04x}"
