"""Short answers cut from a longer source (Clough & Stevenson's 'cut' kind), with hand-written
fixtures: a long verbatim run is copying even where a copied numbered list tokenises
differently ("1.Break" against "1. Break") and so looks like differing numbers."""

from __future__ import annotations

import re

from archive.provenance import DERIVATIONS, DocInput, build

SOURCE = """Dynamic programming is a method for solving problems that show overlapping subproblems and
optimal substructure, and it takes far less time than naive methods that do not take advantage of
them. The word programming in the name has nothing to do with computer programming; it comes from
the older use of the word for planning and scheduling, as in a programme of training or a television
programme. A problem is said to have optimal substructure when an optimal solution of the whole can
be built from optimal solutions of its parts. The usual approach has three steps.
1. Break the problem into smaller subproblems of the same kind.
2. Solve each of these subproblems optimally, recursively, using the same three steps.
3. Use the optimal solutions of the subproblems to construct an optimal solution for the original.
The subproblems are themselves solved by dividing them into smaller ones, until the simple case is
reached that can be solved directly. Memoisation stores the solutions that have already been found,
so that a subproblem met again later costs a look-up instead of a second computation. Bottom-up
methods instead order the subproblems so that each one is solved only after the ones it needs.
"""

# A student's answer: the source's first nine lines pasted, the numbered list re-typed without
# the space after each number ("1.Break").
ANSWER = re.sub(r"^(\d)\. ", r"\1.", "".join(SOURCE.splitlines(keepends=True)[:9]), flags=re.MULTILINE)

FILLERS = [
    f"Weather note {k}: rain is expected over district {k} on day {k + 2}, with winds of {k + 20} km/h "
    f"from the {side}. Farmers in the {side} valley were told to bring the {crop} harvest in early."
    for k, (side, crop) in enumerate([("north", "wheat"), ("south", "barley"), ("east", "maize"), ("west", "rye")] * 2)
]


def test_a_cut_answer_with_a_differently_spaced_list_links_to_its_source() -> None:
    docs = [DocInput(1, SOURCE), DocInput(2, ANSWER)] + [DocInput(10 + k, t) for k, t in enumerate(FILLERS)]
    links = [l for l in build(docs).links if l.relation in DERIVATIONS]
    assert [(l.derived_id, l.source_id) for l in links] == [(2, 1)]


def test_numbers_differing_in_a_template_still_mean_another_story() -> None:
    # Two earnings notes in one template: short shared runs broken by differing figures.
    a = DocInput(1, "Acme Corp Qtr Net. Shr 1.20 dlrs vs 1.10 dlrs. Net 12.5 mln vs 11.0 mln. "
                    "Revs 140.2 mln vs 131.7 mln. Nine mths shr 3.30 dlrs vs 3.05 dlrs.")
    b = DocInput(2, "Acme Corp Qtr Net. Shr 0.95 dlrs vs 0.80 dlrs. Net 9.7 mln vs 8.1 mln. "
                    "Revs 120.4 mln vs 118.9 mln. Nine mths shr 2.60 dlrs vs 2.41 dlrs.")
    assert not any(l.relation in DERIVATIONS for l in build([a, b]).links)
