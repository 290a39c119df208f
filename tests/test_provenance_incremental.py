"""Incremental provenance at ingest: only the new documents' neighbourhood is recomputed.

The fixture archive is tiny, so the "neighbourhood is most of the archive, recompute it all"
shortcut would always apply; these tests lower it (FULL_REFRESH_SHARE) to exercise the
incremental path, and check it against a full refresh of the same store.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive import provenance_store
from archive.api import Archive
from archive.provenance import DERIVATIONS, Link
from archive.provenance.merge import LOOP_BROKEN, TAKEN_OVER, merge_links, redecided
from archive.readstore import ReadStore

from conftest import PROVENANCE_FIXTURES as FIXTURES
from conftest import provenance_folder


def _links(archive: Archive) -> dict[tuple[str, str], str]:
    """(derived, source) external ids -> relation, for every stored link."""
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.external_id, s.external_id, p.relation FROM provenance p "
            "JOIN documents d ON d.id = p.derived_id JOIN documents s ON s.id = p.source_id"
        ).all()
    return {(d.split("/")[-1], s.split("/")[-1]): r for d, s, r in rows}


def _table(archive: Archive, sql: str) -> list[tuple]:
    with archive.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql(sql).all())


def test_adding_copies_links_them_incrementally_as_a_full_refresh_would(tmp_path: Path, incremental: None) -> None:
    first = provenance_folder(tmp_path, "first", ["story", "independent", "earnings_a", "earnings_b"])
    later = provenance_folder(tmp_path, "later", ["spun", "cut", "duplicate", "rewrite"])
    with Archive(tmp_path / "home") as archive:
        assert archive.ingest([str(first)], background=False).provenance.mode == "full"
        summary = archive.ingest([str(later)], background=False)
        change = summary.provenance
        assert change.mode == "incremental"
        assert change.examined <= change.documents
        links = _links(archive)
        assert links[("spun.txt", "story.txt")] == "spun"
        assert links[("cut.txt", "story.txt")] in DERIVATIONS
        assert not any(d == "independent.txt" and r in DERIVATIONS for (d, _), r in links.items())
        stories = _table(archive, "SELECT document_id, story_id FROM stories")
        flags = _table(archive, "SELECT document_id, flag FROM document_flags")
        # A full recomputation of the same store agrees with what the update wrote.
        again = archive.refresh_provenance()
        assert again.mode == "full"
        assert _links(archive) == links
        assert _table(archive, "SELECT document_id, story_id FROM stories") == stories
        assert _table(archive, "SELECT document_id, flag FROM document_flags") == flags


def test_an_original_added_after_its_copies_takes_them_over(tmp_path: Path, incremental: None) -> None:
    copies = provenance_folder(tmp_path, "copies", ["spun", "cut", "independent", "earnings_a"])
    original = provenance_folder(tmp_path, "original", ["story"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(copies)], background=False)
        # Without the original, the spun copy's closest source is the cut copy: the farm's byline
        # and view counter that the ingest took out of the spun page mark it as the copy.
        assert _links(archive)[("spun.txt", "cut.txt")] == "spun"
        change = archive.ingest([str(original)], background=False).provenance
        assert change.mode == "incremental"
        links = _links(archive)
        # Both copies are re-parented to the original; the old link stays only as related.
        for copy in ("spun.txt", "cut.txt"):
            assert [s for (d, s), r in links.items() if d == copy and r in DERIVATIONS] == ["story.txt"], copy
        assert links[("spun.txt", "cut.txt")] == "related"
        assert links[("spun.txt", "story.txt")] == "spun"
        stories = dict(_table(archive, "SELECT d.external_id, s.story_id FROM stories s "
                                       "JOIN documents d ON d.id = s.document_id"))
        by_name = {k.split("/")[-1]: v for k, v in stories.items()}
        assert by_name["spun.txt"] == by_name["cut.txt"] == by_name["story.txt"] != by_name["independent.txt"]
        archive.refresh_provenance()
        assert _links(archive) == links


def test_a_changed_document_loses_the_links_its_old_text_had(tmp_path: Path, incremental: None) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "independent", "earnings_a", "earnings_b"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        assert {("spun.txt", "story.txt"), ("story.txt", "spun.txt")} & set(_links(archive))
        # The "spun" file now holds the earnings text: not a copy of the story any more.
        shutil.copy(FIXTURES / "earnings_b.txt", folder / "spun.txt")
        (folder / "earnings_b.txt").unlink()
        summary = archive.ingest([str(folder)], background=False)
        assert summary.updated == 1 and summary.provenance.mode == "incremental"
        links = _links(archive)
        assert ("spun.txt", "story.txt") not in links and ("story.txt", "spun.txt") not in links
        with ReadStore(archive.home.db_path) as store:
            assert store.counts()["documents"] == 5
        # Every document has exactly one story row.
        assert len(_table(archive, "SELECT document_id FROM stories")) == 5


def test_nothing_new_means_nothing_written(tmp_path: Path, incremental: None) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "cut"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        links = _links(archive)
        change = provenance_store.update(archive.engine)
        assert (change.inserted, change.updated, change.deleted, change.examined) == (0, 0, 0, 0)
        assert _links(archive) == links


def _link(d: int, s: int, relation: str) -> Link:
    return Link(d, s, relation, 0.9, 0.8, {"reasons": ["r"]})


def test_merge_takes_pairs_of_new_documents_and_keeps_the_rest() -> None:
    stored = [_link(2, 1, "spun"), _link(4, 3, "related")]
    fresh = [_link(5, 1, "near_copy"), _link(2, 1, "related")]
    merged = merge_links(stored, fresh, new={5}, scope={1, 2, 5})
    assert [(l.derived_id, l.source_id, l.relation) for l in merged] == [(2, 1, "spun"), (4, 3, "related"), (5, 1, "near_copy")]


def test_merge_reparents_a_document_that_a_new_one_explains_better() -> None:
    # 3 was taken from 2; the new 1 turns out to be the source of both.
    stored = [_link(3, 2, "near_copy"), _link(3, 9, "spun")]
    fresh = [_link(2, 1, "spun"), _link(3, 1, "spun"), _link(3, 2, "related")]
    assert redecided(stored, fresh, {1}) == {2, 3}
    merged = {(l.derived_id, l.source_id): l for l in merge_links(stored, fresh, new={1}, scope={1, 2, 3})}
    assert merged[(3, 1)].relation == "spun" and merged[(2, 1)].relation == "spun"
    assert merged[(3, 2)].relation == "related"
    # 9 lies outside the recomputed scope: its link is kept, but only as related.
    assert merged[(3, 9)].relation == "related" and TAKEN_OVER in merged[(3, 9)].evidence["reasons"]


def test_merge_breaks_a_loop_that_fresh_links_close_through_stored_ones() -> None:
    """The changed 1 now derives from 3 while 3 derives (stored) from 2, which the fresh links
    derive from 1: a loop 1 <- 3 <- 2 <- 1. Its least sure link (the loosest relation, then the
    weakest direction) is kept only as related, whether it is fresh or stored (read without its
    evidence)."""
    def merged(link_13: tuple[str, float], strength_32: float) -> dict[tuple[int, int], Link]:
        stored = [Link(3, 2, "spun", 0.9, strength_32, {}), Link(2, 1, "near_copy", 0.9, 0.9, {})]
        fresh = [Link(1, 3, link_13[0], 0.9, link_13[1], {"reasons": ["r"]}), Link(2, 1, "near_copy", 0.9, 0.9, {"reasons": ["r"]})]
        out = merge_links(stored, fresh, new={1}, scope={1, 2, 3},
                          evidence_of=lambda links: [{"reasons": ["stored"]} for _ in links])
        return {(l.derived_id, l.source_id): l for l in out}

    # A rewrite among copies goes, however sure its direction.
    loose = merged(("rewrite", 0.95), 0.6)
    assert loose[(1, 3)].relation == "related" and loose[(1, 3)].evidence["reasons"] == ["r", LOOP_BROKEN]
    assert (loose[(2, 1)].relation, loose[(3, 2)].relation) == ("near_copy", "spun")
    # Among spun copies, the weaker direction: here the stored link.
    weak_stored = merged(("spun", 0.7), 0.6)
    assert weak_stored[(3, 2)].relation == "related" and weak_stored[(3, 2)].evidence["reasons"] == ["stored", LOOP_BROKEN]
    assert (weak_stored[(1, 3)].relation, weak_stored[(2, 1)].relation) == ("spun", "near_copy")


def test_merge_reads_the_evidence_only_of_the_stored_links_it_changes() -> None:
    # Stored links read without their evidence (as an update reads its neighbourhood's).
    stored = [Link(3, 2, "near_copy", 0.9, 0.8, {}), Link(3, 9, "spun", 0.9, 0.8, {}), Link(4, 9, "related", 0.5, 0.5, {})]
    fresh = [_link(2, 1, "spun"), _link(3, 1, "spun"), _link(3, 2, "related")]
    asked: list[tuple[int, int]] = []

    def evidence_of(links: list[Link]) -> list[dict]:
        asked.extend((l.derived_id, l.source_id) for l in links)
        return [{"reasons": [f"stored {l.derived_id}<-{l.source_id}"]} for l in links]

    merged = {(l.derived_id, l.source_id): l for l in
              merge_links(stored, fresh, new={1}, scope={1, 2, 3}, evidence_of=evidence_of)}
    assert asked == [(3, 9)]
    assert merged[(3, 9)].evidence["reasons"] == ["stored 3<-9", TAKEN_OVER]
    assert merged[(4, 9)] is stored[2]


def _one_stored_link(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An archive of a story and its spun copy: (archive, its document ids, their stored links)."""
    folder = provenance_folder(tmp_path, "docs", ["story", "spun"])
    archive = Archive(tmp_path / "home")
    archive.ingest([str(folder)], background=False)
    with archive.engine.connect() as conn:
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM documents ORDER BY id")]
        present = provenance_store._stored_links(conn, ids)
    assert len(present) == 1
    return archive, ids, present


