"""Damaged and unexpected files in an archive home: a clear message naming what to run, never a
traceback, nothing made worse, and the named remedy restores a working archive without data loss.

Cases: a deleted or truncated index file (each kind of segment file and the table of contents),
a damaged pointer to the live index generation (or a file or folder where the index's folder or lock
file belongs), stale Whoosh lock files, a damaged SQLite file (three different damage sites), a foreign SQLite
file, and a database written by a newer schema revision.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.storefile import SCHEMA_REVISION
from fixtures.reliability.corpus import invoke, stored_documents, write_corpus

DOCS = 60
REBUILD = "archive index rebuild"
READ_COMMANDS = (("search", "storm"), ("search", "--count", "storm"), ("show", "k-1"), ("stats",))
WRITE_COMMANDS = (("index", "check"), ("index", "rebuild"), ("db", "check"))






def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corruption-sources")
    write_corpus(folder, prefix="k", files=1, per_file=DOCS, seed=5)
    return folder


@pytest.fixture(scope="module")
def pristine(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, int]:
    """A working archive (copied per test), its documents and the hit count of 'storm'."""
    home = tmp_path_factory.mktemp("corruption-pristine") / "home"
    assert invoke(home, "ingest", "-q", str(sources)).exit_code == 0
    count = int(invoke(home, "search", "--count", "storm").output)
    assert count > 0
    return home, stored_documents(home), count


@pytest.fixture
def home(pristine: tuple[Path, list, int], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(pristine[0], copy)
    return copy


def generation(home: Path) -> Path:
    return home / "index" / (home / "index" / "CURRENT").read_text().strip()


def assert_working(home: Path, pristine: tuple[Path, list, int]) -> None:
    _, docs, count = pristine
    assert stored_documents(home) == docs, "no document lost or changed"
    assert int(invoke(home, "search", "--count", "storm").output) == count
    assert "k-1" in invoke(home, "show", "k-1").output
    checked = invoke(home, "index", "check", "--no-repair")
    assert checked.exit_code == 0 and "in step" in checked.output


INDEX_FILES = ("*.trm", "*.pst", "*._stored.col", "*.id.col", "_MAIN_*.toc")


@pytest.mark.parametrize("damage", ["delete", "truncate"])
@pytest.mark.parametrize("pattern", INDEX_FILES)
def test_damaged_index_file_names_rebuild_which_restores_it(
    home: Path, pristine: tuple[Path, list, int], sources: Path, pattern: str, damage: str
) -> None:
    (victim,) = sorted(generation(home).glob(pattern))[-1:]
    if damage == "delete":
        victim.unlink()
    else:
        os.truncate(victim, victim.stat().st_size // 2)
    db_before = digest(home / "archive.db")
    for args in (*READ_COMMANDS[:2], ("index", "check"), ("ingest", "-q", str(sources))):
        result = invoke(home, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "is damaged (" in result.output and REBUILD in result.output, (args, result.output)
    assert digest(home / "archive.db") == db_before, "a failed command changed the store"
    rebuilt = invoke(home, "index", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert_working(home, pristine)


@pytest.mark.parametrize("pattern", ["*.pst", "*._stored.col"])
def test_damage_inside_an_index_file_is_found_by_a_deep_check(
    home: Path, pristine: tuple[Path, list, int], pattern: str
) -> None:
    (victim,) = sorted(generation(home).glob(pattern))[-1:]
    data = bytearray(victim.read_bytes())
    rng = random.Random(3)
    start = len(data) // 4
    data[start : start + len(data) // 2] = rng.randbytes(len(data) // 2)  # same size: opening finds nothing
    victim.write_bytes(bytes(data))
    assert "in step" in invoke(home, "index", "check", "--no-repair").output  # ids and hashes are intact
    for args in (("index", "check", "--deep", "--no-repair"), ("index", "check", "--deep")):
        result = invoke(home, *args)
        assert result.exit_code == 1 and "is damaged (" in result.output and REBUILD in result.output, result.output
    assert invoke(home, "index", "rebuild").exit_code == 0
    deep = invoke(home, "index", "check", "--deep", "--no-repair")
    assert deep.exit_code == 0 and "undamaged" in deep.output and "in step" in deep.output
    assert_working(home, pristine)


def test_stale_lock_files_do_not_block_writers(
    home: Path, pristine: tuple[Path, list, int], tmp_path: Path
) -> None:
    """Lock files left by a killed process are plain files: the locks are flocks, which the kernel
    released when the holder died; whatever the files contain, the next writer proceeds."""
    (home / "index" / "WRITELOCK").write_text("12345\n")
    (generation(home) / "MAIN_WRITELOCK").write_text("stale")
    (home / "write.lock").write_text("999999\n")
    extra = tmp_path / "extra"
    write_corpus(extra, prefix="x", files=1, per_file=3, seed=9)
    added = invoke(home, "--wait", "1", "ingest", "-q", str(extra))
    assert added.exit_code == 0, added.output
    assert "added 3" in added.output
    assert invoke(home, "--wait", "1", "index", "rebuild").exit_code == 0
    _, docs, _ = pristine
    assert stored_documents(home)[: len(docs)] == docs and len(stored_documents(home)) == len(docs) + 3
    assert invoke(home, "show", "x-1").exit_code == 0
    assert invoke(home, "index", "check", "--no-repair").exit_code == 0


def _replace(path: Path, *, by: str) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    if by == "directory":
        path.mkdir()
    elif by == "link":
        path.symlink_to("nowhere")
    else:
        path.write_text("not an index\n")


INDEX_DAMAGE = {
    # CURRENT names the live generation.
    "garbage bytes": lambda index: (index / "CURRENT").write_bytes(b"M\x02\xe9D\x81}\x9c;\xcb\x10\x7f"),
    "empty": lambda index: (index / "CURRENT").write_bytes(b""),
    "a missing generation": lambda index: (index / "CURRENT").write_text("gen-999999\n"),
    "its generation deleted": lambda index: shutil.rmtree(index / (index / "CURRENT").read_text().strip()),
    "deleted": lambda index: (index / "CURRENT").unlink(),
    "a dangling link": lambda index: _replace(index / "CURRENT", by="link"),
    "a directory": lambda index: _replace(index / "CURRENT", by="directory"),
    "the index folder a file": lambda index: _replace(index, by="file"),
    "the lock file a directory": lambda index: _replace(index / "WRITELOCK", by="directory"),
}


@pytest.mark.parametrize("damage", INDEX_DAMAGE)
def test_index_rebuild_repairs_any_damage_to_the_index_pointer_or_folder(
    home: Path, pristine: tuple[Path, list, int], damage: str
) -> None:
    INDEX_DAMAGE[damage](home / "index")
    searched = invoke(home, "search", "storm")
    assert searched.exit_code == 0 or REBUILD in searched.output, searched.output
    rebuilt = invoke(home, "index", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert_working(home, pristine)


DAMAGE_SITES = {"schema pages": (2, 3), "table pages": (5, 6, 7), "most pages": tuple(range(10, 31))}


@pytest.mark.parametrize("site", DAMAGE_SITES)
def test_damaged_database_says_restore_or_reingest_and_reingesting_restores(
    home: Path, pristine: tuple[Path, list, int], sources: Path, site: str
) -> None:
    db = home / "archive.db"
    data = bytearray(db.read_bytes())
    page = 4096
    rnd = random.Random(site)
    for number in DAMAGE_SITES[site]:
        for offset in range((number - 1) * page, min(number * page, len(data))):
            data[offset] = rnd.randrange(256)
    db.write_bytes(bytes(data))
    damaged = digest(db)
    said_damaged = 0
    for args in (*READ_COMMANDS, *WRITE_COMMANDS, ("ingest", "-q", str(sources))):
        result = invoke(home, *args)
        if " is damaged (" in result.output:
            said_damaged += 1
            assert result.exit_code == 1
            assert "backup" in result.output and "archive ingest" in result.output, result.output
        elif args[0] == "db":  # db check reports what SQLite's integrity check found
            assert result.exit_code == 1 and "NOT OK" in result.output
            assert "backup" in result.output and "archive ingest" in result.output, result.output
        elif args[0] == "ingest":
            pytest.fail(f"ingest into a damaged database: {result.output}")
    assert said_damaged >= 2
    assert digest(db) == damaged or site == "table pages", "commands wrote into a damaged store"
    # The remedy the message names: move the file away and re-ingest the sources.
    db.rename(home / "archive.db.damaged")
    for leftover in home.glob("archive.db-*"):
        leftover.unlink()
    again = invoke(home, "ingest", "-q", str(sources))
    assert again.exit_code == 0, again.output
    invoke(home, "index", "check")
    assert_working(home, pristine)


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path, sources: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conn = sqlite3.connect(home / "archive.db")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    before = digest(home / "archive.db")
    for args in (*READ_COMMANDS, *WRITE_COMMANDS, ("ingest", "-q", str(sources))):
        result = invoke(home, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "not an archive" in result.output, (args, result.output)
    assert digest(home / "archive.db") == before
    assert not list(home.glob("archive.db.bak-*"))
    other = tmp_path / "other"  # the remedy named: another --home
    assert invoke(other, "ingest", "-q", str(sources)).exit_code == 0
    assert len(stored_documents(other)) == DOCS


def test_newer_schema_revision_is_refused_untouched(home: Path, pristine: tuple[Path, list, int], sources: Path) -> None:
    db = home / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = digest(db)
    for args in (*READ_COMMANDS, *WRITE_COMMANDS, ("ingest", "-q", str(sources))):
        result = invoke(home, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "9999" in result.output and "upgrade archive" in result.output, (args, result.output)
    assert digest(db) == before
    assert not list(home.glob("archive.db.bak-*"))
    # What upgrading archive amounts to here: a program that knows the revision opens it as it was.
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = ?", (SCHEMA_REVISION,))
    conn.commit()
    conn.close()
    assert_working(home, pristine)


def test_document_indexed_twice_is_found_and_repaired(home: Path, pristine: tuple[Path, list, int]) -> None:
    """A duplicate index entry (same id twice) is invisible to an id -> hash comparison; the check
    compares counts too and repairs it."""
    from archive.api import Archive
    from archive.indexsync import fetch_index_docs

    archive = Archive(home)
    index = archive.search_index()
    index.add(fetch_index_docs(archive.engine, [1, 2]))
    archive.close()
    found = invoke(home, "index", "check", "--no-repair")
    assert found.exit_code == 1 and "stale: 2" in found.output, found.output
    assert invoke(home, "index", "check").exit_code == 0
    assert_working(home, pristine)
