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


# Characters that would break a message's one line, or act on a terminal: C0 and C1 controls,
# DEL, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(name: str) -> str:
    """``name`` as a message shows it: readable, and each control character escaped (``\\n``,
    ``\\x1b``), so a file name holding a line break keeps a failure on its one line. Only
    for showing: stored paths and ids are ``readable`` names."""
    return _CONTROL.sub(_escaped_control, readable(name))


def _escaped_control(match: re.Match[str]) -> str:
    char = match.group()
    return _CONTROL_ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def _written(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if code in _ESCAPED_BYTES else f"\\u{code:04x}"
