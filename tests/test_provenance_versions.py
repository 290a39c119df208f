"""A copy's source among several issues of one story, and two spun copies of one story.

Hand-written fixtures: the invented Norvale story (tests/fixtures/provenance/story.txt) issued
twice by one wire service, and copies of it made with a small hand-written synonym table (not
any spinner's dictionary) that keeps the line layout, as spinners do; no shared data.
"""

from __future__ import annotations

import re
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive.provenance import DERIVATIONS, DocInput, ProvenanceResult, build
from archive.provenance.versions import Surface, agreement, best_version, keeps_clock_of

STORY = (Path(__file__).parent / "fixtures" / "provenance" / "story.txt").read_text(encoding="utf-8")
BODY = STORY.split("\n\n", 1)[1]
T0 = datetime(2024, 7, 16, 9, 0, tzinfo=timezone.utc)

LIGHT = {"said": "stated", "rose": "climbed", "highest": "greatest", "company": "firm", "told": "informed"}
HEAVY = {**LIGHT, "production": "output", "increase": "rise", "new": "fresh", "consider": "weigh",
         "results": "figures", "warned": "cautioned", "early": "initial", "agreed": "consented",
         "talks": "discussions", "schedule": "timetable", "analysts": "experts", "level": "mark"}


def _spin(text: str, table: dict[str, str]) -> str:
    """Swap whole words in place: line breaks, case of untouched words and punctuation stay."""
    return re.sub(r"[A-Za-z]+", lambda m: table.get(m.group(0), m.group(0)), text)


def _wrap(text: str, width: int) -> str:
    return "\n\n".join(textwrap.fill(p, width) for p in text.split("\n\n"))


def _sources_of(result: ProvenanceResult, doc: int) -> set[int]:
    return {l.source_id for l in result.links if l.derived_id == doc and l.relation in DERIVATIONS}


def test_agreement_counts_only_details_that_set_a_version_apart() -> None:
    a = Surface.of("one two\nthree four", "Old Headline")
    b = Surface.of("one two three\nfour", "New Headline Here")
    copy = Surface.of("one two three\nfour", "new headline here")
    # a alone has ("two", "\n"), ("\n", "three") and "old"; b alone ("two", "three"), ("three", "\n"),
    # ("\n", "four"), "new" and "here". The copy shares b's layout and headline words.
    assert agreement(copy, {1: a, 2: b}) == {1: 0, 2: 5}
    assert best_version(agreement(copy, {1: a, 2: b}), [1, 2]) == 2


def test_a_headline_of_the_copys_own_agrees_with_no_version_by_a_shared_word() -> None:
    # Two issues alike but for their headlines; an article under its own headline quotes the
    # body and happens to use one word of the later issue's headline.
    first = Surface.of("one two three four", "Council approves airport tram link")
    later = Surface.of("one two three four", "Airport tram gets green light after six-year fight")
    quoting = Surface.of("one two three four", "Light rail is making a comeback in mid-sized cities")
    assert agreement(quoting, {1: first, 2: later}) == {1: 0, 2: 0}
    # A copy that kept the later headline, reworded, still agrees with it.
    kept = Surface.of("one two three four", "Airport tram wins green light after long fight")
    assert agreement(kept, {1: first, 2: later}) == {1: 0, 2: 4}


def test_a_copiers_furniture_and_a_missing_headline_set_no_version_apart() -> None:
    # The archive's own issue has no headline and no site lines; a sibling copy from a content
    # farm has both, like the copy: what the copier added is not the source's surface.
    source = Surface.of("one two three\nfour five", None)
    farm = "Posted on June 3, 2020 by admin\n\none two three\nfour five\n\nShare this:"
    sibling = Surface.of(farm, "Farm Headline Words", [(0, 30), (len(farm) - 11, len(farm))])
    copy_text = "Last updated: May 1\n\none two three\nfour five"
    copy = Surface.of(copy_text, "farm headline words", [(0, 19)])
    assert agreement(copy, {1: source, 2: sibling}) == {1: 0, 2: 0}
    assert best_version(agreement(copy, {1: source, 2: sibling}), [1, 2]) == 1


