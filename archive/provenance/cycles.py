"""Loops in a graph of links: a text cannot derive, through any chain, from itself.

Links are chosen one document at a time (by the engine's rules, or by an update that re-decides
part of an archive next to links stored before), so nothing local stops a chain from returning
to where it started. These functions find such loops and say which link to drop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# How sure a relation is of itself, loosest first: a loop says one of its links is wrong, and a
# loose rewrite is likelier wrong than a copy, whose text says what it is (a duplicate's
# direction may be a coin toss, yet it is still the same text).
_RELATION_SURENESS = {"rewrite": 0, "spun": 1, "near_copy": 2, "duplicate": 3}


def link_strength(relation: str, direction_confidence: float) -> tuple[int, float]:
    """How sure a derivation link is, for cycle_breaks: its relation first, then its direction."""
    return _RELATION_SURENESS[relation], direction_confidence


def cycle_breaks(source_of: Mapping[int, int], choose: Callable[[list[int]], int]) -> list[int]:
    """The texts whose link to their source (``source_of``: text -> source) to drop so that no
    chain of links returns to where it started: of each cycle (its texts in chain order), the
    one ``choose`` names. Each text has one source, so cycles are disjoint and one dropped link
    breaks each."""
    done: set[int] = set()
    breaks: list[int] = []
    for start in sorted(source_of):
        path: list[int] = []
        on_path: set[int] = set()
        x = start
        while x in source_of and x not in done and x not in on_path:
            path.append(x)
            on_path.add(x)
            x = source_of[x]
        if x in on_path:
            breaks.append(choose(path[path.index(x):]))
        done.update(path)
    return breaks


def least_sure(strength: Callable[[int], tuple[int, float]]) -> Callable[[list[int]], int]:
    """For cycle_breaks: the text whose link ``strength`` (see link_strength) rates lowest, ties
    to the lowest id."""
    return lambda cycle: min(cycle, key=lambda y: (strength(y), y))
