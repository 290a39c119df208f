"""No text derives from itself: links chosen pair by pair must not close a loop."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from archive.provenance.cycles import cycle_breaks, least_sure, link_strength
from archive.provenance.classify import Decision
from archive.provenance.pairs import Oriented, PairRecord
from test_provenance_family import _chain_fixture


def test_each_cycle_loses_the_link_chosen_and_chains_keep_theirs() -> None:
    # 1 <- 2 <- 3 <- 1 is a loop; 4 <- 5 <- 1 hangs off it; 6 <- 7 is a plain chain; 8 <- 9 <- 8.
    source_of = {1: 3, 3: 2, 2: 1, 5: 1, 4: 5, 6: 7, 8: 9, 9: 8}
    cycles: list[list[int]] = []

    def choose(cycle: list[int]) -> int:
        cycles.append(cycle)
        return max(cycle)

    assert cycle_breaks(source_of, choose) == [3, 9]
    assert cycles == [[1, 3, 2], [8, 9]]  # each loop once, in chain order
    kept = {d: s for d, s in source_of.items() if d not in (3, 9)}
    assert cycle_breaks(kept, choose) == []


def test_the_least_sure_link_is_the_loosest_relation_then_the_weakest_direction() -> None:
    source_of = {1: 3, 3: 2, 2: 1, 8: 9, 9: 8}
    strength = {d: link_strength("spun", c) for d, c in {1: 0.9, 3: 0.6, 2: 0.95, 8: 0.7, 9: 0.7}.items()}
    assert cycle_breaks(source_of, least_sure(strength.__getitem__)) == [3, 8]  # a tie goes to the lower id
    # The relation counts first: a duplicate with no direction evidence outlasts a rewrite.
    strength[3] = link_strength("duplicate", 0.5)
    strength[1] = link_strength("rewrite", 0.9)
    assert cycle_breaks(source_of, least_sure(strength.__getitem__)) == [1, 8]


def test_a_text_that_is_its_own_source_is_a_cycle_of_one() -> None:
    assert cycle_breaks({4: 4, 5: 4}, min) == [4]


def test_the_loops_original_keeps_no_source() -> None:
    """Undated, the loop's original is the text that reads as the others' source (the family
    root), whichever link's direction is weakest: an article (1) and two texts made from it (2
    and 3), the article read as derived from one of them. Dated, it is the earliest: as in
    Reuters + spun_dev, a story, its re-issue and a farm's copy of the re-issue, the story read
    as contained in the longer copy."""
    index, _ = _chain_fixture()
    oriented = {(1, 2): Oriented(1, 2, 0.5, (), ()), (2, 3): Oriented(2, 3, 0.95, (), ()),
                (1, 3): Oriented(3, 1, 0.9, (), ())}
    assert index._family_root([1, 2, 3]) == 1
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._why = {2: "best", 3: "best", 1: "best"}
    index._no_cycles(oriented, parent)
    assert parent == {2: (1, 2), 3: (2, 3)} and 1 not in index._why
    # A text linked as a duplicate is not asked: its text is its source's.
    rec = index.pairs[(1, 3)]
    index.pairs[(1, 3)] = PairRecord(rec.features, Decision("duplicate", 1.0, ()))
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert 1 in parent and len(parent) == 2
    index.pairs[(1, 3)] = rec
    day = datetime(1987, 4, 9, 11, tzinfo=timezone.utc)
    for doc_id, minutes in ((3, 0), (1, 9)):  # 2 undated
        index.docs[doc_id] = replace(index.docs[doc_id], published_at=day + timedelta(minutes=minutes))
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert parent == {2: (1, 2), 1: (1, 3)}
