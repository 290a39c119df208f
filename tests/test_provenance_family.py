"""Families of LLM rewrites: several rewrites of one article resemble each other more than
their source, yet each must be linked to the source, never to a sibling.

Hand-written fixtures (an invented story, two rewrites in an even, LLM-like register that
share invented phrasing with each other, unrelated fillers); no shared data.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from archive.provenance import DERIVATIONS, DocInput, ProvenanceIndex, build
from archive.provenance.classify import FAMILY, Decision
from archive.provenance.params import OPENING_TERMS
from archive.provenance.style import burstiness

SOURCE = """Harbour authority to shut Corvay lock for nine weeks

The Corvay lock on the Merrin canal will close on 3 March for repairs. Engineers found corroded gates in January.

"We had no choice," said harbour master Ines Valdor, who has run the port of Saltmere since 2011. "If a gate fails with a full chamber, we lose the season, and probably the lock keeper's cottage with it."

About 140 barges a week use the lock. Most carry grain and timber from the Ostrel valley to the coast, and the operators say a closure in spring, when the harvest backlog clears, will cost them dearly.

Freight firm Dunmore Haulage said it would move cargo by road. Others will wait.

The authority has set aside 4.2 million euros for the work, which includes two new gates, a rebuilt sill and a pump house that has not been touched since the lock opened in 1887. Valdor said the contractor, Pellam Marine, had promised to finish before the summer tourist boats return. Nobody at Pellam was available to comment on Friday.
"""

SIBLING_A = """Corvay Lock Closure Sparks Significant Concerns

The Corvay lock on the Merrin canal is set to close for nine weeks of crucial repairs, highlighting the growing importance of maintaining vital waterway infrastructure across the region.

Harbour master Ines Valdor emphasized that the closure was necessary after engineers discovered corroded gates, underscoring the potential risks of a gate failure for the port of Saltmere.

The closure will significantly impact the many barges that rely on the lock to transport grain and timber from the Ostrel valley to the coast, and operators have expressed serious concerns about the timing of the work.

Additionally, the harbour authority has committed substantial funding to the project, which includes new gates and a modernized pump house, showcasing its commitment to ensuring the long-term reliability of the waterway.

Overall, the closure underscores the delicate balance between essential maintenance and the needs of local businesses that depend on the canal.
"""

SIBLING_B = """Barge Operators Voice Significant Concerns Over Corvay Lock Closure

Barge operators who transport grain and timber from the Ostrel valley have expressed serious concerns after officials confirmed that the Corvay lock will shut for crucial repairs.

The decision follows the discovery of corroded gates by engineers, according to harbour master Ines Valdor of the port of Saltmere, who stressed the potential risks of a gate failure.

Many businesses along the Merrin canal fear that the timing of the work could disrupt their operations, while some firms are exploring alternative ways to move their cargo.

The project, which features new gates and a modernized pump house, reflects the growing importance of maintaining vital waterway infrastructure across the region.

Ultimately, the situation underscores the delicate balance between essential maintenance and the needs of local businesses that depend on the canal.
"""

FILLERS = [
    f"Council report {k}: the {topic} budget for district {k} rose by {k + 3} percent, officials said on "
    f"Tuesday, and a review of {topic} contracts is due next year. Residents asked about {topic} delays."
    for k, topic in enumerate(["library", "road", "school", "water", "park", "transport", "housing", "waste",
                               "lighting", "harbour", "museum", "clinic"] * 2)
]


def _docs() -> list[DocInput]:
    docs = [DocInput(1, SOURCE), DocInput(2, SIBLING_A, source="model-a"), DocInput(3, SIBLING_B, source="model-b")]
    return docs + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)]


def test_burstiness_is_higher_for_varied_sentences() -> None:
    assert burstiness(SOURCE) > burstiness(SIBLING_A) + 0.2
    assert burstiness(SOURCE) > burstiness(SIBLING_B) + 0.2
    assert burstiness("One sentence only. And a second one.") == 0.0  # too few to say
    # Hard-wrapped lines are not sentences: wrapping must not change the measure.
    assert abs(burstiness(SOURCE.replace(", and", ",\nand")) - burstiness(SOURCE)) < 1e-9


def test_a_markup_list_without_full_stops_is_not_one_long_sentence() -> None:
    """A model's list of headings as markup ends its items with closing tags, not full stops: read
    as one run-on sentence the list would make the rewrite burstier than its human source."""
    items = ["The Corvay lock on the Merrin canal will close for nine weeks of repairs after engineers found corroded gates",
             "Harbour master Ines Valdor said the authority had no choice if it wanted to save the season",
             "About 140 barges a week carry grain and timber from the Ostrel valley through the lock to the coast",
             "The authority has set aside 4.2 million euros for two new gates, a rebuilt sill and a pump house",
             "The contractor Pellam Marine has promised to finish the work before the summer tourist boats return"]
    as_sentences = SIBLING_A + "\n\n" + " ".join(item + "." for item in items)
    for listed in (" ".join(f"[H3]{item}[/H3]" for item in items),
                   "<ul>" + " ".join(f"<li>{item}</li>" for item in items) + "</ul>"):
        assert burstiness(SIBLING_A + "\n\n" + listed) == pytest.approx(burstiness(as_sentences))
        assert burstiness(SIBLING_A + "\n\n" + listed) < burstiness(SOURCE) - 0.2


def test_sibling_rewrites_resemble_each_other_more_than_the_source() -> None:
    index = ProvenanceIndex()
    index.update(_docs())
    index.result()
    # The premise of the fixture: content alone points each rewrite at its sibling.
    assert index._containment(2, 3) > index._containment(2, 1)
    assert index._containment(3, 2) > index._containment(3, 1)
    # The round robin still makes the human-written source the root of the family.
    assert index._source_preference(1, 2) > 0 and index._source_preference(1, 3) > 0
    assert index._family_root([2, 1, 3]) == 1
    assert index._family_root([3, 2, 1]) == 1


def test_both_sibling_rewrites_link_to_the_source_not_to_each_other() -> None:
    result = build(_docs())
    derived = {(l.derived_id, l.source_id): l for l in result.links if l.relation in DERIVATIONS}
    assert (2, 1) in derived and (3, 1) in derived
    assert not any(s in (2, 3) for (_, s) in derived), "a sibling rewrite is never the source"
    assert not any(d == 1 for (d, _) in derived), "the source derives from nothing here"
    assert result.story_of[2] == result.story_of[3] == result.story_of[1]
    for key in ((2, 1), (3, 1)):
        assert derived[key].evidence["reasons"], "every link explains itself"


def test_the_family_rules_ask_once_whether_a_member_could_source_a_text_while_the_pairs_hold(monkeypatch) -> None:
    index = ProvenanceIndex()
    index.update(_docs())
    index.result()
    asked: list[tuple[int, int]] = []
    preference = ProvenanceIndex._source_preference
    monkeypatch.setattr(ProvenanceIndex, "_source_preference",
                        lambda self, m, x: asked.append((m, x)) or preference(self, m, x))
    assert index._could_source(1, 2)
    once = len(asked)
    assert index._could_source(1, 2) and len(asked) == once
    # A pair taken out (or added) may change the answer: asked again.
    rec = index.pairs.pop((1, 2))
    assert not index._could_source(1, 2)
    index.pairs[(1, 2)] = rec
    assert index._could_source(1, 2) and len(asked) == once + 1


def _chain_fixture() -> tuple[ProvenanceIndex, dict]:
    from archive.provenance.pairs import Oriented

    index = ProvenanceIndex()
    index.update(_docs())
    index.result()
    assert (1, 2) in index.pairs and (1, 3) in index.pairs and (2, 3) in index.pairs
    oriented = {(1, 2): Oriented(1, 2, 0.8, (), ()), (1, 3): Oriented(1, 3, 0.8, (), ()),
                (2, 3): Oriented(2, 3, 0.6, (), ())}
    return index, oriented


def test_a_rewrite_of_a_rewrite_goes_to_the_common_source() -> None:
    index, oriented = _chain_fixture()
    parent = {3: (2, 3), 2: (1, 2)}  # 3 from sibling 2, which rewrites 1
    index._no_rewrite_chains(oriented, parent, {(2, 3), (1, 2)})
    assert parent == {3: (1, 3), 2: (1, 2)}
    assert index._why[3] == "chain_source"


def test_a_rewrite_chain_left_by_the_last_family_rules_goes_to_the_common_source(monkeypatch) -> None:
    index, _ = _chain_fixture()
    opening_sources = index._opening_sources

    def chain_made_late(oriented, parent, promoted) -> None:
        opening_sources(oriented, parent, promoted)
        # Stands for a rule after the chain rule's first pass (a late consensus round, the
        # opening rule) linking 3 to its sibling 2 and 2 to their article 1.
        assert index._repoint(oriented, parent, promoted, 3, (2, 3), "opening_source")
        assert index._repoint(oriented, parent, promoted, 2, (1, 2), "opening_source")

    monkeypatch.setattr(index, "_opening_sources", chain_made_late)
    result = index.result()
    linked = {l.derived_id: l.source_id for l in result.links if l.relation in DERIVATIONS}
    assert linked[2] == 1 and linked[3] == 1, "no rewrite is left as derived from its sibling"
    assert index._why[3] == "chain_source"


def test_a_chain_is_read_from_the_links_not_from_the_pairs_own_direction() -> None:
    from archive.provenance.pairs import Oriented

    index, oriented = _chain_fixture()
    # Both links were re-pointed by family rules (promoted) against their pairs' own weak
    # direction, which stays as it was until the parents are final: the chain 3 -> 2 -> 1 must
    # still be read as such (a pair's orientation would make 3 and 2 each their own "source").
    oriented[(2, 3)] = Oriented(3, 2, 0.55, (), ())
    oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())
    parent = {3: (2, 3), 2: (1, 2)}
    index._no_rewrite_chains(oriented, parent, {(2, 3), (1, 2)})
    assert parent == {3: (1, 3), 2: (1, 2)}
    assert index._why[3] == "chain_source"


def test_a_chain_without_a_pair_to_the_common_source_abstains() -> None:
    index, oriented = _chain_fixture()
    del index.pairs[(1, 3)]
    parent = {3: (2, 3), 2: (1, 2)}
    index._no_rewrite_chains(oriented, parent, {(2, 3), (1, 2)})
    assert parent == {2: (1, 2)}, "no link is better than a link to a sibling"


def test_a_source_linked_as_a_rewrite_of_its_own_rewrite_loses_that_link() -> None:
    from archive.provenance.pairs import Oriented

    index, oriented = _chain_fixture()
    oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())  # the source 1 wrongly "derived" from 2
    parent = {3: (1, 3), 1: (1, 2)}
    index._no_rewrite_chains(oriented, parent, {(1, 3), (1, 2)})
    assert parent == {3: (1, 3)}, "1 reads as 2's source, so 3 keeps 1 and 1 gets no source"


def test_a_source_behind_the_aligned_head_is_aligned_when_it_reads_as_the_source() -> None:
    index = ProvenanceIndex()
    index.update(_docs())
    # Head of rewrite 3's list crowded by its sibling: the human-written source further down
    # is aligned too; the sibling further down is not (it reads more LLM-written than 3).
    assert index._source_like(3, [(2, 0.5)], [(2, 0.25), (1, 0.2)]) == [(1, 0.2)]
    assert index._source_like(3, [(2, 0.5)], [(2, 0.25)]) == []
    # Not when the head already holds a text that reads as the source, nor below the cosine floor.
    assert index._source_like(3, [(1, 0.5)], [(2, 0.25)]) == []
    assert index._source_like(3, [(2, 0.5)], [(1, 0.05)]) == []


def test_a_rewrite_whose_pair_pointed_backwards_gets_its_family_root() -> None:
    from archive.provenance.pairs import Oriented

    index, oriented = _chain_fixture()
    assert index.pairs[(1, 2)].decision.relation == "rewrite"
    oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())  # direction signals read 1 as made from 2
    parent = {1: (1, 2), 3: (1, 3)}
    promoted = {(1, 3)}
    index._family_roots(oriented, parent, promoted, set())
    # 2 was left without a source, but the family root 1 reads as its source and keeps its
    # facts: the pair is turned round, and 1 no longer derives from its own rewrite.
    assert parent[2] == (1, 2) and 1 not in parent
    assert index._why[2].startswith("root_") and (1, 2) in promoted


def test_a_family_root_reading_somewhat_llm_like_sources_a_models_family_that_reads_far_less_human() -> None:
    from archive.provenance.params import FAMILY_STYLE_GAP

    def attempt(third_gap: float) -> tuple[ProvenanceIndex, dict]:
        index, oriented = _chain_fixture()
        _with_ai_density(index, 1, 0.6, 0.0)  # a few stock phrases: 1 reads as LLM-like as 2
        # 2 and 3 read less human-written than 1 by sentence rhythm alone: 2 by 0.5, 3 by third_gap.
        for x, gap in ((2, 0.5), (3, third_gap)):
            index.traits[x] = replace(index.traits[x], burstiness=index.traits[1].burstiness - gap,
                                      ai_markers=index.traits[1].ai_markers, llm_words=0.0)
        assert index._llm_like_source(1, 2) and not index._llm_styled(1)
        assert index._could_source(1, 2) and index._keeps_facts(2, 1)
        parent = {3: (1, 3)}
        index._family_roots(oriented, parent, {(1, 3)}, set())
        return index, parent

    # 2's family (1 and 3) reads, by median, FAMILY_STYLE_GAP or more less human than its root 1.
    index, parent = attempt(FAMILY_STYLE_GAP + 0.1)
    assert parent[2] == (1, 2) and index._why[2] == "root_parentless"
    # Otherwise 1 is taken for 2's sibling, as any somewhat LLM-like candidate.
    _, parent = attempt(0.0)
    assert 2 not in parent


def test_a_text_that_texts_chose_as_their_source_by_their_pairs_is_not_taken_for_a_rewrite_of_its_family_root() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import FAMILY_STYLE_GAP

    def attempt(gap: float, chosen_by: list[int]) -> tuple[ProvenanceIndex, dict]:
        index = ProvenanceIndex()
        index.update(_docs() + [DocInput(4, SIBLING_C, source="model-c"), DocInput(5, SIBLING_D, source="model-d")])
        index.result()
        assert index._family_root([2] + index._closest_paired()[2]) == 1, "premise: 1 is 2's family root"
        # ``chosen_by`` chose 2 as their rewrite source by the pairs' own evidence (as
        # _choose_parents found before the family rules), reading ``gap`` less human-written
        # than 2 by rhythm.
        for x in (3, 4):
            index.traits[x] = replace(index.traits[2], burstiness=index.traits[2].burstiness - gap)
        index._pairwise_rewrites = {2: chosen_by}
        oriented = {(2, 3): Oriented(2, 3, 0.8, (), ()), (2, 4): Oriented(2, 4, 0.8, (), ())}
        parent = {3: (2, 3), 4: (2, 4)}
        index._family_roots(oriented, parent, {(2, 3), (2, 4)}, set())
        return index, parent

    # Two texts chose 2 as their source: it is their article, not made a rewrite of its root, even
    # when the root rules have moved those rewrites to the root first, and whatever its style
    # (2026.12-89: before, rewrites reading about as human as 2 left it to its root).
    for gap in (FAMILY_STYLE_GAP + 0.1, FAMILY_STYLE_GAP - 0.2):
        _, parent = attempt(gap, [3, 4])
        assert 2 not in parent, gap
    # One text's choice is not enough to say so: 2 gets its family root.
    index, parent = attempt(FAMILY_STYLE_GAP + 0.1, [3])
    assert parent[2] == (1, 2) and index._why[2] == "root_parentless"


def _with_ai_density(index: ProvenanceIndex, doc: int, density: float, llm_words: float) -> None:
    from dataclasses import replace

    t = index.traits[doc]
    index.traits[doc] = replace(t, ai_markers=round(density * max(t.words, 50) / 100), llm_words=llm_words)


def test_a_somewhat_llm_like_candidate_still_sources_a_rewrite_it_clearly_reads_as_the_source_of() -> None:
    from dataclasses import replace

    from archive.provenance.classify import Decision
    from archive.provenance.pairs import Oriented, PairRecord

    index, _ = _chain_fixture()
    rec = index.pairs[(1, 3)]
    index.pairs[(1, 3)] = PairRecord(rec.features, Decision("rewrite", rec.decision.score, rec.decision.reasons))
    _with_ai_density(index, 1, 0.6, 0.0)  # a few stock phrases: as LLM-like as rewrite 3 by that measure
    assert index._llm_like_source(1, 3) and not index._llm_styled(1)
    assert index._reads_as_source(1, 3) and not index._reads_as_source(3, 1)
    parent = index._choose_parents({(1, 3): Oriented(1, 3, 0.8, (), ())})
    assert parent[3] == (1, 3) and index._why[3] == "best"
    # Without that clear reading the LLM-like candidate is not chosen as 3's closest source. (Its
    # family may still make it 3's root: 2 and 3 read far less human-written than 1, a model's
    # family, see test_a_family_root_reading_somewhat_llm_like_sources_a_models_family...)
    index.traits[1] = replace(index.traits[1], burstiness=0.0)
    index._cont_cache[(3, 1)] = 0.0
    assert not index._reads_as_source(1, 3)
    parent = index._choose_parents({(1, 3): Oriented(1, 3, 0.8, (), ())})
    assert index._why[3] != "best" and (1, 3) in index._sibling_like_pairs
    assert parent.get(3) != (1, 3) or index._models_family(1, [3] + index._closest_paired()[3])


@pytest.mark.parametrize("set_aside, says", [
    (True, "reworded, but the other text reads at least as LLM-written as this one"),
    (False, "copy-like, but the family around them reads as siblings"),
])
def test_a_copy_like_pair_whose_text_is_left_without_a_source_says_why(monkeypatch, set_aside: bool, says: str) -> None:
    # The pair is then related; its note named "another document", a closer source of both,
    # which the text does not have (two human reports, one with a stock phrase or two).
    index = ProvenanceIndex()
    index.update([DocInput(1, SOURCE), DocInput(2, SIBLING_A)] + [DocInput(100 + k, t) for k, t in enumerate(FILLERS)])
    choose = index._choose_parents

    def leave_without_source(oriented):  # type: ignore[no-untyped-def]
        parent = choose(oriented)
        assert parent.pop(2) == (1, 2)
        if set_aside:
            index._sibling_like_pairs.add((1, 2))
        return parent
    monkeypatch.setattr(index, "_choose_parents", leave_without_source)
    monkeypatch.setattr(index, "_same_event", lambda a, b: True)  # (a related link needs one event)
    [link] = index.result().links
    assert (link.derived_id, link.source_id, link.relation) == (2, 1, "related")
    assert link.evidence["reasons"][-1].startswith(says)


def test_llm_favoured_words_alone_do_not_make_a_far_burstier_candidate_a_sibling() -> None:
    from dataclasses import replace

    from archive.provenance.params import SIBLING_BURST_MARGIN

    index, _ = _chain_fixture()
    _with_ai_density(index, 1, 0.0, 1.0)  # the source uses a few of the listed words ...
    _with_ai_density(index, 3, 0.0, 1.0)  # ... as often as the rewrite
    b3 = index.traits[3].burstiness
    assert b3 > 0
    index.traits[1] = replace(index.traits[1], burstiness=b3 + SIBLING_BURST_MARGIN / 2)
    assert index._llm_like_source(1, 3), "about as even as the rewrite: a sibling, by the words"
    index.traits[1] = replace(index.traits[1], burstiness=b3 + 2 * SIBLING_BURST_MARGIN)
    assert not index._llm_like_source(1, 3), "much more varied sentences: read as written by a person"
    # Stock phrases and headings still count whatever the rhythm.
    _with_ai_density(index, 1, 0.6, 1.0)
    assert index._llm_like_source(1, 3)


def test_a_source_further_down_is_aligned_when_it_reads_more_as_the_source_than_the_head() -> None:
    from dataclasses import replace

    index = ProvenanceIndex()
    index.update(_docs())
    # Sibling 3 heads 2's list and, with varied sentence lengths, reads somewhat as its source;
    # the human-written original further down still reads more so, and is aligned as well.
    index.traits[3] = replace(index.traits[3], burstiness=index.traits[2].burstiness + 1.0)
    assert index._style_preference(3, 2) >= 0.3
    assert index._source_preference(1, 2) > index._source_preference(3, 2)
    assert index._source_like(2, [(3, 0.6)], [(1, 0.2)]) == [(1, 0.2)]
    # A head candidate that reads more as the source than anything further down suffices.
    assert index._source_like(2, [(1, 0.6)], [(3, 0.2)]) == []
    # Nor when the candidate does not read as the source of the head's text as well: it may be
    # a longer text on the same topic rather than the source d and its nearest text share.
    index.traits[3] = replace(index.traits[3], burstiness=index.traits[1].burstiness + 1.0)
    assert not index._reads_as_source_of_head(1, 3)
    assert index._source_preference(1, 2) > index._source_preference(3, 2)
    assert index._source_like(2, [(3, 0.6)], [(1, 0.2)]) == []


# The original stored cut off inside its fourth paragraph (a field-length limit), and a rewrite
# made from the whole article: it gives the sum and the year from beyond the stored end.
CUT_SOURCE = SOURCE[: SOURCE.index("The authority has set aside")] + "The authority has set aside"
WHOLE_REWRITE = """Corvay Lock to Close for Nine Weeks of Repairs

