"""Tokenisation and token classes: the raw material every other stage works on.

Tokens carry char offsets so evidence can point back into the text. Each token gets a kind,
because the kinds behave differently under copying: synonym spinners replace ordinary content
words but leave function words, numbers and names alone (DSpin's "immutables"), so those are the
signals that survive spinning and the ones candidate search and story matching rely on.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.scripts import CJK_CHARACTERS, has_marks

from .languages import FUNCTION_WORDS, NOUNS_CAPITALISED, function_word_language

STOP, WORD, NUM, CAP = 0, 1, 2, 3

# Function words: closed-class words spinners never touch and retrieval should ignore.
STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say
    would may might must shall upon per via vs mr mrs ms it's its i'm he's she's that's there's
    they're we're don't doesn't didn't won't can't isn't aren't wasn't weren't also one two three
    """.split()
)

# One capturing group so that split() returns the tokens between the gaps. Chinese and Japanese
# put no spaces between words: each of their characters is a token (as a word, its run up to the
# next punctuation would be a whole clause, and a synonym swapped in it a clause substituted).
_TOKEN_RE = re.compile(r"(\w+(?:[.,'’\-&]\w+)*)")
_TOKEN_WITH_CJK_RE = re.compile(rf"([{CJK_CHARACTERS}]|[^\W{CJK_CHARACTERS}]+(?:[.,'’\-&][^\W{CJK_CHARACTERS}]+)*)")
_HAS_CJK = re.compile(f"[{CJK_CHARACTERS}]")


@functools.cache
def _token_with_marks() -> Any:
    """_TOKEN_RE with a word's combining marks kept in it (scripts.has_marks): `re`'s \\w leaves
    out the vowel signs and viramas of Hindi, Bengali or Tamil, cutting their words at each one;
    the `regex` module's \\w holds them. Built on first need (most texts have no marks)."""
    import regex

    return regex.compile(r"(\w+(?:[.,'’\-&]\w+)*)")
# A token is sentence-initial when only quotes/brackets/spaces separate it from the end of the
# previous sentence or line; its capital letter then says nothing about being a name.
_SENTENCE_END = frozenset(".!?:;\n\"“”'‘’([—–-|")

def idf(doc_freq: np.ndarray, archive_size: int) -> np.ndarray:
    """Smoothed inverse document frequency of terms found in ``doc_freq`` of ``archive_size``
    documents (never zero: a term in every document still counts a little)."""
    return np.log((archive_size + 1.0) / (doc_freq + 1.0)) + 1.0


def token_hash(form: str) -> int:
    """Stable 63-bit hash of a token form (Python's ``hash`` is salted per process). Not memoised
    here: tokenize keeps each raw form's hash (_form_hashes), the one place it is called often."""
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(), "little") >> 1


# Ways of writing a number that rewriters switch between: ordinals ("the 14th" / "on 14"), ages
# ("a 36-year-old" / "36, of"), decades ("30's" / "30s"), a unit or noun hyphened to the figure
# ("3,000-pound", "24-nation"), which spinners reword as any other word ("32-yr-old",
# "24-country"). The figure is the fact that a copy keeps, so these forms share its hash. A
# magnitude is part of the figure: "14-million" is not 14.
_NUMBER_FORM_RE = re.compile(
    r"^(\d+(?:[./]\d+)*)(?:st|nd|rd|th|-(?!(?:hundred|thousand|million|billion|trillion|mln|bln)\b)[a-z][a-z'-]*)$")


def normalise_form(raw: str) -> str:
    """Case-fold and unify apostrophes, digit grouping and number forms: '1,500' == '1500',
    ’ == ', '14th' == '14', '36-year-old' == '36', "30's" == '30s'."""
    form = raw.lower().replace("’", "'")
    if form[0].isdigit():
        if "," in form:
            form = form.replace(",", "")
        if form.endswith("'s"):
            form = form[:-2] + "s"
        form = _NUMBER_FORM_RE.sub(r"\1", form)
    return form


@dataclass(frozen=True)
class Tokens:
    """A document's token stream as parallel arrays (one entry per token)."""

    hashes: np.ndarray  # int64, hash of the normalised form
    kinds: np.ndarray   # uint8, STOP/WORD/NUM/CAP
    starts: np.ndarray  # int32 char offsets
    ends: np.ndarray    # int32

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    def where(self, keep: np.ndarray) -> "Tokens":
        """The tokens where ``keep`` is set (offsets still into the whole text)."""
        return Tokens(self.hashes[keep], self.kinds[keep], self.starts[keep], self.ends[keep])

    def after(self, cut: int) -> "Tokens":
        """The tokens from character ``cut`` on, their offsets into the text from there (the
        tokens of ``text[cut:]`` read as part of the whole text: in its language)."""
        k = int(self.starts.searchsorted(cut, side="left"))
        return Tokens(self.hashes[k:], self.kinds[k:], self.starts[k:] - cut, self.ends[k:] - cut)


MAX_FIGURE_LETTERS = 4


def _base_kind(form: str) -> int:
    """Kind from the form alone; CAP needs the raw token's position and is decided later. A
    figure starts with a digit or carries at most MAX_FIGURE_LETTERS letters ("g-7", "baa-2",
    "end-1986", "a340"); a word with digits in it is a word ("kevinjames4good", an account name
    whose "good" a spinner swaps: no figure changed)."""
    if any(c.isdigit() for c in form) and (form[0].isdigit() or sum(c.isalpha() for c in form) <= MAX_FIGURE_LETTERS):
        return NUM
    return STOP if form in STOPWORDS else WORD


