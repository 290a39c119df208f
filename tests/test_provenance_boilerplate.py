"""A content farm's boilerplate: a paragraph on every page it posts, whatever story the page carries.

Hand-written fixtures: six short reports of different (invented) events, each copied by one farm
with a few words swapped and the farm's own closing paragraph; no shared data.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance import DERIVATIONS, DocInput, ProvenanceIndex, ProvenanceResult, build
from archive.provenance import boilerplate as bp
from archive.provenance import candidates
from archive.provenance.candidates import CandidateIndex
from archive.provenance.features import tokenize

STORIES = [
    "Norvale Mining said on Tuesday that copper output at its Kessing pit rose 14 percent in the third "
    "quarter to 81,300 tonnes, helped by a new crusher and drier weather in the Arlen valley. Chief "
    "executive Hanna Liddel told analysts the company would spend 220 million dollars on a second "
    "shaft and expected the expansion to lift output again in 2026.",
    "Quintar Shipping cancelled twelve sailings between Port Ossory and Belvane after a strike by "
    "harbour pilots entered its fourth day, the operator said in a statement. About 3,400 passengers "
    "were moved to later crossings. The pilots' union, led by Marcus Ferrow, is asking for a 9 "
    "percent raise and two extra crew on night shifts.",
    "The city council of Wrenford approved a budget of 48 million euros for a tram line linking the "
    "university quarter with the Dunmore hospital, mayor Clara Esteve announced. Construction of the "
    "seven kilometre line is due to begin in March and take three years; fares will match the bus "
    "network's, the transport office said.",
    "Belmora Foods recalled 17,000 jars of its Harvest Gold peanut butter sold in Tallis and Orrin "
    "provinces after a routine test found traces of an undeclared allergen, the Tallis food agency "
    "said. No illnesses have been reported. Customers can return the jars, with the lot number "
    "B7-2291 printed on the lid, for a full refund.",
    "Astronomers at the Selby Ridge observatory detected a comet that will pass within 0.4 "
    "astronomical units of the Sun next spring, lead researcher Tomas Varga said. Named C/2025 K3, "
    "the comet may become visible to the naked eye in April, although its brightness is hard to "
    "predict this early, he added.",
    "Castellan Air will order 24 narrow-body jets worth about 2.6 billion dollars to replace its "
    "ageing fleet on routes from Merrow, finance director Ines Okafor said at an investor day. "
    "Deliveries are planned from 2027 to 2030, and the airline expects fuel savings of 18 percent "
    "per seat on its busiest routes.",
]
FARM = (
    "Disclaimer: the information on Daily Buzz Hub is provided for general information only. We make "
    "no representation or warranty of any kind, express or implied, regarding the accuracy, adequacy, "
    "validity, reliability or completeness of anything on this site, and we accept no liability for "
    "any loss or damage of any kind incurred as a result of reading it or relying on it."
)
SWAPS = {"said": "stated", "told": "informed", "after": "following", "expected": "anticipated",
         "about": "roughly", "asking": "requesting", "due": "scheduled", "found": "discovered",
         "hard": "difficult", "planned": "scheduled", "replace": "substitute"}


def _copy(text: str, swaps: dict[str, str] = SWAPS) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: swaps.get(m.group(0), m.group(0)), text) + "\n\n" + FARM


def _short_copy() -> str:
    """The third report's first sentence, one word swapped, between two copies of the paragraph:
    twice as many words of boilerplate as of story."""
    first = STORIES[2].split(". ")[0].replace("approved", "accepted")
    return f"{FARM}\n\n{first}.\n\n{FARM}"


def _archive() -> tuple[list[DocInput], dict[int, int]]:
    """The six reports (ids 1-6), the farm's copy of each (11-16), a second copy of the first
    two by the same farm, spun otherwise (21-22), and a short copy of the third (31); and each
    copy's source."""
    docs = [DocInput(k + 1, text) for k, text in enumerate(STORIES)]
    source_of = {}
    for k, text in enumerate(STORIES):
        docs.append(DocInput(11 + k, _copy(text)))
        source_of[11 + k] = k + 1
    for k in range(2):
        docs.append(DocInput(21 + k, _copy(STORIES[k], {"said": "mentioned", "percent": "per cent"})))
        source_of[21 + k] = k + 1
    docs.append(DocInput(31, _short_copy()))
    source_of[31] = 3
    return docs, source_of