The Corvay lock on the Merrin canal will close on 3 March after engineers found corroded gates, according to harbour master Ines Valdor of the port of Saltmere.

Valdor stressed that the authority had no choice, warning that a gate failure with a full chamber could cost the whole season.

Around 140 barges a week rely on the lock to carry grain and timber from the Ostrel valley to the coast, and operators fear the spring closure will be costly. Dunmore Haulage plans to move its cargo by road.

The harbour authority has budgeted 4.2 million euros for the project, which includes two new gates, a rebuilt sill and a new pump house for a lock that first opened in 1887. Contractor Pellam Marine is expected to finish before the summer tourist boats return.
"""


def _cut_fixture(source_text: str) -> tuple[ProvenanceIndex, tuple[int, int]]:
    index = ProvenanceIndex()
    index.update([DocInput(1, source_text), DocInput(2, WHOLE_REWRITE, source="model-a")]
                 + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)])
    index.result()
    assert (1, 2) in index.pairs
    return index, (1, 2)


def test_a_rewrite_may_give_facts_from_beyond_the_end_of_a_cut_off_source() -> None:
    index, key = _cut_fixture(CUT_SOURCE)
    f = index.pairs[key].features
    assert index.cut_off[1] and not index.cut_off[2]
    assert f.numbers_only_b >= 2, "premise: the rewrite has numbers the stored source lacks"
    assert index._keeps_facts(2, 1)


def test_a_loose_pair_sharing_names_and_terms_is_one_family() -> None:
    from archive.provenance.classify import Decision

    index, _ = _chain_fixture()
    f = index.pairs[(1, 3)].features
    none = Decision(None, 0.1, ())
    assert index._family_by_containment(f, none).relation == FAMILY
    # Too few shared names, or a different story by its numbers: no family.
    assert index._family_by_containment(replace(f, shared_names=2), none) == none
    index._cont_cache[(1, 3)] = index._cont_cache[(3, 1)] = 0.1
    assert index._family_by_containment(f, none) == none


def test_a_copy_is_never_the_root_of_its_family_the_text_it_copies_is() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import Oriented, PairRecord

    index, oriented = _chain_fixture()
    rec = index.pairs[(1, 2)]
    oriented[(1, 2)] = Oriented(1, 2, 0.8, (), ())
    assert index._original_of(2, oriented, {2: (1, 2)}) == 2, "a rewrite can be a family root"
    index.pairs[(1, 2)] = PairRecord(rec.features, Decision("near_copy", 0.9, ()))
    assert index._original_of(2, oriented, {2: (1, 2)}) == 1
    assert index._original_of(2, oriented, {}) == 2


def test_a_weakly_similar_root_replaces_a_closer_source_only_when_that_source_is_its_sibling() -> None:
    from archive.provenance.pairs import Oriented

    index, oriented = _chain_fixture()
    assert index.pairs[(1, 3)].decision.relation == FAMILY and index.pairs[(2, 3)].decision.relation == "rewrite"
    assert index._containment(3, 1) < index._containment(3, 2) - 0.05
    oriented[(2, 3)] = Oriented(2, 3, 0.6, (), ())
    # 3 linked to 2; root 1 holds less of 3 but reads as 2's source: 2 is 3's sibling.
    parent = {3: (2, 3)}
    index._family_roots(oriented, parent, set(), set())
    assert parent[3] == (1, 3)
    # When 1 does not read as 2's source, 2 may be 3's true source and 1 only a text on the
    # same topic: the weak root does not displace it.
    index._cont_cache[(2, 1)] = 0.0
    assert not index._reads_as_source(1, 2)
    parent = {3: (2, 3)}
    index._family_roots(oriented, parent, set(), set())
    assert parent[3] == (2, 3)


def test_a_root_holding_far_less_of_a_rewrite_leaves_its_direct_source_that_has_none_of_its_own() -> None:
    from archive.provenance.pairs import Oriented, PairRecord

    index, oriented = _chain_fixture()
    # The root's pair with 3 reads as a rewrite too (by its wording, not only as a family), yet
    # the root holds far less of 3 than 3's source 2 does, and does not read as 2's source.
    rec = index.pairs[(1, 3)]
    index.pairs[(1, 3)] = PairRecord(rec.features, Decision("rewrite", rec.decision.score, ()))
    assert index._containment(3, 1) < index._containment(3, 2) - 0.05
    oriented[(2, 3)] = Oriented(2, 3, 0.6, (), ())
    # 2 derived from another text: then 3 is likelier 2's sibling, and the family root takes it.
    parent = {3: (2, 3), 2: (1, 2)}
    index._family_roots(oriented, parent, set(), set())
    assert parent[3] == (1, 3)
    # 2 has no source of its own (1 holds little of it, nor its opening): 2 may be 3's true
    # source, and the root only another text on the topic.
    index._cont_cache[(2, 1)] = 0.0
    index._opening_cover = lambda m, x: 0.0  # type: ignore[method-assign]
    assert not index._reads_as_source(1, 2)
    parent = {3: (2, 3)}
    index._family_roots(oriented, parent, set(), set())
    assert parent == {3: (2, 3)}


# Two more rewrites of SOURCE in the siblings' even register, for the family-level sibling test.
SIBLING_C = """Corvay Lock Repairs Highlight Vital Waterway Infrastructure

The Corvay lock on the Merrin canal will close for nine weeks of crucial repairs after engineers discovered corroded gates, according to harbour master Ines Valdor of the port of Saltmere.

Barges that transport grain and timber from the Ostrel valley to the coast will be significantly affected, and operators have expressed serious concerns about the timing of the closure.

The harbour authority has committed substantial funding to new gates and a modernized pump house, underscoring the growing importance of maintaining vital waterway infrastructure.
"""

SIBLING_D = """Merrin Canal Lock to Close for Crucial Repairs

Harbour master Ines Valdor confirmed that the Corvay lock on the Merrin canal will shut for nine weeks after engineers discovered corroded gates, highlighting the potential risks of a gate failure for the port of Saltmere.

Operators who move grain and timber from the Ostrel valley have expressed serious concerns, and Dunmore Haulage is exploring alternative ways to move its cargo by road.