def test_stored_links_are_rewritten_only_where_they_differ_evidence_included(tmp_path: Path) -> None:
    archive, ids, present = _one_stored_link(tmp_path)
    with archive:
        with archive.engine.begin() as conn:
            (key, row), = present.items()
            assert "evidence" not in row._fields
            stored = provenance_store._stored_evidence(conn, [row.id])[row.id]
            same = Link(row.derived_id, row.source_id, row.relation, row.score, row.direction_confidence, stored)
            change = provenance_store.ProvenanceChange(documents=2, links=1)
            provenance_store._write_links(conn, [same], present, change)
            assert (change.updated, change.inserted, change.deleted) == (0, 0, 0)
            other = Link(row.derived_id, row.source_id, row.relation, row.score, row.direction_confidence,
                         {**stored, "reasons": ["another reason"]})
            provenance_store._write_links(conn, [other], present, change)
            assert change.updated == 1
            assert provenance_store._stored_evidence(conn, [row.id])[row.id]["reasons"] == ["another reason"]


def test_evidence_is_stored_as_written_and_compared_as_the_database_returns_it(tmp_path: Path) -> None:
    import numpy as np

    archive, ids, present = _one_stored_link(tmp_path)
    with archive:
        with archive.engine.begin() as conn:
            (key, row), = present.items()
            conn.exec_driver_sql("DELETE FROM provenance")
            # Tuples and numpy numbers read back as lists and strings: stored without being
            # converted first, then found unchanged.
            link = Link(row.derived_id, row.source_id, row.relation, row.score, row.direction_confidence,
                        {"reasons": ("a", "b"), "passages": [{"matched_tokens": np.int64(7)}]})
            change = provenance_store.ProvenanceChange(documents=2, links=1)
            provenance_store._write_links(conn, [link], {}, change)
            assert change.inserted == 1
            present = provenance_store._stored_links(conn, ids)
            (stored_id,) = [r.id for r in present.values()]
            assert provenance_store._stored_evidence(conn, [stored_id])[stored_id] == {
                "reasons": ["a", "b"], "passages": [{"matched_tokens": "7"}]}
            provenance_store._write_links(conn, [link], present, change)
            assert (change.updated, change.inserted, change.deleted) == (0, 1, 0)


