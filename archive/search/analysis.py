"""The one text analyzer used for indexing, query terms and snippets.

Tokenisation rule (tests mirror it with their own code, so keep this docstring exact):

* A word is a maximal run of characters for which ``str.isalnum()`` is true (Unicode letters and
  digits), each followed by any combining marks (Unicode category M: the vowel signs and viramas
  of Hindi, Bengali or Tamil, the tone marks of Thai, which are not alphanumeric on their own);
  everything else separates words. So ``state-owned`` is ``state owned``, ``U.S.`` is ``u s``,
  ``1,000`` is ``1 000``, ``foo_bar`` is ``foo bar``, and ``हिन्दी`` is one word.
* A possessive ``'s`` (an apostrophe, then ``s`` or ``S``, at the end of a word) is dropped:
  ``Microsoft’s`` is ``microsoft``, ``O’Brien's`` is ``obrien`` (after Lucene's
  EnglishPossessiveFilter: a search for ``microsoft`` should find "Microsoft’s").
* Any other apostrophe (``'`` or ``’``) with a letter or digit on both sides joins them and is
  dropped: ``don't`` is ``dont``, ``O’Brien`` is ``obrien``; any other apostrophe separates words.
* Chinese, Japanese, Thai, Lao, Khmer and Myanmar are written without spaces between words, so a
  run of their characters (``UNSPACED_CHARACTERS``) is a word of its own, split into its
  overlapping pairs of characters (code points): ``人工智能`` is ``人工 工智 智能``, ``iPhone手机`` is
  ``iphone 手机`` (after Lucene's CJKAnalyzer; without a dictionary, pairs are how a word inside
  such a run is found). A run of one character is that character. A query word of such
  characters is then the phrase of its pairs.
* Words are lower-cased with ``str.lower()``, and a word with other than ASCII characters is put
  in Unicode's NFKC form (then lower-cased again): full-width letters and digits, common in
  Chinese and Japanese text, are the ASCII ones (``ＣＮＮ`` is ``cnn``), ligatures their letters.
* Latin letters are folded to ASCII (after Lucene's ASCIIFoldingFilter): a combining mark on a
  Latin letter is dropped (``Zürich`` is ``zurich``, ``São`` is ``sao``, ``Việt`` is ``viet``),
  and the Latin letters that hold their mark or ligature in one character (``LATIN_LETTERS``)
  are spelled in ASCII (``Straße`` is ``strasse``, ``Øresund`` is ``oresund``, ``Łódź`` is
  ``lodz``), so a word typed with or without its accents finds both spellings. Marks on the
  letters of other scripts stay (Russian ``й`` is not ``и``; Hindi's vowel signs are letters).
  Indexes built by an older rule (``WORD_RULE`` below) keep their words unfolded, and queries
  against them are not folded either (``words(..., folded=False)``) until they are rebuilt.
* Nothing else: no stop words (phrases such as "one of the" stay exact) and no stemming (a phrase
  query matches only the words as written).

Common-word bigrams (after Lucene's CommonGrams): a phrase made only of very frequent words
("one of the") is slow to match from single-word postings, because nearly every document holds
those words, many times each. So the ``title`` and ``text`` fields also index, for each pair of
adjacent words that are both *common* (in ``COMMON_WORDS``, or one character long), a gram term
``GRAM_MARK + "first second"`` at the first word's position. Only pairs of two common words get
one (Lucene's "at least one" rule more than doubled the index on Reuters; this adds ~15%): the
other words of a phrase are rarer, and the phrase matcher looks at them first. Gram terms start
with a control character the tokeniser never produces, so they sort before every word and are
kept out of wildcard, fuzzy and spelling expansions. See :func:`phrase_parts`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, Token, Tokenizer

from archive.scripts import UNSPACED_CHARACTERS, has_marks

# `[^\W_]` is "isalnum" in Python's Unicode regex engine: word characters minus the underscore.
# An apostrophe joins the letters around it unless it starts a possessive 's, which ends the word
# (the last group) and is then dropped by `_term`.
WORD_PATTERN = r"[^\W_]+(?:['’](?![sS](?![^\W_]))[^\W_]+)*(?:['’][sS](?![^\W_]))?"
_WORD = re.compile(WORD_PATTERN)


@functools.cache
def _marked_word() -> Any:
    """WORD_PATTERN with each letter or digit followed by its combining marks (scripts.has_marks;
    `re` has no class for marks): built on first need, as the import and compile take ~20 ms."""
    import regex

    # (`regex`'s \w holds marks, so the letters and digits are named: a mark never starts a word.)
    return regex.compile(
        r"(?:[\p{L}\p{N}]\p{M}*)+(?:['’](?![sS](?![\p{L}\p{N}]))(?:[\p{L}\p{N}]\p{M}*)+)*"
        r"(?:['’][sS](?![\p{L}\p{N}]))?")


@functools.cache
def _unspaced() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any UNSPACED_CHARACTERS, a run of them as group 1 or else a word of the other characters):
    compiled on first need, as the classes take ~12 ms to compile and ASCII text never needs them."""
    spaced = rf"[^\W_{UNSPACED_CHARACTERS}]"
    return (re.compile(f"[{UNSPACED_CHARACTERS}]"), re.compile(
        rf"([{UNSPACED_CHARACTERS}]+)|{spaced}+(?:['’](?![sS](?!{spaced})){spaced}+)*(?:['’][sS](?!{spaced}))?"))