The project, which features new gates and a modernized pump house, underscores the delicate balance between essential maintenance and the needs of local businesses.
"""


def _sibling_hub_fixture() -> tuple[ProvenanceIndex, dict, set]:
    """1 the article, its rewrites 2 to 5 (4 and 5 on models' outlets); the pairs' orientation
    and promoted links of 3 -> 2 and 4, 5 -> 1."""
    from archive.provenance.pairs import Oriented

    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, SIBLING_C, source="model-c"), DocInput(5, SIBLING_D, source="model-d")])
    index.result()
    oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in ((1, 3), (2, 3), (1, 4), (1, 5))}
    return index, oriented, {(1, 4), (1, 5), (2, 3)}


def test_a_source_without_a_source_whose_paired_texts_rewrite_another_is_a_sibling() -> None:
    from archive.provenance.pairs import Oriented

    index, oriented, promoted = _sibling_hub_fixture()
    assert all(k in index.pairs for k in ((1, 3), (2, 3), (2, 4), (2, 5), (1, 4), (1, 5)))
    # 3 linked to 2, which has no source of its own; 4 and 5, paired with 2, are rewrites of 1,
    # which reads as 2's source: 2 is one more rewrite of 1, and 3 its sibling, not its copy.
    assert index._leans_source(1, 2)
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._no_unsourced_sibling_sources(oriented, parent, promoted)
    assert parent == {3: (1, 3), 4: (1, 4), 5: (1, 5)} and index._why[3] == "sibling_source"
    # Without a pair between 3 and 1, 3 gets no source rather than its sibling.
    del index.pairs[(1, 3)]
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._no_unsourced_sibling_sources(oriented, parent, promoted)
    assert parent == {4: (1, 4), 5: (1, 5)}
    # When 2 is the source of as many rewrites as 1, the links do not single out 1 as the root.
    parent = {3: (2, 3), 4: (1, 4), 5: (2, 5)}
    oriented[(2, 5)] = Oriented(2, 5, 0.8, (), ())
    index._no_unsourced_sibling_sources(oriented, parent, promoted | {(2, 5)})
    assert parent[3] == (2, 3)


def test_a_source_that_texts_chose_by_their_pairs_is_no_sibling_of_its_own_rewrites() -> None:
    index, oriented, promoted = _sibling_hub_fixture()
    assert index._leans_source(1, 2), "premise: 2 leans to being 1's rewrite, as in the test above"
    # But 3 and another text chose 2 as their rewrite source by their own pairs: 2 is their
    # article (_sources_by_pairs), and 3 keeps it (through an ingest, an article on the topic
    # paired with 2 in an earlier batch took 2's rewrites this way).
    index._pairwise_rewrites = {2: [3, 6]}
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._no_unsourced_sibling_sources(oriented, parent, promoted)
    assert parent == {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._pairwise_rewrites = {2: [3]}  # one text's choice is not enough
    index._no_unsourced_sibling_sources(oriented, parent, promoted)
    assert parent[3] == (1, 3)


def test_a_rewrite_keeps_a_source_that_only_leans_to_being_a_rewrite_of_the_family_hub() -> None:
    index, oriented, promoted = _sibling_hub_fixture()
    # 2 leans to being 1's rewrite but does not clearly read as one (two reports of a topic can
    # lean either way): 3 keeps 2, the source it reads closest to, rather than moving to 1.
    index._reads_as_source = lambda m, x: False  # type: ignore[method-assign]
    assert index._leans_source(1, 2)
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._no_unsourced_sibling_sources(oriented, parent, promoted)
    assert parent == {3: (2, 3), 4: (1, 4), 5: (1, 5)}


# A separate report of the event: its own figures come in among the names it shares with the
# (uncut) source, not after them.
OWN_FIGURES_REPORT = """Corvay Lock Shut as Repair Bill Reaches 6.8 Million

The Corvay lock on the Merrin canal closes on 3 March, with 212 barges a week diverted, after engineers found corroded gates in 2019 and again in January, harbour master Ines Valdor of the port of Saltmere said.

Valdor said 37 staff would be moved to other locks along the Ostrel valley route, and that Dunmore Haulage had already booked 55 lorries to move its cargo by road.

Operators say the closure will cost them dearly, as grain and timber shipments to the coast pile up through the spring and the harvest backlog grows.
"""


def test_facts_are_judged_over_the_part_of_the_rewrite_the_source_accounts_for() -> None:
    ended = CUT_SOURCE[: CUT_SOURCE.index("The authority has set aside")].rstrip()
    index, key = _cut_fixture(ended)
    assert not index.cut_off[1]
    f = index.pairs[key].features
    assert f.numbers_only_b >= 2, "premise: the rewrite has numbers the source lacks"
    # They all come after the last of the source's names the rewrite repeats (the source is
    # shorter than the article the rewrite was made from): no evidence either way.
    kept, own = index._kept_span(2, 1)
    assert own == 0 and kept >= 0.4 and index._keeps_facts(2, 1)
    # A separate report mixes its own figures in with the shared names: the check fails.
    index = ProvenanceIndex()
    index.update([DocInput(1, ended), DocInput(2, OWN_FIGURES_REPORT)]
                 + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)])
    index.result()
    assert (1, 2) in index.pairs
    kept, own = index._kept_span(2, 1)
    assert own >= 2 and not index._keeps_facts(2, 1)


def _consensus_fixture() -> ProvenanceIndex:
    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, SIBLING_C, source="model-c"), DocInput(5, SIBLING_D, source="model-d")])
    index.result()
    assert all(k in index.pairs for k in ((1, 3), (2, 3), (3, 4), (1, 2), (1, 4)))
    return index


def test_a_parentless_rewrite_paired_with_two_rewrites_of_one_source_joins_them() -> None:
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
    # 2 and 4 rewrite 1; 3, paired with both and with 1, has no source of its own (its pair
    # with 1 is only a family pair: too loose for a link by itself).
    assert index.pairs[(1, 3)].decision.relation == FAMILY
    parent = {2: (1, 2), 4: (1, 4)}
    index._family_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert parent[3] == (1, 3) and index._why[3] == "family_consensus"
    # One sibling's link is not enough: it may itself point at a sibling.
    parent = {2: (1, 2)}
    index._family_consensus(oriented, parent, {(1, 2)})
    assert 3 not in parent


def test_a_text_that_texts_chose_as_their_source_by_their_pairs_is_not_one_more_rewrite_by_its_paired_texts_consensus() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import FAMILY_STYLE_GAP

    def attempt(gap: float, chosen_by: list[int]) -> dict:
        index = _consensus_fixture()
        oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
        # By the pairs' own evidence 3 sourced ``chosen_by`` (fillers here, reading ``gap`` less
        # human-written than 3): the family rules have since moved them.
        for x in (100, 101):
            index.traits[x] = replace(index.traits[3], burstiness=index.traits[3].burstiness - gap)
        index._pairwise_rewrites = {3: chosen_by}
        parent = {2: (1, 2), 4: (1, 4)}
        index._family_consensus(oriented, parent, {(1, 2), (1, 4)})
        return parent

    for gap in (FAMILY_STYLE_GAP + 0.1, FAMILY_STYLE_GAP - 0.2):
        assert 3 not in attempt(gap, [100, 101]), "3 is the article of the texts that chose it"
    assert attempt(FAMILY_STYLE_GAP + 0.1, [100])[3] == (1, 3)


def test_texts_the_consensus_rules_link_vote_in_turn(monkeypatch) -> None:
    index = _consensus_fixture()
    calls: list[str] = []

    def family(oriented, parent, promoted) -> None:
        calls.append("family")
        if 3 in parent and 5 not in parent:  # stands for: 5 has enough votes once 3 is linked
            index._repoint(oriented, parent, promoted, 5, (1, 5), "family_consensus")

    def neighbour(oriented, parent, promoted) -> None:
        calls.append("neighbour")
        if 3 not in parent:
            index._repoint(oriented, parent, promoted, 3, (1, 3), "neighbour_consensus")

    family_roots = index._family_roots

    def roots_leaving_3_and_5_parentless(oriented, parent, promoted, settled) -> None:
        family_roots(oriented, parent, promoted, settled)
        parent.pop(3, None)
        parent.pop(5, None)

    monkeypatch.setattr(index, "_family_roots", roots_leaving_3_and_5_parentless)
    monkeypatch.setattr(index, "_family_consensus", family)
    monkeypatch.setattr(index, "_neighbour_consensus", neighbour)
    result = index.result()
    linked = {(l.derived_id, l.source_id) for l in result.links if l.relation in DERIVATIONS}
    assert (3, 1) in linked and (5, 1) in linked
    # Round 1 links 3, round 2 links 5 (3 votes now), round 3 adds nothing and ends the loop;
    # after the chain and hub rules (and the move to nearest originals) one more round.
    assert calls == ["family", "neighbour"] * 3 + ["family", "neighbour"]


def test_a_rewrite_of_a_parentless_sibling_goes_to_the_hub_that_sources_its_other_siblings() -> None:
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    # 3's closest candidate is its sibling 2, which found no source of its own; 1 sources two
    # other rewrites (4, 5), is paired with 3 and reads more as 3's source than 2 does.
    assert (1, 3) in index.pairs and index._source_preference(1, 3) > index._source_preference(2, 3)
    oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in ((2, 3), (1, 4), (1, 5))}
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._family_hubs(oriented, parent, set(parent.values()))
    assert parent[3] == (1, 3) and index._why[3] == "family_hub"
    # A hub of one rewrite is no more a hub than 2 (which sources 3): nothing moves.
    parent = {3: (2, 3), 4: (1, 4)}
    index._family_hubs(oriented, parent, set(parent.values()))
    assert parent[3] == (2, 3)
    # Nor when 2 has a source of its own (the chain rules judge that case), or 1 reads as
    # LLM-written as 3.
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5), 2: (1, 2)}
    oriented[(1, 2)] = Oriented(1, 2, 0.8, (), ())
    index._family_hubs(oriented, parent, set(parent.values()))
    assert parent[3] == (2, 3)
    _with_ai_density(index, 1, 2.0, 2.0)
    parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
    index._family_hubs(oriented, parent, set(parent.values()))
    assert parent[3] == (2, 3)


def test_family_consensus_takes_the_original_of_three_paired_rewrites_though_it_reads_somewhat_llm_like() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import CONSENSUS_FACT_VOTES

    def attempt(voters: tuple[int, ...]) -> dict:
        index = _consensus_fixture()
        _with_ai_density(index, 1, 0.6, 0.0)  # a few stock phrases: 1 reads as LLM-like as 3
        assert index._llm_like_source(1, 3) and not index._consensus_source(1, 3)
        assert index._keeps_facts(3, 1)
        oriented = {(1, x): Oriented(1, x, 0.8, (), ()) for x in voters}
        parent = {x: (1, x) for x in voters}
        index._family_consensus(oriented, parent, set(parent.values()))
        return parent

    # 3 is paired with 2, 4 and 5, rewrites of 1, and keeps 1's facts: 1 is its family's original.
    assert CONSENSUS_FACT_VOTES == 3 and attempt((2, 4, 5))[3] == (1, 3)
    # Two rewrites' word is not enough to overrule the reading of 1 as 3's sibling.
    assert 3 not in attempt((2, 4))


def test_family_consensus_abstains_when_the_voted_source_reads_llm_written_or_votes_split() -> None:
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in ((1, 2), (1, 4), (2, 3), (2, 5))}
    # Paired rewrites of two different sources, both paired with 5: no single family source.
    parent = {2: (1, 2), 4: (1, 4), 3: (2, 3)}
    assert (2, 5) in index.pairs and (1, 5) in index.pairs
    index._family_consensus(oriented, parent, {(1, 2), (1, 4), (2, 3)})
    assert 5 not in parent
    # A voted source as LLM-styled as a rewrite is taken for a sibling, not the original.
    _with_ai_density(index, 1, 2.0, 2.0)
    parent = {2: (1, 2), 4: (1, 4)}
    index._family_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert 3 not in parent


def test_family_consensus_may_link_an_aligned_pair_too_loose_for_any_relation() -> None:
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
    del index.pairs[(1, 3)]  # aligned, but (say) below every relation's cut-off
    assert (1, 3) in index.features
    parent = {2: (1, 2), 4: (1, 4)}
    index._family_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert parent[3] == (1, 3) and index.pairs[(1, 3)].decision.relation == FAMILY
    assert not index._paired((1, 3)), "a loose pair serves the family's checks only"
    # Numbers that differ inside aligned text: another story, whatever the family says.
    f = index.features[(1, 3)]
    conflicts = f.alignment.substitutions[:1] * 3
    assert conflicts, "premise: the aligned pair has a substitution to stand for a conflict"
    index.features[(1, 3)] = replace(f, alignment=replace(f.alignment, number_conflicts=conflicts, numbers_shared=0))
    del index.pairs[(1, 3)]
    parent = {2: (1, 2), 4: (1, 4)}
    index._family_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert 3 not in parent


def test_a_parentless_rewrite_among_the_nearest_texts_of_rewrites_of_one_source_joins_them() -> None:
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    # 3 was never aligned with the source (say its pair fell below the alignment cut-offs):
    # only its nearest texts, rewrites 2 and 4 of 1, say where it belongs.
    del index.features[(1, 3)]
    del index.pairs[(1, 3)]
    near = index.candidates.neighbours([3], k=3)[3]
    assert {2, 4} <= {x for x, _ in near}, "premise: 3's nearest texts are its siblings"
    oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
    parent = {2: (1, 2), 4: (1, 4)}
    index._neighbour_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert parent[3] == (1, 3) and index._why[3] == "neighbour_consensus"
    assert (1, 3) not in index.features, "aligned for this result only"
    assert index.pairs[(1, 3)].decision.relation == FAMILY and not index._paired((1, 3))
    # One rewrite's vote is not enough; a voted source as LLM-styled as the rewrite is a sibling.
    del index.pairs[(1, 3)]
    parent = {2: (1, 2)}
    index._neighbour_consensus(oriented, parent, {(1, 2)})
    assert 3 not in parent
    _with_ai_density(index, 1, 2.0, 2.0)
    parent = {2: (1, 2), 4: (1, 4)}
    index._neighbour_consensus(oriented, parent, {(1, 2), (1, 4)})
    assert 3 not in parent


def test_neighbour_consensus_in_a_models_family_needs_less_style_when_the_source_is_the_nearest_original() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import FAMILY_STYLE_GAP, NEIGHBOUR_VOTERS, ROOT_MIN_PREFERENCE

    def attempt(family_gap: float, rival: bool = False) -> dict:
        index = _consensus_fixture()
        del index.features[(1, 3)]
        del index.pairs[(1, 3)]
        # Styles differ from 1's only by sentence rhythm: 3 reads a little less human-written than
        # 1 (too little for this rule by itself), 1's rewrites 2 and 4 family_gap less.
        for x, gap in ((3, ROOT_MIN_PREFERENCE - 0.05), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        assert index._reads_as_source(1, 3), "premise: 1 reads as 3's source"
        oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
        parent = {2: (1, 2), 4: (1, 4)}
        promoted = {(1, 2), (1, 4)}
        if rival:
            # 100 is an original too (it sources 101), and 3's nearest text.
            parent[101] = (100, 101)
            promoted.add((100, 101))
            oriented[(100, 101)] = Oriented(100, 101, 0.8, (), ())
            near = index._neighbours([3], NEIGHBOUR_VOTERS)[3]
            index._near[NEIGHBOUR_VOTERS][3] = [(100, 0.99)] + [(x, c) for x, c in near if x != 100]
        index._neighbour_consensus(oriented, parent, promoted)
        return parent

    assert attempt(FAMILY_STYLE_GAP + 0.1)[3] == (1, 3)
    # Not when 1's rewrites read about as human as 1, nor when another original is nearer to 3.
    assert 3 not in attempt(FAMILY_STYLE_GAP - 0.2)
    assert 3 not in attempt(FAMILY_STYLE_GAP + 0.1, rival=True)


def test_neighbour_consensus_takes_an_elaboration_that_holds_more_of_its_source_than_the_source_of_it() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import ROOT_MIN_PREFERENCE

    def attempt(rhythm_gap: float) -> dict:
        index = _consensus_fixture()
        del index.features[(1, 3)]
        del index.pairs[(1, 3)]
        # 3 elaborates on 1: it holds most of 1's terms, while 1 holds less of 3's (say what 3
        # invented), so the containment asymmetry leans to 3; style says 1 is the human original.
        index._cont_cache[(3, 1)], index._cont_cache[(1, 3)] = 0.3, 0.5
        index.traits[3] = replace(index.traits[1], burstiness=index.traits[1].burstiness - rhythm_gap)
        assert not index._reads_as_source(1, 3), "premise: containment alone points the other way"
        oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
        parent = {2: (1, 2), 4: (1, 4)}
        index._neighbour_consensus(oriented, parent, {(1, 2), (1, 4)})
        assert index._source_preference(1, 3) >= ROOT_MIN_PREFERENCE or 3 not in parent
        return parent

    assert attempt(1.0)[3] == (1, 3)
    # Not when the source preference as a whole does not reach ROOT_MIN_PREFERENCE.
    assert 3 not in attempt(ROOT_MIN_PREFERENCE + 0.05)


def test_neighbour_consensus_takes_a_text_that_keeps_the_sources_facts_where_style_says_too_little() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import CONSENSUS_FACT_VOTES, ROOT_MIN_PREFERENCE

    def attempt(voters: tuple[int, ...], names: bool = True) -> dict:
        index = _consensus_fixture()
        del index.features[(1, 3)]
        del index.pairs[(1, 3)]
        # Styles differ from 1's only a little: 3 (a paraphrase keeping its article's register)
        # too little for the style bar, 1's rewrites too little for a model's family.
        b = index.traits[1].burstiness
        index.traits[3] = replace(index.traits[1], burstiness=b - (ROOT_MIN_PREFERENCE - 0.1))
        for x in (2, 4, 5):
            index.traits[x] = replace(index.traits[1], burstiness=b - 0.1)
        if not names:
            index.anchors[3] = replace(index.anchors[3], names=frozenset())
        assert index._keeps_facts(3, 1) == names
        oriented = {(1, x): Oriented(1, x, 0.8, (), ()) for x in voters}
        parent = {x: (1, x) for x in voters}
        index._neighbour_consensus(oriented, parent, set(parent.values()))
        return parent

    assert CONSENSUS_FACT_VOTES == 3
    assert attempt((2, 4, 5))[3] == (1, 3)
    # Not on two votes, nor when 3 does not keep 1's facts (here: none of its names).
    assert 3 not in attempt((2, 4))
    assert 3 not in attempt((2, 4, 5), names=False)


def test_neighbour_consensus_costs_nothing_without_rewrite_links(monkeypatch) -> None:
    index = _consensus_fixture()

    def fail(*_args, **_kwargs):
        raise AssertionError("no rewrite link, so no neighbour search")

    monkeypatch.setattr(index.candidates, "neighbours", fail)
    index._neighbour_consensus({}, {}, set())



def test_a_models_framing_of_its_reply_is_found_and_news_prose_is_not() -> None:
    from archive.provenance.style import model_framing
    from archive.provenance.telltales import read_telltales

    reply = "Sure! Here is the news article you asked for:\n\n" + SIBLING_A + "\nI hope this helps. Let me know if you want changes."
    found = [m.phrase for m in model_framing(reply)]
    assert found == ["Sure! Here is the news article you asked for:", "I hope this helps", "Let me know if you"]
    assert all(reply[m.start:m.end] == m.phrase for m in model_framing(reply))
    assert model_framing("As an AI language model, I cannot verify this.\n\n" + SOURCE)
    # An opening that echoes the prompt is one framing, not two overlapping ones.
    echoed = "Here is a piece of news based on the sentence you provided:\n\n" + SOURCE
    assert [m.phrase for m in model_framing(echoed)] == ["Here is a piece of news based on the sentence you provided:"]
    # Newsroom prose that starts the same way: a quote, a sentence going on after its colon.
    for prose in ('"I hope that the lock reopens soon," said Valdor.',
                  "Certainly, dealers said, the port is no less busy.\n",
                  "Here is the problem: the gates have corroded.\n",
                  SOURCE):
        assert model_framing(prose) == [], prose
    # Stored with the telltales, apart from the stock phrases (it is no density but a fact).
    told = read_telltales(reply)
    assert [m.kind for m in told.ai].count("model_framing") == 3
    index = ProvenanceIndex()
    index.update([DocInput(1, reply), DocInput(2, SIBLING_A)])
    assert index.traits[1].framing == 3 and index.traits[2].framing == 0
    assert index.traits[1].ai_markers == index.traits[2].ai_markers


def test_a_models_framed_reply_is_never_the_source_of_a_rewrite() -> None:
    # The fixture's source with a model's opening line: without it both rewrites link to it
    # (test_both_sibling_rewrites_link_to_the_source_not_to_each_other); with it, it is a
    # model's text like theirs, so neither does, whatever else it reads like.
    docs = _docs()
    docs[0] = DocInput(1, "Here is the news article:\n\n" + SOURCE)
    result = build(docs)
    assert not [l for l in result.links if l.relation in DERIVATIONS and l.source_id == 1]
    assert result.doc_evidence[1]["model_framing"][0]["phrase"] == "Here is the news article:"



# An open-ended story written from SOURCE's opening: it restates the first sentences, then goes
# its own way in a model's register; little of the rest of SOURCE is in it.
ELABORATION = """Harbour Authority Announces Nine-Week Shutdown of Corvay Lock

In a significant development for the region, the harbour authority will shut the Corvay lock on the Merrin canal for nine weeks of repairs from 3 March, after engineers found corroded gates in January.

The decision highlights the crucial role that waterways play in the local economy. Experts note that ageing infrastructure across the continent faces similar challenges, and many communities are now weighing the costs of modernization against the need to keep trade flowing.

Additionally, the shutdown is expected to spark a broader conversation about how ports can balance essential maintenance with the needs of the businesses and residents who rely on them every day.

Overall, the situation underscores the importance of long-term planning for vital public assets.
"""


def test_a_story_written_from_a_sources_opening_holds_that_opening() -> None:
    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, ELABORATION, source="model-c")])
    assert index._opening_cover(1, 4) >= 0.5, "4 restates 1's opening"
    assert index._opening_cover(1, 4) > index._containment(1, 4), "and holds less of the rest"
    assert index._opening_cover(1, 105) < 0.2, "an unrelated text does not hold it"
    # Further down 4's list, behind the sibling, the source whose opening 4 holds is aligned too.
    assert index._opening_like(4, [(2, 0.5)], [(1, 0.1), (105, 0.1)]) == [(1, 0.1)]
    assert index._opening_like(4, [(1, 0.5)], [(105, 0.1)]) == [], "nothing else holds it"
    index._opening_covers = lambda ms, d: [0.4] * len(ms)  # type: ignore[method-assign]
    assert index._opening_like(4, [(2, 0.5)], [(1, 0.1)]) == [], "under OPENING_ALIGN_COVER"


def test_a_texts_opening_skips_its_cruft_lines() -> None:
    index = ProvenanceIndex()
    crufted = "Share this article\nFollow us on Twitter\n\n" + SOURCE
    index.update(_docs() + [DocInput(5, crufted)])
    assert index.opening[5].tolist() == index.opening[1].tolist()
    assert len(index.opening[1]) == OPENING_TERMS


def test_a_loose_pair_where_one_text_holds_the_others_opening_is_one_family() -> None:
    from archive.provenance.classify import Decision

    index, _ = _chain_fixture()
    f = index.pairs[(1, 3)].features
    none = Decision(None, 0.1, ())
    index._cont_cache[(1, 3)] = index._cont_cache[(3, 1)] = 0.1
    covers = {(1, 3): 0.7, (3, 1): 0.2}
    index._opening_cover = lambda m, d: covers[(m, d)]  # type: ignore[method-assign]
    decision = index._family_by_containment(f, none)
    assert decision.relation == FAMILY and "opening" in decision.reasons[-1]
    covers[(1, 3)] = 0.5
    assert index._family_by_containment(f, none) == none


def test_kept_idf_weights_follow_the_archives_document_frequencies() -> None:
    from archive.provenance.features import idf

    def weights_of(index: ProvenanceIndex, x: int) -> list[float]:
        return idf(index.candidates.df_of(index.body_terms[x]), index.candidates.archive_size).tolist()

    docs = _docs()
    index = ProvenanceIndex()
    index.update(docs[:4])
    index.result()
    early = index._idf_of(1)[0].tolist()
    assert early == weights_of(index, 1)
    index.update(docs[4:])  # more documents: every term's frequency share changed
    index.result()
    assert index._idf_of(1)[0].tolist() == weights_of(index, 1) != early
    assert index._opening_weights(1).tolist() == idf(index.candidates.df_of(index.opening[1]),
                                                       index.candidates.archive_size).tolist()
    # Looked up for all texts at once (before the workers fork), as one at a time.
    assert all(index._idf_of(x)[0].tolist() == weights_of(index, x) for x in index.docs)


def _nearest_original_fixture():
    from archive.provenance.pairs import Oriented

    index = _consensus_fixture()
    # 2 and 4 are rewrites of 1: that makes 1 an original (no source of its own, sources rewrites).
    oriented = {k: Oriented(1, k[1], 0.8, (), ()) for k in ((1, 2), (1, 4))}
    return index, oriented


def test_a_parentless_rewrite_goes_to_its_nearest_original_when_it_reads_as_its_source() -> None:
    index, oriented = _nearest_original_fixture()
    near = [x for x, _ in index.candidates.neighbours([3], k=16)[3]]
    assert 1 in near, "premise: the source is among 3's nearest texts"
    parent = {2: (1, 2), 4: (1, 4)}
    index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
    assert parent[3] == (1, 3) and index._why[3] == "nearest_original"
    # Not when the original reads no more human-written than the text by style (answers to one
    # question read alike), nor when it reads LLM-written itself.
    for traits in ({3: index.traits[1]}, {}):
        index2, oriented2 = _nearest_original_fixture()
        index2.traits.update(traits)
        if not traits:
            _with_ai_density(index2, 1, 2.0, 2.0)
        parent = {2: (1, 2), 4: (1, 4)}
        index2._nearest_originals(oriented2, parent, {(1, 2), (1, 4)}, repoint=False)
        assert 3 not in parent


def test_a_text_naming_many_names_of_its_own_is_another_report_not_a_rewrite() -> None:
    """Another newsroom's article on the story reads about as human-written as the original and
    brings its own people and places; a rewrite drops names. The nearest original rule leaves
    such a text alone (LLMFake without outlets: GossipCop items on one wedding were linked as
    rewrites of each other), unless its outlet publishes a model's texts (which invent names)."""
    from dataclasses import replace

    from archive.provenance.params import INDEPENDENT_OWN_NAMES, ROOT_MIN_PREFERENCE

    def link_of_3(own_names: int, style: float, models: set[str] = set()) -> tuple[int, int] | None:
        index, oriented = _nearest_original_fixture()
        anchors = index.anchors[3]
        already = len(anchors.names - index.anchors[1].names)
        extra = frozenset(range(1, own_names - already + 1))  # name hashes 1 has not
        index.anchors[3] = replace(anchors, names=anchors.names | extra)
        assert len(index.anchors[3].names - index.anchors[1].names) == own_names
        preference = index._style_preference
        index._style_preference = lambda m, x: style if (m, x) == (1, 3) else preference(m, x)
        index._model_outlets = lambda: models
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent.get(3)

    about_as_human = ROOT_MIN_PREFERENCE - 0.1
    assert link_of_3(INDEPENDENT_OWN_NAMES - 1, about_as_human) == (1, 3)
    assert link_of_3(INDEPENDENT_OWN_NAMES, about_as_human) is None
    # Reading clearly less human-written than the original: a model's elaboration after all.
    assert link_of_3(INDEPENDENT_OWN_NAMES, ROOT_MIN_PREFERENCE + 0.05) == (1, 3)
    # From an outlet known to publish a model's texts: its invented names say nothing.
    assert link_of_3(INDEPENDENT_OWN_NAMES, about_as_human, models={"modelb"}) == (1, 3)


def _with_outlets(index: ProvenanceIndex, outlets: dict[int, str], styles: dict[str, tuple[float, ...]]) -> None:
    """Give texts outlets, and the outlets (name: (style, model_share[, texts])) the styles read
    over all their texts (an outlet missing from ``styles`` is too small to read)."""
    from archive.provenance.outlet_styles import OutletStyle

    index.outlet.update(outlets)
    read = {name: OutletStyle(*style) for name, style in styles.items()}
    index._outlet_styles = lambda: read  # type: ignore[method-assign]


def test_newsrooms_that_write_alike_give_each_other_no_loose_rewrite() -> None:
    """A family rule links a loose pair by the family's word and relative style, which texts of two
    newsrooms give each other by chance (LLMFake's articles alone on 20 newsrooms: 11 links
    between separate reports, all by family rules). Between two outlets that write alike, none
    does; a model's outlet, or one reading far less human-written, still gets its links."""
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import OUTLET_MODEL_SHARE, OUTLET_STYLE_GAP

    human = 0.8

    def root_of_2(styles: dict[str, tuple[float, float]]) -> dict:
        index, oriented = _chain_fixture()
        _with_outlets(index, {1: "gazette", 2: "courier", 3: "model-b"}, styles)
        oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())  # the pair read 1 as made from 2
        parent = {1: (1, 2), 3: (1, 3)}
        index._family_roots(oriented, parent, {(1, 3)}, set())
        return parent

    newsroom = (human, 0.0)
    # Two newsrooms reading alike: 2 gets no root, and the pair keeps its own reading.
    assert root_of_2({"gazette": newsroom, "courier": newsroom}) == {1: (1, 2), 3: (1, 3)}
    # 2's outlet a model's, or reading OUTLET_STYLE_GAP less human-written than 1's, or too small
    # to read: the family root takes 2, as without outlets.
    for courier in ({"courier": (human, OUTLET_MODEL_SHARE)}, {"courier": (human - OUTLET_STYLE_GAP, 0.0)}, {}):
        parent = root_of_2({"gazette": newsroom, **courier})
        assert parent[2] == (1, 2) and 1 not in parent
    # ... but not a wire read over enough texts to be sure it publishes no model's: its terse
    # copy reads about as even as a model's (Reuters: 171 of 19,043 stories LLM-styled).
    wire = (human - OUTLET_STYLE_GAP, 0.009, 19_043)
    assert root_of_2({"gazette": newsroom, "courier": wire}) == {1: (1, 2), 3: (1, 3)}
    few_texts = (human - OUTLET_STYLE_GAP, 0.0, 20)  # none styled among 20: a model's may be so
    assert root_of_2({"gazette": newsroom, "courier": few_texts})[2] == (1, 2)

    def nearest_original_of_3(styles: dict[str, tuple[float, float]]) -> tuple[int, int] | None:
        index, oriented = _nearest_original_fixture()
        _with_outlets(index, {1: "gazette", 3: "courier"}, styles)
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent.get(3)

    assert nearest_original_of_3({"gazette": newsroom, "courier": newsroom}) is None
    assert nearest_original_of_3({"gazette": newsroom, "courier": (human, OUTLET_MODEL_SHARE)}) == (1, 3)


