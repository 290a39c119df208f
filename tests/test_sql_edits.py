"""Edits made to the database in SQL (sqlite3, Datasette, pandas) follow through.

The sqlite3 shell runs with foreign keys off, so these tests edit through a plain ``sqlite3``
connection as a user would: the schema's triggers (revision 0004) must do the work themselves.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import db, sqlite_extras
from archive.api import Archive
from archive.cli import cli

from conftest import provenance_folder

STORY = ["story", "duplicate", "spun", "cut", "rewrite", "independent", "earnings_a", "earnings_b"]
WORDS = ["cocoa", "harvest", "rain", "port", "export", "bank", "rates", "strike", "grain", "ship"]
SOURCES = ["Wire A", "Wire B", "Paper C", None]


def _sql(home: Path, *statements: str) -> list[tuple]:
    """Run ``statements`` as the sqlite3 shell would (foreign keys off); the last one's rows."""
    conn = sqlite3.connect(home / "archive.db")
    try:
        rows: list[tuple] = []
        for statement in statements:
            rows = conn.execute(statement).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def _cli(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def _articles(path: Path, n: int = 60) -> Path:
    rng = random.Random(5)
    with path.open("w") as out:
        for i in range(n):
            words = [rng.choice(WORDS) for _ in range(30)]
            out.write(json.dumps({
                "id": f"a{i}", "title": " ".join(rng.sample(WORDS, 3)).title(), "text": " ".join(words) + ".",
                "source": rng.choice(SOURCES), "published": f"{1980 + i % 7}-0{1 + i % 9}-1{i % 10}T08:00:00Z",
            }) + "\n")
    return path


def _page(archive: Archive, query: str, **options):  # type: ignore[no-untyped-def]
    results = archive.search(query, snippets=False, **options)
    return results.total, [hit.id for hit in results.hits], results.facets


@pytest.mark.parametrize("collapse", [False, True])
def test_documents_deleted_in_sql_are_not_found_before_the_index_takes_the_deletes(
        tmp_path: Path, collapse: bool) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(_articles(tmp_path / "a.jsonl"))], background=False, provenance=False)
    deleted = list(range(3, 60, 5))
    _sql(home, f"DELETE FROM documents WHERE id IN ({', '.join(map(str, deleted))})")
    queries = [("cocoa", {}), ("cocoa OR ship", {"sort": "date"}), ("rain", {"sort": "-date", "offset": 4}),
               ("bank", {"facets": ["source", "year"], "limit": 3, "offset": 2}), ("port NOT strike", {"limit": 20})]
    with Archive(home) as archive:
        assert archive.stats()["pending_index"] == len(deleted)
        masked = [_page(archive, q, collapse=collapse, **options) for q, options in queries]
        counts = [archive.count(q) for q, _ in queries]
        for total, ids, _ in masked:
            assert not set(ids) & set(deleted)
        archive.check_index()  # the index takes the deletes: the oracle
        assert archive.stats()["pending_index"] == 0
        assert [_page(archive, q, collapse=collapse, **options) for q, options in queries] == masked
        assert [archive.count(q) for q, _ in queries] == counts
    assert any(total for total, _, _ in masked) and any(ids for _, ids, _ in masked)


def test_a_document_deleted_in_sql_takes_its_links_and_its_copies_are_linked_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        original = archive.document("story.txt").id
        linked = {row[0] for row in _sql(
            home, f"SELECT derived_id FROM provenance WHERE source_id = {original} "
                  f"UNION SELECT source_id FROM provenance WHERE derived_id = {original}")}
    assert linked
    _sql(home, f"DELETE FROM documents WHERE id = {original}")  # (foreign keys off, as in sqlite3)
    for table, counting in sqlite_extras.ORPHAN_COUNTS.items():
        assert _sql(home, counting) == [(0,)], table
    unlinked = {row[0] for row in _sql(home, "SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM stories)")}
    assert unlinked == linked
    assert "ok" in _cli(home, "db", "check").output

    with Archive(home) as archive:
        archive.ingest([], background=False)  # any write links them again, and applies the index's delete
        assert archive.stats()["pending_index"] == 0
        assert not _sql(home, "SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM stories)")
        with_ingest = sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance"))
        archive.refresh_provenance()
        assert sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance")) == with_ingest
        assert archive.check_index(repair=False).drift.ok


