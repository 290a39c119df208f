"""No text derives from itself: links chosen pair by pair must not close a loop."""

from __future__ import annotations

from archive.provenance.classify import Decision
from archive.provenance.cycles import cycle_breaks, link_strength
from archive.provenance.pairs import PairRecord
from archive.provenance.pairs import Oriented
from test_provenance_family import _chain_fixture


def test_each_cycle_loses_its_least_sure_link_and_chains_keep_theirs() -> None:
    # 1 <- 2 <- 3 <- 1 is a loop; 4 <- 5 <- 1 hangs off it; 6 <- 7 is a plain chain; 8 <- 9 <- 8.
    source_of = {1: 3, 3: 2, 2: 1, 5: 1, 4: 5, 6: 7, 8: 9, 9: 8}
    strength = {d: link_strength("spun", c) for d, c in
                {1: 0.9, 3: 0.6, 2: 0.95, 5: 0.1, 4: 0.2, 6: 0.05, 8: 0.7, 9: 0.7}.items()}
    assert cycle_breaks(source_of, strength.__getitem__) == [3, 8]  # a tie goes to the lower id
    kept = {d: s for d, s in source_of.items() if d not in (3, 8)}
    assert cycle_breaks(kept, strength.__getitem__) == []
    # The relation counts first: a duplicate with no direction evidence outlasts a rewrite.
    strength[3] = link_strength("duplicate", 0.5)
    strength[1] = link_strength("rewrite", 0.9)
    assert cycle_breaks(source_of, strength.__getitem__) == [1, 8]


def test_a_text_that_is_its_own_source_is_a_cycle_of_one() -> None:
    assert cycle_breaks({4: 4, 5: 4}, lambda d: link_strength("near_copy", 0.5)) == [4]


def test_the_loop_is_broken_where_the_direction_evidence_is_weakest() -> None:
    """As in Reuters + spun_dev: a story (1), its re-issue (2, a near copy of 1) and a farm's
    spun copy of the re-issue (3); the story, shorter, read as contained in the copy (a weak
    direction), which closed the loop. That link goes: 1 is the original."""
    index, _ = _chain_fixture()
    oriented = {(1, 2): Oriented(1, 2, 0.92, (), ()), (2, 3): Oriented(2, 3, 0.95, (), ()),
                (1, 3): Oriented(3, 1, 0.62, (), ())}
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._why = {2: "best", 3: "best", 1: "best"}
    index._no_cycles(oriented, parent)
    assert parent == {2: (1, 2), 3: (2, 3)} and 1 not in index._why
    # A link a family rule promoted against its pair's direction counts that direction reversed.
    oriented[(1, 3)] = Oriented(1, 3, 0.2, (), ())  # read as 1 -> 3 at 0.2: as 3 -> 1 at 0.8
    oriented[(1, 2)] = Oriented(1, 2, 0.7, (), ())
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert parent == {1: (1, 3), 3: (2, 3)}
    # A copy's link outlasts a rewrite's whatever their directions say: as in a scraper probe,
    # an article copied word for word (2 <- 1, a duplicate read either way) and read as a loose
    # rewrite of another article's copy, which closed the loop.
    index.pairs[(1, 2)] = PairRecord(index.pairs[(1, 2)].features, Decision("duplicate", 1.0, ()))
    oriented[(1, 2)] = Oriented(1, 2, 0.5, (), ())
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert parent[2] == (1, 2) and len(parent) == 2