def test_a_newsroom_text_is_not_taken_for_a_rewrite_of_another_newsrooms_by_its_family(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three rules move a rewrite d off its source p to q on the premise that p, which has no
    source of its own, is one more rewrite of q: texts paired with p rewrite q (sibling source),
    q is the hub of d's family (family hub), or q wins the family's round robin over p (root
    repoint). When p and q are two newsrooms' texts that write alike (_newsroom_peers), they are
    two reports of the topic, and d keeps the source its own wording chose (LLMFake: a rewrite
    linked at cosine 0.53 to its article moved to another newsroom's article on the topic at 0.22)."""
    from archive.provenance import openings
    from archive.provenance.pairs import Oriented

    newsroom, model = (0.8, 0.0), (0.8, 0.5)

    def sibling_source(styles: dict[str, tuple[float, float]]) -> tuple[int, int] | None:
        index = _consensus_fixture()
        _with_outlets(index, {1: "gazette", 2: "courier"}, styles)
        oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in ((1, 3), (2, 3), (1, 4), (1, 5))}
        parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
        index._no_unsourced_sibling_sources(oriented, parent, {(1, 4), (1, 5), (2, 3)})
        return parent.get(3)

    def family_hub(styles: dict[str, tuple[float, float]]) -> tuple[int, int] | None:
        index = _consensus_fixture()
        _with_outlets(index, {1: "gazette", 2: "courier"}, styles)
        oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in ((2, 3), (1, 4), (1, 5))}
        parent = {3: (2, 3), 4: (1, 4), 5: (1, 5)}
        index._family_hubs(oriented, parent, set(parent.values()))
        return parent.get(3)

    def root_repoint(styles: dict[str, tuple[float, float]]) -> tuple[int, int] | None:
        index, oriented = _chain_fixture()
        _with_outlets(index, {1: "gazette", 2: "courier"}, styles)
        parent = {3: (2, 3)}  # 3's own pair chose 2; its family's root is 1
        index._family_roots(oriented, parent, set(), set())
        return parent.get(3)

    # (The opening test is another rule's, not judged here.)
    monkeypatch.setattr(openings, "OPENING_ELSEWHERE_LEAD", 2.0)
    for rule in (sibling_source, family_hub, root_repoint):
        # Both newsrooms: 3 keeps 2.
        assert rule({"gazette": newsroom, "courier": newsroom}) == (2, 3), rule.__name__
        # 2's outlet a model's, or too small to read: 2 may well be a rewrite of 1, and 3 goes to
        # 1, as without outlets.
        assert rule({"gazette": newsroom, "courier": model}) == (1, 3), rule.__name__
        assert rule({"gazette": newsroom}) == (1, 3), rule.__name__


