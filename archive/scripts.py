"""Writing systems whose words need more than `re`'s ``\\w``, for search and provenance alike.

Chinese and Japanese (and Thai, Lao, Khmer, Myanmar) put no spaces between words; Hindi, Bengali or
Tamil write vowel signs and viramas as combining marks, which `re` does not count as word
characters. Stdlib only at import: the `regex` module, which has a class for marks, is imported
on first need (~20 ms), and ASCII text never needs it.
"""

from __future__ import annotations

import functools
from typing import Any

# Hiragana, katakana, CJK ideographs (extension A, unified, compatibility), 々 and 〇.
CJK_CHARACTERS = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# The scripts written without spaces between words: CJK, then Thai, Lao, Myanmar and Khmer (with
# their marks). Hangul is not here: Korean puts spaces between its words.
UNSPACED_CHARACTERS = CJK_CHARACTERS + "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"


@functools.cache
def _mark() -> Any:
    import regex

    # (Not the variation selectors an emoji takes: "❤️" says nothing of words.)
    return regex.compile(r"[^\P{M}\ufe00-\ufe0f]")


def has_marks(text: str) -> bool:
    """``text`` holds a combining mark that belongs to a word (Unicode category M, but an emoji's
    variation selector)."""
    return not text.isascii() and _mark().search(text) is not None
