"""Characters that show nothing yet split a word, for ingest and search alike.

Ingest drops them from every text (``ingest.normalize``), and a query drops them the same way
(``search.query.parse``): a word pasted with a soft hyphen or a zero-width space in it
("zu\\u00adrich") must find the word stored without it. Stdlib only: a search imports this.
"""

from __future__ import annotations

import re

# Control and invisible format characters, except tab and newline (handled as whitespace).
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060-\u2064\ufeff]")
# Joiners have work to do in Arabic, Indic and emoji sequences, none between Latin letters,
# digits or ASCII punctuation, where they only hide a word from a search (or a plagiarism check):
# "rep\u200cort" is "report", "20\u200d18" is "2018". (Applied after _INVISIBLE, which may have
# stood between a joiner and a letter.)
_HIDDEN_JOINERS = re.compile(r"(?<=[!-~\u00c0-\u024f\u2018\u2019])[\u200c\u200d]+(?=[!-~\u00c0-\u024f\u2018\u2019])")


def without_invisible(text: str) -> str:
    """``text`` without control characters (but tab and newlines), soft hyphens, zero-width
    spaces, word joiners and byte order marks."""
    return _INVISIBLE.sub("", text)


def without_hidden_joiners(text: str) -> str:
    """``text`` without the zero-width (non-)joiners that stand between Latin letters, digits or
    ASCII punctuation (where they join nothing)."""
    if "\u200c" not in text and "\u200d" not in text:
        return text
    return _HIDDEN_JOINERS.sub("", text)


def without_hidden_characters(text: str) -> str:
    """``text`` without its invisible characters and hidden joiners (the two above)."""
    return without_hidden_joiners(without_invisible(text))