def test_a_rewording_between_newsrooms_that_write_alike_is_two_reports_unless_it_keeps_the_facts() -> None:
    """Between two newsrooms that write alike, a pair the classifier reads as a rewrite may as well
    be two reports: a wire's follow-ups on one topic spread over many sites (all of Reuters on 50
    sites at random, `reuters_outlets`: 2,544 such rewrite links, 662 left). A text that brings
    figures of its own (OWN_FIGURES_REPORT) is then related to the other, not its rewrite; one that
    keeps the other's facts (a paraphrase, or a heavy spin) still is, and so is a text of a model's
    outlet."""
    fillers = [DocInput(100 + k, text) for k, text in enumerate(FILLERS)]

    def links(styles: dict[str, tuple[float, float]], one_event: bool = False) -> dict[int, tuple[int, str, list[str]]]:
        index = ProvenanceIndex()
        index.update([DocInput(1, SOURCE), DocInput(2, SIBLING_A), DocInput(4, OWN_FIGURES_REPORT)] + fillers)
        _with_outlets(index, {1: "gazette", 2: "courier", 4: "courier"}, styles)
        classify_pair = index._relation

        def relation(key: tuple[int, int], feats) -> tuple[Decision, bool]:
            if key == (1, 4):  # (what the classifier says of many follow-ups on one topic)
                return Decision("rewrite", 0.5, ("reworded passages in the same order",)), False
            return classify_pair(key, feats)

        index._relation = relation  # type: ignore[method-assign]
        if one_event:
            index._same_event = lambda a, b: True  # type: ignore[method-assign]
        assert not index._keeps_facts(4, 1) and index._keeps_facts(2, 1)
        return {other(l): (l.source_id, l.relation, l.evidence["reasons"]) for l in index.result().links
                if other(l) in (2, 4)}

    def other(link) -> int:
        return link.derived_id if link.source_id == 1 else link.source_id

    newsroom = (0.8, 0.0)
    alike = links({"gazette": newsroom, "courier": newsroom})
    # Their leads report different events (the closure's date against its bill): no link at all.
    assert 4 not in alike and alike[2][:2] == (1, "rewrite")
    # Leads of one event: related, saying why.
    alike = links({"gazette": newsroom, "courier": newsroom}, one_event=True)
    assert alike[4][1] == "related" and "two reports" in alike[4][2][-1]
    # The courier's texts read as a model's: its rewording is a rewrite.
    assert links({"gazette": newsroom, "courier": (0.8, 0.5)})[4][:2] == (1, "rewrite")


def test_a_copys_site_lines_are_no_facts_of_its_own() -> None:
    """A farm's line above the story ("1:49 pm", "Views: 715") holds figures, but they are the
    site's, not the story's: a heavy spin between two newsrooms that write alike, read as a
    rewording, still keeps its source's facts and so stays its rewrite."""
    spun = ("Written by admin 1:49 pm World Views: 715\n\n"
            + SOURCE.replace("will close", "will shut").replace("repairs", "maintenance")
            .replace("Most carry", "Most transport").replace("cost them dearly", "value them dearly"))
    index = ProvenanceIndex()
    index.update([DocInput(1, SOURCE), DocInput(2, spun)] + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)])
    _with_outlets(index, {1: "gazette", 2: "farm"}, {"gazette": (0.8, 0.0), "farm": (0.8, 0.0)})
    classify_pair = index._relation

    def relation(key: tuple[int, int], feats) -> tuple[Decision, bool]:
        if key == (1, 2):  # (a heavier spinner's copy, read as a rewording)
            return Decision("rewrite", 0.5, ("reworded passages in the same order",)), False
        return classify_pair(key, feats)

    index._relation = relation  # type: ignore[method-assign]
    links = {(l.derived_id, l.source_id): l.relation for l in index.result().links}
    assert index.markers[2] and index._kept_span(2, 1) == (1.0, 0)
    assert links == {(2, 1): "rewrite"}


def test_newsrooms_that_write_alike_may_still_copy_each_other() -> None:
    """The newsroom test holds back loose rewrites only: sites copy each other's texts, and a copy
    says so by its own wording."""
    from archive.provenance.pairs import PairRecord

    index, oriented = _nearest_original_fixture()
    _with_outlets(index, {1: "gazette", 3: "courier"}, {"gazette": (0.8, 0.0), "courier": (0.8, 0.0)})
    for relation, linked in (("near_copy", True), ("rewrite", False)):
        index.pairs[(1, 3)] = PairRecord(index.pairs[(1, 3)].features, Decision(relation, 0.5, ()))
        parent: dict[int, tuple[int, int]] = {}
        index._repoint(oriented, parent, set(), 3, (1, 3), "family_hub")
        assert (parent.get(3) == (1, 3)) is linked


