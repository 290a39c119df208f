"""A site's own short lines above and below every page it posts, in shapes no furniture pattern
knows: told by their recurring, word for word, on pages of different stories.

Hand-written fixtures: the six invented reports of test_provenance_boilerplate, each copied by
one farm with a few words swapped and the farm's own lines around the story; no shared data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance import DocInput, ProvenanceIndex, build
from archive.provenance import boilerplate as bp
from archive.provenance.candidates import CandidateIndex
from archive.provenance.features import tokenize
from archive.provenance.fingerprint import Fingerprint, fingerprint_text
from archive.provenance.style import cruft_lines
from test_provenance_boilerplate import STORIES, SWAPS, TITLES, _sources, stored_in_chunks_and_in_updates

TOP = "Daily Buzz Hub Exclusive"
# (Fewer than 12 tokens on either side of the story: no shingle of boilerplate.py fits in them.)
BOTTOM = "Got a tip? Email our desk.\nThanks for reading Buzz Hub!"


def _copy(text: str, swaps: dict[str, str] = SWAPS, readers: int | None = None) -> str:
    """The farm's page of ``text``; with ``readers``, its bottom line counts them."""
    bottom = BOTTOM if readers is None else f"{BOTTOM}\n{readers:,} people read this story"
    return f"{TOP}\n\n" + re.sub(r"[A-Za-z]+", lambda m: swaps.get(m.group(0), m.group(0)), text) + f"\n\n{bottom}"


def _archive(counted: bool = False) -> tuple[list[DocInput], dict[int, int]]:
    """The six reports (ids 1-6), the farm's page of each in the report's own words (11-16),
    and a second page of the first two with one word swapped (21-22); and each copy's source.
    Beside its farm's lines, a second page is as close to the first as to the report: with
    them, the first page explains all of it. ``counted``: each page also tells how many read
    it (a count of its own)."""
    docs = [DocInput(k + 1, text) for k, text in enumerate(STORIES)]
    source_of = {}
    for k, text in enumerate(STORIES):
        docs.append(DocInput(11 + k, _copy(text, {}, 1_234 + 97 * k if counted else None)))
        source_of[11 + k] = k + 1
    for k in range(2):
        docs.append(DocInput(21 + k, _copy(STORIES[k], {"said": "stated"}, 56 + k if counted else None)))
        source_of[21 + k] = k + 1
    return docs, source_of


def test_the_lines_are_no_shape_the_furniture_patterns_know() -> None:
    assert not cruft_lines(f"{TOP}\n\n{BOTTOM}")


def test_a_standalone_line_is_a_paragraph_or_a_whole_sentence_never_a_wrapped_fragment() -> None:
    text = ("Harbour Daily Morning Edition\n\nThe port reopened on Monday after\na week of repairs, "
            "officials said.\nA spokesman declined to comment further.\nDividends rose to 12 cts a share.\n\n"
            "Got a news tip? Email the desk.")
    tokens = tokenize(text)
    keys, firsts, ends = bp.standalone_lines(tokens, text)
    lines = [text[tokens.starts[a]:tokens.ends[b - 1]] for a, b in zip(firsts.tolist(), ends.tolist())]
    # Not the two halves of the wrapped sentence.
    assert lines == ["Harbour Daily Morning Edition", "A spokesman declined to comment further",
                     "Dividends rose to 12 cts a share", "Got a news tip? Email the desk"]
    assert bp.title_segments("Qtly div five cts - Buzz Hub")[0][1] is None
    # A line's key is its words': the same in another text, whatever the case.
    other = "GOT A NEWS TIP? EMAIL THE DESK.\n\nSomething else entirely, and at length."
    assert keys[-1] in bp.line_keys(tokenize(other), other)
    assert np.unique(keys).tolist() == bp.line_keys(tokens, text).tolist()


def _keys(text: str) -> list[int]:
    return bp.standalone_lines(tokenize(text), text)[0].tolist()


def test_a_lines_figures_are_keyed_as_slots_so_a_count_that_varies_page_to_page_keeps_its_key() -> None:
    assert _keys("1,234 people read this story") == _keys("98 people read this story")
    assert _keys("Join 48,000 readers") == _keys("Join twelve thousand readers")
    assert _keys("Dividends rose to 12 cts a share.") != _keys("Dividends rose to cts a share.")
    # A line needs two words beside its figures, and one count: a table's row compares two
    # (which recur, slots and all, in every earnings report), and is the story's.
    assert _keys("Net income 5.6 mln") and not _keys("5.6 mln 1987") and not _keys("1987 1986 1985")
    assert not _keys("Net 5.6 mln vs 4.3 mln") and not _keys("Qtly div five cts vs five cts prior")


def test_a_fingerprint_keeps_its_texts_line_keys() -> None:
    text = _copy(STORIES[0])
    fp = fingerprint_text(text)
    assert fp.lines.shape[0] == 3
    assert Fingerprint.from_bytes(fp.to_bytes()).lines.tolist() == fp.lines.tolist()
    assert Fingerprint.from_bytes(fp.to_bytes(), telltales=False).lines.tolist() == fp.lines.tolist()