def test_no_link_is_stored_without_its_evidence_after_updates(tmp_path: Path, incremental: None) -> None:
    copies = provenance_folder(tmp_path, "copies", ["spun", "cut", "independent", "earnings_a"])
    original = provenance_folder(tmp_path, "original", ["story", "duplicate", "rewrite"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(copies)], background=False)
        assert archive.ingest([str(original)], background=False).provenance.mode == "incremental"
        rows = _table(archive, "SELECT evidence FROM provenance")
        assert rows and all(json.loads(evidence).get("reasons") for evidence, in rows)


def test_merge_keeps_one_link_per_pair_when_the_direction_flips() -> None:
    stored = [_link(2, 1, "related")]
    fresh = [_link(1, 2, "related"), _link(1, 3, "near_copy")]
    merged = merge_links(stored, fresh, new={3}, scope={1, 2, 3})
    pairs = [(min(l.derived_id, l.source_id), max(l.derived_id, l.source_id)) for l in merged]
    assert len(pairs) == len(set(pairs))


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)


ALL = ["story", "spun", "cut", "duplicate", "independent", "earnings_a", "earnings_b", "rewrite"]


def test_a_large_archive_is_linked_a_chunk_at_a_time(tmp_path: Path, chunked: None) -> None:
    folder = provenance_folder(tmp_path, "docs", ALL)
    with Archive(tmp_path / "home") as archive:
        change = archive.ingest([str(folder)], background=False).provenance
        assert change.mode == "full" and change.examined >= 8
        links = _links(archive)
        assert {("spun.txt", "story.txt"), ("story.txt", "spun.txt")} & set(links)
        assert not any(r in DERIVATIONS for (d, s), r in links.items() if "independent.txt" in (d, s))
        assert len(_table(archive, "SELECT document_id FROM stories")) == 8
        # Recomputing in chunks again gives the same links.
        archive.refresh_provenance()
        assert _links(archive) == links