@functools.cache
def _unspaced_marked() -> Any:
    """_unspaced()[1] for a text that also holds combining marks: a word of the other characters
    keeps its marks, as _marked_word's do (a Hindi word or a decomposed "é" beside Chinese)."""
    import regex

    letter = rf"(?:(?![{UNSPACED_CHARACTERS}])[\p{{L}}\p{{N}}]\p{{M}}*)"
    return regex.compile(rf"([{UNSPACED_CHARACTERS}]+)|{letter}+(?:['’](?![sS](?!{letter})){letter}+)*"
                         rf"(?:['’][sS](?!{letter}))?")


_APOSTROPHES = str.maketrans("", "", "'’")
_POSSESSIVE = re.compile(r"['’][sS]$")


def _term(word: str, folded: bool = True) -> str:
    """The index term of one matched word: possessive dropped, lower-cased, apostrophes out, and
    compatibility forms folded (NFKC: full-width ``ＣＮＮ２０２０`` is ``cnn2020``, ``ﬁ`` is ``fi``),
    then (``folded``) its Latin letters too (fold_latin)."""
    term = _ascii_term(word)
    if term.isascii():
        return term
    term = unicodedata.normalize("NFKC", term).lower()
    return fold_latin(term) if folded else term


def fold_latin(term: str) -> str:
    """``term`` (lower-cased) with its Latin letters folded to ASCII: marks on Latin letters
    dropped, LATIN_LETTERS spelled out; other scripts' letters and marks as they are. Folding a
    folded term changes nothing."""
    if term.isascii():
        return term
    kept: list[str] = []
    latin = False  # whether the last letter kept is Latin (its marks are dropped)
    for char in unicodedata.normalize("NFD", term):
        if unicodedata.combining(char):
            if not latin:
                kept.append(char)
            continue
        latin = char.isascii() or unicodedata.name(char, "").startswith("LATIN")
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).translate(LATIN_LETTERS)


def _ascii_term(word: str) -> str:
    """_term of a word known to be ASCII (nothing to fold)."""
    return _POSSESSIVE.sub("", word).lower().translate(_APOSTROPHES)


# Frequent words of English news text (Reuters-21578 ranks all but "says" and "who" among its top
# 60), minus corpus-specific tokens such as "mln" or "dlrs". Changing the list changes which grams new
# documents get; an index keeps the list it was built with (it is part of the pickled schema).
COMMON_WORDS = frozenset(
    """a about after also an and are as at be been but by company for from had has have he her his i if
    in into is it its last more new not of on one or said says she than that the their there they
    this to two was were which who will with would year""".split()
)
GRAM_MARK = "\x1f"
# Which word rule (above) an index was built with; kept in its schema (search.schema.Text). 3:
# Latin letters folded to ASCII (session 43); 2: unspaced scripts as pairs, combining marks in
# words, NFKC (session 28); 1 (no mark): before.
WORD_RULE = 3
# The first rule that folds Latin letters: an index of an older rule is searched unfolded.
FOLDING_RULE = 3
# Latin letters with no decomposition in Unicode (a stroke, a ligature, a letter of its own),
# lower-case (terms are), spelled as ASCII search engines spell them.
LATIN_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ƀ": "b", "ƶ": "z", "ɨ": "i", "ʉ": "u", "ĸ": "q", "ŋ": "n",
})