def test_a_text_changed_in_sql_is_fingerprinted_linked_and_indexed_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        doc = archive.document("independent.txt").id
    _sql(home, f"UPDATE documents SET text = text || ' Zanzibar harbour reopened.' WHERE id = {doc}")
    assert _sql(home, f"SELECT count(*) FROM fingerprints WHERE document_id = {doc}") == [(0,)]
    assert _sql(home, f"SELECT count(*) FROM stories WHERE document_id = {doc}") == [(0,)]
    searched = _cli(home, "search", "zanzibar")
    assert "no matches" in searched.output and "not in the search index yet" in searched.output
    family = _cli(home, "provenance", str(doc), "--json")
    assert json.loads(family.stdout)["linked"] is False and "after provenance was last updated" in family.stderr

    with Archive(home) as archive:
        archive.ingest([], background=False)
        assert archive.count("zanzibar") == 1
        assert _sql(home, f"SELECT count(*) FROM fingerprints WHERE document_id = {doc}") == [(1,)]
        assert _sql(home, f"SELECT count(*) FROM stories WHERE document_id = {doc}") == [(1,)]
    assert "not in the search index yet" not in _cli(home, "search", "zanzibar").output
    family = _cli(home, "provenance", str(doc), "--json")
    assert json.loads(family.stdout)["linked"] is True and not family.stderr


def test_a_title_changed_or_a_row_inserted_in_sql_is_searchable_after_index_check(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story", "earnings_a"]))], background=False)
    _sql(home, "UPDATE documents SET title = 'Quetzal headline' WHERE external_id = 'story.txt'",
         "INSERT INTO documents (external_id, path, format, text, content_hash, raw_meta, ingested_at, updated_at) "
         "VALUES ('typed-in', '-', 'txt', 'A quetzal was seen.', 'x', '{}', '2026-12-07T00:00:00Z', "
         "'2026-12-07T00:00:00Z')")
    assert _cli(home, "search", "--count", "quetzal").stdout.strip() == "0"
    assert "applied 2 queued change(s)" in _cli(home, "index", "check").output
    assert _cli(home, "search", "--count", "quetzal").stdout.strip() == "2"


def test_a_documents_id_cannot_be_changed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story"]))], background=False)
    with pytest.raises(sqlite3.IntegrityError, match="documents.id never changes"):
        _sql(home, "UPDATE documents SET id = 99 WHERE id = 1")
    _sql(home, "UPDATE documents SET id = 1 WHERE id = 1")  # (an unchanged id is no change)


def test_the_upgrade_to_0004_clears_what_deletes_without_foreign_keys_left(tmp_path: Path) -> None:
    from alembic import command

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        original = archive.document("story.txt").id
        engine = archive.engine
        config = db.alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
    _sql(home, f"DELETE FROM documents WHERE id = {original}")  # no trigger now: rows are left behind
    assert _sql(home, sqlite_extras.ORPHAN_COUNTS["provenance"]) != [(0,)]

    with Archive(home) as archive:
        archive.upgrade()
    for table, counting in sqlite_extras.ORPHAN_COUNTS.items():
        assert _sql(home, counting) == [(0,)], table
    assert _sql(home, "SELECT document_id, operation FROM index_queue") == [(original, "delete")]
    with Archive(home) as archive:
        assert original not in [hit.id for hit in archive.search("cocoa OR the", limit=100).hits]


def test_db_check_names_rows_of_deleted_documents_and_a_missing_trigger(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        original = archive.document("story.txt").id
    _sql(home, "DROP TRIGGER documents_cascade_delete", f"DELETE FROM documents WHERE id = {original}")
    checked = _cli(home, "db", "check")
    assert checked.exit_code == 1
    assert "trigger documents_cascade_delete is missing" in checked.output
    assert "of provenance belong to deleted documents" in checked.output
    assert "archive provenance --refresh" in checked.output


def test_no_spelling_suggestion_leads_to_a_document_deleted_in_sql(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "only", "title": "Recital", "text": "A harpsichord recital was held."}) + "\n"
                      + json.dumps({"id": "other", "title": "Port", "text": "The port reopened on Monday."}) + "\n")
    with Archive(home) as archive:
        archive.ingest([str(source)], background=False, provenance=False)
        assert archive.search("harpsicord").suggestion == "harpsichord"
    _sql(home, "DELETE FROM documents WHERE external_id = 'only'")
    with Archive(home) as archive:
        assert archive.search("harpsicord").suggestion is None
        assert archive.count("harpsichord") == 0


