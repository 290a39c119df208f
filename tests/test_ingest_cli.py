"""Ingest, show and stats through the CLI, against a temporary home."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from archive.storefile import SCHEMA_REVISION
from conftest import SEEDS, provenance_folder

CRUFT_LINES = ("Written by 1:31 pm", "(Visited 1 times", "Cezaro De Luca | Europa Press")


def db_rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "archive.db") as conn:
        return conn.execute(sql).fetchall()


def test_seeds_become_two_documents_with_real_headlines_and_no_cruft(run_cli, home: Path) -> None:
    result = run_cli("ingest", str(SEEDS))
    assert result.exit_code == 0, result.output
    assert "added 2, updated 0, unchanged 0, failed 0" in result.output
    rows = db_rows(home, "SELECT external_id, title, text FROM documents ORDER BY external_id")
    assert [r[1] for r in rows] == [
        "Microsoft’s president meets with the Chinese government to debate AI co-operation",
        "Microsoft’s President Brad Smith Meets with Chinese Minister to Discuss AI Cooperation",
    ]
    assert rows[0][0] == "000_f1a1e904460b1218.txt"
    for _, title, text in rows:
        assert not text.startswith(title)
        for cruft in CRUFT_LINES:
            assert cruft not in text
    meta = json.loads(db_rows(home, "SELECT raw_meta FROM documents WHERE id = 1")[0][0])
    assert any("Visited" in c["text"] for c in meta["removed_cruft"])


def test_reingest_adds_nothing_and_a_changed_file_updates(run_cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Storm hits coast\n\nA storm hit the coast on Monday, officials said.\n")
    (folder / "b.txt").write_text("Markets rally\n\nShares rose sharply on Tuesday as investors cheered.\n")
    assert "added 2," in run_cli("ingest", str(folder)).output
    again = run_cli("ingest", str(folder))
    assert "added 0, updated 0, unchanged 2, failed 0" in again.output
    (folder / "a.txt").write_text("Storm hits coast\n\nA storm hit the coast on Monday, killing two.\n")
    changed = run_cli("ingest", str(folder))
    assert "added 0, updated 1, unchanged 1, failed 0" in changed.output
    assert db_rows(home, "SELECT count(*) FROM documents") == [(2,)]
    assert "killing two" in db_rows(home, "SELECT text FROM documents WHERE external_id = 'a.txt'")[0][0]
    runs = db_rows(home, "SELECT status, added, updated, unchanged FROM ingest_runs ORDER BY id")
    assert runs == [("ok", 2, 0, 0), ("ok", 0, 0, 2), ("ok", 0, 1, 1)]


def test_json_records_fields_and_unknown_field_note(run_cli, home: Path, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    records = [
        {"id": "x1", "headline": "Coffee prices jump", "body": "Coffee prices jumped 5 pct in Sao Paulo.",
         "date_publish": "2023-11-05T10:00:00+02:00", "source_domain": "example.com",
         "authors": ["Ann Lee", "Bo Chen"], "mood": "calm"},
        {"id": "x2", "title": "Cocoa falls", "maintext": "Cocoa fell in London trading on Friday.",
         "published": "2023-11-06", "site": "example.org"},
    ]
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(json.dumps(r) for r in records))
    result = run_cli("ingest", str(path))
    assert result.exit_code == 0
    assert "fields not understood" in result.output and "mood" in result.output
    rows = db_rows(home, "SELECT external_id, title, author, source, published_at FROM documents ORDER BY id")
    assert rows == [
        ("x1", "Coffee prices jump", "Ann Lee; Bo Chen", "example.com", "2023-11-05T08:00:00Z"),
        ("x2", "Cocoa falls", None, "example.org", "2023-11-06T00:00:00Z"),
    ]
    meta = json.loads(db_rows(home, "SELECT raw_meta FROM documents WHERE external_id = 'x1'")[0][0])
    assert meta["mood"] == "calm"


def test_bad_inputs_are_reported_recorded_and_the_run_goes_on(run_cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "broken.json").write_text('{"title": "x", "text": ')
    (folder / "truncated.jsonl.gz").write_bytes(gzip.compress(b'{"id": "t1", "text": "hello there world"}\n' * 50)[:60])
    (folder / "good.txt").write_text("Good headline\n\nA perfectly fine article body about trade.\n")
    result = run_cli("ingest", str(folder))
    assert result.exit_code == 1
    # good.txt, and the truncated gzip's one record that came before the damage (repeated 25 times)
    assert "added 2, updated 0, unchanged 24, failed 4" in result.output
    for name in ("empty.txt", "binary.txt", "broken.json", "truncated.jsonl.gz"):
        assert any(name in line and line.startswith("archive: failed:") for line in result.output.splitlines()), name
    assert "Traceback" not in result.output
    failures = db_rows(home, "SELECT path FROM ingest_failures")
    assert len(failures) >= 4
    assert db_rows(home, "SELECT status FROM ingest_runs") == [("partial",)]


def test_files_of_unknown_type_in_a_folder_are_skipped_and_named(run_cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "more").mkdir(parents=True)
    (folder / "story.txt").write_text("Good headline\n\nA perfectly fine article body about trade.\n")
    (folder / "labels.csv").write_text("file,category\nstory.txt,news\n")
    for k in range(6):
        (folder / "more" / f"scan{k}.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".hidden.csv").write_text("not named: hidden entries are skipped quietly\n")
    result = run_cli("ingest", str(folder))
    assert result.exit_code == 0 and "added 1, updated 0, unchanged 0, failed 0" in result.output
    note = next(line for line in result.output.splitlines() if "skipped" in line)
    assert note.startswith("archive: note: skipped 7 files in the folders, of unknown type, tables without")
    assert str(folder / "labels.csv") in note and "and 2 more" in note and ".hidden" not in note
    # A named file is read: a table without a text column says what it has.
    named = run_cli("ingest", str(folder / "labels.csv"))
    assert named.exit_code == 1 and "table has no text column" in named.output and "'file', 'category'" in named.output
    (folder / "notes.xyz").write_text("Some headline\n\nWhatever its name, a named file is read.\n")
    assert "added 1," in run_cli("ingest", str(folder / "notes.xyz")).output
    assert "skipped" not in run_cli("ingest", "-q", str(folder)).output

def test_stdin_is_ingested(run_cli, home: Path) -> None:
    data = json.dumps({"id": "s1", "title": "From a pipe", "text": "Piped article text about grain."})
    result = run_cli("ingest", "-", input=data)
    assert result.exit_code == 0, result.output
    assert db_rows(home, "SELECT external_id, path FROM documents") == [("s1", "-")]


def test_show_and_stats(run_cli, home: Path) -> None:
    run_cli("ingest", str(SEEDS))
    shown = run_cli("show", "1", "--json")
    doc = json.loads(shown.output)
    assert doc["id"] == 1 and doc["title"].startswith("Microsoft’s president")
    assert doc["provenance"] == {"story_id": 1, "sources": [], "derived": 1, "related": 0, "flags": ["spun"],
                                 "credits": ["CNBC"], "copy_of": None, "family_size": 2}
    rewrite = run_cli("show", "2").output
    assert "derived from: [1] rewrite" in rewrite and "(archive provenance 2 --evidence)" in rewrite
    assert "copy family: a copy of [1]; 2 documents, the original and 1 copy" in rewrite
    assert "copy family: the original; 2 documents" in run_cli("show", "1").output
    assert "reused by: 1 document(s)" in run_cli("show", "1").output
    by_external = run_cli("show", "001_261e66b95509d6ff.txt")
    assert "Brad Smith Meets with Chinese Minister" in by_external.output
    missing = run_cli("show", "999")
    assert missing.exit_code == 1 and "no document" in missing.output
    stats = json.loads(run_cli("stats", "--json").output)
    assert stats["documents"] == 2
    assert stats["by_language"] == [["en", 2]] and stats["by_format"] == [["txt", 2]]
    text = run_cli("stats").output
    assert "language  documents\n--------  ---------\nen        2" in text
    assert "read from  documents\n---------  ---------\ntxt        2" in text


def test_commands_on_a_missing_archive_say_what_to_do(run_cli) -> None:
    result = run_cli("show", "1")
    assert result.exit_code == 1
    assert "archive ingest" in result.output


CHECKS_AND_REPAIRS = (("db", "check"), ("index", "check", "--no-repair"), ("index", "check"), ("index", "rebuild"),
                      ("provenance", "--refresh"))


@pytest.mark.parametrize("command", CHECKS_AND_REPAIRS)
def test_a_check_or_repair_of_a_home_without_an_archive_says_so_and_creates_nothing(run_cli, home: Path,
                                                                                      command: tuple[str, ...]) -> None:
    result = run_cli(*command)
    assert (result.exit_code, result.output.strip()) == (
        1, f"archive: error: no archive at {home} (run `archive ingest PATH` to create one)")
    assert not home.exists()


@pytest.mark.parametrize("command", CHECKS_AND_REPAIRS)
def test_a_check_or_repair_after_the_database_was_deleted_leaves_the_index_alone(run_cli, home: Path,
                                                                                  command: tuple[str, ...]) -> None:
    assert run_cli("ingest", "-q", str(SEEDS)).exit_code == 0
    for path in home.glob("archive.db*"):
        path.unlink()
    index = {path: path.read_bytes() for path in (home / "index").rglob("*") if path.is_file()}
    result = run_cli(*command)
    assert (result.exit_code, result.output.strip()) == (
        1, f"archive: error: no archive at {home} (run `archive ingest PATH` to create one)")
    assert not list(home.glob("archive.db*"))
    assert {path: path.read_bytes() for path in (home / "index").rglob("*") if path.is_file()} == index


def test_db_upgrade_creates_an_archive_where_there_is_none(run_cli, home: Path) -> None:
    result = run_cli("db", "upgrade")
    assert result.exit_code == 0 and (home / "archive.db").exists()
    assert run_cli("db", "check").output.strip().endswith(f"revision {SCHEMA_REVISION}: ok")


@pytest.mark.parametrize("bad", [b"not sqlite at all" * 100])
def test_damaged_database_file_gives_a_clear_message(run_cli, home: Path, bad: bytes) -> None:
    home.mkdir(parents=True)
    (home / "archive.db").write_bytes(bad)
    for args in (("show", "1"), ("ingest", str(SEEDS))):
        result = run_cli(*args)
        assert result.exit_code == 1
        assert "not an SQLite database" in result.output


def test_failures_command_lists_what_could_not_be_read(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ok.txt").write_text("Headline here\n\nSome body text for the article.\n")
    run_cli("ingest", str(folder))
    listed = run_cli("failures")
    assert "empty.txt" in listed.output and "empty" in listed.output.lower()
    rows = json.loads(run_cli("failures", "--json").output)
    assert len(rows) == 1 and rows[0]["path"].endswith("empty.txt")


def _cp1252_misread(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="ignore")


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("\u2019", "&#8217;")


def _lookalikes(text: str) -> str:
    lookalikes = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e"})
    return " ".join(w.translate(lookalikes) if i % 5 == 0 else w for i, w in enumerate(text.split(" ")))


# Copies that differ from their source only in how its characters were written, each of which
# made every word it touched look swapped, and the copy a spun one:
@pytest.mark.parametrize("damage, mark", [
    # a page saved as UTF-8 after being read as Windows-1252 ("Microsoft’s" -> "Microsoftâ€™s");
    (_cp1252_misread, "â€™"),
    # a page's text taken without its markup ("Microsoft&#8217;s");
    (_escaped, "&#8217;"),
    # Cyrillic "а", "е", "о" in every fifth word, hiding the copy from a search for those words.
    (_lookalikes, "\u0430"),
])
def test_a_copy_damaged_in_its_characters_is_stored_repaired_and_linked_as_a_duplicate(
        run_cli, home: Path, tmp_path: Path, damage: Callable[[str], str], mark: str) -> None:
    original = (SEEDS / "001_261e66b95509d6ff.txt").read_text(encoding="utf-8")
    damaged = damage(original)
    assert mark in damaged
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "original.txt").write_text(original, encoding="utf-8")
    (tmp_path / "in" / "damaged.txt").write_text(damaged, encoding="utf-8")
    assert run_cli("ingest", str(tmp_path / "in")).exit_code == 0
    texts = dict(db_rows(home, "SELECT external_id, text FROM documents"))
    assert texts["damaged.txt"] == texts["original.txt"]
    assert mark not in texts["damaged.txt"]
    assert db_rows(home, "SELECT relation FROM provenance") == [("duplicate",)]
    assert db_rows(home, "SELECT flag FROM document_flags WHERE flag = 'spun'") == []


def test_source_names_the_publisher_of_records_that_name_none(run_cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "planet"
    folder.mkdir()
    (folder / "a.txt").write_text("Storm hits coast\n\nA storm hit the coast on Monday, officials said.\n")
    (folder / "b.jsonl").write_text(json.dumps(
        {"id": "wire-1", "title": "Markets rally", "text": "Shares rose sharply on Tuesday.", "source": "Wire Co"}) + "\n")
    result = run_cli("ingest", "--source", "  Daily   Planet ", str(folder))
    assert result.exit_code == 0, result.output
    assert db_rows(home, "SELECT external_id, source FROM documents ORDER BY external_id") == [
        ("a.txt", "Daily Planet"), ("wire-1", "Wire Co")]
    # Standard input is read in this process, not by the reader process: the same rule.
    piped = run_cli("ingest", "--source", "Daily Planet", "-", input="Late edition\n\nThe storm moved north overnight.\n")
    assert piped.exit_code == 0, piped.output
    assert db_rows(home, "SELECT source FROM documents WHERE external_id NOT IN ('a.txt', 'wire-1')") == [("Daily Planet",)]
    assert [line for line in run_cli("show", "a.txt").output.splitlines() if "source:" in line] == [
        "       source: Daily Planet"]


def test_source_of_one_outlet_makes_no_copy_claims_between_its_texts(run_cli, home: Path, tmp_path: Path) -> None:
    # 001 is an AI rewrite of 000: linked across outlets (or when none is known), while one
    # outlet's two texts are its own rewording, never one copied from the other.
    assert run_cli("ingest", str(SEEDS)).exit_code == 0
    assert db_rows(home, "SELECT relation FROM provenance") == [("rewrite",)]
    one_outlet = tmp_path / "one-outlet"
    with Archive(one_outlet) as archive:  # (the library's way to the same option)
        summary = archive.ingest([str(SEEDS)], default_source="One Site", background=False)
    assert summary.added == 2
    assert db_rows(one_outlet, "SELECT relation FROM provenance WHERE relation != 'related'") == []
    assert db_rows(one_outlet, "SELECT DISTINCT source FROM documents") == [("One Site",)]


def test_an_empty_source_name_is_refused(run_cli, home: Path) -> None:
    result = run_cli("ingest", "--source", "  ", str(SEEDS))
    assert result.exit_code == 2
    assert "needs a publisher's name" in result.output
    assert not (home / "archive.db").exists() or db_rows(home, "SELECT count(*) FROM documents") == [(0,)]


def test_a_publisher_named_later_fills_the_gap_and_relinks(run_cli, home: Path) -> None:
    assert run_cli("ingest", str(SEEDS)).exit_code == 0
    assert db_rows(home, "SELECT relation FROM provenance") == [("rewrite",)]
    again = run_cli("ingest", "--source", "One Site", str(SEEDS))
    assert "added 0, updated 2, unchanged 0, failed 0" in again.output
    assert db_rows(home, "SELECT DISTINCT source FROM documents") == [("One Site",)]
    assert db_rows(home, "SELECT relation FROM provenance WHERE relation != 'related'") == []
    # A publisher already stored is not replaced by another one named later, as the text is unchanged.
    third = run_cli("ingest", "--source", "Other Site", str(SEEDS))
    assert "added 0, updated 0, unchanged 2, failed 0" in third.output
    assert db_rows(home, "SELECT DISTINCT source FROM documents") == [("One Site",)]
    assert "One Site" in run_cli("search", "source:\"One Site\"").output


def test_records_taking_anothers_id_are_named_and_an_id_prefix_keeps_both(run_cli, home: Path, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("id,title,text\n1,First A,The council approved the new budget on Tuesday after a debate.\n"
                 "2,Second A,The mayor opened a new bridge across the river on Friday morning.\n")
    b.write_text("id,title,text\n1,First B,A storm closed the harbour for two days and ferries stayed in port.\n"
                 "3,Third B,Farmers expect a record harvest after the warm and wet summer.\n"
                 "3,Third B again,Farmers expect a smaller harvest after all, the ministry said.\n")
    assert run_cli("ingest", str(a)).exit_code == 0
    clashing = run_cli("ingest", str(b))
    assert clashing.exit_code == 0 and "added 1, updated 1, unchanged 1, failed 0" in clashing.output
    assert (f"1 record took the external id of a document read from another file and replaced its text "
            f"(first: {b} [row 1] (id '1') replaced the text read from {a})") in clashing.output
    assert "--id-prefix" in clashing.output
    assert f"1 record repeated the id of another with other text, and only the later was kept (first: {b} [row 3]" \
        in clashing.output
    assert json.loads(run_cli("stats", "--json").output)["documents"] == 3

    other = tmp_path / "other-home"
    for args in (["ingest", str(a)], ["ingest", "--id-prefix", "b", str(b)], ["ingest", "--id-prefix", "b", str(b)]):
        result = CliRunner().invoke(cli, ["--home", str(other), *args])
        assert result.exit_code == 0 and "took the external id" not in result.output
    assert "added 0, updated 0, unchanged 3" in result.output  # the prefix is applied again the same way
    shown = CliRunner().invoke(cli, ["--home", str(other), "show", "b:1", "--json"]).output
    assert json.loads(shown)["title"] == "First B"
    assert json.loads(CliRunner().invoke(cli, ["--home", str(other), "stats", "--json"]).output)["documents"] == 4
    refused = run_cli("ingest", "--id-prefix", "two words", str(b))
    assert refused.exit_code == 2 and "one word without spaces" in refused.output


def test_an_ingest_says_how_many_feed_entries_carried_only_a_summary(run_cli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.rss"
    article = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Daily Trends Hub</title>"
        f"<item><title>Full</title><guid>g1</guid><description>Teaser</description>"
        f"<content:encoded><![CDATA[<p>{article}</p>]]></content:encoded></item>"
        f"<item><title>Teaser only</title><guid>g2</guid><link>https://x.example/2</link>"
        f"<description>{article} And more.</description></item>"
        "</channel></rss>")
    result = run_cli("ingest", str(feed))
    assert result.exit_code == 0 and "added 2," in result.output
    assert "1 feed entry carried only a summary" in result.output
    assert "carried only a summary" not in run_cli("ingest", str(feed)).output  # unchanged: nothing stored


def test_an_ingest_says_how_many_dates_it_could_not_read(run_cli, tmp_path: Path) -> None:
    lines = tmp_path / "dated.jsonl"
    text = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    lines.write_text("\n".join(json.dumps(r) for r in [
        {"text": text, "published": "2020-05-01"},
        {"text": text + " More.", "published": "notadate"},
        {"text": text + " Even more.", "date": "2020-13-45"},
    ]) + "\n")
    result = run_cli("ingest", str(lines))
    assert result.exit_code == 0 and "added 3," in result.output
    assert (f"archive: note: 2 records had a date that could not be read, stored undated with the value in "
            f"raw_meta.published_raw (first: {lines} [2]: 'notadate')") in result.output
    assert "could not be read" not in run_cli("ingest", str(lines)).output  # unchanged: nothing stored


def test_the_library_takes_one_path_as_a_string_or_a_path(tmp_path: Path) -> None:
    folder = provenance_folder(tmp_path, "all", ["story", "duplicate"])
    with Archive(tmp_path / "one") as archive:
        assert archive.ingest(str(folder), background=False, provenance=False).added == 2  # (not its characters)
    with Archive(tmp_path / "other") as archive:
        assert archive.ingest(folder, background=False, provenance=False).added == 2
        assert archive.ingest([folder / "story.txt"], background=False, provenance=False).unchanged == 1
