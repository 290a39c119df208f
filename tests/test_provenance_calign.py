"""The compiled alignment walk (archive/provenance/_calign.c) must compute exactly what the
Python walk computes (align._align_walk_py), and it must be built where a C compiler is."""

from __future__ import annotations

import os
import random
import shutil
import sysconfig
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from archive.provenance import align as align_module, compiled
from archive.provenance.align import (
    _REFINE_CELLS, MAX_SUB_TOKENS, MIN_PASSAGE_MATCHED, Prepared, _align_walk_py, anchors,
)
from archive.provenance.features import NUM, STOP, WORD, Tokens, tokenize


def _can_build() -> bool:
    """A C compiler (the one setuptools takes: $CC, else Python's own) and Python's headers:
    what setup.py needs to build _calign.c."""
    cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None and Path(sysconfig.get_paths()["include"], "Python.h").exists()


def test_the_walk_is_compiled_where_it_can_be_built() -> None:
    if compiled.calign is not None:
        assert align_module._calign is compiled.calign and compiled.calign.VERSION == compiled.EXPECTED_VERSION
    else:
        assert align_module._calign is None  # the Python walk runs instead...
        assert not _can_build(), "make install builds archive/provenance/_calign.c here: run it"  # ...only where it must


@pytest.fixture
def calign() -> ModuleType:
    """The compiled module; a machine that cannot build it skips the comparisons (the test above
    says whether it should have been built), one that can but has not fails them."""
    if compiled.calign is None:
        if _can_build():
            pytest.fail("archive/provenance/_calign.c is not built (or older than the Python): run make install")
        pytest.skip("no C compiler or Python headers at install: the Python forms run")
    return compiled.calign


def test_a_build_older_than_the_python_is_not_used(monkeypatch: pytest.MonkeyPatch, calign: ModuleType) -> None:
    monkeypatch.setattr(calign, "VERSION", compiled.EXPECTED_VERSION - 1)
    assert compiled._load() is None
    monkeypatch.setattr(calign, "VERSION", compiled.EXPECTED_VERSION)
    assert compiled._load() is calign


def _tokens(hashes: list[int], rng: random.Random) -> Tokens:
    n = len(hashes)
    kinds = np.array([rng.choice((STOP, STOP, WORD, NUM)) for _ in range(n)], dtype=np.uint8)
    return Tokens(np.array(hashes, dtype=np.int64), kinds, np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32) + 1)


def _both(calign: ModuleType, pa: Prepared, pb: Prepared, ai: np.ndarray, bj: np.ndarray) -> tuple[object, object]:
    args = (pa.tokens.hashes, pb.tokens.hashes, ai, bj, pa.content_upto, pa.numbers_upto, pb.numbers_upto,
            MAX_SUB_TOKENS, MIN_PASSAGE_MATCHED, _REFINE_CELLS)
    return calign.align_walk(*args), _align_walk_py(*args)