@pytest.mark.parametrize("done", [1, 2])
def test_chunks_interrupted_and_resumed_give_the_uninterrupted_result(tmp_path: Path, chunked: None, done: int) -> None:
    folder = provenance_folder(tmp_path, "docs", ALL)
    with Archive(tmp_path / "one") as archive:
        archive.ingest([str(folder)], background=False)
        uninterrupted = (_links(archive), _table(archive, "SELECT document_id, story_id FROM stories"))
    with Archive(tmp_path / "two") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        with archive.engine.connect() as conn:
            ids = sorted(conn.exec_driver_sql("SELECT id FROM documents").scalars())
        # As if killed after ``done`` chunks committed: the next ingest links the rest.
        for lo in range(0, 3 * done, 3):
            provenance_store._update_part(archive.engine, ids[lo:lo + 3], set(ids[lo + 3:]), len(ids), allow_full=False)
        provenance_store.update(archive.engine)
        assert (_links(archive), _table(archive, "SELECT document_id, story_id FROM stories")) == uninterrupted


def _linked_reading_each_chunk(archive: Archive) -> tuple[dict, list]:
    """Links and stories as linking chunk by chunk gives when each chunk reads its own candidate index."""
    with archive.engine.connect() as conn:
        ids = sorted(conn.exec_driver_sql("SELECT id FROM documents").scalars())
    for lo in range(0, len(ids), 3):
        provenance_store._update_part(archive.engine, ids[lo:lo + 3], set(ids[lo + 3:]), len(ids), allow_full=False)
    return _links(archive), _table(archive, "SELECT document_id, story_id FROM stories")


