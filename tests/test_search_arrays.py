"""The numpy paths of the one-pass search read and compute exactly what the Python paths did.

Postings read from a term's whole extent, block values as text, positions checked for many
documents at once, scores joined as arrays: each compared with ``==`` against the reading or
arithmetic it replaces (whoosh3's own, or the per-document Python kept as the fallback).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from whoosh import formats
from whoosh.codec.whoosh3 import W3LeafMatcher

from archive.search import SearchIndex, postings
from archive.search.positions import PartPostings, in_order_within, positions, shared_starts
from archive.search.postings import (
    _extent_postings,
    _in_order_within,
    _intersection,
    _shares_a_start,
    _union,
    block_texts,
    block_values,
)
from archive.search import scores as scores_module
from archive.search.scores import ArrayScores, intersection, members, running_sum, union
from archive.search.searcher import search
from fixtures.search.corpus import build_corpus

RECORDS = build_corpus()


@pytest.fixture(scope="module")
def long_postings(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """The corpus six times over in two segments, some deleted: common words span many blocks,
    rare words have gaps of hundreds of documents between postings."""
    path = tmp_path_factory.mktemp("arrays") / "index"
    index = SearchIndex.create(path)
    docs = [replace(r.doc, id=r.doc.id + copy * 1000, external_id=f"{r.doc.external_id}-{copy}")
            for copy in range(6) for r in RECORDS]
    index.add(docs[:500])
    index.add(docs[500:])
    index.delete(d.id for d in docs[::9])
    return index


def block_terms(index: SearchIndex) -> Any:
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for fieldname, text in reader.all_terms():
                def matcher(fieldname: str = fieldname, text: bytes = text) -> Any:
                    return reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)

                if type(matcher()) is W3LeafMatcher:
                    yield fieldname, matcher


def whoosh_postings(matcher: W3LeafMatcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


def test_extent_postings_are_whoosh_postings(long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[bool] = []
    block_arrays = postings._block_arrays

    def counting(data: bytes, n: int, compression: int) -> Any:
        found = block_arrays(data, n, compression)
        parsed.append(found is not None and type(found[1]) is np.ndarray and found[1].dtype == np.uint8)
        return found

    monkeypatch.setattr(postings, "_block_arrays", counting)
    rng = random.Random(2)
    terms = 0
    for _, matcher in block_terms(long_postings):
        found = _extent_postings(matcher())
        assert found is not None
        ids, weights = whoosh_postings(matcher())
        assert found[0].tolist() == ids
        assert found[1].tolist() == list(weights)
        # Only at wanted documents: the blocks that cannot hold one are not decoded.
        for share in (0.0, 0.02, 0.3):
            wanted = sorted(rng.sample(range(ids[-1] + 2), int(share * (ids[-1] + 2))))
            at = _extent_postings(matcher(), np.array(wanted, np.int64))
            assert at is not None
            keep = set(wanted)
            assert at[0].tolist() == [i for i in ids if i in keep]
            assert at[1].tolist() == [w for i, w in zip(ids, weights) if i in keep]
        terms += 1
    assert terms > 50
    # Both ways of reading a block were taken: from the pickle's bytes, and through loads
    # (blocks with a delta of 256 or more, or of three postings or fewer).
    assert True in parsed and False in parsed


def test_extent_postings_only_from_the_first_block(long_postings: SearchIndex) -> None:
    for _, matcher in block_terms(long_postings):
        moved = matcher()
        if moved._lastblock:
            continue
        moved._next_block()
        assert _extent_postings(moved) is None
        return
    pytest.fail("no term of several blocks")


def test_block_texts_are_block_values_as_text(long_postings: SearchIndex) -> None:
    blocks = swapped = 0
    for fieldname, matcher in block_terms(long_postings):
        if fieldname not in ("title", "text"):
            continue
        fast, slow = matcher(), matcher()
        while fast.is_active():
            ids, weights, texts = block_texts(fast)
            slow_ids, slow_weights, values = block_values(slow)
            assert (ids, list(weights)) == (slow_ids, list(slow_weights))
            assert [text.encode("latin-1") for text in texts] == list(values)
            swapped += fast._data is None  # read with the swapped function, not through whoosh3
            # The matcher is left as whoosh3 would leave it: its values read again are bytes.
            fast._read_values()
            assert fast._values == values
            blocks += 1
            fast._next_block()
            slow._next_block()
    assert blocks > 100 and 0 < swapped < blocks


def encoded(positions_list: list[int]) -> str:
    return formats.Positions().encode(positions_list).decode("latin-1")


def random_positions(rng: random.Random) -> list[int]:
    size = rng.choice([1, 1, 2, 3, 8, 40, 1200])  # over 1,000: the pickle appends in batches
    top = rng.choice([30, 300, 70000])  # one-, two- and four-byte integers in the pickle
    return sorted(rng.sample(range(top), min(size, top)))


def test_positions_are_each_values_positions() -> None:
    rng = random.Random(3)
    lists = [random_positions(rng) for _ in range(300)]
    owners, where = positions([encoded(p) for p in lists])
    assert owners.tolist() == [i for i, p in enumerate(lists) for _ in p]
    assert where.tolist() == [x for p in lists for x in p]
    assert [a.tolist() for a in positions([])] == [[], []]
    assert positions(["not a pickle"]) is None


@pytest.mark.parametrize("seed", range(6))
def test_shared_starts_and_in_order_within_match_the_per_document_checks(seed: int) -> None:
    rng = random.Random(seed)
    documents = sorted(rng.sample(range(5000), 400))
    parts = rng.choice([1, 2, 3, 4])
    # Small ranges of positions, so that phrases and near misses are common.
    values = [{d: encoded(sorted(rng.sample(range(12), rng.randint(1, 6)))) for d in documents} for _ in range(parts)]
    offsets = rng.sample(range(parts + 2), parts)
    # Each part holds the candidates and some other documents.
    postings = []
    for part in values:
        held = sorted({*documents, *rng.sample(range(5000, 6000), 50)})
        postings.append(PartPostings(np.array(held, np.int64), np.ones(len(held)),
                                     [part.get(d, encoded([0])) for d in held]))
    candidates = np.array(documents, np.int64)
    expected = [d for d in documents if _shares_a_start([part[d] for part in values], offsets)]
    assert shared_starts(candidates, postings, offsets).tolist() == expected
    assert 0 < len(expected) < len(documents) or parts == 1
    for slop in (1, 2, 3):
        expected = [d for d in documents if _in_order_within([part[d] for part in values], slop)]
        assert in_order_within(candidates, postings, slop).tolist() == expected


def random_scores(rng: random.Random, n: int, top: int = 300) -> ArrayScores:
    ids = np.array(sorted(rng.sample(range(top), n)), np.int64)
    return ArrayScores(ids, np.array([rng.uniform(0.1, 20.0) for _ in range(n)], np.float64))


@pytest.mark.parametrize("share", [0, 32, 10**9])  # joins sorted, as chosen, over every id always
def test_array_joins_are_the_dict_joins(monkeypatch: pytest.MonkeyPatch, share: int) -> None:
    monkeypatch.setattr(scores_module, "DENSE_SHARE", share)
    rng = random.Random(7)
    for _ in range(300):
        top = rng.choice([300, 20_000])
        a, b = random_scores(rng, rng.randint(0, 120), top), random_scores(rng, rng.randint(0, 120), top)
        joined = union(a, b)
        assert joined.ids.dtype == np.int64 and joined.ids.tolist() == sorted(set(a.ids.tolist()) | set(b.ids.tolist()))
        assert dict(joined.items()) == _union(dict(a.items()), dict(b.items()))
        shared = intersection(a, b)
        assert shared.ids.dtype == np.int64 and shared.ids.tolist() == sorted(set(a.ids.tolist()) & set(b.ids.tolist()))
        assert dict(shared.items()) == _intersection(dict(a.items()), dict(b.items()))
        parts = [random_scores(rng, rng.randint(0, 60)) for _ in range(rng.randint(1, 5))]
        summed: dict[int, float] = {}
        for part in parts:
            for docnum, score in part.items():
                summed[docnum] = summed.get(docnum, 0.0) + score
        assert dict(running_sum(parts).items()) == summed


@pytest.mark.parametrize("share", [0, 32, 10**9])  # by distinct ids only, as chosen, over every id always
def test_running_sum_adds_in_the_parts_order_either_way(monkeypatch: pytest.MonkeyPatch, share: int) -> None:
    monkeypatch.setattr(scores_module, "DENSE_SHARE", share)
    rng = random.Random(13)
    for _ in range(300):
        top = rng.choice([50, 300, 20_000])
        parts = [random_scores(rng, rng.randint(0, 40), top) for _ in range(rng.randint(1, 6))]
        summed: dict[int, float] = {}
        for part in parts:
            for docnum, score in part.items():
                summed[docnum] = summed.get(docnum, 0.0) + score
        found = running_sum(parts)
        assert found.ids.dtype == np.int64 and found.ids.tolist() == sorted(summed)
        assert found.scores.tolist() == [summed[docnum] for docnum in sorted(summed)]


@pytest.mark.parametrize("share", [0, 32, 10**9])  # np.isin, as chosen, marked always
def test_members_are_isin(monkeypatch: pytest.MonkeyPatch, share: int) -> None:
    monkeypatch.setattr(scores_module, "DENSE_SHARE", share)
    rng = random.Random(17)
    for _ in range(300):
        top = rng.choice([1, 300, 20_000])
        keys = np.array(sorted(rng.sample(range(top), rng.randint(0, min(top, 150)))), np.int64)
        among = np.array(rng.sample(range(top), rng.randint(0, min(top, 150))), np.int64)  # any order
        assert members(keys, among).tolist() == np.isin(keys, among).tolist()
        assert members(keys[::-1], among).tolist() == np.isin(keys[::-1], among).tolist()


def test_members_of_sparse_ids_do_not_import_numpy_ma() -> None:
    """numpy 2's np.unique (hence np.isin) imports numpy.ma on first use: ~16 ms that the first
    phrase search of a process paid on Reuters. members answers without it (its answers are
    np.isin's: test_members_are_isin)."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from archive.search.scores import members; "
            "rng = np.random.default_rng(1); keys = np.sort(rng.choice(20000, 300, replace=False)); "
            "members(keys, rng.choice(20000, 200, replace=False)); print('numpy.ma' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_best_keeps_the_limit_best_and_their_ties() -> None:
    rng = random.Random(11)
    for _ in range(200):
        n = rng.randint(0, 80)
        ids = np.array(sorted(rng.sample(range(500), n)), np.int64)
        scores = np.array([float(rng.randint(1, 6)) for _ in range(n)])  # many ties
        found = ArrayScores(ids, scores)
        for limit in (1, 3, 10, 100):
            expected = dict(found.items())
            if n > limit:
                threshold = heapq.nlargest(limit, expected.values())[-1]
                expected = {d: s for d, s in expected.items() if s >= threshold}
            assert dict(found.best(limit)) == expected


def test_dated_order_takes_each_segments_first_by_rank(long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorted by date, a segment's matches (as arrays) are cut to the first ``limit`` by their
    place in the segment's (key, document number) order; the page is the one of all matches' keys."""
    from archive.search.facets import _SORT_RANKS

    monkeypatch.setattr(postings, "arrays_from", lambda: 0)

    results = search(long_postings, "the", sort="date", limit=5)
    everything = search(long_postings, "the", sort="date", limit=10_000)
    assert [hit.id for hit in results.hits] == [hit.id for hit in everything.hits][:5]
    assert results.total == everything.total > 5
    with long_postings.searcher() as searcher:
        assert any("date" in _SORT_RANKS.get(leaf.reader(), {}) for leaf, _ in searcher.leaf_searchers())


def test_term_lookups_are_remembered_for_one_search(long_postings: SearchIndex) -> None:
    from archive.search.index import _TermLookups

    with long_postings.searcher() as searcher:
        tindex = searcher.leaf_searchers()[0][0].reader()._terms._tindex
        lookups = tindex.ranges_for_key
        assert isinstance(lookups, _TermLookups)
        original = type(tindex).ranges_for_key
        keys = [key for key, _ in zip(tindex.keys(), range(200))] + [b"\x00nothing", b"text\x00zzzz"]
        for key in keys:
            assert lookups(key) == tuple(original(tindex, key)) == lookups(key)
        assert (b"\x00nothing" in tindex) is False and keys[0] in tindex
        assert len(lookups.found) == len(keys)
    search(long_postings, "oil prices")
    with long_postings.searcher() as searcher:  # a new search starts with nothing remembered
        assert searcher.leaf_searchers()[0][0].reader()._terms._tindex.ranges_for_key.found == {}


def test_extent_texts_are_the_block_texts(long_postings: SearchIndex) -> None:
    """A phrase part's postings from one read of the term are those read through the matcher."""
    read = 0
    for fieldname, matcher in block_terms(long_postings):
        if fieldname not in ("title", "text") or matcher()._lastblock:
            continue
        expected = [(i, w, v) for ids, ws, vs in postings._posting_blocks(matcher(), True) for i, w, v in zip(ids, ws, vs)]
        part = postings._extent_texts(matcher())
        assert part is not None
        assert list(zip(part.ids.tolist(), part.weights.tolist(), part.values)) == expected
        read += 1
    assert read > 20


SEARCHES = ["the", "oil", "oil prices", '"oil prices"', '"the oil"~3', "title:oil OR text:prices OR said",
            "oil -prices", "said AND NOT title:oil", '"oil prices" AND title:oil', "oil*", "publ*",
            "published:[* TO 2023-01-01] said", "(oil OR gas) AND prices", "the -the", "nosuchword"]


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_python_and_array_paths_give_the_same_hits_and_scores(
    long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Postings read and scored in Python (below ``arrays_from()``) or as arrays: the same totals,
    pages and scores, compared with ``==``."""
    def results() -> list[Any]:
        found = []
        for query in SEARCHES:
            page = search(long_postings, query, sort=sort, limit=40, facets=["source"])
            found.append((page.total, [(hit.id, hit.score) for hit in page.hits], page.facets))
        return found

    monkeypatch.setattr(postings, "arrays_from", lambda: 10**9)
    in_python = results()
    monkeypatch.setattr(postings, "arrays_from", lambda: 0)
    as_arrays = results()
    assert in_python == as_arrays
    assert sum(total for total, _, _ in in_python) > 1000


@pytest.mark.parametrize("seed", range(3))
def test_positions_decoded_once_are_the_unpickled_positions(seed: int) -> None:
    """A cached phrase part's positions, decoded for all its postings once (``decode_all``), give
    each set of documents what unpickling their values gives, and the same phrase matches."""
    rng = random.Random(seed)
    held = sorted(rng.sample(range(3000), 300))
    values = [encoded(random_positions(rng)) for _ in held]
    part = PartPostings(np.array(held, np.int64), np.ones(len(held)), values)
    wanted = [np.array(sorted(rng.sample(held, k)), np.int64) for k in (0, 1, 17, 300)]
    before = [positions(part.values_at(docnums)) for docnums in wanted]
    assert part.decode_all() > 0
    for docnums, expected in zip(wanted, before):
        found = part.positions_at(docnums)
        assert found is not None and expected is not None
        assert [a.tolist() for a in found] == [a.tolist() for a in expected]
    assert PartPostings(np.array([1]), np.ones(1), ["not a pickle"]).decode_all() == 0


def cached_bytes() -> list[int]:
    return [sum(size for _, size in entries.values()) for entries in postings._DECODED.values()]


def test_decoded_postings_are_cached_read_only_and_give_the_same_results(
    long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terms read whole, and phrase parts with their positions, are kept per postings file and
    read from there by later searches (the arrays read-only: shared by every search): the same
    totals, pages and scores as decoding them each time; at most the budget is kept."""
    monkeypatch.setattr(postings, "arrays_from", lambda: 0)

    def results() -> list[Any]:
        return [(page.total, [(hit.id, hit.score) for hit in page.hits])
                for query in SEARCHES for page in [search(long_postings, query, limit=40)]]

    monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 0)
    postings._DECODED.clear()
    uncached = results()
    assert not any(cached_bytes())
    monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 8 << 20)
    assert results() == uncached  # filling the cache
    assert results() == uncached  # reading from it (phrase parts' positions decoded on this pass)
    assert results() == uncached
    entries = [entry for cache in postings._DECODED.values() for entry, _ in cache.values()]
    parts = [entry for entry in entries if isinstance(entry, PartPostings)]
    assert parts and any(part._where is not None for part in parts)
    arrays = [a for entry in entries for a in ([entry.ids, entry.weights] if isinstance(entry, PartPostings) else entry)]
    assert arrays and not any(a.flags.writeable for a in arrays)
    # A small budget keeps the most recently used terms only.
    monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 20_000)
    postings._DECODED.clear()
    assert results() == uncached and results() == uncached
    assert 0 < max(cached_bytes()) <= 20_000