def test_a_text_reusing_part_of_another_is_still_the_original_of_its_rewrites() -> None:
    from archive.provenance.classify import MIN_COPY_COVERAGE
    from archive.provenance.pairs import PairRecord

    def attempt(coverage: float) -> dict:
        index, oriented = _nearest_original_fixture()
        # 1 is a near copy of filler 100 over ``coverage`` of 1 (its own source link).
        rec = index.pairs[(1, 2)]
        index.pairs[(1, 100)] = PairRecord(rec.features, Decision("near_copy", 0.3, ("partial reuse",)))
        index._covered = lambda d, key: coverage if key == (1, 100) and d == 1 else 1.0
        parent = {2: (1, 2), 4: (1, 4), 1: (1, 100)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent

    # A quote or a paragraph taken over: 1 is an article of its own, the original 3 was made from.
    assert attempt(MIN_COPY_COVERAGE - 0.3)[3] == (1, 3)
    # A copy of 100 is no original: its rewrites' family is 100's.
    assert 3 not in attempt(MIN_COPY_COVERAGE + 0.3)


def test_a_rewrite_linked_to_a_farther_original_moves_to_its_nearest_one() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import Oriented, PairRecord

    index, oriented = _nearest_original_fixture()
    # 3 was linked (say by a family rule) to 100, an original further down its list (another
    # story on the topic) that sources no other text; 1, which sources two rewrites, is nearer.
    far = index.candidates.pair_cosines([3], [100])[0]
    assert far < index.candidates.pair_cosines([3], [1])[0]
    f = index.features[(1, 3)]
    index.pairs[(3, 100)] = PairRecord(replace(f, a=3, b=100, cosine=float(far)), Decision("rewrite", 0.3, ()))
    oriented[(3, 100)] = Oriented(100, 3, 0.6, (), ())
    parent = {2: (1, 2), 4: (1, 4), 3: (3, 100)}
    index._nearest_originals(oriented, parent, set(parent.values()), repoint=True)
    assert parent[3] == (1, 3) and index._why[3] == "nearest_original"
    # A current source nearer than every other original stays.
    index.pairs[(3, 100)] = PairRecord(replace(f, a=3, b=100, cosine=0.99), Decision("rewrite", 0.3, ()))
    parent = {2: (1, 2), 4: (1, 4), 3: (3, 100)}
    index._nearest_originals(oriented, parent, set(parent.values()), repoint=True)
    assert parent[3] == (3, 100)
    # So does a farther source whose opening 3 holds more of than the nearer original's (here
    # 5, standing for another article on the topic: a rewrite starts from its article's opening).
    assert index._opening_cover(5, 3) > index._opening_cover(1, 3)
    index.pairs[(3, 5)] = PairRecord(replace(index.pairs[(3, 5)].features, cosine=float(far)), Decision("rewrite", 0.3, ()))
    oriented[(3, 5)] = Oriented(5, 3, 0.6, (), ())
    parent = {2: (1, 2), 4: (1, 4), 3: (3, 5)}
    index._nearest_originals(oriented, parent, set(parent.values()), repoint=True)
    assert parent[3] == (3, 5)


def test_nearest_originals_cost_nothing_without_rewrite_links(monkeypatch) -> None:
    index = _consensus_fixture()

    def fail(*_args, **_kwargs):
        raise AssertionError("no rewrite link, so no neighbour search")

    monkeypatch.setattr(index.candidates, "neighbours", fail)
    for repoint in (False, True):
        index._nearest_originals({}, {}, set(), repoint=repoint)


def test_a_rewrite_linked_to_a_text_whose_opening_it_lacks_moves_to_the_original_whose_opening_it_holds() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import Oriented, PairRecord
    from archive.provenance.params import OPENING_ALIGN_COVER, OPENING_FAMILY_COVER

    index = _consensus_fixture()
    # 2 was linked (say by a family rule) to 100, another story that opens with words 2 lacks;
    # 2 holds the opening of 1, an original paired with it that reads as its source.
    assert index._opening_cover(100, 2) < OPENING_ALIGN_COVER and index._opening_cover(1, 2) >= OPENING_FAMILY_COVER
    f = index.features[(1, 2)]
    index.pairs[(2, 100)] = PairRecord(replace(f, a=2, b=100), Decision("rewrite", 0.3, ()))
    oriented = {(2, 100): Oriented(100, 2, 0.6, (), ())}
    parent = {2: (2, 100)}
    index._opening_sources(oriented, parent, set(parent.values()))
    assert parent[2] == (1, 2) and index._why[2] == "opening_source"
    # The same for a copy: wherever it puts its source's opening, it holds it.
    index.pairs[(2, 100)] = PairRecord(replace(f, a=2, b=100), Decision("near_copy", 0.9, ()))
    parent = {2: (2, 100)}
    index._opening_sources(oriented, parent, set())
    assert parent[2] == (1, 2)
    # A source whose opening 2 holds (here its sibling 4) stays; so does 100 when 1 has a
    # source of its own, or reads as LLM-written as 2.
    oriented[(2, 4)] = Oriented(4, 2, 0.6, (), ())
    assert index._opening_cover(4, 2) >= OPENING_ALIGN_COVER
    for parent in ({2: (2, 4)}, {2: (2, 100), 1: (1, 5)}):
        before = dict(parent)
        index._opening_sources(oriented, parent, set(parent.values()))
        assert parent == before
    _with_ai_density(index, 1, 2.0, 2.0)
    parent = {2: (2, 100)}
    index._opening_sources(oriented, parent, set(parent.values()))
    assert parent == {2: (2, 100)}


def test_a_rewrite_is_not_promoted_to_an_llm_styled_source_of_its_source() -> None:
    from archive.provenance.pairs import Oriented, PairRecord

    def parents(styled: bool) -> dict:
        index, _ = _chain_fixture()
        # 2 reads as a spun copy of 1 (say a pair read the wrong way round), 3 as a rewrite of 2
        # that keeps words of 1 (a sibling of 2), related to 1 on its own.
        index.pairs[(1, 2)] = PairRecord(index.pairs[(1, 2)].features, Decision("spun", 0.5, ()))
        index.pairs[(1, 3)] = PairRecord(index.pairs[(1, 3)].features, Decision("related", 0.5, ()))
        index.pairs[(2, 3)] = PairRecord(index.pairs[(2, 3)].features, Decision("rewrite", 0.5, ()))
        index.traits[2] = index.traits[1]
        if styled:
            _with_ai_density(index, 1, 2.0, 2.0)
        index._is_sibling = lambda d, p, q: (d, p, q) == (3, 2, 1)  # type: ignore[method-assign]
        return index._choose_parents({(1, 2): Oriented(1, 2, 0.8, (), ()), (2, 3): Oriented(2, 3, 0.8, (), ())})

    assert parents(styled=False)[3] == (1, 3)  # promoted: a second rewrite of 1
    # An LLM-styled text is no article that rewrites are made from: 3 stays with 2.
    assert parents(styled=True)[3] == (2, 3)


def test_a_follow_up_is_neither_promoted_to_its_own_outlets_report_nor_left_with_a_copy_of_it() -> None:
    """A wire's follow-up (3) shares passages with the wire's first report (1); a content farm's
    spun copy of that report (2) shares them too, reworded, so the follow-up reads as a rewrite
    of the copy. It is no second rewrite of the report (within one outlet a reworded text is the
    newsroom's own follow-up, never a copy), nor made from the copy: it has no source."""
    from datetime import datetime, timedelta, timezone

    from archive.provenance.pairs import Oriented, PairRecord

    def parents(outlets: tuple[str | None, str | None], report_after_follow_up: bool = False,
                aligned: bool = True, sibling: bool = True) -> dict:
        index, _ = _chain_fixture()
        index.pairs[(1, 2)] = PairRecord(index.pairs[(1, 2)].features, Decision("spun", 0.5, ()))
        index.pairs[(1, 3)] = PairRecord(index.pairs[(1, 3)].features, Decision("related", 0.5, ()))
        if not aligned:
            del index.pairs[(1, 3)], index.features[(1, 3)]
        index.pairs[(2, 3)] = PairRecord(index.pairs[(2, 3)].features, Decision("rewrite", 0.5, ()))
        index.traits[2] = index.traits[1]
        index.outlet[1], index.outlet[3] = outlets
        index._could = None  # (answers kept from the fixture's own result() knew other outlets)
        if report_after_follow_up:
            day = datetime(1987, 3, 2, tzinfo=timezone.utc)
            index.docs[1] = replace(index.docs[1], published_at=day + timedelta(days=2))
            index.docs[3] = replace(index.docs[3], published_at=day)
        index._is_sibling = lambda d, p, q: sibling and (d, p, q) == (3, 2, 1)  # type: ignore[method-assign]
        return index._choose_parents({(1, 2): Oriented(1, 2, 0.8, (), ()), (2, 3): Oriented(2, 3, 0.8, (), ())})

    assert parents(("wire", "farm"))[3] == (1, 3)  # other outlets: a second rewrite of 1
    follow_up = parents(("wire", "wire"))
    assert 3 not in follow_up and follow_up[2] == (1, 2)
    assert 3 not in parents((None, None), report_after_follow_up=True)  # 1 came later: no source of 3
    # Holding some of the copy's own edits does not make the follow-up a rewrite of the copy:
    # the outlet had its report itself. From another outlet, such a text may be.
    assert 3 not in parents(("wire", "wire"), sibling=False)
    assert parents(("wire", "farm"), sibling=False)[3] == (2, 3)
    # Never aligned (1 was not among 3's candidates): within one outlet the copy is no source of
    # 3 all the same; a report published later is aligned to ask whether it relates to 3.
    assert 3 not in parents(("wire", "wire"), aligned=False)
    assert 3 not in parents((None, None), report_after_follow_up=True, aligned=False)


def test_a_rewrite_of_a_copy_that_is_no_relation_of_the_copys_source_has_no_source() -> None:
    """One wire notice's template filled in for two companies (1 and 3) is no copy, but a farm's
    spun copy of one (2) reads as a rewrite of the other, its swaps taken for rewording. 3 lacks
    2's own edits and its alignment with 1 finds no relation by their own wording (none, or a
    loose family by containment only): 3 has no source. A pair never aligned says nothing."""
    from archive.provenance.pairs import Oriented, PairRecord

    def parents(pair_13: str) -> dict:
        index, _ = _chain_fixture()
        index.pairs[(1, 2)] = PairRecord(index.pairs[(1, 2)].features, Decision("spun", 0.5, ()))
        index.pairs[(2, 3)] = PairRecord(index.pairs[(2, 3)].features, Decision("rewrite", 0.5, ()))
        if pair_13 == "loose family":
            index.pairs[(1, 3)] = PairRecord(index.pairs[(1, 3)].features, Decision(FAMILY, 0.3, ()))
            index._loose.add((1, 3))
        else:
            del index.pairs[(1, 3)]
        if pair_13 == "never aligned":
            del index.features[(1, 3)]
        else:  # (one wire's two notices: no family rule may then make 1 the source of 3 either)
            index.outlet[1] = index.outlet[3] = "wire"
            index._could = None
        index.traits[2] = index.traits[1]
        index._is_sibling = lambda d, p, q: (d, p, q) == (3, 2, 1)  # type: ignore[method-assign]
        return index._choose_parents({(1, 2): Oriented(1, 2, 0.8, (), ()), (2, 3): Oriented(2, 3, 0.8, (), ())})

    for unrelated in ("aligned, no relation", "loose family"):
        chosen = parents(unrelated)
        assert 3 not in chosen and chosen[2] == (1, 2), unrelated
    assert parents("never aligned")[3] == (2, 3)


def test_an_original_sourcing_a_rewrite_near_a_text_may_take_it_by_its_opening_without_a_pair() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import Oriented, PairRecord
    from archive.provenance.params import ORIGINAL_MIN_COSINE

    index = _consensus_fixture()
    # As in the test above, but 2 and 1 were never paired (say 1 ranked too far down 2's
    # candidates): 1 is found as the source of 4, one of 2's nearest texts.
    f = index.features[(1, 2)]
    del index.pairs[(1, 2)]
    assert any(x == 4 and c >= ORIGINAL_MIN_COSINE for x, c in index.candidates.neighbours([2], k=16)[2])
    index.pairs[(2, 100)] = PairRecord(replace(f, a=2, b=100), Decision("rewrite", 0.3, ()))
    oriented = {(2, 100): Oriented(100, 2, 0.6, (), ()), (1, 4): Oriented(1, 4, 0.8, (), ())}
    parent = {2: (2, 100), 4: (1, 4)}
    index._opening_sources(oriented, parent, set(parent.values()))
    assert parent[2] == (1, 2) and index._why[2] == "opening_source"


def test_a_parentless_rewrite_sharing_no_names_goes_to_an_unrivalled_nearest_original_that_reads_far_more_human() -> None:
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import FAMILY_STYLE_GAP, ORIGINAL_CLEAR_MARGIN, ORIGINAL_CLEAR_STYLE, ROOT_MIN_PREFERENCE

    def attempt(style_gap: float, rival: float | None, family_gap: float = 0.0) -> dict:
        index, oriented = _nearest_original_fixture()
        # 3 keeps none of 1's names (an open-ended rewrite may keep none), so its family's word
        # alone (_consensus_source) cannot make 1 its source.
        index.anchors[3] = replace(index.anchors[3], names=frozenset())
        # Styles differ from 1's only by sentence rhythm: style_preference(1, 3) == style_gap, and
        # 1's rewrites 2 and 4 read family_gap less human-written than 1.
        for x, gap in ((3, style_gap), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        assert not index._consensus_source(1, 3)
        assert abs(index._style_preference(1, 3) - style_gap) < 1e-9
        parent = {2: (1, 2), 4: (1, 4)}
        promoted = {(1, 2), (1, 4)}
        if rival is not None:
            # 100 becomes an original too, as near to 3 as the rival cosine says.
            parent[101] = (100, 101)
            promoted.add((100, 101))
            oriented[(100, 101)] = Oriented(100, 101, 0.8, (), ())
            near = index._neighbours([3], 16)[3]
            cosine = dict(near)[1]
            index._near[16][3] = sorted([(x, c) for x, c in near if x != 100] + [(100, cosine - rival)],
                                        key=lambda xc: -xc[1])
        index._nearest_originals(oriented, parent, promoted, repoint=False)
        return parent

    assert attempt(ORIGINAL_CLEAR_STYLE + 0.1, None)[3] == (1, 3)
    # Not when style says it less clearly, nor when another original comes near 3 too.
    assert 3 not in attempt(ORIGINAL_CLEAR_STYLE - 0.2, None)
    assert 3 not in attempt(ORIGINAL_CLEAR_STYLE + 0.1, ORIGINAL_CLEAR_MARGIN / 2)
    assert attempt(ORIGINAL_CLEAR_STYLE + 0.1, ORIGINAL_CLEAR_MARGIN * 1.5)[3] == (1, 3)
    # When 1's rewrites read far less human-written than 1 (a model's family), style need only
    # say what the family's word asks of it.
    model = FAMILY_STYLE_GAP + 0.1
    assert attempt(ORIGINAL_CLEAR_STYLE - 0.2, None, model)[3] == (1, 3)
    assert 3 not in attempt(ROOT_MIN_PREFERENCE - 0.1, None, model)
    assert 3 not in attempt(ORIGINAL_CLEAR_STYLE - 0.2, ORIGINAL_CLEAR_MARGIN / 2, model)


def test_an_elaboration_adding_details_of_its_own_goes_to_the_unrivalled_original_of_a_models_family() -> None:
    from archive.provenance.params import FAMILY_STYLE_GAP, MODEL_FAMILY_MIN_PREFERENCE, ORIGINAL_CLEAR_STYLE, ROOT_MIN_PREFERENCE

    def attempt(style_gap: float, family_gap: float) -> dict:
        index, oriented = _nearest_original_fixture()
        index.anchors[3] = replace(index.anchors[3], names=frozenset())  # no family's word (names)
        for x, gap in ((3, style_gap), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        # 3 elaborates on 1: it holds most of 1's terms, while 1 holds little of what 3 added, so
        # the containment asymmetry leans to 3 as far as style leans to 1.
        index._cont_cache[(3, 1)], index._cont_cache[(1, 3)] = 0.1, 0.1 + style_gap
        assert index._source_preference(1, 3) < MODEL_FAMILY_MIN_PREFERENCE
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent

    # 1's rewrites read far less human-written than 1 (a model's family), 1 is 3's unrivalled
    # nearest original and 3 reads ROOT_MIN_PREFERENCE less human: the asymmetry does not veto.
    assert attempt(ROOT_MIN_PREFERENCE + 0.1, FAMILY_STYLE_GAP + 0.1)[3] == (1, 3)
    # Not below that style bar, nor outside a model's family (people's rewrites, independent texts).
    assert 3 not in attempt(ROOT_MIN_PREFERENCE - 0.1, FAMILY_STYLE_GAP + 0.1)
    assert 3 not in attempt(ORIGINAL_CLEAR_STYLE + 0.1, 0.0)


def test_a_spinners_word_frequency_vote_does_not_make_the_llm_styled_side_the_source() -> None:
    import numpy as np

    from archive.provenance.classify import word_for_word
    from archive.provenance.direction import DocTraits, direction

    from test_provenance_units import substituted_pair

    # A model's paraphrase that kept enough wording to be classified a copy: its substitutes
    # happen to be the more common words, which for a spinner's copy would name it the source.
    # It also inserts clauses, as models do and spinners do not.
    human, model, ta, tb, common, f = substituted_pair(5, insertions=3)
    assert not word_for_word(f)
    freq = lambda h: np.array([500 if x in common else 2 for x in h.tolist()])  # noqa: E731
    human_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=0.0)
    model_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=2.0)

    def read(styled: tuple[bool, bool]) -> tuple[float, list[str]]:
        p, signals, _ = direction(f, ta, tb, human, model, human_traits, model_traits, freq, 5000, rewrite=False,
                                  llm_styled=styled)
        return p, [s.name for s in signals]

    # The model's text reads as LLM output and the human text does not: style decides.
    p, names = read((False, True))
    assert names == ["ai_style"] and p > 0.5
    # Without that reading, the vote stands and outweighs the word rate, as for any copy.
    p, names = read((False, False))
    assert names == ["substitution_frequency", "ai_style"] and p < 0.5


def test_a_spinners_word_frequency_vote_stands_in_a_word_for_word_pair_whatever_the_style_reading() -> None:
    import numpy as np

    from archive.provenance.classify import word_for_word
    from archive.provenance.direction import DocTraits, direction

    from test_provenance_units import substituted_pair

    # A human article rich in LLM-favoured words (read as a model's by them alone), spun word for
    # word into rarer words: the swaps took its LLM-favoured words away, and the spinner's
    # thesaurus trait is the evidence that fits a word-for-word pair.
    source, copy, ta, tb, rare, f = substituted_pair(11)
    assert word_for_word(f)
    freq = lambda h: np.array([2 if x in rare else 500 for x in h.tolist()])  # noqa: E731
    source_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=2.7)
    copy_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=0.6)
    p, signals, _ = direction(f, ta, tb, source, copy, source_traits, copy_traits, freq, 5000, rewrite=False,
                              llm_styled=(True, False))
    assert "substitution_frequency" in [s.name for s in signals] and p > 0.5