def test_a_copy_laid_out_anew_agrees_by_its_words_not_by_its_joins() -> None:
    # A scraper joined the wire's hard-wrapped lines into one; so did another site's, which also
    # swapped a word. The joins they share are their layout, not a version's: by the order of its
    # words, the copy keeps the wire's word where the sibling swapped it.
    wire = Surface.of("one two\nthree four\nfive six\nseven eight", None)
    sibling = Surface.of("one two three four five SIX seven eight", None)
    copy = Surface.of("one two three four five six seven eight", None)
    assert agreement(copy, {1: wire, 2: sibling}) == {1: 2, 2: 0}
    # A copy that kept the lines still agrees by its layout.
    wrapped = Surface.of("one two\nthree four\nfive six\nseven eight", None)
    assert agreement(wrapped, {1: wire, 2: sibling}) == {1: 7, 2: 0}  # (six line-break pairs, "five six")


def test_identical_versions_keep_the_callers_choice() -> None:
    same = Surface.of("one two three", "Headline")
    copy = Surface.of("one two three", "Headline")
    assert best_version(agreement(copy, {5: same, 3: same}), [5, 3]) == 5
    assert best_version(agreement(copy, {5: same, 3: same}), [3, 5]) == 3


def test_the_clock_time_a_copy_keeps_names_one_version() -> None:
    first, second = datetime(1987, 3, 24, 0, 24, 44), datetime(1987, 3, 24, 7, 14, 0)
    # Re-stamped whole hours (here days and hours) later, with the first issue's minutes and seconds.
    assert keeps_clock_of(datetime(1987, 3, 26, 10, 24, 44), {1: first, 2: second}) == 1
    assert keeps_clock_of(datetime(1987, 3, 26, 10, 24, 45), {1: first, 2: second}) is None
    # A time on the hour is a date's midnight or a round time: no evidence.
    assert keeps_clock_of(datetime(1987, 3, 26), {1: datetime(1987, 3, 24), 2: second}) is None
    # Two versions stamped with the same minute and second, or none dated: no choice.
    assert keeps_clock_of(datetime(1987, 3, 26, 10, 24, 44), {1: first, 2: first.replace(hour=9)}) is None
    assert keeps_clock_of(datetime(1987, 3, 26, 10, 24, 44), {1: None, 2: None}) is None
    assert keeps_clock_of(None, {1: first, 2: second}) is None


def test_between_identical_issues_a_copy_goes_to_the_one_whose_clock_time_it_keeps() -> None:
    first = DocInput(1, BODY, "Norvale reports record copper output", T0.replace(minute=24, second=44), "Wire")
    second = DocInput(2, BODY, "Norvale reports record copper output", T0.replace(hour=14, minute=7, second=13), "Wire")
    for stamp, source in ((T0.replace(minute=7, second=13) + timedelta(days=2, hours=3), 2),
                          (T0.replace(minute=24, second=44) + timedelta(days=1), 1),
                          (T0 + timedelta(days=2), 1)):  # (no clock kept: the earliest issue)
        copy = DocInput(3, _spin(BODY, HEAVY), "Norvale reports record copper output", stamp, "Farm")
        result = build([first, second, copy])
        assert _sources_of(result, 3) == {source}
        reasons = [r for l in result.links if l.derived_id == 3 for r in l.evidence["reasons"]]
        assert any("clock time" in r for r in reasons) == (source == 2)  # (the second issue is not the default)
    # The surface comes first: a copy keeping the second issue's layout goes to it whatever its clock.
    wrapped = DocInput(2, _wrap(BODY, 75), first.title, second.published_at, "Wire")
    copy = DocInput(3, _spin(wrapped.text, HEAVY), first.title, T0.replace(minute=24, second=44) + timedelta(days=1), "Farm")
    assert _sources_of(build([first, wrapped, copy]), 3) == {2}


def test_a_copy_goes_to_the_issue_whose_layout_and_headline_it_keeps() -> None:
    # One wire story issued twice: same words, re-wrapped, new headline (a duplicate pair).
    first = DocInput(1, _wrap(BODY, 60), "Norvale reports record copper output", T0, "Wire")
    second = DocInput(2, _wrap(BODY, 75), "Norvale Mining lifts forecast after record quarter", T0 + timedelta(hours=3), "Wire")
    # A spun copy of the second issue, headline re-cased as content sites do.
    copy = DocInput(3, _spin(second.text, HEAVY), "Norvale Mining Lifts Forecast After Record Quarter",
                    T0 + timedelta(days=1), "Farm")
    result = build([first, second, copy])
    assert _sources_of(result, 3) == {2}
    # Without any detail that tells the issues apart, the first issue stays the source.
    plain = DocInput(3, _spin(BODY, HEAVY), None, T0 + timedelta(days=1), "Farm")
    assert _sources_of(build([DocInput(1, BODY, None, T0, "Wire"),
                              DocInput(2, BODY, None, T0 + timedelta(hours=3), "Wire"), plain]), 3) == {1}


