"""The index writer's own posting pool writes what Whoosh's writer writes for the same documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from archive.search import index as index_module
from archive.search.pool import TermPool
from archive.search.writer import PooledSegmentWriter
from archive.search.schema import build_schema, to_fields
from fixtures.search.corpus import build_corpus

DOCS = [r.doc for r in build_corpus(400, seed=5)]  # enough that common terms span several blocks


def _build(path: Path, writer_class: type, docs: list, *, limitmb: float = 64, commits: int = 1) -> None:
    path.mkdir()
    ix = FileStorage(str(path)).create_index(build_schema())
    step = -(-len(docs) // commits)
    for start in range(0, len(docs), step):
        writer = writer_class(ix, **{**index_module.WRITER_OPTIONS, "limitmb": limitmb})
        for doc in docs[start : start + step]:
            writer.add_document(**to_fields(doc))
        # The last commit merges the earlier segments into the new one (through the pool's ``add``).
        writer.commit(optimize=start + step >= len(docs))


def _segment_files(path: Path) -> dict[str, bytes]:
    """Segment files keyed by name with the random segment id taken out."""
    (segment,) = FileStorage(str(path)).open_index()._segments()
    return {
        name.replace(segment.segment_id(), "SEG"): (path / name).read_bytes()
        for name in os.listdir(path)
        if segment.segment_id() in name
    }


def _postings(path: Path) -> dict[tuple[str, bytes], tuple]:
    """Every posting with its weight and value, and each term's statistics."""
    ix = FileStorage(str(path)).open_index()
    out = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, tbytes in reader.all_terms():
            matcher = reader.postings(fieldname, tbytes)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, tbytes)
            out[(fieldname, tbytes)] = (found, info.weight(), info.doc_frequency(), info.min_length(),
                                        info.max_length(), info.max_weight(), info.min_id(), info.max_id())
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_same_files_as_whoosh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    # The commit encodes terms on every core (two here, in small chunks), or in this process.
    from archive import parallel

    monkeypatch.setenv(parallel.WORKERS_ENV, workers)
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 10)
    forked = []
    real_map = parallel.map_shares_forked
    monkeypatch.setattr(parallel, "map_shares_forked",
                        lambda fn, items, *args: (forked.append(len(items)), real_map(fn, items, *args))[1])
    _build(tmp_path / "whoosh", SegmentWriter, DOCS)
    _build(tmp_path / "ours", PooledSegmentWriter, DOCS)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "ours")
    assert sorted(theirs) == sorted(ours)
    assert any(key.endswith("pst") for key in ours) and any(key.endswith("trm") for key in ours)
    for key in theirs:
        assert theirs[key] == ours[key], key
    assert forked and forked[0] > 1000, "the commit's terms went through map_shares_forked"


def test_same_postings_when_the_pool_spills_and_segments_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = []
    original = TermPool._save_run
    monkeypatch.setattr(TermPool, "_save_run", lambda self: (saved.append(1), original(self)))
    # ~40 KB of pool: several runs per writer; three commits, the last one merging all segments.
    _build(tmp_path / "whoosh", SegmentWriter, DOCS, commits=3)
    _build(tmp_path / "ours", PooledSegmentWriter, DOCS, limitmb=0.04, commits=3)
    assert len(saved) >= 3
    assert len(FileStorage(str(tmp_path / "ours")).open_index()._segments()) == 1
    theirs, ours = _postings(tmp_path / "whoosh"), _postings(tmp_path / "ours")
    assert theirs.keys() == ours.keys() and len(ours) > 1000
    assert theirs == ours


def test_pool_sorts_a_term_whose_postings_came_out_of_order() -> None:
    pool = TermPool(limit=1 << 20)
    pool.add(("text", b"b", 5, 1.0, b"x"))
    pool.add(("text", b"a", 1, 1.0, b"y"))
    pool.add(("text", b"b", 2, 2.0, b"z"))
    assert list(pool.iter_postings()) == [
        ("text", b"a", 1, 1.0, b"y"), ("text", b"b", 2, 2.0, b"z"), ("text", b"b", 5, 1.0, b"x"),
    ]