def test_llm_favoured_words_swapped_away_by_a_spinner_do_not_make_its_copy_the_source() -> None:
    import numpy as np

    from archive.provenance.direction import DocTraits, direction

    from test_provenance_units import substituted_pair

    # A spinner swapped the source's LLM-favoured words ("crucial", "significant") for plain
    # ones, word for word; the word frequencies give no margin either way.
    source, copy, ta, tb, _, f = substituted_pair(7)
    flat = lambda h: np.full(h.shape[0], 50)  # noqa: E731
    source_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=1.5)
    copy_traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0, llm_words=0.0)

    def signals(rewrite: bool, styled: tuple[bool, bool] = (False, False)) -> tuple[float, list[str]]:
        p, found, _ = direction(f, ta, tb, source, copy, source_traits, copy_traits, flat, 5000,
                                rewrite=rewrite, llm_styled=styled)
        return p, [s.name for s in found]

    assert signals(rewrite=False) == (0.5, [])
    # Between rewrites, and when the source reads as a model's text on its own, the rate counts.
    p, names = signals(rewrite=True)
    assert names == ["ai_style"] and p < 0.5
    p, names = signals(rewrite=False, styled=(True, False))
    assert names == ["ai_style"] and p < 0.5


def test_a_text_whose_style_says_too_little_joins_an_original_whose_rewrites_read_far_less_human() -> None:
    from archive.provenance.params import FAMILY_STYLE_GAP, ROOT_MIN_PREFERENCE

    def attempt(own_gap: float, family_gap: float, preference: float | None = None) -> dict:
        index, oriented = _nearest_original_fixture()
        # Styles differ from 1's only by sentence rhythm: style_preference(1, x) is the gap.
        for x, gap in ((3, own_gap), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        if preference is not None:
            # 3 holds far less of 1 than 1 of 3: the source preference holds without style.
            index._source_preference = lambda m, x: preference
        assert abs(index._style_preference(1, 3) - own_gap) < 1e-9 and own_gap < ROOT_MIN_PREFERENCE
        assert index._consensus_source(1, 3), "premise: the family's word (names, figures, source preference)"
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent

    # 3 reads only a little less human than 1, but 1's rewrites read far less human: a model's family.
    assert attempt(0.25, FAMILY_STYLE_GAP + 0.1)[3] == (1, 3)
    # Not when the rewrites read about as human as 1 (people rewriting a text), nor when 3 reads
    # more human-written than 1 (an independent text on the topic), however much 1 holds of it.
    assert 3 not in attempt(0.25, FAMILY_STYLE_GAP - 0.2)
    assert 3 not in attempt(-0.1, FAMILY_STYLE_GAP + 0.1, preference=ROOT_MIN_PREFERENCE + 0.5)
    assert attempt(0.1, FAMILY_STYLE_GAP + 0.1, preference=ROOT_MIN_PREFERENCE + 0.5)[3] == (1, 3)


def test_the_original_of_a_models_family_is_not_taken_for_a_sibling_for_reading_somewhat_llm_like() -> None:
    from archive.provenance.params import FAMILY_STYLE_GAP, ORIGINAL_CLEAR_STYLE

    def attempt(family_gap: float) -> dict:
        index, oriented = _nearest_original_fixture()
        # 3 reads clearly less human-written than 1 by rhythm; 1's rewrites 2 and 4 family_gap less.
        for x, gap in ((3, ORIGINAL_CLEAR_STYLE + 0.3), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        # 1 has one stock phrase, as 3 has none: somewhat LLM-like, not LLM-styled.
        _with_ai_density(index, 1, 0.3, 0.0)
        assert index._llm_like_source(1, 3) and not index._llm_styled(1)
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent

    # (1's stock phrase narrows its lead over its rewrites by 0.15.)
    assert attempt(FAMILY_STYLE_GAP + 0.3)[3] == (1, 3)
    # Among rewrites that read about as human as 1, a somewhat LLM-like 1 may be 3's sibling.
    assert 3 not in attempt(FAMILY_STYLE_GAP - 0.2)


def test_in_a_models_family_the_source_preference_need_only_lean_to_the_original() -> None:
    from archive.provenance.params import FAMILY_STYLE_GAP, MODEL_FAMILY_MIN_PREFERENCE, ROOT_MIN_PREFERENCE

    def attempt(family_gap: float, preference: float) -> dict:
        index, oriented = _nearest_original_fixture()
        # 3 reads a little less human-written than 1; 1's rewrites 2 and 4 family_gap less.
        for x, gap in ((3, ROOT_MIN_PREFERENCE - 0.05), (2, family_gap), (4, family_gap)):
            index.traits[x] = replace(index.traits[1], burstiness=index.traits[1].burstiness - gap)
        # A paraphrase: about as long as 1, with its names, so the preference is small.
        index._source_preference = lambda m, x: preference
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent

    leaning = ROOT_MIN_PREFERENCE - 0.1  # short of the bar elsewhere
    assert attempt(FAMILY_STYLE_GAP + 0.1, leaning)[3] == (1, 3)
    assert 3 not in attempt(FAMILY_STYLE_GAP + 0.1, MODEL_FAMILY_MIN_PREFERENCE - 0.05)
    assert 3 not in attempt(FAMILY_STYLE_GAP - 0.2, leaning)


def test_a_hub_as_well_sourced_as_the_parentless_sibling_or_a_copy_of_the_article_takes_its_rewrite() -> None:
    from archive.provenance.pairs import Oriented

    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, SIBLING_C, source="model-c"), DocInput(5, SIBLING_D, source="model-d"),
                            DocInput(6, SIBLING_C, source="model-e"), DocInput(7, SOURCE, source="other-desk")])
    index.result()
    assert index.pairs[(1, 7)].decision.relation == "duplicate"
    assert (1, 3) in index.pairs and index._source_preference(1, 3) > index._source_preference(2, 3)
    keys = ((2, 3), (2, 5), (1, 4), (1, 6), (1, 7))
    oriented = {k: Oriented(k[0], k[1], 0.8, (), ()) for k in keys}
    # 2 sources 3 and 5, 1 sources 4 and 6: as many rewrites without 3 as 2 with it.
    parent = {3: (2, 3), 5: (2, 5), 4: (1, 4), 6: (1, 6)}
    index._family_hubs(oriented, parent, set(parent.values()))
    assert parent[3] == (1, 3) and index._why[3] == "family_hub"
    # 1 is a verbatim copy of 7 (another desk's issue of the article): it still sources 3.
    parent = {3: (2, 3), 5: (2, 5), 4: (1, 4), 6: (1, 6), 1: (1, 7)}
    index._family_hubs(oriented, parent, {(2, 3), (2, 5), (1, 4), (1, 6)})
    assert parent[3] == (1, 3)


def test_an_updates_search_serves_the_choice_of_sources_and_is_released_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance.candidates import CandidateIndex

    prepared: list[int] = []
    real = CandidateIndex._prepare_search
    monkeypatch.setattr(CandidateIndex, "_prepare_search", lambda self: prepared.append(len(self)) or real(self))
    docs = _docs()
    index = ProvenanceIndex()
    index.update(docs[:4])
    assert index.candidates._search is not None  # held for result()'s choice of sources
    index.update(docs[4:])  # documents added: the held search is the smaller index's, dropped
    assert prepared == [4, len(docs)]
    searched = index._neighbours([1], 16)[1]
    result = index.result()
    assert prepared == [4, len(docs)]  # the choice searched the update's index, not a new one
    assert index.candidates._search is None and index._search_scope is None  # released
    index._near = {}
    with index.candidates.searching():
        assert index._neighbours([1], 16)[1] == searched
    assert prepared == [4, len(docs), len(docs)]
    index.result()
    assert prepared == [4, len(docs), len(docs), len(docs)]  # no update since: its own search
    assert build(docs).links == result.links


def test_the_share_of_each_originals_opening_a_text_holds_is_the_opening_cover() -> None:
    from archive.provenance.openings import _openings_held

    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, ELABORATION, source="model-c")])
    texts, originals = [4, 2, 105], [1, 3, 106]
    bodies = [index.body_terms[d] for d in texts]
    openings, weights = [index.opening[q] for q in originals], [index._opening_weights(q) for q in originals]
    held = _openings_held(bodies, openings, weights, 0.0).toarray()
    for i, d in enumerate(texts):
        assert held[i].tolist() == pytest.approx(index._opening_covers(originals, d), abs=1e-6)
    assert held[0, 0] >= 0.6, "the elaboration holds its source's opening"
    # Only shares that may reach ``least`` are counted: a text holding none of an opening's
    # heaviest terms (more than 1 - least of it) holds less; the rest are as before.
    for least in (0.3, 0.6, 0.9):
        part = _openings_held(bodies, openings, weights, least).toarray()
        assert ((part == held) | (part == 0.0)).all()
        assert (part[held >= least] == held[held >= least]).all()
    assert _openings_held([], openings[:1], weights[:1], 0.6).shape == (0, 1)


def test_the_heaviest_terms_are_taken_until_they_make_up_more_than_a_share() -> None:
    from archive.provenance.openings import _heaviest

    shares = np.array([0.1, 0.3, 0.2, 0.3, 0.1])
    assert _heaviest(shares, 0.4).tolist() == [1, 3]
    assert _heaviest(shares, 0.6).tolist() == [1, 3, 2]
    assert _heaviest(shares, 1.0).tolist() == [1, 3, 2, 0, 4]


def test_the_original_whose_opening_a_text_holds_most_ties_to_the_first() -> None:
    import scipy.sparse as sp

    from archive.provenance.openings import _best_held

    from archive.provenance.params import OPENING_FAMILY_COVER

    held = sp.csr_matrix(np.array([[0.9, 0.7, 0.9], [0.0, 0.7, OPENING_FAMILY_COVER - 0.01], [0.0, 0.0, 0.0]]))
    # (Identical openings tie: the first original in id order.)
    assert _best_held(held, [10, 11, 12], [13, 20, 21]) == [13, 20, None]
    held = sp.csr_matrix(np.array([[OPENING_FAMILY_COVER - 0.01, 0.2]]))
    assert _best_held(held, [10], [20, 21]) == [None]


def test_a_parentless_story_written_from_an_originals_opening_goes_to_that_original(monkeypatch: pytest.MonkeyPatch) -> None:
    """An open-ended rewrite keeps its article's opening and little else, and its nearest texts
    may be other rewrites: of the originals (texts sourcing rewrites), the one whose opening it
    holds is its source when that reads as its source by style."""
    from archive.provenance.pairs import Oriented

    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, ELABORATION, source="model-c")])
    index.result()
    for key in ((1, 4), (2, 4), (3, 4)):  # as if 4 had never been aligned with anything
        index.features.pop(key, None)
        index.pairs.pop(key, None)
    oriented = {(1, 2): Oriented(1, 2, 0.8, (), ())}
    parent = {2: (1, 2)}
    index._opening_originals(oriented, parent, {(1, 2)})
    assert parent.get(4) == (1, 4) and index._why[4] == "opening_original"
    assert index.pairs[(1, 4)].decision.relation == FAMILY, "aligned now, a loose family pair"
    assert all(filler not in parent for filler in range(100, 124)), "fillers hold no original's opening"
    # Without a rewrite link, 1 is no original: nothing is searched.
    from archive.provenance import openings

    def fail(*_args: object) -> None:
        raise AssertionError("no rewrite link, so no search of openings")

    with monkeypatch.context() as patched:
        patched.setattr(openings, "_openings_held", fail)
        parent = {}
        index._opening_originals({}, parent, set())
    assert parent == {}
    # An original that reads as LLM-written as the text is no source of it.
    _with_ai_density(index, 1, 2.0, 2.0)
    parent = {2: (1, 2)}
    index._opening_originals(oriented, parent, {(1, 2)})
    assert 4 not in parent