def _sources(result: ProvenanceResult) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for link in result.links:
        if link.relation in DERIVATIONS:
            out.setdefault(link.derived_id, set()).add(link.source_id)
    return out


def test_a_farm_s_copies_link_to_their_own_stories_not_through_its_boilerplate() -> None:
    docs, source_of = _archive()
    sources = _sources(build(docs))
    assert {d: sources.get(d) for d in source_of} == {d: {s} for d, s in source_of.items()}
    assert not any(sources.get(k + 1) for k in range(len(STORIES)))  # the reports derive from nothing


def test_the_boilerplate_is_furniture_and_the_story_is_not() -> None:
    docs, _ = _archive()
    index = ProvenanceIndex()
    index.update(docs)
    copy = next(d for d in docs if d.id == 11)
    (start, end), = index.boilerplate_spans[11]
    assert copy.text[start:end] == FARM
    assert 1 not in index.boilerplate_spans  # the report itself holds no boilerplate
    assert len(index.tokens[11]) == len(tokenize(copy.text[:start]))  # linked without it
    assert len(index.unmasked[11]) == len(tokenize(copy.text))


def test_a_series_of_updates_links_as_one_build_when_the_boilerplate_shows_late() -> None:
    # The farm's paragraph is boilerplate once enough stories carry it: the copies added before
    # then are analysed and aligned again.
    docs, _ = _archive()
    whole = build(docs)
    index = ProvenanceIndex()
    for part in (docs[:8], docs[8:11], docs[11:]):
        index.update(part)
    stepwise = index.result()
    assert sorted((l.derived_id, l.source_id, l.relation) for l in stepwise.links) == \
        sorted((l.derived_id, l.source_id, l.relation) for l in whole.links)


def test_a_text_holding_boilerplate_is_searched_without_it() -> None:
    # The short copy is two thirds boilerplate: by its whole text, its nearest texts are the
    # farm's pages, whatever their story; its source comes first only without the paragraph.
    docs, _ = _archive()
    index = CandidateIndex()
    index.add_many([(d.id, tokenize(d.text)) for d in docs])
    whole = index.neighbours([31])[31]
    assert whole[0][0] == 13 and [o for o, _ in whole].index(3) > 3
    tokens = tokenize(_short_copy())
    mask = bp.boilerplate_mask(tokens, _short_copy(), index.boilerplate())
    assert mask is not None
    farm_word = tokenize("Disclaimer").hashes
    frequency = index.df_of(farm_word).tolist()
    index.search_without_boilerplate([(31, tokens.where(~mask))])
    assert [o for o, _ in index.neighbours([31])[31]][:2] == [3, 13]
    assert index.pair_cosines([31, 31], [3, 14]).tolist()[1] == 0.0
    assert index.df_of(farm_word).tolist() == frequency  # (counted in whole texts still)
    index.search_without_boilerplate([(31, None)])
    assert index.neighbours([31])[31] == whole


def test_a_series_of_updates_searches_a_text_as_one_build_once_its_boilerplate_shows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The short copy comes after the farm's first three pages, before the paragraph is
    # boilerplate, and its two candidates are farm pages; once the paragraph is boilerplate, the
    # copy is searched again by its text without it, as a build searches it, and finds its source.
    monkeypatch.setattr(candidates, "POOL_K", 2)
    docs, _ = _archive()
    index = ProvenanceIndex()
    index.update([d for d in docs if d.id <= 13])
    index.update([d for d in docs if d.id == 31])
    assert 3 not in {o for o, _ in index.candidates.neighbours([31])[31]}
    index.update([d for d in docs if 13 < d.id < 31])
    stepwise = index.result()
    whole = ProvenanceIndex()
    whole.update(docs)
    assert [o for o, _ in index.candidates.neighbours([31])[31]] == [3, 13]
    assert index.candidates.neighbours([31]) == whole.candidates.neighbours([31])
    assert _sources(stepwise)[31] == {3}
    assert sorted((l.derived_id, l.source_id, l.relation) for l in stepwise.links) == \
        sorted((l.derived_id, l.source_id, l.relation) for l in whole.result().links)


def test_the_store_s_candidate_index_searches_texts_without_their_boilerplate(tmp_path: Path) -> None:
    docs, _ = _archive()
    _write(tmp_path / "all", docs)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(tmp_path / "all")], background=False)
        with archive.engine.connect() as conn:
            id_of = {int(Path(name).stem): doc_id for doc_id, name in conn.exec_driver_sql(
                "SELECT id, external_id FROM documents")}
            index = provenance_store._background(conn, set())
    ranked = [o for o, _ in index.neighbours([id_of[31]])[id_of[31]]]
    assert ranked[:2] == [id_of[3], id_of[13]]


