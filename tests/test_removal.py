"""Removing documents: all or nothing, the index and provenance brought along, crash-safe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import indexsync, provenance_store
from archive.api import Archive
from archive.cli import cli
from archive.errors import NotFound
from archive.removal import NothingToRemove, clean_refs

from conftest import provenance_folder
STORY = ["story", "duplicate", "spun", "cut", "rewrite", "independent", "earnings_a", "earnings_b"]


def _rows(archive: Archive, sql: str) -> list[tuple]:
    with archive.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql(sql).all())


def _links(archive: Archive) -> list[tuple]:
    return _rows(archive, "SELECT d.external_id, s.external_id, p.relation FROM provenance p "
                          "JOIN documents d ON d.id = p.derived_id JOIN documents s ON s.id = p.source_id")


def _stories(archive: Archive) -> list[tuple]:
    """Each document with the documents of its story (story ids are internal numbers)."""
    rows = _rows(archive, "SELECT d.external_id, s.story_id FROM stories s JOIN documents d ON d.id = s.document_id")
    by_story: dict[int, list[str]] = {}
    for name, story in rows:
        by_story.setdefault(story, []).append(name)
    return sorted((name, tuple(sorted(by_story[story]))) for name, story in rows)


def _flags(archive: Archive) -> list[tuple]:
    return _rows(archive, "SELECT d.external_id, f.flag FROM document_flags f JOIN documents d ON d.id = f.document_id")


def _id(archive: Archive, name: str) -> int:
    return archive.document(name).id


def test_removing_an_original_links_its_copies_as_an_archive_without_it(tmp_path: Path, incremental: None) -> None:
    folder = provenance_folder(tmp_path, "all", STORY)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        before = _links(archive)
        gone = [link for link in before if "story.txt" in link[:2]]
        assert len(gone) >= 2  # the story's copies link to it

        result = archive.remove(["story.txt"])

        assert [d.external_id for d in result.documents] == ["story.txt"]
        assert result.links == len(gone)
        assert result.relinked == len({end for link in gone for end in link[:2]} - {"story.txt"})
        assert result.provenance is not None and result.provenance.mode == "incremental"
        links, stories, flags = _links(archive), _stories(archive), _flags(archive)
        assert not any("story.txt" in link[:2] for link in links)
        assert links != [link for link in before if link not in gone]  # the copies found another source (its duplicate)
        # An archive that never held the document has the same links, stories and flags.
        shutil.rmtree(tmp_path / "all")
        rest = provenance_folder(tmp_path, "rest", [s for s in STORY if s != "story"])
        with Archive(tmp_path / "other") as other:
            other.ingest([str(rest)], background=False)
            assert (_links(other), _stories(other), _flags(other)) == (links, stories, flags)
        # And a full recomputation agrees with what the removal's update wrote.
        archive.refresh_provenance()
        assert (_links(archive), _stories(archive), _flags(archive)) == (links, stories, flags)


def test_a_removed_document_leaves_the_store_the_index_and_full_text_search(tmp_path: Path) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "earnings_a"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        earnings = _id(archive, "earnings_a.txt")
        word = "Halverson"  # only in earnings_a
        assert word.upper() in archive.document(earnings).title
        assert archive.count(word) == 1
        fts = f"SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '{word}'"
        assert _rows(archive, fts) == [(1,)]

        archive.remove([str(earnings)])

        assert archive.count(word) == 0
        assert _rows(archive, fts) == [(0,)]
        for table in ("documents", "fingerprints", "stories", "document_flags", "attributions"):
            column = "id" if table == "documents" else "document_id"
            assert _rows(archive, f"SELECT count(*) FROM {table} WHERE {column} = {earnings}") == [(0,)]
        assert _rows(archive, "SELECT count(*) FROM index_queue") == [(0,)]
        check = archive.check_index(repair=False)
        assert check.drift.ok and check.indexed == check.documents == 2
        with pytest.raises(NotFound):
            archive.document(earnings)


def test_an_unknown_reference_removes_nothing(tmp_path: Path) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "cut"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        links, count = _links(archive), archive.count("Norvale")
        with pytest.raises(NotFound, match=r"'nosuch\.txt', '999'; nothing was removed"):
            archive.remove(["story.txt", "nosuch.txt", "999"])
        with pytest.raises(NothingToRemove):
            archive.remove(["", "  "])
        assert _links(archive) == links and archive.count("Norvale") == count
        assert archive.stats()["documents"] == 3


def test_a_dry_run_says_what_would_go_and_changes_nothing(tmp_path: Path) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "cut"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        links = _links(archive)
        plan = archive.remove(["story.txt", str(_id(archive, "story.txt"))], dry_run=True)
        assert [d.external_id for d in plan.documents] == ["story.txt"]  # named twice, counted once
        assert plan.links == sum("story.txt" in link[:2] for link in links) > 0
        assert plan.provenance is None
        assert _links(archive) == links and archive.stats()["documents"] == 3


def test_a_removal_killed_before_the_index_is_finished_by_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, incremental: None
) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "duplicate", "spun", "cut", "independent"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)

        def killed(*args: object) -> int:
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(indexsync, "drain_queue", killed)
            with pytest.raises(KeyboardInterrupt):
                archive.remove(["duplicate.txt"])
        # The store committed: the document is gone, its index entry owed, its neighbours unlinked.
        assert archive.stats()["documents"] == 4
        assert _rows(archive, "SELECT operation FROM index_queue") == [("delete",)]
        assert provenance_store.is_stale(archive.engine)

        (folder / "duplicate.txt").unlink()
        summary = archive.ingest([str(folder)], background=False)  # nothing new to read

        assert summary.unchanged == 4 and summary.provenance is not None
        assert not provenance_store.is_stale(archive.engine)
        assert _rows(archive, "SELECT count(*) FROM index_queue") == [(0,)]
        assert archive.check_index(repair=False).drift.ok
        links = _links(archive)
        archive.refresh_provenance()
        assert _links(archive) == links


def test_a_removed_file_ingested_again_comes_back_with_its_links(tmp_path: Path, incremental: None) -> None:
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "cut", "independent"])
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        links = _links(archive)
        archive.remove(["story.txt"])
        summary = archive.ingest([str(folder)], background=False)
        assert (summary.added, summary.unchanged) == (1, 3)
        assert _links(archive) == links


def test_references_are_stripped_and_repeats_dropped_in_order() -> None:
    assert clean_refs([" 7", "a.txt", "", "7", "  ", "b\n"]) == ["7", "a.txt", "b"]


def test_cli_remove_reads_references_from_stdin_and_reports(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = provenance_folder(tmp_path, "docs", ["story", "spun", "earnings_a", "earnings_b"])
    assert run_cli("ingest", "-q", str(folder)).exit_code == 0

    dry = run_cli("remove", "--dry-run", "earnings_a.txt")
    assert dry.exit_code == 0
    assert "would remove #" in dry.output and "earnings_a.txt" in dry.output
    assert "would remove 1 document and" in dry.output

    result = run_cli("remove", "-", input="earnings_a.txt\n\nearnings_b.txt\n")
    assert result.exit_code == 0, result.output
    assert "removed 2 documents and" in result.output
    assert run_cli("search", "--count", "Halverson").output.strip() == "0"

    missing = run_cli("remove", "story.txt", "gone.txt")
    assert missing.exit_code == 1
    assert "no document with id or external id 'gone.txt'; nothing was removed" in missing.output
    assert run_cli("stats", "--json").exit_code == 0
    assert '"documents": 2' in run_cli("stats", "--json").output
    nowhere = CliRunner().invoke(cli, ["--home", str(tmp_path / "nowhere"), "remove", "1"])
    assert nowhere.exit_code == 1 and "no archive at" in nowhere.output
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("ref", ["²", "99999999999999999999", "٣"])
def test_references_that_are_no_ids_are_looked_up_as_external_ids(tmp_path: Path, run_cli, ref: str) -> None:  # type: ignore[no-untyped-def]
    folder = provenance_folder(tmp_path, "docs", ["story", "spun"])
    assert run_cli("ingest", "-q", str(folder)).exit_code == 0
    for command in (("show", ref), ("provenance", ref), ("remove", ref)):
        result = run_cli(*command)
        assert result.exit_code == 1 and f"no document with id or external id '{ref}'" in result.output, command


@pytest.mark.parametrize("path", ["full", "incremental"])
def test_a_text_checked_and_removed_again_leaves_the_archive_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    if path == "incremental":
        monkeypatch.setattr(provenance_store, "FULL_REFRESH_SHARE", 10.0)
    folder = provenance_folder(tmp_path, "docs", ["story", "cut", "rewrite", "independent", "earnings_a"])
    outside = provenance_folder(tmp_path, "outside", ["spun"]) / "spun.txt"
    full_rows = ("SELECT derived_id, source_id, relation, score, direction_confidence, evidence FROM provenance",
                 "SELECT document_id, story_id FROM stories", "SELECT document_id, flag, evidence FROM document_flags")
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        before = [_rows(archive, sql) for sql in full_rows]
        archive.ingest([str(outside)], background=False)
        family = archive.family("spun.txt")
        assert any(link.relation == "spun" for link in family.links)  # what the reader came to see
        archive.remove(["spun.txt"])
        assert [_rows(archive, sql) for sql in full_rows] == before


def test_a_removal_in_an_archive_linked_in_chunks_relinks_its_neighbours_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An archive "too large to hold at once" (over 4 documents here) whose removed original has
    # more neighbours than a chunk holds (3): they are linked again in chunks.
    monkeypatch.setattr(provenance_store, "FULL_BUILD_MAX_DOCS", 4)
    monkeypatch.setattr(provenance_store, "CHUNK_DOCS", 3)
    monkeypatch.setattr(provenance_store, "FULL_REFRESH_SHARE", 10.0)
    folder = provenance_folder(tmp_path, "all", STORY)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False)
        result = archive.remove(["duplicate.txt"])
        assert result.relinked > 3 and result.provenance is not None
        links, stories = _links(archive), _stories(archive)
        archive.refresh_provenance()  # the whole archive again, in chunks
        assert (_links(archive), _stories(archive)) == (links, stories)
    rest = provenance_folder(tmp_path, "rest", [s for s in STORY if s != "duplicate"])
    with Archive(tmp_path / "other") as other:
        other.ingest([str(rest)], background=False)
        assert (_links(other), _stories(other)) == (links, stories)


def _numbered(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Documents 1-3 with external ids ext-1..ext-3, then 4-6 whose inputs numbered them 1, 2, 3."""
    named, numbered = tmp_path / "named.jsonl", tmp_path / "numbered.jsonl"
    topics = ["harbour pier", "valley harvest", "tram line", "chess tournament", "museum wing", "mining output"]
    named.write_text("".join(f'{{"id": "ext-{i}", "title": "Named {i}", "text": "A report on the {topics[i - 1]}."}}\n'
                             for i in (1, 2, 3)), encoding="utf-8")
    numbered.write_text("".join(f'{{"id": {i}, "title": "Numbered {i}", "text": "A report on the {topics[i + 2]}."}}\n'
                                for i in (1, 2, 3)), encoding="utf-8")
    assert run_cli("ingest", "-q", str(named), str(numbered)).exit_code == 0


