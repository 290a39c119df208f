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
    carried = Carried()
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


def test_retain_keeps_the_most_recently_recomputed_documents() -> None:
    carried = Carried(max_docs=3)
    ProvenanceIndex(carried=carried).update(_docs())
    pairs = set(carried.features)
    carried.retain(range(1, 9))
    assert set(carried.analyses) == {6, 7, 8}
    carried.retain([1, 2])  # 1 and 2 were forgotten: nothing to keep of theirs
    assert set(carried.analyses) == {8}
    assert set(carried.features) == {k for k in pairs if set(k) <= {8}} == set()
    carried.keep_analysis(1, "analysis")
    carried.retain([8, 1])
    assert set(carried.analyses) == {8, 1} and carried.analysis(1) == "analysis"


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
    with Archive(tmp_path / "reused") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        reused = _stored(archive)
    assert change.reused > 0 and change.aligned > 0
    # Nothing carried: every chunk analyses and aligns its whole neighbourhood again.
    monkeypatch.setattr(Carried, "analysis", lambda self, doc_id: None)
    monkeypatch.setattr(Carried, "pair", lambda self, key: None)
    with Archive(tmp_path / "recomputed") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        change = archive.refresh_provenance()
        assert _stored(archive) == reused
    assert change.reused == 0


def test_a_carried_pair_takes_the_cosine_of_the_index_that_uses_it() -> None:
    docs = _docs()
    carried = Carried()
    ProvenanceIndex(carried=carried).update(docs)
    key = next(iter(carried.features))
    carried.keep_pair(key, replace(carried.pair(key), cosine=-1.0))
    again = ProvenanceIndex(carried=carried)
    again.update(docs)
    assert again.features[key].cosine >= 0
