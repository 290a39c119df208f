"""The index on disk: writers and their lock, snapshots, rebuild swap, drift repair, damage."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from archive.errors import BusyError, IndexStateError
from archive.search import Drift, IndexDoc, SearchIndex, count, search, snapshot
from fixtures.search.corpus import build_corpus

DOCS = [r.doc for r in build_corpus(40, seed=11)]


def doc(i: int, text: str, content_hash: str = "h") -> IndexDoc:
    return IndexDoc(i, f"x{i}", None, text, None, None, None, None, None, content_hash)


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    return SearchIndex.rebuild(tmp_path / "index", DOCS[:30])


def test_add_replace_delete(index: SearchIndex) -> None:
    assert index.doc_count() == 30
    assert index.add(DOCS[30:]) == 10
    assert index.doc_count() == 40
    assert index.replace([doc(1, "zebra crossing", "new"), doc(100, "zebra")]) == 2
    assert index.doc_count() == 41
    assert count(index, "zebra") == 2
    assert index.stored_hashes()[1] == "new"
    assert index.delete([1, 100, 999]) == 2
    assert count(index, "zebra") == 0 and index.doc_count() == 39


def test_writers_of_a_program_that_seeds_random_do_not_overwrite_each_others_segments(index: SearchIndex) -> None:
    """Whoosh names segments with the ``random`` module: a program that seeds it before each
    write (a reproducible sample; hypothesis before every test case) drew the same segment name
    twice, and the second commit's files overwrote a segment the index still listed."""
    import random

    for k in range(3):
        random.seed(7)
        index.add([doc(300 + k, f"quagga{k} quagga")])
    assert count(index, "quagga") == 3
    assert index.check({**{d.id: d.content_hash for d in DOCS[:30]}, 300: "h", 301: "h", 302: "h"}).ok
    assert index.replace([doc(300, "okapi")]) == 1
    assert count(index, "quagga") == 2 and count(index, "okapi") == 1


def test_writer_cancels_on_error_and_releases_the_lock(index: SearchIndex) -> None:
    with pytest.raises(RuntimeError):
        with index.writer() as writer:
            writer.add_document(id="500", external_id="x", text="unicorn", content_hash="h")
            raise RuntimeError("boom")
    assert count(index, "unicorn") == 0
    index.add([doc(500, "unicorn")], timeout=0)
    assert count(index, "unicorn") == 1


def test_a_searcher_sees_a_snapshot_while_a_writer_commits(index: SearchIndex) -> None:
    with snapshot(index) as snap:
        before = count(snap, "-zzzz")
        index.add([doc(200, "platypus"), doc(201, "platypus")])
        index.delete([DOCS[0].id])
        assert count(snap, "-zzzz") == before == 30
        assert search(snap, "platypus").total == 0
    assert count(index, "platypus") == 2
    assert count(index, "-zzzz") == 31


def test_second_writer_gets_busy_error(index: SearchIndex) -> None:
    with index.writer():
        with pytest.raises(BusyError) as err:
            index.add([doc(300, "x")], timeout=0.2)
        assert "another archive process is writing the index" in str(err.value)
        with pytest.raises(BusyError):
            SearchIndex.rebuild(index.path, [], timeout=0)
        with pytest.raises(BusyError):
            index.repair(Drift((), (), (1,)), lambda ids: [], timeout=0)
    index.add([doc(300, "x")], timeout=0)