def test_two_spins_of_one_story_both_link_to_it_not_to_each_other() -> None:
    # A fixed synonym table makes the heavier spin contain every swap of the lighter one, so the
    # lighter spin "explains" the heavier one best; still, both were made from the story.
    story = DocInput(1, BODY, None, T0, "Wire")
    light = DocInput(2, _spin(BODY, LIGHT), None, None, "Farm")
    heavy = DocInput(3, _spin(BODY, HEAVY), None, None, "Farm")
    result = build([story, light, heavy])
    assert _sources_of(result, 2) == {1}
    assert _sources_of(result, 3) == {1}


def test_copies_flattened_to_one_line_link_to_the_wrapped_story_not_to_each_other() -> None:
    # Two sites' scrapers joined the wire's lines into one, the second after a spin. The scraped
    # copy has the story's words, so it is a version of the story, and the spun copy shares every
    # join with it, which the wire's layout lacks: joins a scraper makes say nothing of which
    # version a copy was made from. Both were made from the story.
    story = DocInput(1, _wrap(BODY, 60), None, T0, "Wire")
    scraped = DocInput(2, " ".join(story.text.split()), None, None, "Farm One")
    for table in (LIGHT, HEAVY):
        spun = DocInput(3, " ".join(_spin(story.text, table).split()), None, None, "Farm Two")
        result = build([story, scraped, spun])
        assert _sources_of(result, 2) == {1}
        assert _sources_of(result, 3) == {1}


def test_a_longer_reissue_stays_the_source_of_a_copy_that_has_its_added_paragraphs() -> None:
    # The wire's first, short issue and its fuller re-issue: the copy has the added paragraphs,
    # so the short issue is not its source even though the re-issue derives from it.
    paragraphs = BODY.split("\n\n")
    short = DocInput(1, "\n\n".join(paragraphs[:2]), None, T0, "Wire")
    full = DocInput(2, BODY, None, T0 + timedelta(hours=2), "Wire")
    copy = DocInput(3, _spin(BODY, HEAVY), None, T0 + timedelta(days=1), "Farm")
    assert _sources_of(build([short, full, copy]), 3) == {2}


def test_a_cut_copy_with_nothing_of_another_copys_own_goes_to_their_common_source() -> None:
    # A farm's copy p swapped words in the story's last paragraphs; another farm's copy d keeps
    # only the first three and swapped "said" there for the word p used further down. d shares
    # that synonym with p (a fixed dictionary), not p's edits in their places: two copies of
    # the story, not a copy of p.
    paragraphs = BODY.split("\n\n")
    tail = [p.replace("said", "stated").replace("warned", "cautioned") for p in paragraphs[4:]]
    farm_copy = "\n\n".join(paragraphs[:4] + tail)
    head = "\n\n".join(paragraphs[:3]).replace("Corp said", "Corp stated")
    story = DocInput(1, BODY, None, T0, "Wire")
    p = DocInput(2, farm_copy, None, T0 + timedelta(days=1), "Farm One")
    d = DocInput(3, "Posted on July 20, 2024 by admin\n\n" + head, None, T0 + timedelta(days=2), "Farm Two")
    result = build([story, p, d])
    assert _sources_of(result, 2) == {1}
    assert _sources_of(result, 3) == {1}
    # A copy that keeps p's own swap where p made it was made from p.
    d_of_p = DocInput(3, "Posted on July 20, 2024 by admin\n\n" + "\n\n".join(paragraphs[2:4] + tail[:1]),
                      None, T0 + timedelta(days=2), "Farm Two")
    assert _sources_of(build([story, p, d_of_p]), 3) == {2}


