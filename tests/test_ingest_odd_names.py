"""File names and arguments that are not UTF-8 (a Latin-1 name from an old Windows zip)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from archive.names import readable

LATIN1_NAME = os.fsdecode(b"caf\xe9.txt")  # as Python hands it on: 'caf\udce9.txt'


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    """A folder of two good files and one whose name is Latin-1."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        (folder / f"good{i}.txt").write_text(f"Headline {i} about ports\n\nStory {i} about container ports.\n")
    try:
        (folder / LATIN1_NAME).write_text("Latin name\n\nA file whose name is Latin-1, as old Windows zips extract.\n")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return folder


def _stored(home: Path) -> dict[str, str]:
    with sqlite3.connect(home / "archive.db") as db:
        return dict(db.execute("SELECT external_id, path FROM documents"))


def test_names_that_decode_are_kept_and_bytes_that_do_not_are_written_out() -> None:
    assert readable("story.txt") == "story.txt"
    assert readable("caf\\xe9.txt") == "caf\\xe9.txt"
    assert readable(LATIN1_NAME) == "caf\\xe9.txt"
    assert readable("half \ud800") == "half \\ud800"


def test_a_file_named_in_latin1_is_stored_beside_the_others_and_found_again(run_cli, home: Path,
                                                                            odd_folder: Path) -> None:
    result = run_cli("ingest", "-q", str(odd_folder))
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output
    stored = _stored(home)
    assert stored["caf\\xe9.txt"] == f"{odd_folder}/caf\\xe9.txt"
    again = run_cli("ingest", "-q", str(odd_folder))
    assert "added 0, updated 0, unchanged 3" in again.output


def test_a_document_is_shown_and_removed_by_its_file_name_as_typed(run_cli, odd_folder: Path) -> None:
    run_cli("ingest", "-q", str(odd_folder))
    shown = run_cli("show", LATIN1_NAME, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["external_id"] == "caf\\xe9.txt"
    assert run_cli("show", "caf\\xe9.txt").exit_code == 0
    removed = run_cli("remove", "--dry-run", LATIN1_NAME)
    assert removed.exit_code == 0 and "caf\\xe9.txt" in removed.output


def test_arguments_that_are_not_utf8_are_errors_not_crashes(run_cli, odd_folder: Path) -> None:
    run_cli("ingest", "-q", str(odd_folder))
    missing = os.fsdecode(b"caf\xe9")
    ingested = run_cli("ingest", "-q", missing)
    assert ingested.exit_code == 1
    assert "caf\\xe9: no such file or folder" in ingested.output
    for command in (["show", missing], ["provenance", missing], ["remove", missing]):
        result = run_cli(*command)
        assert result.exit_code == 1, (command, result.output)
        assert "no document" in result.output
    named = run_cli("ingest", "-q", "--source", missing, "--id-prefix", missing, str(odd_folder / "good0.txt"))
    assert named.exit_code == 0, named.output
    assert run_cli("show", "caf\\xe9:good0.txt").exit_code == 0


def test_a_name_holding_a_line_break_is_shown_escaped_on_one_line(run_cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty\nnl.txt").write_bytes(b"")
    (folder / "labels\tsheet.dat").write_text("not read")
    (folder / "story\x1b.json").write_text(json.dumps({"text": "Owls hunt at night near the harbour.",
                                                        "colour": "grey"}))
    result = run_cli("ingest", str(folder))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"archive: failed: {folder}/empty\\nnl.txt: empty file" in lines
    assert any(line.startswith(f"archive: note: {folder}/story\\x1b.json: fields not understood") for line in lines)
    assert any(line.startswith("archive: note: skipped 1 file") and line.endswith(f"{folder}/labels\\tsheet.dat")
               for line in lines)
    listed = run_cli("failures").output.splitlines()
    assert any(f"{folder}/empty\\nnl.txt" in line and line.endswith("empty file") for line in listed)
    # Only shown so: the name stored is the file's own.
    with sqlite3.connect(home / "archive.db") as conn:
        assert conn.execute("SELECT path FROM ingest_failures").fetchall() == [(f"{folder}/empty\nnl.txt",)]
        assert conn.execute("SELECT external_id FROM documents").fetchall() == [("story\x1b.json",)]
