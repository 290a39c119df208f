"""A copy of a story's lead alone (an aggregator's excerpt) goes to the version it was taken from.

Hand-written fixtures: a wire's report, the wire's own later re-issue of it reworded in places
and with a paragraph added, and a site's excerpt of that re-issue (its first two sentences);
no shared data.
"""

from __future__ import annotations

from datetime import datetime, timezone

from archive.provenance import DocInput, ProvenanceIndex, build
from test_provenance_boilerplate import _sources

REPORT = """Quintar Ferries suspended all sailings between Port Averne and the Dellby islands on
Tuesday after pilots walked out over a pay dispute, the company said.
    About 4,200 passengers a day use the route, which links the islands' two towns with the
mainland rail terminal at Port Averne.
    The pilots' union said talks with the company had broken down after eleven weeks and that
its members would stay out until a new offer was made.
    Quintar said it was chartering two smaller vessels from Morrow Shipping to carry freight and
emergency traffic while the strike lasted.
    The regional transport board said it would meet the union and the company on Thursday.
 Reuter
"""

# The wire's own re-issue: the lead reworded in places, the rest edited, a paragraph added.
REISSUE = """Quintar Ferries halted every sailing between Port Averne and the Dellby islands on
Tuesday when its pilots walked out in a dispute over wages, the operator said.
    About 4,200 passengers a day travel on the route, which connects the islands' two towns to
the mainland rail terminal at Port Averne.
    The pilots' union said negotiations with the company collapsed after eleven weeks and that
its members would remain out until a fresh offer was tabled.
    Quintar said it had chartered two smaller vessels from Morrow Shipping to carry cargo and
emergency traffic for as long as the stoppage lasted.
    The regional transport board said it would meet both sides on Thursday, and island traders
warned that a long stoppage would empty the shops within a fortnight.
 Reuter
"""

# A site's excerpt of the re-issue: its first two sentences, one word swapped.
EXCERPT = """Quintar Ferries halted every sailing between Port Averne and the Dellby islands on
Tuesday when its pilots walked out in a dispute over wages, the operator stated.
    About 4,200 passengers a day travel on the route, which connects the islands' two towns to
the mainland rail terminal at Port Averne.
"""


def _docs() -> list[DocInput]:
    day = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    return [
        DocInput(1, REPORT, "Pilots strike halts Quintar sailings", day, "Reuters", None),
        DocInput(2, REISSUE, "Quintar halts sailings as pilots strike", day.replace(hour=13), "Reuters", None),
        DocInput(3, EXCERPT, "Quintar halts sailings as pilots strike", day.replace(hour=15), "Island Buzz", None),
    ]


def test_an_excerpt_of_a_reissue_goes_to_the_reissue_not_to_the_report_before_it() -> None:
    sources = _sources(build(_docs()))
    assert sources.get(2) == {1}
    assert sources.get(3) == {2}


def test_the_sibling_test_counts_only_what_the_reissue_added_where_the_excerpt_follows_it() -> None:
    """The re-issue added words all through (its last paragraph most): the excerpt, which holds
    its lead alone, holds few of them, and was taken for the report's second copy (sibling of
    the re-issue) by that."""
    index = ProvenanceIndex()
    index.update(_docs())
    index.result()
    assert not index._is_sibling(3, 2, 1)
    covered = index._covered_terms(2, 3)
    assert covered is not None and covered.shape[0] < index.body_terms[2].shape[0]