def test_blocks_at_read_a_cached_term_as_its_blocks(long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """A term read at a few documents for the second time is decoded whole and kept; reading it
    at documents then gives what decoding its blocks gives (ids, weights, positions as text)."""
    def flat(found: Any) -> list[tuple[Any, ...]]:
        return [item for ids, weights, values in found
                for item in zip(ids, list(weights), values if values is not None else [None] * len(ids))]

    rng = random.Random(5)
    checked = 0
    for fieldname, matcher in block_terms(long_postings):
        if matcher()._lastblock:
            continue
        with_values = fieldname in ("title", "text")
        ids = list(matcher().all_ids())
        wanted = sorted(rng.sample(range(ids[-1] + 2), min(40, ids[-1] + 2)))
        monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 0)
        expected = flat(postings._blocks_at(matcher(), wanted, with_values))
        monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 8 << 20)
        postings._DECODED.clear()
        postings._READ.clear()
        assert flat(postings._blocks_at(matcher(), wanted, with_values)) == expected  # noted as read
        assert postings._whole_term(matcher(), with_values) is not None  # now decoded whole
        assert flat(postings._blocks_at(matcher(), wanted, with_values)) == expected
        checked += 1
    assert checked > 20


def test_a_term_too_large_to_keep_is_not_decoded_whole_again(long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without room in the cache, a term read at a few documents stays read block by block."""
    monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 0)
    postings._DECODED.clear()
    postings._READ.clear()
    decoded: list[int] = []
    extent_texts = postings._decode_extent_texts
    monkeypatch.setattr(postings, "_decode_extent_texts", lambda matcher: decoded.append(1) or extent_texts(matcher))
    for fieldname, matcher in block_terms(long_postings):
        if fieldname == "text" and not matcher()._lastblock:
            for _ in range(4):
                list(postings._blocks_at(matcher(), [0, 5, 9], True))
            assert len(decoded) == 1  # once, on the second read, found too large to keep
            return
    pytest.fail("no term of several blocks")


def test_evicting_keeps_the_entry_just_used_and_fits_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict

    monkeypatch.setattr(postings, "DECODED_BYTES_PER_SEGMENT", 100)
    entries: OrderedDict[tuple[int, str], tuple[Any, int]] = OrderedDict(
        ((k, "texts"), (None, size)) for k, size in enumerate([30, 30, 30, 60]))
    postings._evict(entries, keep=(0, "texts"))  # the oldest, its positions just decoded
    assert list(entries) == [(3, "texts"), (0, "texts")]
    entries = OrderedDict([((0, "postings"), (None, 500))])
    postings._evict(entries, keep=(0, "postings"))
    assert list(entries) == [(0, "postings")]
