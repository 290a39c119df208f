"""Dates without a time of day: a page that shows only its day is stored at midnight UTC, and
must not read as published hours before a story it copied that same afternoon.

Hand-written fixtures: the invented Norvale story (tests/fixtures/provenance/story.txt) and a
copy spun with a small hand-written synonym table; no shared data.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive.provenance import DERIVATIONS, DocInput, build
from archive.provenance.dates import describe_gap, is_day, seconds_later, surely_before
from archive.provenance.pairs import Oriented
from test_provenance_family import _chain_fixture

STORY = (Path(__file__).parent / "fixtures" / "provenance" / "story.txt").read_text(encoding="utf-8")
BODY = STORY.split("\n\n", 1)[1]
SWAPS = {"said": "stated", "rose": "climbed", "highest": "greatest", "company": "firm", "told": "informed",
         "production": "output", "increase": "rise", "new": "fresh", "results": "figures", "warned": "cautioned"}
AFTERNOON = datetime(2024, 7, 16, 15, 42, 7, tzinfo=timezone.utc)
DAY = datetime(2024, 7, 16, tzinfo=timezone.utc)


def _spin(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: SWAPS.get(m.group(0), m.group(0)), text)


def test_a_day_stands_for_any_moment_of_it_in_any_time_zone() -> None:
    assert is_day(DAY) and not is_day(AFTERNOON)
    # The same day, or the next (still the 16th west of UTC): no order.
    assert seconds_later(AFTERNOON, DAY) is None and seconds_later(DAY, AFTERNOON) is None
    assert seconds_later(AFTERNOON, DAY + timedelta(days=1)) is None
    # Two days on, the day surely began after the afternoon: at its start east of UTC (+14 h).
    surely = (DAY + timedelta(days=2, hours=-14) - AFTERNOON).total_seconds()
    assert surely > 0 and seconds_later(AFTERNOON, DAY + timedelta(days=2)) == surely
    assert seconds_later(DAY + timedelta(days=2), AFTERNOON) == -surely
    assert surely_before(AFTERNOON, DAY + timedelta(days=2))
    assert not surely_before(DAY, AFTERNOON) and not surely_before(AFTERNOON, DAY)
    # Two days are compared as days, two moments as moments; an unknown date tells nothing.
    assert seconds_later(DAY, DAY + timedelta(days=1)) == 86_400
    assert seconds_later(DAY, DAY) == 0.0 and not surely_before(DAY, DAY)
    assert seconds_later(AFTERNOON, AFTERNOON + timedelta(minutes=5)) == 300
    assert seconds_later(None, AFTERNOON) is None and seconds_later(AFTERNOON, None) is None
    assert describe_gap(AFTERNOON, AFTERNOON + timedelta(hours=3)) == "published 3.0 h earlier"
    assert describe_gap(AFTERNOON, DAY + timedelta(days=2)) == "published on an earlier day (2024-07-16 against 2024-07-18)"


def test_a_copy_dated_by_its_day_only_is_not_taken_for_its_source() -> None:
    story = DocInput(1, BODY, "Norvale reports record copper output", AFTERNOON, "Wire")
    for copy_date in (DAY, DAY + timedelta(days=1)):
        copy = DocInput(2, _spin(BODY), "Norvale reports record copper output", copy_date, "Farm")
        result = build([story, copy])
        links = [l for l in result.links if l.relation in DERIVATIONS]
        assert [(l.derived_id, l.source_id) for l in links] == [(2, 1)]
        # The day said nothing of the order: no date among the reasons.
        assert not any(s["signal"] == "date" for s in links[0].evidence["direction"])
    # Days later, the day tells: the story came first, and the reason says so in days.
    copy = DocInput(2, _spin(BODY), None, DAY + timedelta(days=3), "Farm")
    link = next(l for l in build([story, copy]).links if l.relation in DERIVATIONS)
    assert (link.derived_id, link.source_id) == (2, 1)
    dated = [s for s in link.evidence["direction"] if s["signal"] == "date"]
    assert dated == [{"signal": "date", "source": 1, "weight": 3.0,
                      "reason": "published on an earlier day (2024-07-16 against 2024-07-19)"}]


def test_a_loop_is_not_broken_at_a_text_dated_by_its_day_only() -> None:
    """As in test_provenance_cycles: an article (1) and two texts made from it (2 and 3), the
    article read as derived from 3. Dated 11:09 that day, it is the loop's original even though
    3, dated by its day only, is stored at the day's midnight."""
    index, _ = _chain_fixture()
    oriented = {(1, 2): Oriented(1, 2, 0.5, (), ()), (2, 3): Oriented(2, 3, 0.95, (), ()),
                (1, 3): Oriented(3, 1, 0.9, (), ())}
    index._why = {2: "best", 3: "best", 1: "best"}
    day = datetime(1987, 4, 9, tzinfo=timezone.utc)
    index.docs[1] = replace(index.docs[1], published_at=day + timedelta(hours=11, minutes=9))
    index.docs[3] = replace(index.docs[3], published_at=day)
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert parent == {2: (1, 2), 3: (2, 3)}
    # Dated days apart, the day tells: 3 came first.
    index.docs[1] = replace(index.docs[1], published_at=day + timedelta(days=3, hours=11))
    parent = {2: (1, 2), 3: (2, 3), 1: (1, 3)}
    index._no_cycles(oriented, parent)
    assert parent == {2: (1, 2), 1: (1, 3)}