def test_chunks_linked_against_a_prefix_of_one_candidate_index_match_reading_each(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = provenance_folder(tmp_path, "docs", ALL)
    with Archive(tmp_path / "one") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        expected = _linked_reading_each_chunk(archive)
    read: list[set[int]] = []
    background = provenance_store._background
    monkeypatch.setattr(provenance_store, "_background",
                        lambda conn, hidden, **kw: read.append(set(hidden)) or background(conn, hidden, **kw))
    with Archive(tmp_path / "two") as archive:
        archive.ingest([str(folder)], background=False)
        assert (_links(archive), _table(archive, "SELECT document_id, story_id FROM stories")) == expected
    assert read == [set()]  # the archive was read once, every chunk used a prefix of it


def test_chunks_interleaved_with_linked_documents_read_their_own_candidate_index(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = provenance_folder(tmp_path, "docs", ALL)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        with archive.engine.connect() as conn:
            ids = sorted(conn.exec_driver_sql("SELECT id FROM documents").scalars())
        # The first four documents linked, then three of them changed (no story): the fourth
        # stays linked, so the documents to link are not a tail of the archive.
        provenance_store._update_part(archive.engine, ids[:4], set(ids[4:]), len(ids), allow_full=False)
        with archive.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM stories WHERE document_id IN {tuple(ids[:3])}")
        read: list[set[int]] = []
        background = provenance_store._background
        monkeypatch.setattr(provenance_store, "_background",
                            lambda conn, hidden, **kw: read.append(set(hidden)) or background(conn, hidden, **kw))
        monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 20)  # documents not the last: chunks of 20 // 10
        todo = [*ids[:3], *ids[4:]]
        provenance_store._update_in_chunks(archive.engine, todo, len(ids))
        assert read == [set(todo[lo:]) for lo in range(2, len(todo), 2)] + [set()]
        assert len(_table(archive, "SELECT document_id FROM stories")) == len(ids)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_chunked_linking_gives_the_links_of_a_whole_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           chunk: int) -> None:
    folder = provenance_folder(tmp_path, "docs", ALL)
    stored = "SELECT document_id, flag FROM document_flags"
    with Archive(tmp_path / "whole") as archive:
        archive.ingest([str(folder)], background=False)
        whole = (_links(archive), _table(archive, stored))
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", chunk)
    with Archive(tmp_path / "chunked") as archive:
        change = archive.ingest([str(folder)], background=False).provenance
        assert change.mode == "full" and (_links(archive), _table(archive, stored)) == whole
        assert len(_table(archive, "SELECT document_id FROM stories")) == len(ALL)


def test_chunks_take_as_many_documents_as_keep_their_core_within_the_cap(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 4)
    monkeypatch.setattr(provenance_store, "MAX_SCOPE_DOCS", 3)
    sizes: list[int] = []
    cores: list[int] = []
    part, core = provenance_store._update_part, provenance_store._core
    monkeypatch.setattr(provenance_store, "_update_part",
                        lambda *args, **kwargs: sizes.append(len(args[1])) or part(*args, **kwargs))
    monkeypatch.setattr(provenance_store, "_core", lambda *args: cores.append(len(found := core(*args))) or found)
    folder = provenance_folder(tmp_path, "docs", ALL)
    results = []
    for home in ("one", "two"):
        sizes.clear()
        cores.clear()
        with Archive(tmp_path / home) as archive:
            archive.ingest([str(folder)], background=False)
            results.append((_links(archive), _table(archive, "SELECT document_id, story_id FROM stories"),
                            list(sizes)))
            assert len(results[-1][1]) == len(ALL)
        # Every chunk's core (its documents and the linked ones they may be aligned with) fits,
        # unless the chunk is a single document; some chunk was cut below CHUNK_DOCS.
        assert sum(sizes) == len(ALL) and min(sizes[:-1]) < 4
        assert all(n <= 3 or size == 1 for n, size in zip(cores, sizes))
    # The cuts depend on the store only.
    assert results[0] == results[1]


