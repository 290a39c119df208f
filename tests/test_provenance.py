"""Provenance library: detection, direction, evidence, determinism, incremental updates.

Fixtures in tests/fixtures/provenance are written for these tests (an invented story, a copy
spun by hand with other synonyms than any spinner dictionary, a cut copy, a duplicate with
cruft, an independent report of the same event, a templated earnings pair, an LLM-style
rewrite); the seeds are the real spun and AI-rewritten copies of one CNBC story.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.provenance import (
    DERIVATIONS,
    METHOD_VERSION,
    DocInput,
    Fingerprint,
    ProvenanceIndex,
    ProvenanceResult,
    build,
    fingerprint,
)
from archive.provenance import engine
from archive.provenance.outlets import outlet_key
from archive.provenance.telltales import read_telltales

FIXTURES = Path(__file__).parent / "fixtures" / "provenance"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NAMES = ["story", "spun", "cut", "duplicate", "independent", "earnings_a", "earnings_b", "rewrite"]
ID = {name: i + 1 for i, name in enumerate(NAMES)}
T0 = datetime(2024, 7, 16, 9, 0, tzinfo=timezone.utc)


def _docs(dated: bool = True) -> list[DocInput]:
    docs = []
    for name in NAMES:
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        when = T0 + timedelta(hours=ID[name]) if dated else None
        docs.append(DocInput(ID[name], text, None, when, None, None))
    return docs


@pytest.fixture(scope="module")
def dated() -> ProvenanceResult:
    return build(_docs(dated=True))


@pytest.fixture(scope="module")
def undated() -> ProvenanceResult:
    return build(_docs(dated=False))


def _derivations(result: ProvenanceResult) -> dict[tuple[int, int], object]:
    return {(l.derived_id, l.source_id): l for l in result.links if l.relation in DERIVATIONS}


def _as_json(result: ProvenanceResult) -> str:
    return json.dumps(
        {
            "links": [[l.derived_id, l.source_id, l.relation, l.score, l.direction_confidence, l.evidence]
                      for l in result.links],
            "stories": sorted(result.story_of.items()),
            "flags": sorted(result.flags.items()),
            "attributions": [[a.doc_id, a.outlet, a.phrase, a.start, a.end] for a in result.attributions],
        },
        sort_keys=True,
    )


def test_spun_copy_links_to_story_with_substitution_evidence(dated: ProvenanceResult) -> None:
    link = _derivations(dated)[(ID["spun"], ID["story"])]
    assert link.relation == "spun"
    assert link.direction_confidence > 0.9
    subs = {tuple(pair) for pair in link.evidence["substitutions"]}
    assert ("said", "stated") in subs and ("rose", "climbed") in subs
    assert link.evidence["passages"], "aligned passages with offsets are the evidence"
    p = link.evidence["passages"][0]
    story = (FIXTURES / "story.txt").read_text(encoding="utf-8")
    spun = (FIXTURES / "spun.txt").read_text(encoding="utf-8")
    # Offsets point at the same reused words in both texts.
    assert story[p["source"][0]:p["source"][0] + 6] == spun[p["derived"][0]:p["derived"][0] + 6]
    assert "Kestrel" in link.evidence["shared"]["names"] and "212,000" in link.evidence["shared"]["numbers"]
    assert "spun" in dated.flags[ID["spun"]]


def test_substitutions_and_differing_figures_are_placed_in_both_texts(dated: ProvenanceResult) -> None:
    texts = {ID[name]: (FIXTURES / f"{name}.txt").read_text(encoding="utf-8") for name in NAMES}
    placed = 0
    for link in dated.links:
        ev = link.evidence
        for pairs, spans in ((ev["substitutions"], ev["substitution_spans"]),
                             (ev["number_conflicts"], ev["number_conflict_spans"])):
            assert len(pairs) == len(spans)
            for (said_source, said_copy), where in zip(pairs, spans):
                s0, s1 = where["source"]
                d0, d1 = where["derived"]
                assert texts[link.source_id][s0:s1] == said_source
                assert texts[link.derived_id][d0:d1] == said_copy
                placed += 1
    assert placed >= 10


def test_direction_without_dates_comes_from_the_text(undated: ProvenanceResult) -> None:
    links = _derivations(undated)
    spun = links[(ID["spun"], ID["story"])]
    assert spun.direction_confidence > 0.6
    assert any(s["signal"] == "copy_traits" and s["source"] == ID["story"] for s in spun.evidence["direction"])
    rewrite = links[(ID["rewrite"], ID["story"])]
    assert any(s["signal"] == "ai_style" and s["source"] == ID["story"] for s in rewrite.evidence["direction"])
    assert (ID["cut"], ID["story"]) in links


def test_cut_duplicate_and_rewrite_relations(dated: ProvenanceResult) -> None:
    links = _derivations(dated)
    assert links[(ID["cut"], ID["story"])].relation == "near_copy"
    assert links[(ID["duplicate"], ID["story"])].relation == "duplicate"
    assert links[(ID["rewrite"], ID["story"])].relation == "rewrite"
    # One source per derived text: the copies are not sources of one another.
    derived = [d for d, _ in links]
    assert len(derived) == len(set(derived))
    assert dated.story_of[ID["spun"]] == dated.story_of[ID["rewrite"]] == ID["story"]


def test_independent_report_and_templated_earnings_are_not_copies(dated: ProvenanceResult) -> None:
    for link in dated.links:
        ends = {link.derived_id, link.source_id}
        if ID["independent"] in ends or ID["earnings_a"] in ends or ID["earnings_b"] in ends:
            assert link.relation not in DERIVATIONS, link
    assert dated.story_of[ID["earnings_a"]] != dated.story_of[ID["earnings_b"]]


def test_build_is_deterministic_whatever_the_input_order() -> None:
    docs = _docs()
    first = _as_json(build(docs))
    shuffled = list(docs)
    random.Random(7).shuffle(shuffled)
    assert _as_json(build(shuffled)) == first


def test_successive_updates_give_the_same_links_as_build() -> None:
    docs = _docs()
    index = ProvenanceIndex()
    index.update(docs[:3])
    index.update(docs[3:6])
    index.update(docs[6:])
    assert _as_json(index.result()) == _as_json(build(docs))


def test_fingerprint_round_trip_and_use_in_build() -> None:
    docs = _docs()
    prints = {d.id: Fingerprint.from_bytes(fingerprint(d).to_bytes()) for d in docs}
    original = fingerprint(docs[0])
    again = prints[docs[0].id]
    assert (again.tokens.hashes == original.tokens.hashes).all()
    assert (again.tokens.starts == original.tokens.starts).all()
    assert _as_json(build(docs, prints)) == _as_json(build(docs))
    assert len(original.to_bytes()) < 20 * len(original.tokens) + 64
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(b"nope" + bytes(20))
    assert METHOD_VERSION


def test_telltales_travel_with_the_fingerprint_and_linking_reads_them_from_there(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    docs = [DocInput(100 + i, f.read_text(encoding="utf-8")) for i, f in enumerate(files)] + _docs()
    data = {d.id: fingerprint(d).to_bytes() for d in docs}
    prints = {doc_id: Fingerprint.from_bytes(b) for doc_id, b in data.items()}
    for d in docs:
        assert prints[d.id].telltales == read_telltales(d.text)
    spun, rewrite = prints[100].telltales, prints[101].telltales
    assert spun is not None and rewrite is not None
    assert any(m.usual == "this year" for m in spun.artefacts) and spun.cruft
    assert [outlet for outlet, *_ in spun.cited] == ["CNBC"] and rewrite.ai
    assert Fingerprint.from_bytes(data[100], telltales=False).telltales is None
    expected = _as_json(build(docs))

    def scanned_again(text: str) -> None:
        raise AssertionError("linking scanned a text whose fingerprint holds its telltales")

    monkeypatch.setattr(engine, "read_telltales", scanned_again)
    assert _as_json(build(docs, prints)) == expected
    # A fingerprint without them (tokens only) still links the same, reading the text.
    monkeypatch.undo()
    bare = {d_id: Fingerprint(fp.tokens, fp.text_len) for d_id, fp in prints.items()}
    assert _as_json(build(docs, bare)) == expected


def test_stored_telltales_are_decoded_once_when_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance.telltales import Telltales

    doc = DocInput(1, sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8"))
    data = fingerprint(doc).to_bytes()
    decoded: list[bytes] = []
    real = Telltales.from_json.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Telltales, "from_json", classmethod(lambda cls, raw: decoded.append(raw) or real(cls, raw)))
    stored = Fingerprint.from_bytes(data)
    # Not while the archive's fingerprints are read (linking decodes them in its workers)...
    assert decoded == []
    # ...but on first use, once.
    assert stored.telltales == read_telltales(doc.text) and stored.telltales is stored.telltales
    assert len(decoded) == 1


def _seed_result() -> ProvenanceResult:
    files = sorted(SEEDS.glob("*.txt"))
    return build([DocInput(i, f.read_text(encoding="utf-8")) for i, f in enumerate(files)])


def test_seeds_rewrite_link_spun_flag_and_attribution() -> None:
    result = _seed_result()
    links = [l for l in result.links if l.relation in DERIVATIONS]
    assert len(links) == 1
    link = links[0]
    # 001 (the AI rewrite) is linked to 000 (the spun copy) as a rewrite of the same story;
    # both really derive from CNBC, so the direction is reported as uncertain.
    assert (link.derived_id, link.source_id, link.relation) == (1, 0, "rewrite")
    assert 0.4 <= link.direction_confidence <= 0.75
    assert result.story_of[0] == result.story_of[1] == 0
    assert "spun" in result.flags[0]
    artefacts = result.doc_evidence[0]["spinner_artefact"]
    assert any(a["phrase"] == "this 12 months" and a["usual"] == "this year" for a in artefacts)
    assert "spun" not in result.flags.get(1, [])
    cnbc = [a for a in result.attributions if a.outlet == "CNBC"]
    assert cnbc and cnbc[0].doc_id == 0 and cnbc[0].phrase == "when contacted by CNBC"


def test_evidence_is_json_serialisable(dated: ProvenanceResult) -> None:
    for link in dated.links:
        assert json.loads(json.dumps(link.evidence)) == link.evidence
        assert 0.0 <= link.score <= 1.0 and 0.0 <= link.direction_confidence <= 1.0


def test_same_outlet_near_copy_days_apart_is_no_reissue() -> None:
    story = (FIXTURES / "story.txt").read_text(encoding="utf-8")
    cut = (FIXTURES / "cut.txt").read_text(encoding="utf-8")
    def relation(gap: timedelta, outlet: str, title: str | None = None) -> str | None:  # the cut text's to the story
        result = build([DocInput(1, story, None, T0, "Reuters"), DocInput(2, cut, title, T0 + gap, outlet)])
        return next((l.relation for l in result.links if {l.derived_id, l.source_id} == {1, 2}), None)
    assert relation(timedelta(hours=20), "Reuters") == "near_copy"  # the outlet's own re-issue
    late = timedelta(days=engine.OUTLET_REISSUE_MAX_DAYS + 1)
    assert relation(late, "Reuters") == "related"
    # ... unless its headline says it is a correction or repeat.
    assert relation(late, "Reuters", "CORRECTED - Markets rally") == "near_copy"
    assert relation(late, "Reuters", "Corrected forecasts rally markets") == "related"
    # Another outlet's copy is a copy whenever it appeared.
    assert relation(timedelta(days=40), "FinanceDaily") == "near_copy"


def test_same_outlet_edits_are_reissues_not_spinning() -> None:
    story = (FIXTURES / "story.txt").read_text(encoding="utf-8")
    spun = (FIXTURES / "spun.txt").read_text(encoding="utf-8")
    docs = [DocInput(1, story, None, T0, "Reuters"), DocInput(2, spun, None, T0 + timedelta(hours=1), "Reuters")]
    link = _derivations(build(docs))[(2, 1)]
    assert link.relation == "near_copy"
    assert any("same outlet" in reason for reason in link.evidence["reasons"])


def test_one_outlet_spelt_two_ways_is_one_outlet() -> None:
    # A site name and the host name a page without one is stored under.
    story = (FIXTURES / "story.txt").read_text(encoding="utf-8")
    spun = (FIXTURES / "spun.txt").read_text(encoding="utf-8")
    def relation(source: str, copy_source: str) -> str:
        docs = [DocInput(1, story, None, T0, source), DocInput(2, spun, None, T0 + timedelta(hours=1), copy_source)]
        return _derivations(build(docs))[(2, 1)].relation
    assert relation("Reuters", "www.reuters.com") == relation("Reuters", "Reuters") == "near_copy"
    assert relation("Reuters", "www.finance-daily.co.uk") == "spun"


def test_outlet_keys_fold_spellings_of_one_outlet_only() -> None:
    assert outlet_key("www.Reuters.com") == outlet_key("reuters.com") == outlet_key(" REUTERS ") == "reuters"
    assert outlet_key("www.bbc.co.uk") == outlet_key("m.bbc.co.uk") == outlet_key("https://www.bbc.co.uk/news/1") == "bbc"
    assert outlet_key("Daily-Planet") == outlet_key("daily planet") == "dailyplanet"
    # Not hosts: a model's name with a version; one platform's blogs stay apart; nothing named.
    assert outlet_key("vicuna-v1.3_13b") != outlet_key("vicuna-v1.3_7b")
    assert outlet_key("ann.blogspot.com") != outlet_key("bo.blogspot.com")
    assert outlet_key(None) is None and outlet_key("  ") is None and outlet_key("---") is None


def test_a_spun_chinese_copy_is_found_word_by_word() -> None:
    # Chinese has no spaces between words: read as runs up to the punctuation, each swapped word
    # made its whole clause a substitution. zh_spun.txt swaps 13 words of zh_story.txt for
    # synonyms (表示 -> 称, 因为 -> 由于) and adds a reposting notice; zh_other_port.txt is another
    # port's report (throughput, routes), written apart.
    story, spun, other = (FIXTURES / name for name in ("zh_story.txt", "zh_spun.txt", "zh_other_port.txt"))
    docs = [DocInput(1, story.read_text(encoding="utf-8"), None, T0),
            DocInput(2, spun.read_text(encoding="utf-8"), None, T0 + timedelta(hours=5)),
            DocInput(3, other.read_text(encoding="utf-8"), None, T0 + timedelta(hours=1))]
    links = _derivations(build(docs))
    assert set(links) == {(2, 1)}
    link = links[(2, 1)]
    assert link.relation == "spun"
    pairs = {tuple(pair) for pair in link.evidence["substitutions"]}
    assert ("表示", "称") in pairs and ("因为", "由于") in pairs
    assert all(len(a) <= 4 and len(b) <= 4 for a, b in pairs)  # words, not clauses


def test_a_spun_hindi_copy_keeps_whole_words_in_its_evidence() -> None:
    # Hindi's vowel signs and viramas are combining marks, outside `re`'s \\w: its words were cut
    # at each one ("कह -> बताय" for कहा -> बताया). hi_spun.txt swaps 7 words of hi_story.txt.
    story, spun = ((FIXTURES / name).read_text(encoding="utf-8") for name in ("hi_story.txt", "hi_spun.txt"))
    link = _derivations(build([DocInput(1, story, None, T0), DocInput(2, spun, None, T0 + timedelta(hours=2))]))[(2, 1)]
    assert link.relation == "spun"
    pairs = {tuple(pair) for pair in link.evidence["substitutions"]}
    assert ("बताया", "कहा") in pairs and ("भारी", "तेज") in pairs


def test_a_copy_with_the_same_words_is_not_oriented_by_its_layout() -> None:
    # Seed 001 is a model's article with headings; a scraper ran it into one paragraph. The
    # words are the same, so the headings it lost say nothing of which text came first (the
    # flattened copy was taken for the source, direction 0.92, by "LLM-style headings").
    article = (SEEDS / "001_261e66b95509d6ff.txt").read_text(encoding="utf-8")
    flattened = " ".join(article.split())
    result = build([DocInput(1, article), DocInput(2, flattened)])
    [link] = [l for l in result.links if {l.derived_id, l.source_id} == {1, 2}]
    assert link.relation == "duplicate"
    assert link.direction_confidence == pytest.approx(0.5)
    assert not any(s["signal"] == "ai_style" for s in link.evidence["direction"])


def test_identical_texts_too_short_for_a_copy_are_duplicates() -> None:
    # Under MIN_COPY_MATCHED tokens a shared stretch may be one common sentence, but the same
    # text is the same text: two one-line items were linked as a "heavy revision".
    line = "The harbour reopened on Monday after repairs to the gates."
    links = _derivations(build([DocInput(1, line, None, T0), DocInput(2, line, None, T0 + timedelta(hours=1))]))
    assert {pair: link.relation for pair, link in links.items()} == {(2, 1): "duplicate"}
    # One word more is no longer the same text: not a duplicate.
    links = _derivations(build([DocInput(1, line, None, T0), DocInput(2, line + " Barges", None, T0 + timedelta(hours=1))]))
    assert all(link.relation != "duplicate" for link in links.values())


def test_an_archive_of_texts_without_a_word_links_nothing_and_takes_texts_with_words_later() -> None:
    # No term at all ("!!! ???"): the candidate index has no column to weigh; it failed on
    # every update until a text with words came in.
    index = ProvenanceIndex()
    index.update([DocInput(1, "!!! ??? ..."), DocInput(2, "🙂🙂")])
    assert index.result().links == []
    line = "The harbour reopened on Monday after repairs to the gates, officials said on Tuesday."
    index.update([DocInput(3, line), DocInput(4, line)])
    assert [(l.derived_id, l.source_id, l.relation) for l in index.result().links] == [(4, 3, "duplicate")]


def test_a_page_naming_its_own_outlet_credits_no_one() -> None:
    text = ("The drugmaker recalled 1.4 million packs of tablets on Friday after routine tests found traces of "
            "an impurity. The company did not respond when contacted by Pharma Daily, and a spokesman told "
            "Reuters that no patient had been harmed.")
    own = build([DocInput(1, text, source="Pharma Daily")])
    assert [a.outlet for a in own.attributions] == ["Reuters"]
    other = build([DocInput(1, text, source="Health Wire")])
    assert [a.outlet for a in other.attributions] == ["Pharma Daily", "Reuters"]


def test_a_spinner_artefact_in_place_of_its_usual_phrase_outweighs_a_date() -> None:
    # The spun page is dated a day before its original (a scraper's or a farm's wrong date), but
    # it reads "stilted intelligence" where the other reads "artificial intelligence".
    original = ("Meridian Health, which runs 14 hospitals, said on Monday it would start using artificial "
                "intelligence software to help radiologists read chest X-rays, in one of the largest such "
                "deployments by a public hospital group. The system flags urgent scans so that they reach a "
                "radiologist first, the group said. \"People have a right to know when artificial intelligence "
                "is involved in their care,\" said Tom Keller of the Patients' Voice charity. Meridian said every "
                "scan would still be reviewed by a qualified radiologist and that it would publish an "
                "independent evaluation of the software after the first year of use.")
    spun = (original.replace("artificial intelligence", "stilted intelligence").replace("said", "stated")
            .replace("help", "assist").replace("People", "Individuals").replace("independent", "unbiased"))
    result = build([DocInput(1, spun, published_at=T0), DocInput(2, original, published_at=T0 + timedelta(days=1))])
    link = _derivations(result)[(1, 2)]
    assert link.relation == "spun" and link.direction_confidence > 0.6
    in_place = [s for s in link.evidence["direction"] if s["signal"] == "artefacts_in_place"]
    assert in_place and in_place[0]["source"] == 2