def test_a_copy_of_a_text_that_reuses_a_passage_is_not_sent_to_the_passages_source() -> None:
    # The story reuses its opening paragraph from an earlier report of another event; a heavy
    # spin of the story's first two paragraphs lacks most of the story's own words, yet holds
    # all of it against half in the report: the story is its source, not the report.
    paragraphs = BODY.split("\n\n")
    report = "\n\n".join([
        "Ferrand Copper said on Monday its smelter in Antofagasta would close for three weeks of repairs.",
        paragraphs[0],
        "The smelter processes about a fifth of the region's concentrate, and traders said spot "
        "treatment charges had already risen on the news. Ferrand did not say whether contracts "
        "with Japanese mills would be affected by the stoppage."])
    story = DocInput(1, BODY, None, T0, "Wire")
    earlier = DocInput(2, report, None, T0 - timedelta(days=1), "Other Wire")
    copy = DocInput(3, _spin("\n\n".join(paragraphs[:2]), HEAVY), None, T0 + timedelta(days=1), "Farm")
    result = build([story, earlier, copy])
    assert _sources_of(result, 1) == {2}  # (a partial reuse)
    assert _sources_of(result, 3) == {1}


def test_a_copy_that_drops_the_first_paragraph_is_still_the_copy() -> None:
    # The story's lead holds words models favour ("significant", "potential", "amid"), as news
    # prose does; a farm's copy starts at its third paragraph, a few words swapped. What the
    # two texts' LLM-word rates differ by is the dropped lead, not who wrote the words they
    # share: the story stays the source (undated, no cruft: nothing else tells the direction).
    paragraphs = BODY.split("\n\n")
    lead = ("Norvale Mining Corp reported a significant jump in copper output on Tuesday, a result with "
            "potential to lift its shares amid talks with the union over a new labour contract.")
    story = DocInput(1, "\n\n".join([lead] + paragraphs[1:]), None, None, "Wire")
    copy = DocInput(2, _spin("\n\n".join(paragraphs[2:]), LIGHT), None, None, "Farm")
    result = build([story, copy])
    assert _sources_of(result, 2) == {1}
    assert _sources_of(result, 1) == set()


def test_a_cut_copy_holding_a_paragraph_only_the_reissue_has_goes_to_the_reissue() -> None:
    # The wire's first issue, then a re-issue with three paragraphs more; a farm's copy of the
    # re-issue is cut after the first of them. It lacks most of what the re-issue added (past its
    # cut), which the sibling test's term sets read as a sibling's, yet holds a passage the first
    # issue lacks: it was made from the re-issue.
    paragraphs = BODY.split("\n\n")
    extra = ("Norvale's chief financial officer, Daniel Okafor, said capital spending would stay near 1.1 billion "
             "dollars next year, with most of it going to a desalination plant and a new tailings dam at Kestrel Ridge.")
    first = DocInput(1, "\n\n".join(paragraphs[:4]), None, T0, "Wire")
    reissue = DocInput(2, "\n\n".join(paragraphs + [extra]), None, T0 + timedelta(hours=2), "Wire")
    copy = DocInput(3, "Posted on July 20, 2024 by admin\n\n" + _spin("\n\n".join(paragraphs[:5]), LIGHT), None,
                    T0 + timedelta(days=1), "Farm")
    assert _sources_of(build([first, reissue, copy]), 3) == {2}


def test_a_light_spin_holding_the_words_another_spin_swapped_is_not_its_copy() -> None:
    # Two farms each swap a word or two of the story, in different places. The later copy holds
    # the story's own word where the earlier one swapped it ("rose" where that one has
    # "climbed"): a copier of the earlier copy could not know it. Both are the story's copies.
    # (Two sites on one blog theme: the same template lines around each, which a copy of the
    # other would share too.)
    template = "Home » News » Markets\n\n{}\n\nShare this:\nFacebook\nTwitter\n\nTags: copper, mining, Chile"
    story = DocInput(1, BODY, None, T0, "Wire")
    first = DocInput(2, template.format(BODY.replace("rose 14 percent", "climbed 14 percent")), None,
                     T0 + timedelta(hours=5), "Farm One")
    second = DocInput(3, template.format(BODY.replace("told analysts", "informed analysts")), None,
                      T0 + timedelta(days=1), "Farm Two")
    result = build([story, first, second])
    assert _sources_of(result, 2) == {1}
    assert _sources_of(result, 3) == {1}