def test_a_passage_that_copies_of_one_story_repeat_is_not_boilerplate() -> None:
    # Seven texts share a sentence, all of one story (its names and figures in common).
    index = CandidateIndex()
    for k in range(7):
        index.add(k, tokenize(f"{STORIES[0]} Reported by desk {k}."))
    assert index.boilerplate().shape[0] == 0
    # Once five different stories carry one paragraph, its shingles are boilerplate.
    for k, text in enumerate(STORIES[1:]):
        index.add(10 + k, tokenize(f"{text}\n\n{FARM}"))
    index.add(20, tokenize(f"{STORIES[0]}\n\n{FARM}"))
    found = index.boilerplate()
    farm_shingles = np.unique(bp.sampled_shingles(tokenize(FARM).hashes)[0])
    assert found.shape[0] and np.isin(found, farm_shingles).all()


def test_sampled_shingles_are_the_same_in_every_text() -> None:
    alone, _ = bp.sampled_shingles(tokenize(FARM).hashes)
    inside, starts = bp.sampled_shingles(tokenize(f"{STORIES[2]}\n\n{FARM}").hashes)
    assert alone.shape[0] and np.isin(alone, inside).all()
    assert (starts[1:] > starts[:-1]).all()
    assert bp.sampled_shingles(tokenize("too short to hold one").hashes)[0].shape[0] == 0


def test_the_mask_takes_whole_boilerplate_lines_with_their_punctuation() -> None:
    text = f"{STORIES[3]}\n\n{FARM}"
    tokens = tokenize(text)
    shingles = np.unique(bp.sampled_shingles(tokenize(FARM).hashes)[0])
    mask = bp.boilerplate_mask(tokens, text, shingles)
    assert mask is not None
    start = text.index(FARM)
    assert mask[tokens.starts >= start].all() and not mask[tokens.starts < start].any()
    assert bp.spans_of(tokens, mask, text) == [(start, len(text))]
    assert bp.boilerplate_mask(tokens, text, np.zeros(0, dtype=np.int64)) is None


TITLES = ["Norvale Mining lifts copper output", "Pilots strike halts Quintar sailings",
          "Wrenford approves tram line budget", "Belmora recalls peanut butter jars",
          "Comet C/2025 K3 may be seen in April", "Castellan Air to order 24 jets"]


# Another farm's closing paragraph: its kept shingles fall so that a title after its first
# sentence leaves one on each side, far apart (FARM's leaves none before the title).
ABOUT = (
    "ViralPulse Media is a digital publisher covering the news and trends people are talking about. The views "
    "and opinions expressed in this article are those of the original authors and do not necessarily reflect the "
    "official policy or position of ViralPulse Media or its partners. Images used in this article are for "
    "illustrative purposes only and may not depict the actual people or events described in the story above."
)


@pytest.mark.parametrize("paragraph", [FARM, ABOUT], ids=["farm", "about"])
def test_a_paragraph_naming_each_page_s_title_is_boilerplate_whole(paragraph: str) -> None:
    # The paragraph names the page's title after its first sentence: no shingle across the
    # title recurs from page to page, yet the paragraph is the site's, title and all.
    shingles = np.unique(bp.sampled_shingles(tokenize(paragraph).hashes)[0])
    for story, title in zip(STORIES, TITLES):
        page = paragraph.replace(". ", f" ({title}). ", 1)
        text = f"{story}\n\n{page}"
        tokens = tokenize(text)
        mask = bp.boilerplate_mask(tokens, text, shingles)
        assert mask is not None and mask.tolist() == (tokens.starts >= text.index(page)).tolist(), title


def test_a_story_between_two_pieces_of_boilerplate_in_one_line_stays() -> None:
    # A text without line breaks (a page flattened to one line): the farm's paragraph before
    # and after a story of a few sentences; the story between them is no slot of the paragraph.
    shingles = np.unique(bp.sampled_shingles(tokenize(FARM).hashes)[0])
    text = f"{FARM} {STORIES[1]} {FARM}"
    tokens = tokenize(text)
    mask = bp.boilerplate_mask(tokens, text, shingles)
    story = (tokens.starts >= text.index(STORIES[1])) & (tokens.starts < text.rindex(FARM))
    assert mask is not None and not mask[story].any() and mask[~story].mean() > 0.8
    # The page's first and last words are the paragraph's, though no kept shingle covers them.
    assert mask[0] and mask[-1]


