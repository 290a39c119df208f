"""Chunks of one linking run reuse the analyses and alignments of earlier chunks (see
archive.provenance.carry): the links must be exactly those computed without reuse."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance import DocInput, ProvenanceIndex
from archive.provenance.carry import Carried

FIXTURES = Path(__file__).parent / "fixtures" / "provenance"
ALL = ["story", "spun", "cut", "duplicate", "independent", "earnings_a", "earnings_b", "rewrite"]


def _docs() -> list[DocInput]:
    return [DocInput(k + 1, (FIXTURES / f"{stem}.txt").read_text()) for k, stem in enumerate(ALL)]


def test_an_index_given_carried_work_aligns_only_new_pairs_and_gets_the_same_features() -> None:
    docs = _docs()
    carried = Carried()  # (closed when collected)
    first = ProvenanceIndex(carried=carried)
    first.update(docs[:5])
    assert carried.computed_pairs == len(first.features) > 0 and carried.reused_pairs == 0
    assert carried.computed_analyses == 5
    second = ProvenanceIndex(carried=carried)
    second.update(docs[1:])
    fresh = ProvenanceIndex()
    fresh.update(docs[1:])
    # Pairs among documents 2-5 came from the first index, with this index's cosines.
    shared = set(first.features) & set(fresh.features)
    assert shared and carried.reused_pairs == len(shared)
    assert carried.computed_pairs == len(fresh.features) - len(shared)
    assert carried.reused_analyses == 4 and carried.computed_analyses == 3
    assert second.features == fresh.features
    assert second.anchors == fresh.anchors and second.traits == fresh.traits
    assert second.result() == fresh.result()


def test_what_is_kept_is_read_back_equal_for_the_whole_run() -> None:
    docs = _docs()
    with Carried() as carried:
        index = ProvenanceIndex(carried=carried)
        index.update(docs)
        # Nothing is forgotten, however many documents later chunks hold.
        assert carried.counts() == (len(docs), len(index.features))
        keys = sorted(index.features)
        assert carried.pairs(keys + [(97, 98)]) == {k: index.features[k] for k in keys}
        analyses = carried.analyses([1, 2, 99])
        assert sorted(analyses) == [1, 2] and analyses[1].anchors == index.anchors[1]
        for doc_id in (1, 2):
            # The arrays come back as they went in (kept as bytes: see _DocAnalysis.__reduce__).
            back = analyses[doc_id]
            for got, want in ((back.body_terms, index.body_terms[doc_id]), (back.opening, index.opening[doc_id]),
                              ((back.detail_hashes, back.detail_is_number), index.details[doc_id])):
                for g, w in zip(got, want) if isinstance(got, tuple) else [(got, want)]:
                    assert g.dtype == w.dtype and g.tolist() == w.tolist() and g.shape[0] > 0
            assert (back.traits, back.markers, back.cited, back.cut_off) == (
                index.traits[doc_id], index.markers[doc_id], index.cited[doc_id], index.cut_off[doc_id])
        carried.keep_analyses({1: "analysis"})
        assert carried.analyses([1]) == {1: "analysis"}


def test_decisions_are_kept_only_in_a_run_with_one_whole_archive_index() -> None:
    """Elsewhere cosines and word frequencies change from chunk to chunk, and so may decisions."""
    with Carried() as carried:
        with pytest.raises(ValueError):
            carried.keep_decisions({(1, 2): None})
        assert carried.decisions([(1, 2)]) == {}
    with Carried(whole=True) as carried:
        carried.keep_decisions({(1, 2): None, (1, 3): ("decided",)})
        assert carried.decisions([(1, 2), (1, 3), (2, 3)]) == {(1, 2): None, (1, 3): ("decided",)}


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)


def _stored(archive: Archive) -> list[tuple]:
    """Every stored link with its score and evidence, every story and flag."""
    with archive.engine.connect() as conn:
        rows = [conn.exec_driver_sql(sql).all() for sql in (
            "SELECT derived_id, source_id, relation, score, direction_confidence, evidence FROM provenance",
            "SELECT document_id, story_id FROM stories", "SELECT document_id, flag, evidence FROM document_flags")]
    return [sorted(tuple(map(str, r)) for r in table) for table in rows]


def test_chunked_linking_with_carried_work_equals_it_without_and_reuses(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for stem in ALL:
        shutil.copy(FIXTURES / f"{stem}.txt", folder / f"{stem}.txt")
    decided_before: list[int] = []
    decisions = Carried.decisions

    def counted(self: Carried, keys: list[tuple[int, int]]) -> dict:
        found = decisions(self, keys)
        decided_before.append(len(found))
        return found

    monkeypatch.setattr(Carried, "decisions", counted)
    with Archive(tmp_path / "reused") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        reused = _stored(archive)
    assert change.reused > 0 and change.aligned > 0
    # The run searched one whole-archive index: later chunks took decisions of earlier ones.
    assert sum(decided_before) > 0
    # Nothing carried: every chunk analyses, aligns and decides its whole neighbourhood again.
    monkeypatch.setattr(Carried, "analyses", lambda self, doc_ids: {})
    monkeypatch.setattr(Carried, "pairs", lambda self, keys: {})
    monkeypatch.setattr(Carried, "decisions", lambda self, keys: {})
    with Archive(tmp_path / "recomputed") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        assert _stored(archive) == reused
    assert change.reused == 0


def test_a_carried_pair_takes_the_cosine_of_the_index_that_uses_it() -> None:
    docs = _docs()
    with Carried() as carried:
        first = ProvenanceIndex(carried=carried)
        first.update(docs)
        key = min(first.features)
        carried.keep_pairs({key: replace(first.features[key], cosine=-1.0)})
        again = ProvenanceIndex(carried=carried)
        again.update(docs)
        assert carried.reused_pairs == len(first.features) and carried.computed_pairs == 0
        assert again.features[key].cosine == first.features[key].cosine >= 0


def test_result_builds_only_the_links_the_caller_wants() -> None:
    index = ProvenanceIndex()
    index.update(_docs())
    every = index.result().links
    planned = []

    def wanted(links: list) -> object:
        planned.extend(links)
        return lambda link: 1 in (link.derived_id, link.source_id)

    some = index.result(wanted=wanted).links
    assert some and some == [l for l in every if 1 in (l.derived_id, l.source_id)]
    # Offered every link before its evidence is built (and related ones that turn out not to be one story).
    assert {(l.derived_id, l.source_id, l.relation) for l in every} <= {(l.derived_id, l.source_id, l.relation) for l in planned}


def test_an_index_holds_no_alignment_tables_once_its_pairs_are_aligned() -> None:
    """The alignment tables (as large as the tokens they index) serve only while pairs are
    aligned: an index drops them before deciding, so a chunk does not hold them through
    result(), and builds the few that a later alignment needs again, with the same links."""
    from pathlib import Path

    from archive.provenance import DocInput, ProvenanceIndex

    folder = Path(__file__).parent / "fixtures" / "provenance"
    docs = [DocInput(i, f.read_text(encoding="utf-8")) for i, f in enumerate(sorted(folder.glob("*.txt")))]
    index = ProvenanceIndex()
    index.update(docs[:5])
    assert index.features and not index.prepared
    index.update(docs[5:])
    assert not index.prepared
    links = [(l.derived_id, l.source_id, l.relation, l.score) for l in index.result().links]
    whole = ProvenanceIndex()
    whole.update(docs)
    assert links == [(l.derived_id, l.source_id, l.relation, l.score) for l in whole.result().links]
    assert links


def test_an_index_that_decides_pairs_once_for_the_run_relates_and_links_as_one_that_does_not() -> None:
    """related() then decides its pairs in full and result() takes those decisions, with the
    same documents related and the same links; a second index of the run takes them all."""
    docs = _docs()
    plain = ProvenanceIndex()
    plain.update(docs)
    with Carried(whole=True) as carried:
        first = ProvenanceIndex(carried=carried)
        first.update(docs)
        assert first.related([1, 2]) == plain.related([1, 2])
        assert carried.computed_decisions > 0 and carried.reused_decisions == 0
        assert first.result() == plain.result()
        assert carried.reused_decisions > 0
        again = ProvenanceIndex(carried=carried)
        again.update(docs)
        assert again.result() == plain.result()
        assert carried.computed_decisions == 0 and carried.reused_decisions == len(again.features)


def test_a_chunk_decodes_telltales_only_for_documents_it_must_analyse(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Telltales serve only to analyse a document: a document whose analysis is carried from an
    earlier chunk is read without them, and the links are those of a run that decodes them all."""
    from archive.provenance import Fingerprint

    folder = tmp_path / "docs"
    folder.mkdir()
    for stem in ALL:
        shutil.copy(FIXTURES / f"{stem}.txt", folder / f"{stem}.txt")
    decoded, skipped = [], []
    from_bytes = Fingerprint.from_bytes.__func__

    def counted(cls: type, data: bytes, telltales: bool = True) -> Fingerprint:
        (decoded if telltales else skipped).append(data)
        return from_bytes(cls, data, telltales)

    monkeypatch.setattr(Fingerprint, "from_bytes", classmethod(counted))
    with Archive(tmp_path / "skipped") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        del decoded[:], skipped[:]
        archive.refresh_provenance()
        reused = _stored(archive)
    # Each document's telltales decoded once (its chunk analysed it), later chunks skipped them
    # (besides the candidate index, which never reads them).
    assert len(decoded) == len(ALL) and all(from_bytes(Fingerprint, d).telltales is not None for d in decoded)
    assert len(skipped) > len(ALL)

    monkeypatch.setattr(Carried, "analysed", lambda self, doc_ids: set())
    with Archive(tmp_path / "decoded") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        archive.refresh_provenance()
        assert _stored(archive) == reused
