"""Repetition loops: a language model's text that goes round in circles.

Models, small ones most, sometimes fall into a loop when they decode: the same sentence or the
same few headlines again and again until the length limit ("Gwen Stefani and Blake Shelton's
Love Story: Inside Their Relationship" four times over, with near-copies in between). Such a
text is a model's output, whatever else it reads like, and a dangerous one to take for an
original: its repeated short lines make its sentence lengths vary as a person's do
(style.burstiness), so every style measure read it as the most human-written text of its topic
and it drew other articles' rewrites, and the articles themselves, into its family.

People repeat phrases (quotes, a wire story's formulas, a table's footnote under each table), but
a published article is never half made of one passage said three times. Measured on the dev
data, with LOOP_GRAM-token passages occurring LOOP_TIMES times or more: LLMFake's rewrites 12 of
1,522 at LOOP_MIN_SHARE or more of their tokens (most 0.7-1.0), its 535 human articles at most
0.30, Reuters' 19,043 stories at most 0.45 (commodity tables, where the figures between the
repeated words differ), the 655 spun copies at most 0.18, Clough's answers none. Web pages whose
extraction kept repeated furniture loop too: 4 of trafilatura's 250 evaluation pages (a PHP warning
printed over and over, a booking calendar's weekday rows). A model loops in prose, so only prose
counts: letters make at least LOOP_MIN_LETTERS of the repeated stretches' printed characters
(LLMFake's 12 loops 0.91-0.99; the PHP warnings, with their file paths, 0.83 and 0.86; the
calendars 0.12 and 0.18).
"""

from __future__ import annotations

import numpy as np

from .features import Tokens

LOOP_GRAM = 8         # tokens in a repeated passage (figures count: a table's rows differ in them);
                      # a power of two, as repeated_share builds the passages' keys by doubling
LOOP_TIMES = 3        # how often a passage must occur to count as repeated
LOOP_MIN_SHARE = 0.5  # share of the text's tokens inside repeated passages
LOOP_MIN_TOKENS = 50  # shorter texts say too little
LOOP_MIN_LETTERS = 0.9  # share of letters among the repeated stretches' printed characters: prose

# A multiplier for combining LOOP_GRAM token hashes into one passage key (wrapping uint64).
_MIX = np.uint64(0x9E3779B97F4A7C15)


def repeated_share(tokens: Tokens) -> tuple[float, int | None]:
    """The share of ``tokens`` inside passages of LOOP_GRAM tokens that occur LOOP_TIMES times or
    more, and the index of the first token of the first such passage (None when there is none)."""
    covered, first = _repeated(tokens)
    return (0.0, None) if covered is None else (float(covered.mean()), first)


def _repeated(tokens: Tokens) -> tuple[np.ndarray | None, int | None]:
    """Which of ``tokens`` lie inside a repeated passage (see repeated_share), and the first token
    of the first one; (None, None) when no passage repeats."""
    hashes = tokens.hashes
    count = int(hashes.shape[0])
    if count < max(LOOP_MIN_TOKENS, LOOP_GRAM):
        return None, None
    # Keys of the passages starting at each token, built by doubling (pairs, fours, eights):
    # three steps instead of LOOP_GRAM.
    # (A passage of 2w tokens is its first half's key times _MIX ** w plus its second half's:
    # a polynomial in _MIX over the tokens, so no two orders of the same tokens share a key.)
    keys = hashes.view(np.uint64)  # (int64 hashes read as unsigned: wrapping arithmetic, no copy)
    width, scale = 1, _MIX
    with np.errstate(over="ignore"):
        while width < LOOP_GRAM:
            keys = keys[:-width] * scale + keys[width:]
            width, scale = width * 2, scale * scale
    # Most texts repeat no passage three times: one sort tells (equal keys two apart), and the
    # rest is done only for the few that do (this runs for every text ingested).
    ordered = np.sort(keys)
    if not (ordered[2:] == ordered[:-2]).any():
        return None, None
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    # Runs of equal keys in sorted order: each run's length is that passage's count.
    edges = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
    lengths = np.diff(edges)
    repeated = np.zeros(keys.shape[0], dtype=bool)
    repeated[order] = np.repeat(lengths >= LOOP_TIMES, lengths)
    # A token is covered when a repeated passage starts within LOOP_GRAM - 1 tokens before it.
    starts = np.concatenate(([0], np.cumsum(repeated)))
    ends = np.minimum(np.arange(1, count + 1), keys.shape[0])
    begins = np.maximum(np.arange(count) - LOOP_GRAM + 1, 0)
    covered = starts[ends] - starts[begins] > 0
    return covered, int(np.argmax(repeated))


def loop_span(text: str, tokens: Tokens) -> tuple[int, int] | None:
    """The character span of the first repeated passage when ``text`` (tokenised as ``tokens``)
    loops: LOOP_MIN_SHARE or more of it repeated, in prose (letters_share); else None."""
    covered, first = _repeated(tokens)
    if covered is None or first is None or covered.mean() < LOOP_MIN_SHARE:
        return None
    if letters_share(text, tokens, covered) < LOOP_MIN_LETTERS:
        return None
    return int(tokens.starts[first]), int(tokens.ends[first + LOOP_GRAM - 1])


def letters_share(text: str, tokens: Tokens, covered: np.ndarray) -> float:
    """The share of letters among the printed (non-space) characters of the stretches of ``text``
    that the ``covered`` tokens span, the characters between them included (a file path's
    slashes, a calendar's bars)."""
    inside = np.flatnonzero(covered)
    if inside.size == 0:
        return 0.0
    breaks = np.flatnonzero(np.diff(inside) > 1)
    run_starts = np.concatenate(([inside[0]], inside[breaks + 1]))
    run_ends = np.concatenate((inside[breaks], [inside[-1]]))
    letters = printed = 0
    for first, last in zip(run_starts.tolist(), run_ends.tolist()):
        stretch = text[int(tokens.starts[first]):int(tokens.ends[last])]
        printed += sum(1 for ch in stretch if not ch.isspace())
        letters += sum(1 for ch in stretch if ch.isalpha())
    return letters / printed if printed else 0.0