def _write(folder: Path, docs: list[DocInput]) -> None:
    folder.mkdir()
    for doc in docs:
        (folder / f"{doc.id:02d}.txt").write_text(doc.text, encoding="utf-8")


def _stored_sources(archive: Archive) -> dict[int, set[int]]:
    """Each stored copy's sources, by the numbers the files are named with."""
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.external_id, s.external_id FROM provenance p JOIN documents d ON d.id = p.derived_id "
            "JOIN documents s ON s.id = p.source_id WHERE p.relation IN ('duplicate', 'near_copy', 'spun', 'rewrite')"
        ).all()
    out: dict[int, set[int]] = {}
    for derived, source in rows:
        out.setdefault(int(Path(derived).stem), set()).add(int(Path(source).stem))
    return out


def stored_in_chunks_and_in_updates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    docs: list[DocInput]) -> list[dict[int, set[int]]]:
    """The stored copies' sources (_stored_sources) after ingesting ``docs`` (the six reports
    first) in chunks, then in three updates (the reports, then the rest in two batches), then
    after a refresh of that archive."""
    # Chunked: the whole archive's candidate index (built from the stored fingerprints) tells
    # the boilerplate to every chunk.
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    _write(tmp_path / "all", docs)
    with Archive(tmp_path / "chunked") as archive:
        archive.ingest([str(tmp_path / "all")], background=False)
        out = [_stored_sources(archive)]
    # Incremental: the copies come in two batches after the reports; the boilerplate shows with
    # the second.
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 100_000)
    monkeypatch.setattr(provenance_store, "FULL_REFRESH_SHARE", 10.0)
    for name, part in (("reports", docs[:6]), ("first", docs[6:9]), ("second", docs[9:])):
        _write(tmp_path / name, part)
    with Archive(tmp_path / "updated") as archive:
        for name in ("reports", "first", "second"):
            archive.ingest([str(tmp_path / name)], background=False)
        out.append(_stored_sources(archive))
        archive.refresh_provenance()
        out.append(_stored_sources(archive))
    return out


def test_ingest_links_a_farm_s_copies_in_chunks_and_in_updates_as_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, source_of = _archive()
    expected = {d: {s} for d, s in source_of.items()}
    assert stored_in_chunks_and_in_updates(tmp_path, monkeypatch, docs) == [expected] * 3


def test_shingles_of_a_batch_are_each_text_s_own() -> None:
    streams = [tokenize(text).hashes for text in (STORIES[0], FARM, "short text", f"{STORIES[1]}\n\n{FARM}")]
    shingles, owners = bp.distinct_shingles(streams)
    for k, stream in enumerate(streams):
        assert shingles[owners == k].tolist() == np.unique(bp.sampled_shingles(stream)[0]).tolist()
    # Texts too short to hold a shingle (a headline and a line) hold none.
    assert [a.shape[0] for a in bp.distinct_shingles([tokenize("Storm hits coast").hashes] * 2)] == [0, 0]
    assert [a.shape[0] for a in bp.distinct_shingles([])] == [0, 0]


def test_only_the_texts_holding_boilerplate_are_its_holders() -> None:
    index = CandidateIndex()
    for k, text in enumerate(STORIES):
        index.add(k, tokenize(text))
        index.add(10 + k, tokenize(_copy(text)))
    assert index.boilerplate_holders() == frozenset(range(10, 16))


def _stored_links(archive: Archive) -> set[tuple[int, int, str]]:
    """Every stored link, by the numbers its documents' files are named with."""
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.external_id, s.external_id, p.relation FROM provenance p "
            "JOIN documents d ON d.id = p.derived_id JOIN documents s ON s.id = p.source_id").all()
    return {(int(Path(derived).stem), int(Path(source).stem), relation) for derived, source, relation in rows}