def _edit_after(monkeypatch: pytest.MonkeyPatch, module: object, name: str, home: Path, statement: str) -> None:
    """Make ``module.name`` (a step of linking that reads the store) run ``statement`` in sqlite3
    when it returns: an edit made while archive links, before it writes."""
    original = getattr(module, name)

    def then_edit(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = original(*args, **kwargs)
        _sql(home, statement)
        return found

    monkeypatch.setattr(module, name, then_edit)


@pytest.mark.parametrize("edit", ["DELETE FROM documents WHERE external_id = 'story.txt'",
                                  "UPDATE documents SET text = 'Zebras crossed the river at dawn.' "
                                  "WHERE external_id = 'story.txt'"])
def test_an_edit_made_in_sql_while_provenance_is_refreshed_is_linked_by_the_next_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str) -> None:
    from archive import provenance_store

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        story = archive.document("story.txt").id
        with monkeypatch.context() as patched:
            _edit_after(patched, provenance_store, "compute", home, edit)
            archive.refresh_provenance()  # (was: FOREIGN KEY constraint failed, or the old links written back)
        for table, counting in sqlite_extras.ORPHAN_COUNTS.items():
            assert _sql(home, counting) == [(0,)], table
        assert _sql(home, f"SELECT count(*) FROM stories WHERE document_id = {story}") == [(0,)]
        assert _sql(home, f"SELECT count(*) FROM provenance WHERE {story} IN (derived_id, source_id)") == [(0,)]

        archive.ingest([], background=False)
        assert not _sql(home, "SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM stories)")
        linked = sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance"))
        archive.refresh_provenance()
        assert sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance")) == linked


def test_a_document_deleted_in_sql_while_new_ones_are_linked_is_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, incremental: None) -> None:
    from archive import provenance_store

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "first", ["story", "independent", "earnings_a"]))],
                       background=False)
        with monkeypatch.context() as patched:
            _edit_after(patched, provenance_store, "_align_neighbourhood", home,
                        "DELETE FROM documents WHERE external_id = 'story.txt'")
            archive.ingest([str(provenance_folder(tmp_path, "later", ["duplicate", "spun", "earnings_b"]))],
                           background=False)
        for table, counting in sqlite_extras.ORPHAN_COUNTS.items():
            assert _sql(home, counting) == [(0,)], table
        archive.ingest([], background=False)
        assert not _sql(home, "SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM stories)")
        linked = sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance"))
        archive.refresh_provenance()
        assert sorted(_sql(home, "SELECT derived_id, source_id, relation FROM provenance")) == linked