# Each token form's hash and base kind, kept for the process: a news vocabulary is a few hundred
# thousand forms, and most tokens of a text are forms seen before. Two dicts rather than one of
# pairs, so a text's hashes and kinds are read into arrays straight from them.
_form_hashes: dict[str, int] = {}
_form_kinds: dict[str, int] = {}
_MAX_FORMS = 2_000_000  # past this many (a huge vocabulary), start again: memory stays bounded


def forget_forms() -> None:
    """Drop the table of word forms seen: a process done tokenising (the linking process after
    it fingerprinted a whole archive) would otherwise carry it into every worker it forks."""
    _form_hashes.clear()
    _form_kinds.clear()


def _learn_forms(forms: list[str]) -> None:
    """Put the hash and base kind of each of ``forms`` not yet known into the two dicts."""
    unknown = set(forms).difference(_form_hashes)
    if not unknown:
        return
    if len(_form_hashes) + len(unknown) > _MAX_FORMS:
        _form_hashes.clear()
        _form_kinds.clear()
        unknown = set(forms)
    for form in unknown:
        norm = normalise_form(form)
        _form_hashes[form] = token_hash(norm)
        _form_kinds[form] = _base_kind(norm)


_END_LUT = np.zeros(0x2100, dtype=bool)  # code points above this range never end a sentence
_END_LUT[[ord(c) for c in _SENTENCE_END]] = True


DETECT = "detect"  # tokenize's default language: the one the text's own first tokens tell


def _split(text: str) -> list[str]:
    """The lower-cased ``text`` split into gap, token, gap, ... (a token's raw form at odd places)."""
    low = text.lower().replace("’", "'")
    if len(low) != len(text):  # a few characters change length when lower-cased (e.g. 'İ')
        low = "".join(c.lower()[:1] or c for c in text).replace("’", "'")
    if low.isascii():
        pattern = _TOKEN_RE
    elif _HAS_CJK.search(low) is not None:
        pattern = _TOKEN_WITH_CJK_RE
    else:
        pattern = _token_with_marks() if has_marks(low) else _TOKEN_RE
    return pattern.split(low)


def text_language(text: str) -> str | None:
    """The language tokenize reads ``text`` by: another one's key in languages.FUNCTION_WORDS,
    or None (English's function words)."""
    return function_word_language(_split(text)[1::2], STOPWORDS)


def tokenize(text: str, language: str | None = DETECT) -> Tokens:
    """Tokens of ``text`` with kinds; vectorised where it matters (this runs on every document).
    ``language``: whose function words are the stop words (text_language); by default the text's
    own first tokens tell, so a part of a text read alone (a lead) is given its whole text's."""
    # split() alternates gap, token, gap, ... so cumulative lengths give every offset in C.
    parts = _split(text)
    forms = parts[1::2]
    n = len(forms)
    if n == 0:
        empty = np.zeros(0, np.int32)
        return Tokens(np.zeros(0, np.int64), np.zeros(0, np.uint8), empty, empty.copy())
    offsets = np.cumsum(np.fromiter(map(len, parts), dtype=np.int32, count=len(parts)))
    ends = offsets[1::2].astype(np.int32)
    starts = offsets[0:-1:2].astype(np.int32)
    _learn_forms(forms)
    hashes = np.fromiter(map(_form_hashes.__getitem__, forms), dtype=np.int64, count=n)
    kinds = np.fromiter(map(_form_kinds.__getitem__, forms), dtype=np.uint8, count=n)
    # Sentence-initial: the last non-space character before the token ends a sentence or line.
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    nonspace = (codes != 32) & (codes != 9) & (codes != 13)
    last_ns = np.maximum.accumulate(np.where(nonspace, np.arange(codes.shape[0]), -1))
    prev = np.where(starts > 0, last_ns[np.maximum(starts - 1, 0)], -1)
    initial = prev < 0
    has_prev = ~initial
    before = codes[prev[has_prev]]
    initial[has_prev] = _END_LUT[np.minimum(before, _END_LUT.shape[0] - 1)]
    first = codes[starts]
    first_upper = (first >= 65) & (first <= 90)
    for i in np.flatnonzero(first > 127).tolist():
        first_upper[i] = chr(int(first[i])).isupper()
    if language == DETECT:
        language = function_word_language(forms, STOPWORDS)
    if language is not None:  # another language's function words, not English's (languages.py)
        own = FUNCTION_WORDS[language]
        stop = np.fromiter((form in own for form in forms), dtype=bool, count=n)
        not_figure = kinds != NUM
        kinds[not_figure & stop] = STOP
        kinds[not_figure & ~stop] = WORD
    word = kinds == WORD
    if language in NOUNS_CAPITALISED:
        acronyms = word & first_upper  # every noun has a capital: only all-caps words are names
    else:
        kinds[word & first_upper & ~initial] = CAP
        acronyms = word & first_upper & initial
    # All-caps words (tickers, acronyms: "AI", "ESOP") are names even at a sentence start.
    for i in np.flatnonzero(acronyms).tolist():
        raw = text[starts[i]:ends[i]]
        if len(raw) > 1 and raw.isupper():
            kinds[i] = CAP
    return Tokens(hashes, kinds, starts, ends)
