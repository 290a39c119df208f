"""Highlighted fragments of a document's text around what the query matched (pure functions).

Matching re-tokenises the text with the index analyzer, so a phrase is marked only where its words
occur as the phrase (in order, within the slop), never where the words appear on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate
from typing import Literal

from archive.records import record
from archive.search.analysis import WORD_PATTERN, word_spans, words

ELLIPSIS = "…"
# Snippets look for matches in a text's first SCAN_CHARS characters only, so a hit costs the same
# however long its text is: tokenising all of a 3 MB transcript took ~0.5 s a hit, and a 50 MB one
# ~10 s and 1.8 GB. News articles are far shorter (Whoosh's own highlighter stops at 32 KiB).
SCAN_CHARS = 65_536
# A window's edge moves at most this far to reach a space: a longer run without one (a URL, or
# Chinese or Thai, written without spaces) is cut rather than walked to its end, which in an
# unspaced text could be the whole text.
EDGE_REACH = 50
_NON_SPACE = re.compile(r"\S")
MARK_OPEN, MARK_CLOSE = "[[", "]]"
ANSI_BOLD, ANSI_RESET = "\x1b[1m", "\x1b[0m"


@record
class Snippet:
    """Text segments in order; ``is_match`` marks the highlighted ones."""

    segments: tuple[tuple[str, bool], ...]

    def __str__(self) -> str:
        return render(self, "markers")


def render(snippet: Snippet, style: Literal["plain", "markers", "ansi"] = "plain") -> str:
    """Join the segments, marking matches with ``[[...]]``, ANSI bold, or not at all."""
    opening, closing = {"plain": ("", ""), "markers": (MARK_OPEN, MARK_CLOSE), "ansi": (ANSI_BOLD, ANSI_RESET)}[style]
    return "".join(f"{opening}{text}{closing}" if is_match else text for text, is_match in snippet.segments)


def match_ranges(
    text: str, terms: set[str], phrases: set[tuple[tuple[str, ...], int]]
) -> list[tuple[int, int]]:
    """Character ranges of ``text`` to highlight, sorted and merged.

    An exact phrase is one range from its first to its last word; a phrase with slop marks its
    words one by one, since the words between them did not match. Only the opening
    ``SCAN_CHARS`` of the text are looked at, cut at a word edge so no word is cut short.
    """
    scanned = text if len(text) <= SCAN_CHARS else text[:_snap_start(text, SCAN_CHARS)]
    tokens, bounds = tokens_and_bounds(scanned)
    # Token i runs from bounds[2i + 1] to bounds[2i + 2].
    ranges = [(bounds[2 * i + 1], bounds[2 * i + 2]) for i, token in enumerate(tokens) if token in terms]
    for phrase, slop in phrases:
        for positions in _phrase_occurrences(tokens, phrase, slop):
            if slop == 1:
                ranges.append((bounds[2 * positions[0] + 1], bounds[2 * positions[-1] + 2]))
            else:
                ranges.extend((bounds[2 * p + 1], bounds[2 * p + 2]) for p in positions)
    return _merge(sorted(ranges))


_SPLIT = re.compile(f"({WORD_PATTERN})")  # separators and words, alternately


def tokens_and_bounds(text: str) -> tuple[list[str], list[int]]:
    """``analysis.word_spans`` without a Python step per word (it was most of a snippet's cost).

    Returns the index terms and the offsets where each separator and word ends, in one list:
    word i spans ``bounds[2i + 1]:bounds[2i + 2]``. For ASCII text, lower-casing first changes
    no character's length or class, so splitting the lower-cased text finds the same words, and
    a word without an apostrophe is then its own term.
    """
    if not text.isascii():
        spans = word_spans(text)
        return [t for t, _, _ in spans], [0, *(edge for _, start, end in spans for edge in (start, end)), len(text)]
    parts = _SPLIT.split(text.lower())
    tokens = parts[1::2]
    if "'" in text:
        tokens = [words(t)[0] if "'" in t else t for t in tokens]
    return tokens, [0, *accumulate(map(len, parts))]


def _phrase_occurrences(tokens: list[str], phrase: tuple[str, ...], slop: int) -> list[list[int]]:
    """For each position where the phrase can start, the first in-order placement of its words
    (the earliest position for each word in turn), each word at most ``slop`` positions after the
    one before.

    Found without recursion or backtracking, which a long phrase (hundreds of words) or a wide
    slop over a repetitive text would make too deep or too slow: first, from the last word back,
    the positions where each word can stand with the rest of the phrase placeable after it; then,
    from each start, the earliest of those for each word in turn."""
    viable = _viable_positions(tokens, phrase, slop)
    found = []
    for start in sorted(viable[0]):
        placed = [start]
        for k in range(1, len(phrase)):
            last = placed[-1]
            placed.append(next(p for p in range(last + 1, last + slop + 1) if p in viable[k]))
        found.append(placed)
    return found


def _viable_positions(tokens: list[str], phrase: tuple[str, ...], slop: int) -> list[set[int]]:
    """For each word of the phrase, the positions holding it from which the words after it can
    be placed in order, each at most ``slop`` positions after the one before."""
    positions: dict[str, list[int]] = {}
    wanted = set(phrase)
    for position, token in enumerate(tokens):
        if token in wanted:
            positions.setdefault(token, []).append(position)
    viable = [set() for _ in phrase]
    viable[-1] = set(positions.get(phrase[-1], ()))
    for k in range(len(phrase) - 2, -1, -1):
        after = viable[k + 1]
        viable[k] = {p for p in positions.get(phrase[k], ()) if any(q in after for q in range(p + 1, p + slop + 1))}
    return viable


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def build_snippet(
    text: str, ranges: Sequence[tuple[int, int]], *, width: int = 200, fragments: int = 2
) -> Snippet | None:
    """Up to ``fragments`` windows of about ``width`` characters holding the most matches.

    With no matches (the document matched on its title or a date) the opening of the text is
    returned unhighlighted; an empty text gives None.
    """
    if not text or text.isspace():
        return None
    windows = _windows(text, ranges, width)
    best = sorted(windows, key=lambda w: (-len(w[2]), w[0]))[:fragments]
    segments: list[tuple[str, bool]] = []
    for start, end, inside in sorted(best):
        segments.append((ELLIPSIS if start > 0 else "", False))
        cursor = start
        for m_start, m_end in inside:
            segments.append((_squash(text[cursor:m_start]), False))
            segments.append((_squash(text[m_start:m_end]), True))
            cursor = m_end
        segments.append((_squash(text[cursor:end]), False))
    if best and _NON_SPACE.search(text, max(w[1] for w in best)):
        segments.append((ELLIPSIS, False))
    return Snippet(tuple((s, m) for s, m in _join_plain(segments) if s))


def _windows(
    text: str, ranges: Sequence[tuple[int, int]], width: int
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Windows that each start a little before a not yet covered match, snapped to word edges.

    Each range is looked at once (``ranges`` are sorted and merged, so the ones a window holds
    come next): rescanning the rest for every window made a text of many matches quadratic."""
    if not ranges:
        return [(0, _snap_end(text, min(width, len(text))), [])]
    windows = []
    i = 0
    while i < len(ranges):
        start = _snap_start(text, max(0, ranges[i][0] - width // 4))
        end = _snap_end(text, max(start + width, ranges[i][1]))
        after = i + 1
        while after < len(ranges) and ranges[after][1] <= end:
            after += 1
        windows.append((start, end, list(ranges[i:after])))
        i = after
    return windows


def _snap_start(text: str, i: int) -> int:
    """``i`` moved back to just after a space, by at most EDGE_REACH characters."""
    stop = max(0, i - EDGE_REACH)
    while stop < i < len(text) and not text[i - 1].isspace():
        i -= 1
    return i


def _snap_end(text: str, i: int) -> int:
    """``i`` moved on to a space, by at most EDGE_REACH characters."""
    i = min(i, len(text))
    stop = min(len(text), i + EDGE_REACH)
    while i < stop and not text[i].isspace():
        i += 1
    return i


def _squash(text: str) -> str:
    """Newlines and runs of spaces become single spaces; snippets are one line."""
    squashed = " ".join(text.split())
    if text[:1].isspace() and squashed:
        squashed = " " + squashed
    if text[-1:].isspace() and squashed:
        squashed += " "
    return squashed if squashed else (" " if text else "")


def _join_plain(segments: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    joined: list[tuple[str, bool]] = []
    for text, is_match in segments:
        if joined and not is_match and not joined[-1][1]:
            joined[-1] = (joined[-1][0] + text, False)
        else:
            joined.append((text, is_match))
    return joined
