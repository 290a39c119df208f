"""Which of several versions of one story a copy was made from.

Wire services and sites re-issue a story (a corrected figure, a new headline, a re-wrapped
text, an added paragraph). A copy of one issue aligns about equally well with all of them, so
the alignment scores cannot tell them apart; the small details in which the issues differ can.
A copy keeps its source's surface form wherever it did not reword it: the exact spelling and
case of words, the punctuation, the line layout, the headline's words. So, counted only over
the details that set one version apart from the others, the copy agrees most with the version
it was made from (by the words' order alone when the copy laid the text out anew, its lines
joined). This holds for any spinner or copier (it looks at what they leave alone) and
says nothing when the versions are byte-identical. Then one more detail may: a copy's time stamp
that keeps one version's minutes and seconds (a clock time carried over, re-stamped in another
time zone or re-posted whole hours later); else the caller keeps its own choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# Words with their punctuation and case, and line breaks (any whitespace run with a newline,
# so re-indented paragraphs still match) as tokens of their own.
_SURFACE = re.compile(r"[^\s]+|\s*\n\s*")
_TITLE_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Surface:
    """A text's surface details: adjacent token pairs of the body as written (line breaks
    included), the same of its words alone, how many line breaks a word it has, title words."""

    bigrams: frozenset[tuple[str, str]]
    title_words: frozenset[str]
    word_pairs: frozenset[tuple[str, str]]
    breaks_per_word: float

    @classmethod
    def of(cls, text: str, title: str | None, furniture: Sequence[tuple[int, int]] = ()) -> Surface:
        """``furniture``: (start, end) spans of the text's cruft lines, left out: a site's own
        lines are the copier's surface, not the version's (two copies from one site share them)."""
        for start, end in sorted(furniture, reverse=True):
            text = text[:start] + text[end:]
        if furniture:  # (the line breaks it stood between are the copier's layout too)
            text = text.strip()
        tokens = ["\n" if t.isspace() else t for t in _SURFACE.findall(text)]
        # Headlines are re-cased freely (capitals, title case), so their words are compared
        # case-blind; the body's case is part of its surface form.
        words = frozenset(w.lower() for w in _TITLE_WORD.findall(title or ""))
        body = [t for t in tokens if t != "\n"]
        return cls(frozenset(zip(tokens, tokens[1:])), words, frozenset(zip(body, body[1:])),
                   (len(tokens) - len(body)) / max(len(body), 1))


# A copy with under this share of the line breaks a word of the most broken version has laid
# the text out anew (a scraper that joined the lines into paragraphs or into one): its
# layout is its own, and so is every join it shares with a sibling copy laid out the same way.
KEPT_LAYOUT = 0.5


def agreement(copy: Surface, versions: Mapping[int, Surface]) -> dict[int, int]:
    """For each version, how many of the details found in it and in no other version the copy
    shares (body token pairs plus title words; the pairs of words alone if the copy kept too
    few of the versions' line breaks to have kept their layout)."""
    out: dict[int, int] = {}
    # A version stored without a headline cannot agree on one: then headlines say nothing.
    titled = all(s.title_words for s in versions.values())
    # A copy laid out anew is compared by its words' order alone.
    kept_layout = copy.breaks_per_word >= KEPT_LAYOUT * max(s.breaks_per_word for s in versions.values())
    for v, surf in versions.items():
        others = [s for o, s in versions.items() if o != v]
        if kept_layout:
            own_pairs = surf.bigrams.difference(*(s.bigrams for s in others)) & copy.bigrams
        else:
            own_pairs = surf.word_pairs.difference(*(s.word_pairs for s in others)) & copy.word_pairs
        own_title = frozenset()
        if titled and _kept_headline(copy.title_words, surf.title_words):
            own_title = surf.title_words.difference(*(s.title_words for s in others))
        out[v] = len(own_pairs) + len(own_title & copy.title_words)
    return out


def _kept_headline(copy_words: frozenset[str], version_words: frozenset[str]) -> bool:
    """Whether a copy's headline is the version's, reworded or not: it keeps a third of its
    words. A copy under a headline of its own shares a word with one version's by chance (an
    article on light rail quoting a story headed "... green light ..."), which says nothing."""
    return 3 * len(copy_words & version_words) >= len(version_words)


def best_version(scores: Mapping[int, int], preferred: Sequence[int]) -> int:
    """The version with the most ``scores`` (agreement of a copy with each version); ties
    (including no distinguishing detail at all) go to the first of ``preferred`` (all versions,
    best first by the caller's own ranking)."""
    top = max(scores.values())
    return next(v for v in preferred if scores[v] == top)


def keeps_clock_of(copy: datetime | None, versions: Mapping[int, datetime | None]) -> int | None:
    """The one version whose published time has the copy's minutes and seconds, if exactly one
    has. A time on the hour says nothing (dates without a time are stored at midnight, and
    round times are common), nor do versions stamped with the same minute and second."""
    if copy is None or (copy.minute, copy.second) == (0, 0):
        return None
    matching = [v for v, t in versions.items() if t is not None and (t.minute, t.second) == (copy.minute, copy.second)]
    return matching[0] if len(matching) == 1 else None
