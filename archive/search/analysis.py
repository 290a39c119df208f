"""The one text analyzer used for indexing, query terms and snippets.

Tokenisation rule (tests mirror it with their own code, so keep this docstring exact):

* A word is a maximal run of characters for which ``str.isalnum()`` is true (Unicode letters and
  digits); everything else separates words. So ``state-owned`` is ``state owned``, ``U.S.`` is
  ``u s``, ``1,000`` is ``1 000``, ``foo_bar`` is ``foo bar``.
* An apostrophe (``'`` or ``’``) with a letter or digit on both sides joins them and is dropped:
  ``don't`` is ``dont``, ``O’Brien`` is ``obrien``; any other apostrophe separates words.
* Words are lower-cased with ``str.lower()``.
* Nothing else: no stop words (phrases such as "one of the" stay exact) and no stemming (a phrase
  query matches only the words as written).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer, Token

# `[^\W_]` is "isalnum" in Python's Unicode regex engine: word characters minus the underscore.
WORD_PATTERN = r"[^\W_]+(?:['’][^\W_]+)*"
_APOSTROPHES = str.maketrans("", "", "'’")


class FoldFilter(Filter):
    """Lower-cases each token and drops its internal apostrophes, in one pass for speed."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = token.text.lower().translate(_APOSTROPHES)
            yield token


def make_analyzer() -> Any:
    """A fresh analyzer; the schema pickles it, so it must be built from importable classes."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter()


ANALYZER = make_analyzer()


def words(text: str) -> list[str]:
    """The index terms of ``text``, in order."""
    return [token.text for token in ANALYZER(text)]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Each index term of ``text`` with its start and end character offsets in ``text``."""
    return [(t.text, t.startchar, t.endchar) for t in ANALYZER(text, chars=True)]


def has_word(text: str) -> bool:
    """True if ``text`` yields at least one index term."""
    return re.search(r"[^\W_]", text) is not None