def test_removing_pages_that_made_a_passage_boilerplate_links_the_other_holders_again(tmp_path: Path) -> None:
    # Without the farm's copies of the last two reports, four stories carry its paragraph: no
    # longer boilerplate, and the farm's other pages are linked as a build without them links them.
    docs, _ = _archive()
    kept = [d for d in docs if d.id not in (15, 16)]
    _write(tmp_path / "all", docs)
    _write(tmp_path / "kept", kept)
    with Archive(tmp_path / "fresh") as archive:
        archive.ingest([str(tmp_path / "kept")], background=False)
        expected = _stored_links(archive)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(tmp_path / "all")], background=False)
        before = _stored_links(archive)
        with archive.engine.connect() as conn:
            gone = [name for name, in conn.exec_driver_sql("SELECT external_id FROM documents")
                    if int(Path(name).stem) in (15, 16)]
        removal = archive.remove(gone)
        assert removal.relinked > 2  # (the two reports, and the farm's other pages)
        assert _stored_links(archive) == expected
    assert {link for link in before if 15 not in link[:2] and 16 not in link[:2]} != expected


def test_what_removing_pages_changes_is_the_same_whether_the_boilerplate_was_found_first() -> None:
    # The farm's paragraph is on copies of all six reports (11-16, 21-22, 31). Without the
    # copies of the first two reports it is on four stories' pages only: no longer boilerplate,
    # so its other holders change; without one copy it still is, and nothing changes.
    docs, _ = _archive()

    def index() -> CandidateIndex:
        built = CandidateIndex()
        built.add_many([(d.id, tokenize(d.text)) for d in docs])
        return built

    expected = {(11, 12, 21, 22): {13, 14, 15, 16, 31}, (11,): set()}
    for removed, changed in expected.items():
        found_first = index()
        assert found_first.boilerplate().shape[0]
        assert found_first.boilerplate_changed_by(removed) - set(removed) == changed
        assert index().boilerplate_changed_by(removed) - set(removed) == changed


def test_masks_of_a_batch_are_each_text_s_own() -> None:
    # Texts side by side in one batch: a passage at one's end and the next one's start are not
    # one passage, and a line does not run on into the next text.
    shingles = np.unique(bp.sampled_shingles(tokenize(FARM).hashes)[0])
    texts = [f"{STORIES[0]}\n\n{FARM}", STORIES[1], f"{FARM} {STORIES[2]}", "", f"{STORIES[3]}\n{FARM}\n{STORIES[4]}",
             f"Le café a fermé. {FARM}", f"Brief note from the desk.\n{FARM}"]
    pairs = [(tokenize(text), text) for text in texts]
    alone = [bp.boilerplate_masks([pair], shingles)[0] for pair in pairs]
    together = bp.boilerplate_masks(pairs, shingles)
    assert [m is None for m in alone] == [False, True, False, True, False, False, False]
    for one, batched in zip(alone, together):
        assert (one is None and batched is None) or np.array_equal(one, batched)
    # The fifth: the paragraph's line, not the stories on the lines around it.
    tokens, text = pairs[4]
    assert together[4] is not None and together[4].tolist() == [text.index(FARM) <= s < text.index(STORIES[4])
                                                                 for s in tokens.starts.tolist()]


def test_a_search_row_is_the_row_the_index_makes_of_the_same_tokens() -> None:
    texts = [STORIES[0], "the of and", "", _copy(STORIES[1])]
    index = CandidateIndex()
    index.add_many([(k, tokenize(text)) for k, text in enumerate(texts)])
    matrix = index.matrix()
    for k, (cols, weights) in enumerate(index._rows_of([tokenize(text) for text in texts])):
        assert cols.tolist() == matrix.indices[matrix.indptr[k]:matrix.indptr[k + 1]].tolist()
        assert weights.tolist() == matrix.data[matrix.indptr[k]:matrix.indptr[k + 1]].tolist()


def test_a_lead_past_furniture_lines_is_read_with_the_boilerplate_in_it() -> None:
    """The one-story tests read a lead from where the story starts, past furniture lines (a
    farm's date line); a lead running into the farm's boilerplate reads its words as the text
    holds them (as a lead tokenised from there always did), not with the boilerplate masked."""
    from archive.provenance.features import token_hash

    docs, _ = _archive()
    page = ("Posted by admin on 3 March 2021 | 12 Comments\n\nWrenford news.\n\n" + FARM + "\n\n" + STORIES[2])
    index = ProvenanceIndex()
    index.update(docs + [DocInput(41, page)])
    start = index._body_start(41)
    assert page[start:].startswith("Wrenford news.")
    assert any(page[s:e] == FARM for s, e in index.boilerplate_spans[41]), "premise: the paragraph is boilerplate"
    names = set(index._lead(41)[0].names.tolist())
    # The lead runs past its short first sentence into the paragraph: "Disclaimer", "Daily Buzz Hub".
    assert {token_hash("wrenford"), token_hash("buzz"), token_hash("hub")} <= names
