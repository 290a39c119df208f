"""The gap diff in align.py must give exactly difflib's opcodes (alignment output depends on it)."""

import difflib
import random

from archive.provenance.align import _gap_opcodes, longest_increasing


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


def test_longest_increasing_of_increasing_is_everything() -> None:
    assert longest_increasing([1, 4, 9]) == [0, 1, 2]