@pytest.fixture
def lock_holder(index: SearchIndex) -> Iterator[subprocess.Popen[str]]:
    """Another process that takes the writer lock and blocks until killed."""
    script = textwrap.dedent(
        f"""
        import sys
        from archive.search import SearchIndex
        with SearchIndex.open({str(index.path)!r}).writer():
            print("locked", flush=True)
            sys.stdin.read()
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    yield process
    process.kill()
    process.wait()


def test_lock_of_a_killed_process_does_not_block(index: SearchIndex, lock_holder: subprocess.Popen[str]) -> None:
    with pytest.raises(BusyError):
        index.add([doc(400, "x")], timeout=0.1)
    lock_holder.kill()  # SIGKILL: no cleanup runs in the holder
    lock_holder.wait()
    assert (index.path / "WRITELOCK").exists()  # the file stays; the flock died with the process
    assert index.add([doc(400, "x")], timeout=5) == 1


def test_rebuild_swaps_in_a_new_generation(index: SearchIndex) -> None:
    old_generation = (index.path / "CURRENT").read_text().strip()
    rebuilt = SearchIndex.rebuild(index.path, [doc(1, "aardvark")])
    new_generation = (index.path / "CURRENT").read_text().strip()
    assert new_generation != old_generation
    # Both the new object and the one opened before the rebuild see the new generation.
    assert count(rebuilt, "aardvark") == count(index, "aardvark") == 1
    assert index.doc_count() == 1
    # The previous generation is kept for searchers still open on it, until the next rebuild.
    assert sorted(p.name for p in index.path.iterdir()) == ["CURRENT", "WRITELOCK", old_generation, new_generation]
    SearchIndex.rebuild(index.path, [])
    assert old_generation not in {p.name for p in index.path.iterdir()}


def test_a_snapshot_survives_a_rebuild(index: SearchIndex) -> None:
    with snapshot(index) as snap:
        SearchIndex.rebuild(index.path, DOCS[:5])
        assert count(snap, "-zzzz") == 30
        assert search(snap, "oil OR gas").total == count(snap, "oil OR gas")
    assert count(index, "-zzzz") == 5


def test_failed_rebuild_leaves_the_old_index_live(index: SearchIndex) -> None:
    def failing() -> Iterator[IndexDoc]:
        yield doc(1, "aardvark")
        raise RuntimeError("database went away")

    names = sorted(p.name for p in index.path.iterdir())
    with pytest.raises(RuntimeError):
        SearchIndex.rebuild(index.path, failing())
    assert sorted(p.name for p in index.path.iterdir()) == names
    assert index.doc_count() == 30 and count(index, "aardvark") == 0


def test_rebuild_clears_leftovers_of_a_killed_rebuild(index: SearchIndex) -> None:
    (index.path / ".building-deadbeef").mkdir()
    (index.path / ".building-deadbeef" / "junk").write_text("x")
    (index.path / "CURRENT.tmp1").write_text("gen-999999")
    previous = (index.path / "CURRENT").read_text().strip()
    SearchIndex.rebuild(index.path, DOCS)
    current = (index.path / "CURRENT").read_text().strip()
    assert sorted(p.name for p in index.path.iterdir()) == ["CURRENT", "WRITELOCK", previous, current]


def test_check_and_repair(index: SearchIndex) -> None:
    db = {d.id: d.content_hash for d in DOCS[:30]}
    assert index.check(db).ok
    by_id = {d.id: d for d in DOCS}
    changed = replace(by_id[5], text="wombat", content_hash="changed")
    by_id[5] = changed
    db[5] = "changed"
    db[35] = by_id[35].content_hash  # in the database, never indexed
    del db[7]  # deleted from the database, still indexed
    drift = index.check(db)
    assert drift == Drift(missing=(35,), stale=(5,), extra=(7,))
    fetched: list[list[int]] = []

    def fetch(ids: list[int]) -> list[IndexDoc]:
        fetched.append(ids)
        return [by_id[i] for i in ids]

    assert index.repair(drift, fetch) == 3
    assert fetched == [[35, 5]]
    assert index.check(db).ok
    assert count(index, "wombat") == 1
    assert index.repair(index.check(db), fetch) == 0


def test_missing_index_names_the_rebuild_command(tmp_path: Path) -> None:
    with pytest.raises(IndexStateError) as err:
        SearchIndex.open(tmp_path / "nowhere")
    assert "archive index rebuild" in str(err.value)


def generation(index: SearchIndex) -> Path:
    return index.path / (index.path / "CURRENT").read_text().strip()


def segment_file(index: SearchIndex, suffix: str) -> Path:
    (path,) = generation(index).glob(f"*{suffix}")
    return path


def delete(suffix: str) -> Callable[[SearchIndex], None]:
    return lambda index: segment_file(index, suffix).unlink()


def truncate(suffix: str) -> Callable[[SearchIndex], None]:
    def damage(index: SearchIndex) -> None:
        path = segment_file(index, suffix)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])

    return damage


def delete_generation(index: SearchIndex) -> None:
    for path in generation(index).iterdir():
        path.unlink()
    generation(index).rmdir()


DAMAGE = {
    "delete postings": delete(".pst"),
    "delete terms": delete(".trm"),
    "delete stored fields": delete("_stored.col"),
    "delete id column": delete(".id.col"),
    "delete toc": delete(".toc"),
    "truncate postings": truncate(".pst"),
    "truncate terms": truncate(".trm"),
    "truncate stored fields": truncate("_stored.col"),
    "truncate toc": truncate(".toc"),
    "delete generation": delete_generation,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_raises_index_state_error_and_rebuild_recovers(index: SearchIndex, damage: str) -> None:
    DAMAGE[damage](index)
    with pytest.raises(IndexStateError) as err:
        SearchIndex.open(index.path)
        search(index, "oil")
    assert "archive index rebuild" in str(err.value)
    with pytest.raises(IndexStateError):
        count(index, "oil OR gas")
    SearchIndex.rebuild(index.path, DOCS)
    assert SearchIndex.open(index.path).doc_count() == 40


def test_searchers_are_reused_until_a_commit_and_never_shared_between_threads(index: SearchIndex) -> None:
    import threading

    def current() -> object:
        with SearchIndex.open(index.path).searcher() as searcher:
            return searcher

    first = current()
    assert current() is first
    index.add([doc(100, "fresh words")])
    after_commit = current()
    assert after_commit is not first and search(index, "fresh").total == 1
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(current()))
    thread.start()
    thread.join()
    assert other[0] is not after_commit and current() is after_commit


def test_length_columns_read_at_once_equal_whooshs_own_iteration(tmp_path: Path) -> None:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    from archive.search.index import byte_column

    docs = [
        IndexDoc(i, f"x{i}", f"title {i}" if i % 3 else None, "word " * (i % 7 + 1), None, None,
                 None, None, None, f"h{i}")
        for i in range(1, 60)
    ]
    index = SearchIndex.rebuild(tmp_path / "ix", docs)
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            perdoc = leaf.reader()._perdoc
            for name in ("_title_len", "_text_len"):
                column = perdoc.column_reader(name, LENGTHS_COLUMN)
                assert byte_column(column) == bytes(column)
                assert len(byte_column(column)) == leaf.reader().doc_count_all()


def test_stored_fields_are_whoosh_own_in_every_segment(index: SearchIndex) -> None:
    """The searcher reads stored fields with offsets summed at once (``_CompressedBytes``): the
    same values as whoosh3's reader, for every document of several segments, deleted ones too."""
    from archive.search.index import _StoredFieldsReader

    index.add(DOCS[30:35])
    index.add([doc(200, "a text with ünïcode and a title-less document")])
    index.delete([3, 31])
    plain = index._current().searcher()  # Whoosh's own readers
    try:
        with index.searcher() as searcher:
            leaves = [leaf for leaf, _ in searcher.leaf_searchers()]
            assert len(leaves) >= 3
            assert all(isinstance(leaf.reader()._perdoc._readers["_stored"], _StoredFieldsReader) for leaf in leaves)
            ours = [searcher.stored_fields(n) for n in range(searcher.reader().doc_count_all())]
        theirs = [plain.stored_fields(n) for n in range(plain.reader().doc_count_all())]
    finally:
        plain.close()
    assert ours == theirs and len(ours) == 36 and {fields["id"] for fields in ours} >= {"1", "200"}


def test_term_and_postings_files_are_read_through_a_map_with_the_files_bytes(index: SearchIndex) -> None:
    """Each segment's term and postings files answer ``get`` from a memory map: the bytes a seek
    and read of the file give, short at the end as a read is."""
    import random

    index.add(DOCS[30:35])  # a second segment
    rng = random.Random(5)
    with index.searcher() as searcher:
        leaves = searcher.leaf_searchers()
        assert len(leaves) > 1
        for leaf, _ in leaves:
            terms = leaf.reader()._terms
            for dbfile in (terms._tindex.dbfile, terms._postfile):
                assert "get" in vars(dbfile)  # the map is in place
                size = Path(dbfile.file.name).stat().st_size
                for _ in range(50):
                    position, length = rng.randrange(size), rng.randrange(1, 200)
                    dbfile.file.seek(position)
                    assert dbfile.get(position, length) == dbfile.file.read(length)
                dbfile.file.seek(size - 3)
                assert dbfile.get(size - 3, 10) == dbfile.file.read(10) and len(dbfile.get(size - 3, 10)) == 3


@pytest.mark.parametrize("max_width", [64, 0], ids=["numpy", "python"])
def test_column_codes_give_every_documents_sort_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_width: int) -> None:
    """``column_order`` orders documents as the column's ``sort_key`` does (numeric columns,
    reversed too, and variable-length ones); ``keys[codes[d]]`` is a variable-length column's
    ``sort_key(d)``, the keys ascending and distinct, with empty values, long and non-ASCII ones,
    coded by numpy or (values too wide, or ending in NUL) in Python."""
    from datetime import datetime, timezone

    from archive.search import docvalues

    monkeypatch.setattr(docvalues, "CODES_MAX_WIDTH", max_width)
    sources = [None, "Reuters", "reuters", "Le Monde – Économie", "Agence France-Presse", "AP", "Reuters"]
    docs = [
        IndexDoc(i, f"x{i}", None, f"word {i}", None, sources[i % len(sources)], None, None,
                 datetime(2020 + i % 4, 1 + i % 12, 1 + i % 27, tzinfo=timezone.utc) if i % 5 else None, f"h{i}")
        for i in range(1, 80)
    ]
    # In a segment each: a value numpy's fixed-width strings would cut short, and a wide one.
    docs[60] = replace(docs[60], source="ends in NUL\x00")
    docs[-1] = replace(docs[-1], source="x" * 90)
    index = SearchIndex.rebuild(tmp_path / "ix", docs[:50])
    index.add(docs[50:70])
    index.add(docs[70:])
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            everyone = range(reader.doc_count_all())
            for fieldname, reverse in (("published", False), ("published", True), ("dated", False),
                                       ("source_facet", False), ("year", False)):
                column = docvalues.open_column(reader, fieldname, reverse)
                expected = [column.sort_key(d) for d in everyone]
                order = docvalues.column_order(column)
                assert order is not None
                assert sorted(everyone, key=lambda d: (order[d], d)) == sorted(everyone, key=lambda d: (expected[d], d))
                coded = docvalues.column_codes(column)
                if fieldname == "published":
                    assert coded is None
                    continue
                assert coded is not None
                codes, keys = coded
                assert keys == sorted(set(keys))
                assert [keys[code] for code in codes.tolist()] == expected
