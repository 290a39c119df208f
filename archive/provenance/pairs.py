"""A pair of documents as the engine knows it once aligned and decided, and which way it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .classify import Decision, PairFeatures
from .direction import Signal


@dataclass(frozen=True)
class PairRecord:
    """An aligned pair with its decision (any relation, family pairs included)."""

    features: PairFeatures
    decision: Decision


@dataclass(frozen=True)
class Oriented:
    """Which text of a pair reads as the source, with the probability that it is (the direction
    confidence), the signals that say so, and the substitutions whose word frequency voted:
    (the source's words, the derived text's words, the side whose words are the commoner)."""

    source: int
    derived: int
    confidence: float
    signals: tuple[Signal, ...]
    examples: tuple[tuple[str, str, str], ...]


def other_end(key: tuple[int, int], x: int) -> int:
    """The other text of the pair ``key``: x's source when ``key`` is x's chosen source link.
    (Not the pair's orientation: a link re-pointed by the family rules keeps the pair's own
    direction until _choose_parents has finished, and it may point the other way.)"""
    return key[1] if key[0] == x else key[0]


def tally(votes: Iterable[tuple[int, int]]) -> dict[int, dict[int, int]]:
    """(text, source it is voted a rewrite of) pairs -> for each text, the votes per source."""
    out: dict[int, dict[int, int]] = {}
    for d, q in votes:
        by_source = out.setdefault(d, {})
        by_source[q] = by_source.get(q, 0) + 1
    return out