def test_a_text_dated_by_its_day_only_is_not_known_to_follow_what_was_published_that_day() -> None:
    """The family rules never take a text published after d for d's source (_dated_after)."""
    index, _ = _chain_fixture()
    index.docs[1] = replace(index.docs[1], published_at=AFTERNOON)
    for day, after in ((DAY, False), (DAY + timedelta(days=1), False), (DAY + timedelta(days=2), True)):
        index.docs[2] = replace(index.docs[2], published_at=day)
        assert index._dated_after(2, 1) is after and not index._dated_after(1, 2)
    index.docs[2] = replace(index.docs[2], published_at=AFTERNOON + timedelta(hours=1))
    assert index._dated_after(2, 1) and not index._dated_after(1, 2)


def test_a_naive_date_is_read_as_utc_like_the_ingest_reads_it() -> None:
    """The library takes what a caller gives: a naive datetime (no zone) is UTC, another zone is
    converted, so a naive day compares with an aware moment instead of raising TypeError."""
    assert DocInput(1, "x", published_at=datetime(2024, 7, 16)).published_at == DAY
    east = datetime(2024, 7, 16, 20, 42, 7, tzinfo=timezone(timedelta(hours=5)))
    assert DocInput(1, "x", published_at=east).published_at == AFTERNOON
    story = DocInput(1, BODY, "Norvale reports record copper output", AFTERNOON, "Wire")
    copy = DocInput(2, _spin(BODY), None, datetime(2024, 7, 16), "Farm")
    links = [(l.derived_id, l.source_id) for l in build([story, copy]).links if l.relation in DERIVATIONS]
    assert links == [(2, 1)]


YEAR = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_a_year_alone_stands_for_any_moment_of_that_year() -> None:
    from archive.provenance.dates import is_year

    assert is_year(YEAR) and is_day(YEAR) and not is_year(DAY) and not is_year(AFTERNOON)
    # Within its year, a year tells no order against a day or a moment; two years are years.
    assert seconds_later(YEAR, AFTERNOON) is None and seconds_later(AFTERNOON, YEAR) is None
    assert seconds_later(YEAR, DAY) is None and seconds_later(DAY, YEAR) is None
    assert seconds_later(YEAR, YEAR.replace(year=2025)) == 366 * 86_400  # (2024 is a leap year)
    # Past its last day anywhere (Dec 31 ends at UTC-12), it does.
    after = datetime(2025, 1, 2, 9, tzinfo=timezone.utc)
    assert surely_before(YEAR, after) and not surely_before(after, YEAR)
    assert not surely_before(YEAR, datetime(2025, 1, 1, 6, tzinfo=timezone.utc))
    assert describe_gap(YEAR, after) == "published earlier (2024 against 2025-01-02 09:00)"
    assert describe_gap(YEAR.replace(year=2023), YEAR) == "published in an earlier year (2023 against 2024)"


def test_a_copy_dated_by_its_sites_copyright_year_is_not_taken_for_its_source() -> None:
    # A farm's copy dated "2024" (its footer's year, as a date finder guesses it) of the story
    # published that July: the year says nothing of the order, the spinner's swaps do.
    story = DocInput(1, BODY, "Norvale reports record copper output", AFTERNOON, "Wire")
    copy = DocInput(2, _spin(BODY), "Norvale reports record copper output", YEAR, "Farm")
    links = [l for l in build([story, copy]).links if l.relation in DERIVATIONS]
    assert [(l.derived_id, l.source_id) for l in links] == [(2, 1)]
    assert not any(s["signal"] == "date" for s in links[0].evidence["direction"])