def test_only_documents_whose_source_may_change_are_aligned_with_their_own_candidates(
        tmp_path: Path, incremental: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance import ProvenanceIndex

    calls: list[tuple[list[int], list[int], set[tuple[int, int]]]] = []
    update = ProvenanceIndex.update

    def recording(self, docs, fingerprints=None, ranked=None, pairs_with=None):  # type: ignore[no-untyped-def]
        docs = list(docs)
        before = set(self.features)
        new_ids = update(self, docs, fingerprints, ranked=ranked, pairs_with=pairs_with)
        calls.append(([d.id for d in docs], sorted(ranked or ()), set(self.features) - before))
        return new_ids

    first = provenance_folder(tmp_path, "first", ["story", "cut", "duplicate", "independent", "earnings_a", "earnings_b"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(first)], background=False)
        calls.clear()
        monkeypatch.setattr(ProvenanceIndex, "update", recording)
        change = archive.ingest([str(provenance_folder(tmp_path, "later", ["spun"]))], background=False).provenance
        with archive.engine.connect() as conn:
            spun = conn.exec_driver_sql("SELECT id FROM documents WHERE external_id LIKE '%spun.txt'").scalar_one()
        linked = {pair for (d, s), r in _links(archive).items() if "spun.txt" in (d, s) for pair in (d, s)}
    (held, planned, pairs), (ring, redecided_docs, more_pairs) = calls
    # First the new document and its candidates, each choosing its candidates: only pairs with
    # the new document are aligned.
    assert spun in planned and set(planned) == set(held) and all(spun in pair for pair in pairs)
    # Then the documents that those pairs relate to it re-choose among theirs (with their stored
    # sources); the rest of the neighbourhood is context only.
    assert spun not in redecided_docs and set(redecided_docs) <= set(held)
    assert len(linked) > 1 and change.examined == len(held) + len(ring)
    assert all(set(pair) & set(redecided_docs) for pair in more_pairs)


def test_ingest_says_how_provenance_was_brought_up_to_date(tmp_path: Path, run_cli, incremental: None) -> None:  # type: ignore[no-untyped-def]
    first = provenance_folder(tmp_path, "first", ["story", "independent", "earnings_a"])
    later = provenance_folder(tmp_path, "later", ["spun"])
    result = run_cli("ingest", str(first))
    assert result.exit_code == 0 and "all 3 documents recomputed" in result.stderr
    result = run_cli("ingest", str(later))
    assert result.exit_code == 0 and "of 4 documents examined" in result.stderr
    assert "provenance:" not in run_cli("ingest", "-q", str(later)).stderr


def test_fingerprints_of_an_older_version_are_recomputed_once_and_stored(tmp_path: Path, incremental: None) -> None:
    from archive.provenance import FINGERPRINT_VERSION

    first = provenance_folder(tmp_path, "first", ["story", "independent", "spun"])
    later = provenance_folder(tmp_path, "later", ["cut", "duplicate"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(first)], background=False)
        links = _links(archive)
        with archive.engine.begin() as conn:  # as if stored by an older tokeniser
            conn.exec_driver_sql("UPDATE fingerprints SET method_version = 'pvf0'")
        change = archive.refresh_provenance()
        assert change.fingerprints_computed == 3
        assert _links(archive) == links
        assert _table(archive, "SELECT DISTINCT method_version FROM fingerprints") == [(FINGERPRINT_VERSION,)]
        assert archive.refresh_provenance().fingerprints_computed == 0
        # An incremental update stores them too.
        with archive.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE fingerprints SET method_version = 'pvf0'")
        assert archive.ingest([str(later)], background=False).provenance.fingerprints_computed == 3
        assert _table(archive, "SELECT COUNT(*), MIN(method_version) FROM fingerprints") == [(5, FINGERPRINT_VERSION)]


def test_stories_around_changed_links_are_those_of_all_links(tmp_path: Path) -> None:
    """A chunk recomputes only the stories of its new documents and of the ends of the links it
    added or removed (provenance_store._sync_stories_around): stories are connected components,
    so merged and split stories must come out as recomputing every story gives them."""
    import random

    from sqlalchemy import delete, insert, select

    from archive.provenance.clusters import stories

    folder = provenance_folder(tmp_path, "docs", ALL)
    rng = random.Random(5)
    links, stories_table = provenance_store.links_table, provenance_store.stories_table
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        with archive.engine.begin() as conn:
            ids = sorted(conn.execute(select(provenance_store.documents.c.id)).scalars())
            assert conn.execute(select(links)).first() is not None
            for _ in range(12):
                before = set(conn.execute(select(links.c.derived_id, links.c.source_id)).all())
                seeds: set[int] = set()
                # Links come and go (joining and splitting stories), and a document may be new.
                for key in rng.sample(sorted(before), min(len(before), rng.randrange(3))):
                    conn.execute(delete(links).where((links.c.derived_id == key[0]) & (links.c.source_id == key[1])))
                    seeds.update(key)
                for _ in range(rng.randrange(3)):
                    a, b = rng.sample(ids, 2)
                    if (a, b) not in before and (b, a) not in before:
                        conn.execute(insert(links), provenance_store._link_row(Link(a, b, "related", 0.5, 0.5, {})))
                        seeds.update((a, b))
                if rng.random() < 0.3:
                    fresh = rng.choice(ids)
                    conn.execute(delete(stories_table).where(stories_table.c.document_id == fresh))
                    seeds.add(fresh)
                provenance_store._sync_stories_around(conn, seeds)
                edges = [(a, b) for a, b in conn.execute(select(links.c.derived_id, links.c.source_id))]
                stored = dict(conn.execute(select(stories_table.c.document_id, stories_table.c.story_id)).all())
                assert stored == stories(ids, edges)
            # Stories were merged and split on the way.
            assert len(set(stored.values())) not in (1, len(ids))


def test_updated_documents_linked_among_themselves_are_relinked_in_chunks(tmp_path: Path, chunked: None,
                                                                           incremental: None) -> None:
    """More changed documents than a chunk holds, linked to one another before: each chunk
    leaves the documents of later chunks to them (its candidate index does not hold them)."""
    folder = provenance_folder(tmp_path, "docs", ALL)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        for stem in ("story", "spun", "cut", "duplicate", "rewrite"):
            path = folder / f"{stem}.txt"
            path.write_text(path.read_text() + "\n\nThe company did not comment further on Wednesday.\n")
        summary = archive.ingest([str(folder)], background=False)
        assert summary.updated == 5 and summary.provenance.mode == "incremental"
        links = _links(archive)
        assert {("spun.txt", "story.txt"), ("story.txt", "spun.txt")} & set(links)
        archive.refresh_provenance()
        assert _links(archive) == links


def test_the_furniture_the_ingest_took_out_of_a_copy_still_marks_it_as_the_copy(tmp_path: Path) -> None:
    # A republisher's page, stored first, undated, with its byline, share bar and related links:
    # the ingest strips them from the text, and they still say which of the two is the copy.
    story = (FIXTURES / "story.txt").read_text(encoding="utf-8")
    farm = tmp_path / "farm"
    farm.mkdir()
    (farm / "page.txt").write_text("By Staff Writer | 5 min read\nShare on Facebook | Share on Twitter\n\n" + story
                                   + "\n\nRelated posts:\nCopper price hits a two-year high\n", encoding="utf-8")
    original = tmp_path / "original"
    original.mkdir()
    (original / "story.txt").write_text(story, encoding="utf-8")
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(farm)], background=False)
        archive.ingest([str(original)], background=False)
        with archive.reader() as store:
            page = store.document("page.txt")
            assert len(page.raw_meta["removed_cruft"]) >= 3 and "Share on" not in page.text
        assert _links(archive)[("page.txt", "story.txt")] in DERIVATIONS
        with archive.engine.connect() as conn:
            confidence, evidence = conn.exec_driver_sql(
                "SELECT direction_confidence, evidence FROM provenance").one()
        assert confidence > 0.6
        assert [s["signal"] for s in json.loads(evidence)["direction"]] == ["copy_traits"]