class FoldFilter(Filter):
    """Drops a possessive 's, lower-cases each token and drops its internal apostrophes."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = _term(token.text)
            yield token


class WordTokenizer(Tokenizer):
    """Whoosh's tokenizer for the rule above: the words of ``_raw_spans``, unfolded."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans = _raw_spans(value) if tokenize else [(value, 0, len(value))]
        for pos, (word, start, end) in enumerate(spans):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def make_analyzer() -> Any:
    """A fresh analyzer; the schema pickles it, so it must be built from importable classes.

    Indexing and queries use ``words``/``word_spans`` below, the same rule without Whoosh's
    per-token objects (tests check they agree); the analyzer stays for Whoosh's own use.
    """
    return WordTokenizer() | FoldFilter()


def _word_pattern(text: str) -> Any | None:
    """The pattern of ``text``'s words, or None when it holds an unspaced run (_unspaced_spans)."""
    if text.isascii():
        return _WORD
    if _unspaced()[0].search(text) is not None:
        return None
    return _marked_word() if has_marks(text) else _WORD


def _raw_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word of ``text`` as written, with its start and end offsets (unspaced runs as pairs)."""
    pattern = _word_pattern(text)
    if pattern is None:
        return _unspaced_spans(text)
    return [(m.group(), m.start(), m.end()) for m in pattern.finditer(text)]


def _unspaced_spans(text: str) -> list[tuple[str, int, int]]:
    """_raw_spans of a text that holds an unspaced run: each run as its overlapping pairs."""
    spans: list[tuple[str, int, int]] = []
    pattern = _unspaced_marked() if has_marks(text) else _unspaced()[1]
    for m in pattern.finditer(text):
        start, end = m.span()
        if m.group(1) is None or end - start == 1:
            spans.append((m.group(), start, end))
        else:
            spans.extend((text[i:i + 2], i, i + 2) for i in range(start, end - 1))
    return spans


def words(text: str, folded: bool = True) -> list[str]:
    """The index terms of ``text``, in order (the analyzer's rule, without its per-token objects);
    not ``folded``: Latin letters as written (the terms of an index built before FOLDING_RULE)."""
    if text.isascii():  # (the common case)
        return [_ascii_term(word) for word in _WORD.findall(text)]
    pattern = _word_pattern(text)
    if pattern is None:
        return [_term(word, folded) for word, _, _ in _unspaced_spans(text)]
    return [_term(word, folded) for word in pattern.findall(text)]


def is_common(word: str, common: frozenset[str]) -> bool:
    return len(word) == 1 or word in common


def gram(first: str, second: str) -> str:
    return f"{GRAM_MARK}{first} {second}"


def is_gram(term: str | bytes) -> bool:
    return term[:1] in (GRAM_MARK, GRAM_MARK.encode())


def grams(terms: list[str], common: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(position, gram) for each pair of adjacent common words; none without a list of them."""
    if not common:
        return
    flags = [len(term) == 1 or term in common for term in terms]
    for position, (first, second) in enumerate(zip(flags, flags[1:])):
        if first and second:
            yield position, gram(terms[position], terms[position + 1])


def phrase_parts(terms: tuple[str, ...], common: frozenset[str]) -> list[tuple[str, int]]:
    """An exact phrase as (index term, offset from the phrase start) parts, grams where indexed.

    A pair of common words is looked up as its gram; a word in no such pair is looked up on its
    own. A phrase matches where every part stands at its offset (``phrase.ExactPhrase``).
    """
    parts: list[tuple[str, int]] = []
    covered: set[int] = set()
    for position, term in grams(list(terms), common):
        parts.append((term, position))
        covered.update((position, position + 1))
    parts += [(word, i) for i, word in enumerate(terms) if i not in covered]
    return parts


def word_spans(text: str, folded: bool = True) -> list[tuple[str, int, int]]:
    """Each index term of ``text`` with its start and end character offsets in ``text`` (the
    pairs of an unspaced run overlap by a character); ``folded`` as for ``words``."""
    return [(_term(word, folded), start, end) for word, start, end in _raw_spans(text)]


def has_word(text: str) -> bool:
    """True if ``text`` yields at least one index term."""
    return re.search(r"[^\W_]", text) is not None