def test_lines_on_pages_of_five_different_stories_are_boilerplate() -> None:
    index = CandidateIndex()
    for k, text in enumerate(STORIES):
        index.add(k, tokenize(text))
        copy = _copy(text)
        index.add(10 + k, tokenize(copy), bp.line_keys(tokenize(copy), copy))
    assert index.boilerplate_holders() == frozenset(range(10, 16))
    copy = _copy(STORIES[3])
    tokens = tokenize(copy)
    mask = bp.boilerplate_mask(tokens, copy, index.boilerplate())
    assert mask is not None
    assert bp.spans_of(tokens, mask, copy) == [(0, len(TOP)), (copy.index(BOTTOM), len(copy))]
    # Without the lines' keys (an index of tokens alone), nothing is: no shingle fits in them.
    alone = CandidateIndex()
    for k, text in enumerate(STORIES):
        alone.add(k, tokenize(text))
        alone.add(10 + k, tokenize(_copy(text)))
    assert alone.boilerplate_holders() == frozenset()


def test_a_farms_second_copy_of_a_story_is_linked_to_the_story_not_through_the_farms_lines() -> None:
    docs, source_of = _archive()
    sources = _sources(build(docs))
    assert {d: sources.get(d) for d in source_of} == {d: {s} for d, s in source_of.items()}
    index = ProvenanceIndex()
    index.update(docs)
    copy = next(d for d in docs if d.id == 21)
    assert [copy.text[a:b] for a, b in index.boilerplate_spans[21]] == [TOP, BOTTOM]


def test_ingest_links_the_farms_copies_in_chunks_and_in_updates_as_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole archive's candidate index is built from the stored fingerprints, which keep the
    lines' keys."""
    docs, source_of = _archive()
    expected = {d: {s} for d, s in source_of.items()}
    assert stored_in_chunks_and_in_updates(tmp_path, monkeypatch, docs) == [expected] * 3


def test_a_sites_name_after_its_headlines_is_no_headline_word_of_a_version() -> None:
    """The farm posts each report as it is, under the report's headline and its own name (so
    the two are versions of one story, the farm's telling apart only by its name), and a second
    page of the first two with one word swapped: it goes to the report, not to the farm's first
    page for sharing its name."""
    docs = [DocInput(k + 1, text, TITLES[k]) for k, text in enumerate(STORIES)]
    for k, text in enumerate(STORIES):
        docs.append(DocInput(11 + k, text, f"{TITLES[k]} - Buzz Hub"))
    for k in range(2):
        docs.append(DocInput(21 + k, re.sub(r"\bsaid\b", "stated", STORIES[k]), f"{TITLES[k]} | Buzz Hub"))
    sources = _sources(build(docs))
    assert {d: sources.get(d) for d in (21, 22)} == {21: {1}, 22: {2}}
    assert bp.title_segments("Pilots strike halts Quintar sailings | Buzz Hub")[1][0] == "Buzz Hub"
    assert bp.title_segments("Comet C/2025 K3 may be seen in April") == []
    shared = np.sort(bp.title_keys("Other news - Buzz Hub"))
    assert bp.site_free_title("Norvale Mining lifts copper output - Buzz Hub", shared) == "Norvale Mining lifts copper output"
    # A part with a figure is never the site's, and stays.
    assert bp.title_segments("Castellan Air to order 24 jets - Buzz Hub")[0][1] is None
    assert bp.site_free_title("Castellan Air to order 24 jets - Buzz Hub", shared) == "Castellan Air to order 24 jets"


def test_the_stores_candidate_index_counts_headline_parts_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linked in chunks, the whole archive's candidate index is built from the stored texts'
    fingerprints and headlines: the farm's name after its headlines is boilerplate there too."""
    records = [{"id": f"r{k + 1}", "title": TITLES[k], "text": text} for k, text in enumerate(STORIES)]
    records += [{"id": f"f{k + 1}", "title": f"{TITLES[k]} - Buzz Hub", "text": text} for k, text in enumerate(STORIES)]
    records += [{"id": f"s{k + 1}", "title": f"{TITLES[k]} | Buzz Hub", "text": re.sub(r"\bsaid\b", "stated", STORIES[k])}
                for k in range(2)]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(tmp_path / "pages.jsonl")], background=False)
        with archive.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT d.external_id, s.external_id FROM provenance p JOIN documents d ON d.id = p.derived_id "
                "JOIN documents s ON s.id = p.source_id WHERE p.relation IN ('duplicate', 'near_copy', 'spun', 'rewrite') "
                "AND d.external_id LIKE 's%'").all()
    assert sorted(rows) == [("s1", "r1"), ("s2", "r2")]