def test_texts_are_searched_by_opening_once_while_the_originals_stay_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance import openings

    index = ProvenanceIndex()
    index.update(_docs() + [DocInput(4, ELABORATION, source="model-c")])
    searched: list[list[int]] = []
    held = openings._openings_held

    def counted(bodies, openings, weights, least):  # type: ignore[no-untyped-def]
        searched.append([len(bodies), len(openings)])
        return held(bodies, openings, weights, least)

    monkeypatch.setattr(openings, "_openings_held", counted)
    assert index._by_opening_original([4, 105], [1]) == {4: 1, 105: None}
    assert index._by_opening_original([4, 106], [1]) == {4: 1, 105: None, 106: None}
    assert searched == [[2, 1], [1, 1]], "only the text not searched yet"
    assert index._by_opening_original([4], [1, 3])[4] == 1
    assert searched[-1] == [1, 2], "other originals: searched again"
    index.result()
    assert index._by_opening is None or index._by_opening[0] != (1, 3), "a result() starts afresh"


def test_an_undated_text_naming_only_later_years_cannot_source_a_dated_one() -> None:
    """The family rules link loose pairs; an undated article that names 2018 was written in 2018
    or later, so it is no source of a story published in 1987 (a mixed archive's false link)."""
    from datetime import datetime, timezone

    story = DocInput(1, SOURCE.replace("2011", "1979").replace("1887", "1886"),
                     published_at=datetime(1987, 3, 2, tzinfo=timezone.utc))
    texts = {2: SIBLING_A + "\n\nThe lock reopened in April 2018, a year before the 2019 season.",
             3: SIBLING_A + "\n\nThe lock was last repaired in 1985 and again in April 2018.",
             4: SIBLING_A,
             5: SIBLING_A + "\n\nThe 1988 season, the harbour master said, would be busier."}
    index = ProvenanceIndex()
    index.update([story, *(DocInput(k, text) for k, text in texts.items())])
    assert index._dated_after(2, 1)
    assert not index._dated_after(3, 1)  # it names a year before the story: it may be older
    assert not index._dated_after(4, 1)  # no year: nothing known
    assert not index._dated_after(5, 1)  # the year after: a forecast as likely as a date
    assert not index._dated_after(1, 2)  # the story's date says nothing of when 2 was written


def test_a_page_of_an_outlet_unlike_a_models_needs_siblings_nearer_than_its_nearest_original() -> None:
    """The nearest original rule's loose rewrite ranks its siblings (the original's rewrites) ahead
    of the original. A page of a named outlet that is no model's, not reading as LLM output
    itself, with other texts ahead of the original and none of them its rewrite, is likelier
    another report on the topic: it keeps no link by the rule. A text of no named outlet, of a
    model's, or reading as a model's keeps the rule as before."""

    def nearest_original_of_3(outlet: str | None, models: set[str], others_ahead: bool,
                              styled: bool = False) -> tuple[int, int] | None:
        index, oriented = _nearest_original_fixture()
        index.outlet[3] = outlet
        read_alone = index._llm_styled
        index._llm_styled = lambda x: styled if x == 3 else read_alone(x)  # type: ignore[method-assign]
        index._model_outlets = lambda: models  # type: ignore[method-assign]
        if others_ahead:  # two fillers rank ahead of 1 among 3's nearest texts, 1's rewrites behind it
            searched = index._neighbours

            def fillers_first(doc_ids: list[int], k: int) -> dict[int, list[tuple[int, float]]]:
                found = searched(doc_ids, k)
                if 3 in found:
                    top = found[3][0][1]
                    fillers = [(x, top + 0.01) for x, _ in found[3] if x >= 100][:2]
                    assert fillers, "premise: fillers among 3's nearest texts"
                    rest = [(x, c) for x, c in found[3] if x < 100]
                    found[3] = fillers + sorted(rest, key=lambda xc: xc[0] != 1)  # 1, then its rewrites
                return found

            index._neighbours = fillers_first  # type: ignore[method-assign]
            # (The fillers' openings are not 3's: the opening test is another rule's, set aside.)
            index._opening_held_nearer = lambda q, d: False  # type: ignore[method-assign]
        parent = {2: (1, 2), 4: (1, 4)}
        index._nearest_originals(oriented, parent, {(1, 2), (1, 4)}, repoint=False)
        return parent.get(3)

    # Siblings (2, 4) ahead of the original: the rule's case, whatever the outlet.
    assert nearest_original_of_3(None, set(), others_ahead=False) == (1, 3)
    assert nearest_original_of_3("courier", set(), others_ahead=False) == (1, 3)
    # Other articles ahead: a page of an outlet unlike a model's gets no link ...
    assert nearest_original_of_3("courier", set(), others_ahead=True) is None
    assert nearest_original_of_3("courier", {"modelb"}, others_ahead=True) is None
    # ... but a text of no named outlet, of a model's outlet, or reading as LLM output, does.
    assert nearest_original_of_3(None, set(), others_ahead=True) == (1, 3)
    assert nearest_original_of_3("modelb", {"modelb"}, others_ahead=True) == (1, 3)
    assert nearest_original_of_3("courier", set(), others_ahead=True, styled=True) == (1, 3)


def test_a_family_root_of_an_outlet_the_archive_barely_knows_must_source_one_of_the_family() -> None:
    """The root rule gives a parentless text the member of its family (itself and its closest
    paired texts) that reads as the source of the others. A root of a named outlet too small to
    read (one page of a site) that sources none of them has only its style for it: the texts
    near the loose rewrite may be rewrites of other articles on the topic (in one mixed archive,
    a Vicuna rewrite of a GossipCop report of a royal wedding was given a CNN page on the couple's
    interview, which sourced nothing)."""
    from archive.provenance.pairs import Oriented

    def root_of_2(outlet_of_1: str | None, three_linked_to_1: bool) -> tuple[int, int] | None:
        index, oriented = _chain_fixture()
        index.outlet[1] = outlet_of_1
        index._outlet_styles = lambda: {}  # type: ignore[method-assign]  # no outlet read
        oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())  # direction signals read 1 as made from 2
        parent = {1: (1, 2), 3: (1, 3)} if three_linked_to_1 else {1: (1, 2)}
        index._family_roots(oriented, parent, set(parent.values()), set())
        return parent.get(2)

    assert root_of_2(None, three_linked_to_1=False) == (1, 2), "premise: the root rule takes 2 to 1"
    assert root_of_2("gazette", three_linked_to_1=True) == (1, 2)  # 1 sources 3, of 2's family
    assert root_of_2("gazette", three_linked_to_1=False) is None


def test_a_family_root_is_taken_only_when_something_says_the_family_holds_a_models_text() -> None:
    """In an archive of human reports alone, a report's closest texts are other reports of its
    topic, and the round robin picks the fullest of them: no original. The root rule takes a
    parentless text to its family root only when the family shows a model's text (one member
    reads as LLM output, or the text reads clearly less human-written than the root) or the
    root already sources one of the family."""
    from archive.provenance.pairs import Oriented
    from archive.provenance.params import ORIGINAL_CLEAR_STYLE

    def root_of_2(shows_a_model: bool, three_linked_to_1: bool) -> tuple[int, int] | None:
        index, oriented = _chain_fixture()
        index._family_shows_a_model = lambda root, d, closest: shows_a_model  # type: ignore[method-assign]
        oriented[(1, 2)] = Oriented(2, 1, 0.55, (), ())  # direction signals read 1 as made from 2
        parent = {1: (1, 2), 3: (1, 3)} if three_linked_to_1 else {1: (1, 2)}
        index._family_roots(oriented, parent, set(parent.values()), set())
        return parent.get(2)

    assert root_of_2(True, three_linked_to_1=False) == (1, 2)
    assert root_of_2(False, three_linked_to_1=False) is None
    assert root_of_2(False, three_linked_to_1=True) == (1, 2)  # 1 sources 3, of 2's family

    index, _ = _chain_fixture()
    index._llm_styled = lambda x: False  # type: ignore[method-assign]
    index._style_preference = lambda m, x: ORIGINAL_CLEAR_STYLE - 0.01  # type: ignore[method-assign]
    assert not index._family_shows_a_model(1, 2, [3])
    index._llm_styled = lambda x: x == 3  # type: ignore[method-assign]
    assert index._family_shows_a_model(1, 2, [3])
    index._llm_styled = lambda x: False  # type: ignore[method-assign]
    index._style_preference = lambda m, x: ORIGINAL_CLEAR_STYLE  # type: ignore[method-assign]
    assert index._family_shows_a_model(1, 2, [3])


def test_a_page_of_an_outlet_unlike_a_models_goes_to_an_original_by_its_opening_only_beside_its_rewrites() -> None:
    """The opening rule takes a parentless text for a model's elaboration of the original whose
    opening it holds. A page of a named outlet that is no model's, not reading as LLM output
    itself, is taken so only when some of its nearest texts are that original's rewrites; a long
    report holds the terms of many an article's opening."""
    from archive.provenance.pairs import Oriented

    def opening_source_of_4(outlet: str | None, models: set[str], siblings_near: bool,
                            styled: bool = False) -> tuple[int, int] | None:
        index = ProvenanceIndex()
        index.update(_docs() + [DocInput(4, ELABORATION, source="model-c")])
        index.result()
        read_alone = index._llm_styled
        index._llm_styled = lambda x: styled if x == 4 else read_alone(x)  # type: ignore[method-assign]
        for key in ((1, 4), (2, 4), (3, 4)):  # as if 4 had never been aligned with anything
            index.features.pop(key, None)
            index.pairs.pop(key, None)
        index.outlet[4] = outlet
        index._model_outlets = lambda: models  # type: ignore[method-assign]
        if not siblings_near:
            searched = index._neighbours
            index._neighbours = lambda ids, k: {  # type: ignore[method-assign]
                x: [(y, c) for y, c in near if y >= 100] for x, near in searched(ids, k).items()}
        parent = {2: (1, 2)}
        index._opening_originals({(1, 2): Oriented(1, 2, 0.8, (), ())}, parent, {(1, 2)})
        return parent.get(4)

    assert opening_source_of_4("modelc", set(), siblings_near=True) == (1, 4)  # 2, 1's rewrite, is near 4
    assert opening_source_of_4("modelc", set(), siblings_near=False) is None
    assert opening_source_of_4(None, set(), siblings_near=False) == (1, 4)
    assert opening_source_of_4("modelc", {"modelc"}, siblings_near=False) == (1, 4)
    assert opening_source_of_4("modelc", set(), siblings_near=False, styled=True) == (1, 4)


# A human article that uses one LLM-favoured word as a word of its story ("vital"), three times,
# and a plain rewrite of it that keeps the word once.
TOPICAL_SOURCE = SOURCE + """
Valdor called the lock vital to the valley's farms. "The canal is a vital road for us," said one grower, who asked that a vital spring shipment not be delayed.
"""
PLAIN_REWRITE = """The Corvay lock on the Merrin canal will shut for nine weeks from 3 March so that engineers can replace its corroded gates, harbour master Ines Valdor said on Friday.

Valdor, who runs the port of Saltmere, said a gate failing with a full chamber would cost the whole season. Growers call the lock vital to the valley's farms.

Around 140 barges a week pass through it with grain and timber on their way to the coast, and the operators say a spring closure will hurt. Dunmore Haulage will move its cargo by road.

The authority has put aside 4.2 million euros for two new gates, a rebuilt sill and a pump house untouched since 1887. Pellam Marine, the contractor, has promised to finish before the summer tourist boats come back.
"""


def test_llm_favoured_words_that_both_texts_use_say_nothing_of_which_a_model_wrote(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance.direction import MIN_LLM_WORD_GAP
    from archive.provenance.pairs import PairRecord

    index = ProvenanceIndex()
    index.update([DocInput(1, TOPICAL_SOURCE), DocInput(2, PLAIN_REWRITE)]
                 + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)])
    source, rewrite = index.traits[1].llm_words, index.traits[2].llm_words
    assert source - rewrite >= MIN_LLM_WORD_GAP  # by its whole rate the article reads as the model's
    # The word is the story's, which the rewrite kept: neither text has one of its own.
    assert index._own_llm_words(1, 2) == (0.0, 0.0)
    index.result()
    rec = index.pairs[(1, 2)]
    as_rewrite = PairRecord(rec.features, Decision("rewrite", rec.decision.score, ()))  # (the style vote's case)
    assert "ai_style" not in [s.name for s in index._orient(as_rewrite).signals]
    with monkeypatch.context() as m:  # read by the whole rates, the vote names the rewrite as the source
        m.setattr(index, "_own_llm_words", lambda a, b: (index.traits[a].llm_words, index.traits[b].llm_words))
        [vote] = [s for s in index._orient(as_rewrite).signals if s.name == "ai_style"]
        assert vote.favours == "b"  # (the pair's b: 2)
    # Words only the rewrite holds still count for it, and the shared one still does not.
    index.update([DocInput(3, PLAIN_REWRITE.replace("Around 140", "Additionally, around 140")
                           .replace("The authority has", "Notably, the authority has"))])
    own_source, own_rewrite = index._own_llm_words(1, 3)
    assert own_source == 0.0 and own_rewrite == pytest.approx(index.traits[3].llm_words * 2 / 3)