def _edited(a: list[int], rng: random.Random, alphabet: int) -> list[int]:
    """A copy of a with substitutions, insertions, deletions and a moved stretch."""
    b = list(a)
    for _ in range(rng.randint(0, max(1, len(b) // 4))):
        k = rng.randrange(len(b) + 1)
        what = rng.random()
        if what < 0.4 and k < len(b):
            b[k] = rng.randrange(alphabet)
        elif what < 0.7:
            b[k:k] = [rng.randrange(alphabet) for _ in range(rng.randint(1, 8))]
        else:
            del b[k:k + rng.randint(1, 6)]
    if len(b) > 20 and rng.random() < 0.3:
        cut = rng.randrange(len(b))
        b = b[cut:] + b[:cut]
    return b


def test_compiled_walk_equals_the_python_walk_on_random_edits(calign: ModuleType) -> None:
    rng = random.Random(11)
    for _ in range(3000):
        alphabet = rng.choice((3, 8, 40, 400))
        a = [rng.randrange(alphabet) for _ in range(rng.randint(0, 160))]
        b = _edited(a, rng, alphabet) if rng.random() < 0.8 else [rng.randrange(alphabet) for _ in range(rng.randint(0, 60))]
        pa, pb = Prepared.of(_tokens(a, rng)), Prepared.of(_tokens(b, rng))
        ai, bj = anchors(pa, pb)
        got, want = _both(calign, pa, pb, ai, bj)
        assert got == want, (a, b)


def test_compiled_walk_equals_the_python_walk_on_crossing_anchors(calign: ModuleType) -> None:
    # Anchors out of order in b (moved stretches, repeated phrases): the longest chain decides.
    rng = random.Random(12)
    for _ in range(1000):
        words = [rng.randrange(1000) for _ in range(rng.randint(10, 120))]
        pieces = [words[i:i + 10] for i in range(0, len(words), 10)]
        rng.shuffle(pieces)
        b = [w for piece in pieces for w in piece]
        pa, pb = Prepared.of(_tokens(words, rng)), Prepared.of(_tokens(b, rng))
        got, want = _both(calign, pa, pb, *anchors(pa, pb))
        assert got == want


def test_compiled_walk_equals_the_python_walk_on_real_text(calign: ModuleType) -> None:
    text = ("The harbour authority will close the Corvay lock on the Merrin canal for nine weeks from 3 March, "
            "after engineers found corroded gates during a routine January inspection. About 140 barges a week "
            "use the lock, most of them carrying grain and timber, and their operators say a closure will cost them.")
    spun = (text.replace("close", "shut").replace("found", "discovered").replace("140", "150")
            .replace("their operators say", "certainly one of their operators says"))
    pa, pb = Prepared.of(tokenize(text)), Prepared.of(tokenize(spun))
    got, want = _both(calign, pa, pb, *anchors(pa, pb))
    assert got == want
    assert got[7] and got[8] and got[9], "passages, substitutions and a number conflict (140 -> 150)"


def test_compiled_walk_refuses_bad_input(calign: ModuleType) -> None:
    pa = Prepared.of(tokenize("one two three four five six"))
    pb = Prepared.of(tokenize("one two three four five six"))
    ai, bj = anchors(pa, pb)
    base = [pa.tokens.hashes, pb.tokens.hashes, ai, bj, pa.content_upto, pa.numbers_upto, pb.numbers_upto,
            MAX_SUB_TOKENS, MIN_PASSAGE_MATCHED, _REFINE_CELLS]
    with pytest.raises(ValueError, match="anchor outside"):
        calign.align_walk(*base[:2], ai + 5, *base[3:])
    with pytest.raises(ValueError, match="inconsistent"):
        calign.align_walk(*base[:4], pa.content_upto[:-1], *base[5:])
    with pytest.raises(TypeError, match="signed integers"):
        calign.align_walk(pa.tokens.hashes.astype(np.int32), *base[1:])
    with pytest.raises(TypeError, match="signed integers"):
        calign.align_walk(*base[:2], ai.astype(np.float64), *base[3:])
    with pytest.raises(ValueError, match="anchor outside"):  # (an anchor near 2**63 must not wrap round)
        calign.align_walk(*base[:2], np.array([2**63 - 1], dtype=np.int64), bj[:1], *base[4:])
    with pytest.raises(TypeError, match="native"):  # byte-swapped, or more than one dimension
        calign.align_walk(pa.tokens.hashes.astype(">i8"), *base[1:])
    with pytest.raises(TypeError, match="one-dimensional"):
        calign.align_walk(pa.tokens.hashes.reshape(2, -1), *base[1:])
    with pytest.raises(ValueError, match="bool array"):
        calign.member(ai, ai, np.empty(ai.shape[0], dtype=np.int8))
    with pytest.raises(TypeError, match="signed integers"):
        calign.intersect(ai, ai, np.empty(ai.shape[0]), np.empty(ai.shape[0]))


def test_compiled_walk_reads_arrays_at_odd_addresses(calign: ModuleType) -> None:
    # Stored fingerprints are views of bytes at offsets that are not multiples of 8.
    text = "the council said on monday that the lock would close for nine weeks from march " * 4
    pa = Prepared.of(tokenize(text))
    pb = Prepared.of(tokenize(text.replace("nine", "ten")))
    odd = np.frombuffer(b"\0" * 4 + pa.tokens.hashes.tobytes(), dtype=np.int64, offset=4)
    assert odd.ctypes.data % 8 and np.array_equal(odd, pa.tokens.hashes)
    ai, bj = anchors(pa, pb)
    args = (pb.tokens.hashes, ai, bj, pa.content_upto, pa.numbers_upto, pb.numbers_upto,
            MAX_SUB_TOKENS, MIN_PASSAGE_MATCHED, _REFINE_CELLS)
    assert calign.align_walk(odd, *args) == calign.align_walk(pa.tokens.hashes, *args)
    odd_terms = np.frombuffer(b"\0" * 4 + pa.terms.tobytes(), dtype=np.int64, offset=4)
    assert (calign.ordered_shared(odd_terms, pa.term_first, pb.terms, pb.term_first)
            == calign.ordered_shared(pa.terms, pa.term_first, pb.terms, pb.term_first))


def test_compiled_set_lookups_equal_numpy(calign: ModuleType) -> None:
    from archive.provenance.sets import _in_sorted_np, _intersect_sorted_np, in_sorted, intersect_sorted

    rng = np.random.default_rng(13)
    for _ in range(2000):
        universe = int(rng.integers(1, 200))
        b = np.unique(rng.integers(-universe, universe, size=int(rng.integers(0, 60)), dtype=np.int64))
        values = rng.integers(-universe - 5, universe + 5, size=int(rng.integers(0, 80)), dtype=np.int64)
        assert np.array_equal(in_sorted(values, b), _in_sorted_np(values, b))
        assert np.array_equal(in_sorted(values, b), np.isin(values, b))
        a = np.unique(values)
        assert np.array_equal(in_sorted(a, b), np.isin(a, b))  # ascending values: searched on from the last
        for got, want in zip(intersect_sorted(a, b), _intersect_sorted_np(a, b)):
            assert np.array_equal(got, want) and got.dtype == np.int64
        ia, ib = intersect_sorted(a, b)
        assert np.array_equal(a[ia], b[ib]) and set(a[ia].tolist()) == set(a.tolist()) & set(b.tolist())
    # Other dtypes and strided views take the numpy path, with the same answers.
    b = np.array([1, 3, 5, 7], dtype=np.int64)
    assert in_sorted(np.array([3, 4], dtype=np.int32), b).tolist() == [True, False]
    assert in_sorted(np.array([3, 9, 5, 9], dtype=np.int64)[::2], b).tolist() == [True, True]


def test_compiled_weighted_sums_equal_numpys_to_the_bit(calign: ModuleType) -> None:
    """sets.weighted_sum_in sums what it finds pairwise, as numpy's sum does: the same float,
    also past the 8-wide blocks (8), the unrolled block (128) and its halvings (256, 1,000)."""
    from archive.provenance.sets import _in_sorted_np, weighted_sum_in

    rng = np.random.default_rng(15)
    for size in [*range(0, 40), 127, 128, 129, 255, 256, 257, 1000, 3000]:
        for _ in range(20):
            values = np.unique(rng.integers(0, 4 * size + 8, size=size, dtype=np.int64))
            if rng.random() < 0.3:
                values = rng.permutation(values)  # (any order: searched from the start again)
            sorted_set = np.unique(rng.integers(0, 4 * size + 8, size=3 * size, dtype=np.int64))
            weights = rng.random(values.shape[0]) * rng.choice([1e-3, 1.0, 1e3], values.shape[0])
            want = float(weights[_in_sorted_np(values, sorted_set)].sum())
            assert weighted_sum_in(values, weights, sorted_set) == want
            assert calign.weighted_sum_in(values, weights, sorted_set) == want
    for size in (0, 1, 7, 9, 200):  # negative zeros sum to numpy's +0.0, whatever their number
        zeros, terms = np.full(size, -0.0), np.arange(size, dtype=np.int64)
        assert np.copysign(1.0, calign.weighted_sum_in(terms, zeros, terms)) == np.copysign(1.0, zeros.sum())
    # Other dtypes and strided views take the numpy path, with the same answers.
    values, sorted_set = np.array([1, 2, 3, 4], dtype=np.int64), np.array([2, 4], dtype=np.int64)
    assert weighted_sum_in(values, np.array([1.0, 2.0, 4.0, 8.0]), sorted_set) == 10.0
    assert weighted_sum_in(values.astype(np.int32), np.array([1.0, 2.0, 4.0, 8.0]), sorted_set) == 10.0
    assert weighted_sum_in(values, np.array([1.0, 0, 2.0, 0, 4.0, 0, 8.0, 0])[::2], sorted_set) == 10.0
    with pytest.raises(ValueError):
        calign.weighted_sum_in(values, np.array([1.0, 2.0]), sorted_set)


def test_compiled_shares_equal_numpys_to_the_bit(calign: ModuleType) -> None:
    """sets.shares_in (the share of each opening's weight that a text holds) sums in order as
    np.bincount does: the same floats as the numpy form, for parts in any order."""
    from archive.provenance.sets import _shares_in_np, shares_in

    rng = np.random.default_rng(16)
    for _ in range(3000):
        parts = [rng.permutation(np.unique(rng.integers(0, 400, size=int(rng.integers(0, 30)), dtype=np.int64)))
                 for _ in range(int(rng.integers(0, 20)))]
        weights = [rng.random(part.shape[0]) * rng.choice([1e-3, 1.0, 1e3]) for part in parts]
        sorted_set = np.unique(rng.integers(0, 400, size=int(rng.integers(0, 300)), dtype=np.int64))
        want = _shares_in_np(parts, weights, sorted_set)
        assert shares_in(parts, weights, sorted_set) == want
        assert calign.shares_in(parts, weights, sorted_set) == want
    part, sorted_set = np.array([3, 1, 2], dtype=np.int64), np.array([1, 3], dtype=np.int64)
    assert shares_in([part, part[:0]], [np.array([1.0, 2.0, 4.0]), np.zeros(0)], sorted_set) == [3 / 7, 0.0]
    # Other dtypes and strided views take the numpy path, with the same answers.
    assert shares_in([part.astype(np.int32)], [np.array([1.0, 2.0, 4.0])], sorted_set) == [3 / 7]
    assert shares_in([part], [np.array([1.0, 0, 2.0, 0, 4.0, 0])[::2]], sorted_set) == [3 / 7]
    with pytest.raises(ValueError):
        calign.shares_in([part], [np.array([1.0])], sorted_set)


def test_compiled_ordered_share_equals_the_python_one(calign: ModuleType) -> None:
    from archive.provenance.align import _shared_content_in_order_py, shared_content_in_order

    rng = random.Random(14)
    for _ in range(2000):
        alphabet = rng.choice((5, 30, 300))
        a = [rng.randrange(alphabet) for _ in range(rng.randint(0, 80))]
        b = _edited(a, rng, alphabet) if rng.random() < 0.7 else [rng.randrange(alphabet) for _ in range(rng.randint(0, 80))]
        pa, pb = Prepared.of(_tokens(a, rng)), Prepared.of(_tokens(b, rng))
        assert shared_content_in_order(pa, pb) == _shared_content_in_order_py(pa, pb)