def _kept(home: Path) -> list[str]:
    with Archive(home) as archive:
        return [external for _, external in _rows(archive, "SELECT id, external_id FROM documents")]


def test_a_number_that_is_one_documents_id_and_anothers_external_id_removes_nothing(
        tmp_path: Path, home: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _numbered(tmp_path, run_cli)
    for args in (("remove", "-"), ("remove", "--dry-run", "-")):
        result = run_cli(*args, input="1\n2\next-3\n")
        assert result.exit_code == 1
        assert result.output.strip() == (
            "archive: error: ambiguous: '1' is the id of #1 (external id 'ext-1') and the external id of #4, "
            "'2' is the id of #2 (external id 'ext-2') and the external id of #5; nothing was removed "
            "(--ids or --external-ids says which every reference is)")
    assert _kept(home) == ["ext-1", "ext-2", "ext-3", "1", "2", "3"]
    # A number that names one document only is read as before: an id, else an external id.
    assert run_cli("remove", "--dry-run", "6").output.startswith("would remove #6 3  Numbered 3\n")


def test_external_ids_or_ids_say_which_the_references_are(tmp_path: Path, home: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _numbered(tmp_path, run_cli)
    result = run_cli("remove", "--external-ids", "-", input="1\n2\n")
    assert result.exit_code == 0, result.output
    assert "removed #4 1  Numbered 1\nremoved #5 2  Numbered 2\n" in result.output
    assert _kept(home) == ["ext-1", "ext-2", "ext-3", "3"]
    assert run_cli("remove", "--ids", "3", "6").exit_code == 0
    assert _kept(home) == ["ext-1", "ext-2"]
    # Each option reads every reference as its kind only.
    wrong_kind = run_cli("remove", "--ids", "ext-1")
    assert (wrong_kind.exit_code, wrong_kind.output.strip()) == (
        1, "archive: error: no document with id 'ext-1'; nothing was removed")
    assert run_cli("remove", "--external-ids", "1").output.strip() == (
        "archive: error: no document with external id '1'; nothing was removed")
    both = run_cli("remove", "--ids", "--external-ids", "1")
    assert both.exit_code == 2 and "--ids and --external-ids cannot be used together" in both.output
    assert _kept(home) == ["ext-1", "ext-2"]


def test_show_reads_a_number_as_an_id_first_and_notes_the_document_whose_external_id_it_is(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _numbered(tmp_path, run_cli)
    result = run_cli("show", "2")
    assert result.exit_code == 0 and result.stdout.startswith("# Named 2\n")
    assert result.stderr.strip() == ("archive: note: 2 is the id of #2, shown, and the external id of #5 (Numbered 2); "
                                     "`archive show --external-id 2` shows that one")
    assert run_cli("show", "--external-id", "2").output.startswith("# Numbered 2\n")
    assert run_cli("show", "--id", "5").output.startswith("# Numbered 2\n")
    assert "archive: note" not in run_cli("show", "5").output  # (no document's external id is 5)
    assert run_cli("show", "--id", "ext-2").output.strip() == "archive: error: no document with id 'ext-2'"


def test_provenance_notes_the_document_whose_external_id_a_number_also_is(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _numbered(tmp_path, run_cli)
    result = run_cli("provenance", "2")
    assert result.exit_code == 0
    assert result.stderr.strip() == ("archive: note: 2 is the id of #2, shown, and the external id of #5 (Numbered 2); "
                                     "`archive provenance 5` shows that one's")
    assert "[2] Named 2" in result.stdout
    assert "archive: note" not in run_cli("provenance", "5").output