def test_a_farms_line_with_a_count_of_its_own_is_its_line_too() -> None:
    """"1,234 people read this story" under every page, the count its own: keyed with its figure
    as a slot, the line is boilerplate, and the second pages go to the reports."""
    docs, source_of = _archive(counted=True)
    sources = _sources(build(docs))
    assert {d: sources.get(d) for d in source_of} == {d: {s} for d, s in source_of.items()}
    index = ProvenanceIndex()
    index.update(docs)
    copy = next(d for d in docs if d.id == 21)
    # The whole line is the site's furniture (no layout of the story's), but its count is analysed
    # as the page's own: masked are the line's words alone.
    assert [copy.text[a:b] for a, b in index.boilerplate_spans[21]] == [TOP, f"{BOTTOM}\n56 people read this story"]
    tokens = tokenize(copy.text)
    mask = bp.boilerplate_mask(tokens, copy.text, index.candidates.boilerplate())
    assert mask is not None
    kept = [copy.text[a:b] for a, b, masked in zip(tokens.starts.tolist(), tokens.ends.tolist(), mask.tolist())
            if not masked]
    assert kept[-1] == "56" and kept[0] != "Daily"


def test_two_farms_furniture_does_not_make_one_farms_copy_the_others_source() -> None:
    """Two farms post one report word for word, each with a share bar above it and its feed's
    footer below ("The post ... appeared first on ..."), shapes the furniture patterns know. The
    second farm's copy holds the first farm's furniture words and none of the report's it lacks:
    what a source accounts for is measured on the story, so the report, earlier than both, is the
    source of each (measured on the whole text, the first farm's page explained the second's
    better: its share bar and footer aligned with the second's, word for word but the names)."""
    from datetime import datetime, timezone

    story, title = STORIES[0], TITLES[0]

    def page(share: str, farm: str) -> str:
        return f"{share}\n{story}\nThe post {title} appeared first on {farm}."

    def at(hour: int) -> datetime:
        return datetime(2025, 3, 4, hour, 17, tzinfo=timezone.utc)

    docs = [DocInput(1, story, title, at(8), "Norvale Herald"),
            DocInput(2, page("Share this: Facebook Twitter Email", "Buzz Farm"), title, at(9), "Buzz Farm"),
            DocInput(3, page("Share on Facebook | Share on X | WhatsApp", "News Now Hub"), title, at(13), "News Now Hub")]
    assert all(len(cruft_lines(d.text)) == 2 for d in docs[1:]), "premise: both farms' lines are furniture"
    index = ProvenanceIndex()
    index.update(docs)
    links = {(l.derived_id, l.source_id): l.relation for l in index.result().links}
    assert links.get((2, 1)) in ("duplicate", "near_copy") and links.get((3, 1)) in ("duplicate", "near_copy")
    assert (3, 2) not in links or links[(3, 2)] == "related"


def test_a_feeds_footer_is_furniture_after_a_line_without_a_full_stop() -> None:
    # A scraped article often ends on a photo credit; the footer below it is still the feed's.
    text = f"{STORIES[0]}\nPhoto credit: BACKGRID\nThe post {TITLES[0]} appeared first on Buzz Farm."
    assert [m.phrase for m in cruft_lines(text)][-1] == f"The post {TITLES[0]} appeared first on Buzz Farm."
    # Other furniture shapes still read as a wrapped sentence's tail there (wire copy).
    wrapped = "The company said it would pay a dividend of 10 cts a\nshare on its common stock."
    assert cruft_lines(wrapped) == []


def test_two_farms_credit_lines_do_not_make_one_farms_copy_the_others_source() -> None:
    """Both farms credit the report's newsroom under the story ("Source: Norvale Herald"), and
    neither page is dated. The credit is each copy's attribution (it names the report's outlet),
    not its story: the report, which has no such line, explains each copy as well as the other
    farm's page does, and the credit says which way each link goes."""
    story, title = f"{STORIES[0]}\nPhoto credit: BACKGRID", TITLES[0]  # (the report ends without a full stop)

    def page(share: str, farm: str) -> str:
        return f"{share}\n{story}\nSource: Norvale Herald\nThe post {title} appeared first on {farm}."

    docs = [DocInput(1, story, title, None, "Norvale Herald"),
            DocInput(2, page("Share this: Facebook Twitter Email", "Buzz Farm"), title, None, "Buzz Farm"),
            DocInput(3, page("Share on Facebook | Share on X | WhatsApp", "News Now Hub"), title, None, "News Now Hub")]
    assert all("Source: Norvale Herald" in [m.phrase for m in cruft_lines(d.text)] for d in docs[1:])
    assert cruft_lines("the ministry said, citing a\nsource close to the talks.") == []
    assert [m.phrase for m in cruft_lines("Story.\nThis article originally appeared on Daily Beast.")] == [
        "This article originally appeared on Daily Beast."]
    index = ProvenanceIndex()
    index.update(docs)
    result = index.result()
    links = {(l.derived_id, l.source_id): l.relation for l in result.links}
    assert links.get((2, 1)) in ("duplicate", "near_copy") and links.get((3, 1)) in ("duplicate", "near_copy")
    assert {(a.doc_id, a.outlet) for a in result.attributions} >= {(2, "Norvale Herald"), (3, "Norvale Herald")}
