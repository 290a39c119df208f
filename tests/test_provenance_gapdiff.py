"""The gap diff in align.py (difflib, with shortcuts for gaps with nothing in common or with
common tokens that occur once on each side) must give exactly difflib's opcodes, shifted
(alignment output depends on it); the other fast forms must equal what they replace."""

import difflib
import random

from archive.provenance.align import _gap_opcodes, increasing_length, longest_increasing


def test_gap_opcodes_match_difflib() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        a = [rng.randrange(rng.randint(1, 6)) for _ in range(rng.randint(0, 20))]
        b = [rng.randrange(rng.randint(1, 6)) for _ in range(rng.randint(0, 20))]
        ci, cj = rng.randint(0, 30), rng.randint(0, 30)
        want = [(t, ci + x1, ci + x2, cj + y1, cj + y2)
                for t, x1, x2, y1, y2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]
        got: list[tuple[str, int, int, int, int]] = []
        _gap_opcodes(a, b, ci, cj, got)
        assert got == want


def test_gap_opcodes_match_difflib_when_common_tokens_are_unique() -> None:
    # Mostly distinct tokens (a name or function word between substituted words): the shortcut
    # for common tokens that occur once on each side, crossing or not.
    rng = random.Random(8)
    for _ in range(5000):
        alphabet = rng.randint(10, 60)
        a = rng.sample(range(alphabet), rng.randint(0, min(alphabet, 15)))
        b = rng.sample(range(alphabet), rng.randint(0, min(alphabet, 15)))
        if rng.random() < 0.5:  # runs of consecutive matches
            b = a[: rng.randint(0, len(a))] + b[:3] + a[len(a) // 2 :]
        ci, cj = rng.randint(0, 30), rng.randint(0, 30)
        want = [(t, ci + x1, ci + x2, cj + y1, cj + y2)
                for t, x1, x2, y1, y2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]
        got: list[tuple[str, int, int, int, int]] = []
        _gap_opcodes(a, b, ci, cj, got)
        assert got == want, (a, b)


def test_increasing_length_is_the_length_of_the_longest_increasing_run() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        values = [rng.randrange(30) for _ in range(rng.randint(0, 40))]
        assert increasing_length(values) == len(longest_increasing(values))


def test_with_cosine_is_dataclasses_replace() -> None:
    from dataclasses import replace

    from archive.provenance.align import Prepared, align
    from archive.provenance.classify import Anchors, pair_features
    from archive.provenance.features import tokenize

    ta, tb = tokenize("Witco Corp said it sold 150 mln dlrs of notes."), tokenize("Witco Corp sold 150 mln dlrs of bonds.")
    f = pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)
    g = f.with_cosine(0.25)
    assert g == replace(f, cosine=0.25) and f.cosine == 0.5 and g.alignment is f.alignment
    assert f.with_cosine(0.5) is f
    assert align(Prepared.of(ta), Prepared.of(tb)) == f.alignment


def test_longest_increasing_of_increasing_is_everything() -> None:
    assert longest_increasing([1, 4, 9]) == [0, 1, 2]


def test_sorted_set_helpers_match_numpy() -> None:
    import numpy as np

    from archive.provenance.sets import in_sorted, intersect_sorted

    rng = np.random.default_rng(3)
    for _ in range(500):
        a = np.unique(rng.integers(-50, 50, rng.integers(0, 40)))
        b = np.unique(rng.integers(-50, 50, rng.integers(0, 40)))
        assert np.array_equal(in_sorted(a, b), np.isin(a, b, assume_unique=True))
        _, ia, ib = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        ja, jb = intersect_sorted(a, b)
        assert np.array_equal(ia, ja) and np.array_equal(ib, jb)


def test_any_in_is_isin_any_for_unsorted_others() -> None:
    import numpy as np

    from archive.provenance.sets import any_in

    rng = np.random.default_rng(4)
    for _ in range(500):
        values = rng.integers(-30, 30, rng.integers(0, 6))
        others = rng.integers(-30, 30, rng.integers(0, 60))  # unsorted, with repeats
        assert any_in(values, others) == bool(np.isin(values, others).any())


def test_phrase_freqs_in_one_lookup_are_each_phrase_rarest_content_word() -> None:
    import numpy as np

    from archive.provenance.direction import _phrase_freqs
    from archive.provenance.features import STOP, tokenize

    t = tokenize("The company said on Tuesday that its profits in the year rose sharply, and the board agreed.")
    df = {int(h): i % 7 for i, h in enumerate(np.unique(t.hashes))}
    calls: list[int] = []

    def freq(hashes: np.ndarray) -> np.ndarray:
        calls.append(1)
        return np.array([df[int(h)] for h in hashes], dtype=np.int64)

    rng = random.Random(5)
    spans = [(i0, i0 + rng.randint(-1, 4)) for i0 in (rng.randrange(len(t)) for _ in range(200))]
    spans = [(i0, min(i1, len(t))) for i0, i1 in spans]
    want = []
    for i0, i1 in spans:
        content = t.hashes[i0:i1][t.kinds[i0:i1] != STOP] if i1 > i0 else t.hashes[:0]
        want.append(float(freq(content).min()) + 1.0 if content.shape[0] else None)
    calls.clear()
    assert _phrase_freqs(t, spans, freq) == want and len(calls) == 1
    assert _phrase_freqs(t, [], freq) == []
