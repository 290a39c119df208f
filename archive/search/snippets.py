"""Highlighted fragments of a document's text around what the query matched (pure functions).

Matching re-tokenises the text with the index analyzer, so a phrase is marked only where its words
occur as the phrase (in order, within the slop), never where the words appear on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from archive.search.analysis import word_spans

ELLIPSIS = "…"
MARK_OPEN, MARK_CLOSE = "[[", "]]"
ANSI_BOLD, ANSI_RESET = "\x1b[1m", "\x1b[0m"


@dataclass(frozen=True)
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
    words one by one, since the words between them did not match.
    """
    spans = word_spans(text)
    tokens = [t for t, _, _ in spans]
    ranges = [(start, end) for token, start, end in spans if token in terms]
    for words, slop in phrases:
        for positions in _phrase_occurrences(tokens, words, slop):
            if slop == 1:
                ranges.append((spans[positions[0]][1], spans[positions[-1]][2]))
            else:
                ranges.extend((spans[p][1], spans[p][2]) for p in positions)
    return _merge(sorted(ranges))


def _phrase_occurrences(tokens: list[str], words: tuple[str, ...], slop: int) -> list[list[int]]:
    """For each position where the phrase can start, the first in-order placement of its words."""
    found = []
    for start, token in enumerate(tokens):
        if token == words[0]:
            placement = _place(tokens, words, 1, [start], slop)
            if placement:
                found.append(placement)
    return found


def _place(tokens: list[str], words: tuple[str, ...], k: int, placed: list[int], slop: int) -> list[int] | None:
    if k == len(words):
        return placed
    last = placed[-1]
    for position in range(last + 1, min(last + slop, len(tokens) - 1) + 1):
        if tokens[position] == words[k]:
            result = _place(tokens, words, k + 1, [*placed, position], slop)
            if result:
                return result
    return None


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
    if not text.strip():
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
    if best and max(w[1] for w in best) < len(text.rstrip()):
        segments.append((ELLIPSIS, False))
    return Snippet(tuple((s, m) for s, m in _join_plain(segments) if s))


def _windows(
    text: str, ranges: Sequence[tuple[int, int]], width: int
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Windows that each start a little before a not yet covered match, snapped to word edges."""
    if not ranges:
        return [(0, _snap_end(text, min(width, len(text))), [])]
    windows = []
    i = 0
    while i < len(ranges):
        start = _snap_start(text, max(0, ranges[i][0] - width // 4))
        end = _snap_end(text, max(start + width, ranges[i][1]))
        inside = [r for r in ranges[i:] if r[1] <= end]
        windows.append((start, end, inside))
        i += len(inside)
    return windows


def _snap_start(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i - 1].isspace():
        i -= 1
    return i


def _snap_end(text: str, i: int) -> int:
    i = min(i, len(text))
    while i < len(text) and not text[i].isspace():
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