@pytest.mark.parametrize(("statement", "said"), [
    ("UPDATE documents SET published_at = '5 March 1987' WHERE id = 1", "published_at must be ISO-8601"),
    ("UPDATE documents SET published_at = '1987-3-5' WHERE id = 1", "published_at must be ISO-8601"),
    ("UPDATE documents SET published_at = '1987-02-30T00:00:00Z' WHERE id = 1", "published_at must be ISO-8601"),
    ("UPDATE documents SET updated_at = 'yesterday' WHERE id = 1", "updated_at must be ISO-8601"),
    ("UPDATE documents SET raw_meta = 'not json' WHERE id = 1", "raw_meta must be JSON"),
    ("INSERT OR REPLACE INTO documents (id, external_id, path, format, text, content_hash, raw_meta, ingested_at, "
     "updated_at) VALUES (1, 'story.txt', 'x', 'txt', 'new words', 'h', '{}', '2026-01-01T00:00:00Z', "
     "'2026-01-01T00:00:00Z')", "stored already"),
    ("INSERT INTO documents (external_id, path, format, text, content_hash, raw_meta, ingested_at, updated_at) "
     "VALUES ('hand', '-', 'txt', 'A text.', 'h', '{}', '7 Dec 2026', '2026-12-07T00:00:00Z')", "ingested_at must be"),
])
def test_what_would_break_the_readers_is_refused(tmp_path: Path, statement: str, said: str) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story"]))], background=False)
    before = _sql(home, "SELECT * FROM documents")
    with pytest.raises(sqlite3.IntegrityError, match=said):
        _sql(home, statement)
    assert _sql(home, "SELECT * FROM documents") == before
    _sql(home, "UPDATE documents SET published_at = '1987-03-05T00:00:00Z', raw_meta = '{\"note\": 1}' WHERE id = 1")
    assert _cli(home, "show", "1").exit_code == 0
    assert "in step" in _cli(home, "index", "check").output


def test_the_read_only_checks_and_searches_say_what_the_index_has_not_taken(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story", "earnings_a"]))], background=False)
    _sql(home, "UPDATE documents SET title = 'Zanzibar' WHERE external_id = 'story.txt'",
         "DELETE FROM documents WHERE external_id = 'earnings_a.txt'")
    checked = _cli(home, "index", "check", "--no-repair")
    assert checked.exit_code == 1 and "queued: 2 change(s)" in checked.output
    searched = _cli(home, "search", "the", "--count")
    assert "1 document(s) added or changed" in searched.stderr
    assert "1 document(s) deleted from the database are still in the search index" in searched.stderr
    assert searched.stdout.strip() == "1"
    repaired = _cli(home, "index", "check")
    assert repaired.exit_code == 0 and "applied 2 queued change(s)" in repaired.output
    assert "in step" in _cli(home, "index", "check", "--no-repair").output
    assert not _cli(home, "search", "the").stderr


def test_a_copy_whose_original_was_deleted_in_sql_stands_alone_until_linked_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", STORY))], background=False)
        copy = archive.document("duplicate.txt").id
        stories = archive.stats()["stories"]
    _sql(home, "DELETE FROM documents WHERE external_id = 'story.txt'")
    family = json.loads(_cli(home, "provenance", str(copy), "--json").stdout)
    assert family["linked"] is False and [doc["id"] for doc in family["documents"]] == [copy]
    assert family["links"] == []
    assert f"d{copy}" in _cli(home, "provenance", str(copy), "--format", "dot").output
    with Archive(home) as archive:
        assert archive.stats()["stories"] >= stories  # each unlinked document counts as a story of its own


def test_a_link_row_naming_no_document_is_not_shown(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(provenance_folder(tmp_path, "all", ["story", "duplicate"]))], background=False)
    _sql(home, "INSERT INTO provenance (derived_id, source_id, relation, score, direction_confidence, evidence, "
               "method_version) VALUES (997, 1, 'spun', 0.9, 0.9, '{}', 'x')")
    shown = _cli(home, "provenance", "1", "--json")
    assert shown.exit_code == 0 and 997 not in {link["derived_id"] for link in json.loads(shown.stdout)["links"]}
