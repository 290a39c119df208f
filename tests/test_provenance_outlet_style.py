"""A model's outlet beside a newsroom's: a loose rewrite that no pair or family rule links goes
to its nearest text from an outlet that reads, over all its texts, far more human-written.

Hand-written fixtures (the invented Corvay lock story of test_provenance_family, fillers in a
newsroom's and in a model's register); the traits that say who wrote a text are set where a
test needs them, as in test_provenance_family.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.api import Archive
from archive.provenance import DocInput, ProvenanceIndex
from archive.provenance.outlets import outlet_key
from archive.provenance.params import OUTLET_MIN_TEXTS, OUTLET_MODEL_SHARE, OUTLET_STYLE_GAP

from test_provenance_family import SIBLING_A, SIBLING_B, SOURCE

NEWSROOM = "Saltmere Gazette"
MODEL = "rewrite-bot"

def _fillers(template: str, topics: list[str]) -> list[str]:
    """One text a topic, from ``template`` ({k}: the text's number, {n}: k + 3, {topic}, {Topic})."""
    return [template.format(k=k, n=k + 3, topic=topic, Topic=topic.title()) for k, topic in enumerate(topics)]


# A newsroom's texts on other stories: sentences of very different lengths.
NEWS_FILLERS = _fillers(
    "Council vote on the {topic} plan. The {topic} committee met on Tuesday in district {k}, and after two "
    "hours of argument about contracts, delays and the cost of {topic} repairs that nobody had budgeted for, "
    "it voted to wait. {n} members said no. The chair, asked why, shrugged.",
    ["library", "road", "school", "water", "park", "transport", "housing", "waste", "lighting", "museum", "clinic",
     "market"])
# A model's texts on other stories: even sentences in its own register.
MODEL_FILLERS = _fillers(
    "Community Debate Highlights {Topic} Priorities. Residents of district {k} gathered to discuss "
    "the future of local {topic} services. Officials emphasized the importance of careful planning. "
    "Many participants expressed a commitment to transparent decisions. The discussion underscores the "
    "value of civic engagement.",
    ["festival", "airport", "stadium", "orchestra", "ferry", "cinema", "bakery", "zoo", "marathon", "hospital",
     "university", "bridge"])


def _index(rival_outlet: str | None = "none", styled: int = 3, source_date: datetime | None = None) -> ProvenanceIndex:
    """The newsroom's article 1 and its loose rewrite 2 on the model's outlet, each outlet with
    its fillers; ``styled`` of the model's texts read as LLM output on their own. With a
    ``rival_outlet`` other than "none", a second rewrite 3 (nearer to 2 than 1 is) stands on it."""
    docs = [DocInput(1, SOURCE, published_at=source_date, source=NEWSROOM), DocInput(2, SIBLING_A, source=MODEL)]
    if rival_outlet != "none":
        docs.append(DocInput(3, SIBLING_B, source=rival_outlet))
    docs += [DocInput(100 + k, text, source=NEWSROOM) for k, text in enumerate(NEWS_FILLERS)]
    docs += [DocInput(200 + k, text, source=MODEL) for k, text in enumerate(MODEL_FILLERS)]
    index = ProvenanceIndex()
    index.update(docs)
    # Who wrote each of the model's texts is set here, not left to its wording: ``styled`` of
    # them hold a model's framing of its reply, the others read as LLM output in no way.
    for k, doc_id in enumerate([2] + [200 + k for k in range(len(MODEL_FILLERS))]):
        t = index.traits[doc_id]
        index.traits[doc_id] = replace(t, framing=int(k < styled), llm_words=0.0, ai_markers=0)
    return index


def _linked(index: ProvenanceIndex) -> dict[int, tuple[int, int]]:
    parent: dict[int, tuple[int, int]] = {}
    index._outlet_originals({}, parent, set())
    return parent


def test_premises_of_the_fixture() -> None:
    index = _index()
    styles = index._outlet_styles()
    assert len(NEWS_FILLERS) + 1 >= OUTLET_MIN_TEXTS and len(MODEL_FILLERS) + 1 >= OUTLET_MIN_TEXTS
    newsroom, model = styles[index.outlet[1]], styles[index.outlet[2]]
    assert model.model_share >= OUTLET_MODEL_SHARE > newsroom.model_share == 0.0
    assert newsroom.style >= model.style + OUTLET_STYLE_GAP
    # The article is the nearest text of the rewrite that is not the model's own.
    near = index.candidates.neighbours([2], k=40)[2]
    assert next(x for x, _ in near if index.outlet[x] != index.outlet[2]) == 1


def test_a_loose_rewrite_on_a_models_outlet_goes_to_the_newsrooms_nearest_article() -> None:
    index = _index()
    parent = _linked(index)
    assert parent[2] == (1, 2) and index._why[2] == "outlet_original"
    # Only the model's texts move: the newsroom's are nobody's rewrites.
    assert set(parent) <= {200 + k for k in range(len(MODEL_FILLERS))} | {2}
    assert 1 not in parent


def test_no_outlet_reads_as_a_models_when_hardly_any_of_its_texts_read_llm_written() -> None:
    assert 2 not in _linked(_index(styled=0))


@pytest.mark.parametrize("share, texts, sure", [
    (0.009, 19_043, True),   # a wire: 171 of its stories read as LLM output, surely no model's outlet
    (0.0, 100, True),        # none of 100
    (0.0, 60, False),        # none of 60: a model's outlet whose texts rarely betray it may look so
    (0.02, 300, True),
    (0.04, 50, False),
    (OUTLET_MODEL_SHARE, 100_000, False),
])
def test_an_outlet_is_surely_no_models_only_over_enough_texts(share: float, texts: int, sure: bool) -> None:
    from archive.provenance.outlet_styles import OutletStyle

    assert OutletStyle(0.4, share, texts).surely_no_models() is sure


def test_a_text_of_no_known_style_nearer_than_the_article_leaves_the_rewrite_unlinked() -> None:
    # 3, nearer to 2 than the article, is on no outlet (or one too small to read): it may be
    # 2's source as well as the article may, so nothing says which.
    assert 2 not in _linked(_index(rival_outlet=None))
    assert 2 not in _linked(_index(rival_outlet="one-off blog"))
    # On the model's own outlet it is a sibling, not a rival: 2 still goes to the article.
    assert _linked(_index(rival_outlet=MODEL))[2] == (1, 2)


def test_an_article_published_after_the_rewrite_is_not_its_source() -> None:
    index = _index(source_date=datetime(2024, 5, 2, tzinfo=timezone.utc))
    index.docs[2] = replace(index.docs[2], published_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert 2 not in _linked(index)


def test_a_rewrite_reading_more_human_written_than_the_article_is_not_given_it_by_its_outlet() -> None:
    index = _index()
    assert index._style_preference(1, 2) >= 0.0, "premise: the article reads the more human-written"
    t = index.traits[2]
    index.traits[2] = replace(t, burstiness=index.traits[1].burstiness + 0.5)  # the pair's own style gainsays the outlets'
    assert index._style_preference(1, 2) < 0.0
    assert 2 not in _linked(index)


def test_a_text_neither_clearly_similar_nor_holding_the_articles_opening_is_left_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance import outlet_rule

    index = _index()
    cosine = float(index.candidates.pair_cosines([2], [1])[0])
    held = index._opening_cover(1, 2)
    # (The article may be only the nearest of unrelated ones when the rewrite's own is missing.)
    monkeypatch.setattr(outlet_rule, "OUTLET_CLEAR_COSINE", cosine + 0.01)
    monkeypatch.setattr(outlet_rule, "OUTLET_MIN_OPENING", held + 0.01)
    assert 2 not in _linked(index)
    monkeypatch.setattr(outlet_rule, "OUTLET_MIN_OPENING", held)  # holding that much of its opening is enough
    assert _linked(_index())[2] == (1, 2)
    monkeypatch.setattr(outlet_rule, "OUTLET_MIN_OPENING", 1.01)
    monkeypatch.setattr(outlet_rule, "OUTLET_CLEAR_COSINE", cosine)  # and so is that cosine
    assert _linked(_index())[2] == (1, 2)


def test_the_rule_runs_when_sources_are_chosen() -> None:
    index = _index()
    parent = index._choose_parents({})
    assert parent[2] == (1, 2) and index._why[2] == "outlet_original"


def test_a_models_text_taken_for_the_source_of_another_models_text_goes_to_the_article_with_it() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import PairRecord

    def attempt(rival_outlet: str) -> tuple[ProvenanceIndex, dict[int, tuple[int, int]]]:
        index = _index(rival_outlet=rival_outlet)
        assert index._one_story((2, 3))  # (a pair now, if it was not)
        rec = index.pairs[(2, 3)]
        index.pairs[(2, 3)] = PairRecord(rec.features, Decision("rewrite", 0.4, ("reworded",)))
        parent = {3: (2, 3)}  # 3 was read as a rewrite of 2, so 2 sources a text
        index._outlet_originals({}, parent, set())
        return index, parent

    # 2 and 3 are both the model's: 2 is no original, and each goes to the article.
    index, parent = attempt(MODEL)
    assert parent[2] == (1, 2) and parent[3] == (1, 3)
    assert index._why[2] == index._why[3] == "outlet_original"
    # A text of another kind of outlet taken for 2's rewrite says 2 may be an original: unmoved.
    index, parent = attempt("one-off blog")
    assert 2 not in parent and parent[3] == (2, 3)


def test_a_models_text_linked_as_a_rewrite_or_a_farther_copy_of_another_models_text_goes_to_the_article() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import PairRecord

    def attempt(relation: str, pair_cosine: float | None = None) -> tuple[ProvenanceIndex, dict[int, tuple[int, int]]]:
        index = _index(rival_outlet=MODEL)
        for key in ((2, 3), (3, 100)):
            assert index._one_story(key)
        rec = index.pairs[(2, 3)]
        features = rec.features if pair_cosine is None else replace(rec.features, cosine=pair_cosine)
        index.features[(2, 3)] = features
        index.pairs[(2, 3)] = PairRecord(features, Decision(relation, 0.4, ("reworded",)))
        parent = {2: (2, 3), 3: (3, 100)}  # 3, the model's, has a source of its own: only 2 is asked
        index._outlet_originals({}, parent, set())
        return index, parent

    index, parent = attempt("rewrite")
    assert parent[2] == (1, 2) and index._why[2] == "outlet_original"
    # A copy of another site's text is no rewrite of a rewrite: sites copy each other...
    article = float(index.candidates.pair_cosines([2], [1])[0])
    assert index.features[(2, 3)].cosine > article, "premise: 2 is nearer 3 than the article"
    index, parent = attempt("near_copy")
    assert parent[2] == (2, 3)
    # ... but a copy's nearest text is its source: nearer the article, 2 is not 3's copy.
    index, parent = attempt("near_copy", pair_cosine=article - 0.01)
    assert parent[2] == (1, 2) and index._why[2] == "outlet_original"


def _folder(tmp_path: Path, name: str, texts: list[str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for k, text in enumerate(texts):
        (folder / f"{name}-{k:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def _whole_archives_styles(archive: Archive) -> dict:
    """The outlets' styles a build of the whole stored archive reads."""
    from archive.provenance import Fingerprint
    from archive.provenance_store import load_inputs

    with archive.engine.connect() as conn:
        stored = list(load_inputs(conn))
    index = ProvenanceIndex()
    index.update([doc for doc, _ in stored], {doc.id: Fingerprint.from_bytes(data) for doc, data in stored})
    return dict(index._outlet_styles())


@pytest.mark.parametrize("path", ["incremental", "chunked"])
def test_a_part_of_the_archive_is_linked_by_the_whole_archives_outlet_styles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    from archive import provenance_store

    monkeypatch.setattr(provenance_store, "FULL_REFRESH_SHARE", 10.0)  # (the tiny archive's update is a part)
    if path == "chunked":
        monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
        monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 5)
    given: list[dict] = []
    original_init = ProvenanceIndex.__init__

    def recording_init(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        if self.outlet_styles is not None or kwargs.get("background") is not None:
            given.append(dict(self.outlet_styles or {}))

    monkeypatch.setattr(ProvenanceIndex, "__init__", recording_init)
    newsroom = _folder(tmp_path, "newsroom", [SOURCE] + NEWS_FILLERS)
    model = _folder(tmp_path, "model", [SIBLING_A] + MODEL_FILLERS)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(newsroom)], background=False, default_source=NEWSROOM)
        given.clear()
        change = archive.ingest([str(model)], background=False, default_source=MODEL).provenance
        assert change.mode == "incremental" and given
        expected = _whole_archives_styles(archive)
        assert set(expected) == {outlet_key(NEWSROOM), outlet_key(MODEL)}
        # Every part linked was given the styles of both outlets as a whole build reads them,
        # though the part holds only some of their texts.
        assert all(styles == expected for styles in given)


def test_an_outlets_style_is_read_over_its_texts_and_only_from_enough_of_them() -> None:
    from archive.provenance.outlet_styles import StyleTally, is_llm_styled
    from archive.provenance.params import ROOT_BURST_WEIGHT, ROOT_LLM_WORD_WEIGHT

    tally = StyleTally()
    for k in range(OUTLET_MIN_TEXTS):
        # Medians: burstiness 0.8 (texts too short to say, 0.0, left out), LLM-favoured words 0.
        tally.add("newsroom", 300, 0.0, 0.0 if k == 0 else 0.8, 0, 0)
        # One text in ten framed by a model: a model's outlet by its share.
        tally.add("model", 300, 1.0, 0.3, 0, int(k == 0))
    for _ in range(OUTLET_MIN_TEXTS - 1):
        tally.add("small", 300, 0.0, 0.9, 0, 0)
    styles = tally.styles()
    assert set(styles) == {"newsroom", "model"}  # too few texts say nothing of an outlet
    assert styles["newsroom"].style == ROOT_BURST_WEIGHT * 0.8 and styles["newsroom"].model_share == 0.0
    assert styles["model"].style == ROOT_BURST_WEIGHT * 0.3 - ROOT_LLM_WORD_WEIGHT * 1.0
    assert styles["model"].model_share == 1 / OUTLET_MIN_TEXTS >= OUTLET_MODEL_SHARE
    assert is_llm_styled(1, 0.0, 0.0) and not is_llm_styled(0, 0.0, 0.0)


def test_an_index_reads_its_outlets_styles_again_once_texts_are_added() -> None:
    """The styles are read once for the several rules of a choice of sources, not kept past an
    update: an outlet that reaches enough texts is read from then on."""
    index = ProvenanceIndex()
    index.update([DocInput(100 + k, text, source=NEWSROOM) for k, text in enumerate(NEWS_FILLERS)]
                 + [DocInput(200 + k, text, source=MODEL) for k, text in enumerate(MODEL_FILLERS)])
    before = index._outlet_styles()
    assert set(before) == {outlet_key(NEWSROOM), outlet_key(MODEL)}
    assert index._outlet_styles() is before  # read once while no text is added
    blog = [f"Blog post {k}. " + text for k, text in enumerate(NEWS_FILLERS[:OUTLET_MIN_TEXTS])]
    index.update([DocInput(300 + k, text, source="Harbour Blog") for k, text in enumerate(blog)])
    assert set(index._outlet_styles()) == set(before) | {outlet_key("Harbour Blog")}


def test_outlets_are_read_when_they_hold_enough_texts_but_one_is_a_models_only_beside_another() -> None:
    from archive.provenance.outlet_styles import OutletStyle, outlets_to_read

    enough, few = OUTLET_MIN_TEXTS, OUTLET_MIN_TEXTS - 1
    assert outlets_to_read({"newsroom": enough, "model": enough, "blog": few}) == {"newsroom", "model"}
    # One read alone (a wire's dump beside texts naming no outlet) may still be surely a newsroom ...
    assert outlets_to_read({"newsroom": enough, "blog": few}) == {"newsroom"}
    # ... but none is a model's when there is no other to tell it from.
    index = ProvenanceIndex()
    index._outlet_styles = lambda: {"model": OutletStyle(0.2, 0.5, 100)}  # type: ignore[method-assign]
    assert index._model_outlets() == set()
    index._outlet_styles = lambda: {"model": OutletStyle(0.2, 0.5, 100), "news": OutletStyle(0.8, 0.0, 100)}  # type: ignore[method-assign]
    assert index._model_outlets() == {"model"}


def test_a_surely_newsrooms_text_gets_no_loose_rewrite_link_from_a_family_rule() -> None:
    """A text of an outlet read over enough texts to be sure it publishes no model's (a wire) is
    no loose rewrite by a family rule, whatever the other text's outlet: those rules presume a
    model's rewrite (in one archive of Reuters and LLMFake's texts naming no outlet, 1987 stories
    were loose rewrites of LLMFake articles). A copy's link is the pair's own evidence and stays."""
    from archive.provenance.classify import Decision
    from archive.provenance.outlet_styles import OutletStyle
    from archive.provenance.pairs import PairRecord

    def linked(outlet_style: OutletStyle | None, relation: str = "rewrite") -> bool:
        index = _index()
        index.outlet[2] = "wire"
        index.outlet[1] = None  # the other text names no outlet
        index._outlet_styles = lambda: {} if outlet_style is None else {"wire": outlet_style}  # type: ignore[method-assign]
        assert index._one_story((1, 2))
        rec = index.pairs[(1, 2)]
        index.pairs[(1, 2)] = PairRecord(rec.features, Decision(relation, 0.3, ("loose",)))
        parent: dict[int, tuple[int, int]] = {}
        return index._repoint({}, parent, set(), 2, (1, 2), "nearest_original") and parent == {2: (1, 2)}

    wire = OutletStyle(0.39, 0.009, 19_043)  # Reuters: 171 of 19,043 stories read LLM-styled
    assert wire.surely_no_models()
    assert not linked(wire)
    assert linked(wire, "near_copy")  # a copy is the pair's own reading
    assert linked(OutletStyle(0.39, 0.0, 20))  # 20 texts, none styled: a model's may be so
    assert linked(None)  # an outlet too small to read


def test_a_models_rewrite_of_another_models_text_without_a_newsroom_article_keeps_the_story_not_the_link() -> None:
    from archive.provenance.classify import Decision
    from archive.provenance.pairs import PairRecord

    def attempt(relation: str) -> tuple[ProvenanceIndex, dict[int, tuple[int, int]]]:
        # The article is dated after the rewrites: no newsroom text may be their source.
        index = _index(rival_outlet=MODEL, source_date=datetime(2024, 5, 2, tzinfo=timezone.utc))
        for x in (2, 3):
            index.docs[x] = replace(index.docs[x], published_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        assert index._one_story((2, 3))
        rec = index.pairs[(2, 3)]
        index.pairs[(2, 3)] = PairRecord(rec.features, Decision(relation, 0.4, ("reworded",)))
        parent = {2: (2, 3)}
        index._models_pairs = set()
        index._outlet_originals({}, parent, set())
        return index, parent

    # A model's text is no source of another model's rewrite: the pair is one story, no link.
    index, parent = attempt("rewrite")
    assert 2 not in parent and index._models_pairs == {(2, 3)}
    # A copy keeps its link (sites copy each other's texts).
    index, parent = attempt("near_copy")
    assert parent == {2: (2, 3)} and not index._models_pairs


# A second model's texts, in its own register.
OTHER_MODEL = "paraphrase-bot"
OTHER_MODEL_TEMPLATE = ("Exploring the {Topic} Landscape. Stakeholders in area {k} reviewed plans for {topic} upgrades. "
                        "Experts noted the significance of sustainable growth. Participants highlighted a shared "
                        "vision. The meeting reflects a broader commitment to progress.")
OTHER_MODEL_FILLERS = _fillers(OTHER_MODEL_TEMPLATE, "canal tram library harbour theatre stadium garden gallery "
                                                     "airport ferry bridge market".split())


def test_two_models_rewrites_of_a_missing_article_are_related_not_source_and_copy() -> None:
    docs = [DocInput(2, SIBLING_A, source=MODEL), DocInput(3, SIBLING_B, source=OTHER_MODEL)]
    docs += [DocInput(100 + k, text, source=NEWSROOM) for k, text in enumerate(NEWS_FILLERS)]
    docs += [DocInput(200 + k, text, source=MODEL) for k, text in enumerate(MODEL_FILLERS)]
    docs += [DocInput(300 + k, text, source=OTHER_MODEL) for k, text in enumerate(OTHER_MODEL_FILLERS)]
    index = ProvenanceIndex()
    index.update(docs)
    for doc_id in [2, 3] + [200 + k for k in range(12)] + [300 + k for k in range(12)]:
        index.traits[doc_id] = replace(index.traits[doc_id], framing=int(doc_id in (200, 300)), llm_words=0.0,
                                       ai_markers=0)
    styles = index._outlet_styles()
    assert all(styles[index.outlet[x]].model_share >= OUTLET_MODEL_SHARE for x in (2, 3)), "premise: models' outlets"
    links = [l for l in index.result().links if {l.derived_id, l.source_id} == {2, 3}]
    (link,) = links
    assert link.relation == "related" and "language model" in str(link.evidence)
    result = index.result()
    assert result.story_of[2] == result.story_of[3]
