"""Snippets: phrase-aware marking, fragment windows, rendering."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.snippets import (
    ELLIPSIS,
    SCAN_CHARS,
    Snippet,
    _phrase_occurrences,
    _windows,
    build_snippet,
    match_ranges,
    render,
)


def marked(text: str, terms: set[str], phrases: set[tuple[tuple[str, ...], int]]) -> list[str]:
    return [text[a:b] for a, b in match_ranges(text, terms, phrases)]


def test_a_phrase_is_marked_only_where_it_occurs_as_a_phrase() -> None:
    text = "Oil rose. Prices fell; oil prices, then OIL\nPRICES and prices of oil."
    assert marked(text, set(), {(("oil", "prices"), 1)}) == ["oil prices", "OIL\nPRICES"]


def test_slop_marks_the_words_not_the_gap() -> None:
    text = "oil and gas prices rose"
    assert marked(text, set(), {(("oil", "prices"), 3)}) == ["oil", "prices"]
    assert marked(text, set(), {(("oil", "prices"), 2)}) == []


def test_terms_are_matched_by_index_words() -> None:
    text = "Don't stop; state-owned firms"
    assert marked(text, {"dont", "owned"}, set()) == ["Don't", "owned"]


def test_snippet_is_one_line_with_markers_and_ellipses() -> None:
    text = "intro " * 60 + "the crude\n\noil   prices rose " + "outro " * 60
    ranges = match_ranges(text, set(), {(("oil", "prices"), 1)})
    snippet = build_snippet(text, ranges, width=60)
    assert snippet is not None
    rendered = render(snippet, "markers")
    assert rendered.startswith(ELLIPSIS) and rendered.endswith(ELLIPSIS)
    assert "[[oil prices]]" in rendered and "\n" not in rendered
    assert render(snippet, "plain") == rendered.replace("[[", "").replace("]]", "")
    assert "\x1b[1moil prices\x1b[0m" in render(snippet, "ansi")
    assert str(snippet) == rendered


def test_snippet_without_matches_is_the_opening() -> None:
    snippet = build_snippet("Short text.", [])
    assert snippet == Snippet((("Short text.", False),))
    assert build_snippet("   ", []) is None


def test_fragments_prefer_windows_with_more_matches() -> None:
    text = "alpha " + "filler " * 50 + "beta beta beta " + "filler " * 50 + "beta"
    ranges = match_ranges(text, {"alpha", "beta"}, set())
    snippet = build_snippet(text, ranges, width=40, fragments=1)
    assert snippet is not None
    assert [s for s, m in snippet.segments if m] == ["beta", "beta", "beta"]


def _first_placements(tokens: list[str], phrase: tuple[str, ...], slop: int) -> list[list[int]]:
    """The first in-order placement from each start, by depth-first search (fine for short phrases)."""
    def place(placed: list[int]) -> list[int] | None:
        if len(placed) == len(phrase):
            return placed
        for position in range(placed[-1] + 1, min(placed[-1] + slop + 1, len(tokens))):
            if tokens[position] == phrase[len(placed)] and (found := place([*placed, position])):
                return found
        return None

    return [p for start, token in enumerate(tokens) if token == phrase[0] and (p := place([start]))]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(tokens=st.lists(st.sampled_from("abc"), max_size=30), phrase=st.lists(st.sampled_from("abc"), min_size=2,
                                                                              max_size=5), slop=st.integers(1, 4))
def test_phrase_placements_are_the_first_in_order_ones(tokens: list[str], phrase: list[str], slop: int) -> None:
    assert _phrase_occurrences(tokens, tuple(phrase), slop) == _first_placements(tokens, tuple(phrase), slop)


def test_a_phrase_of_a_thousand_words_or_a_wide_slop_over_repeated_words_is_marked() -> None:
    words = [f"w{k}" for k in range(1000)]
    text = " ".join(words)
    assert marked(text, set(), {(tuple(words), 1)}) == [text]
    # Backtracking would try ~10**12 placements before giving up on each start.
    assert marked("a " * 500, set(), {(("a",) * 12 + ("b",), 10)}) == []


class CountedRanges(Sequence[tuple[int, int]]):
    """Match ranges that count how many of them are read."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.reads = 0

    def __len__(self) -> int:
        return len(self.ranges)

    def __getitem__(self, key: Any) -> Any:
        found = self.ranges[key]
        self.reads += len(found) if isinstance(key, slice) else 1
        return found


def test_snippet_windows_read_each_match_once_however_many_matches_there_are() -> None:
    text = "the " * 20_000
    ranges = CountedRanges(match_ranges(text, {"the"}, set()))
    windows = _windows(text, ranges, 200)
    assert [r for _, _, inside in windows for r in inside] == ranges.ranges
    # Rescanning the remaining matches for each window read ~8 million here.
    assert ranges.reads <= 3 * len(ranges)


def test_a_text_of_200000_matches_gives_a_snippet_of_its_first_matches() -> None:
    text = "the " * 200_000
    snippet = build_snippet(text, match_ranges(text, {"the"}, set()))
    assert snippet is not None
    rendered = render(snippet, "markers")
    assert rendered.startswith("[[the]] [[the]]") and rendered.endswith(ELLIPSIS)
    assert len(rendered) < 1000


def test_matches_are_looked_for_only_in_the_opening_of_a_long_text_and_no_word_there_is_cut() -> None:
    # "bankers" straddles the end of the part looked at: its opening "bank" is not a match.
    text = "a " * ((SCAN_CHARS - 4) // 2) + "bankers rose; bank " * 10
    assert text[SCAN_CHARS - 4:SCAN_CHARS + 3] == "bankers"
    assert match_ranges(text, {"bank", "bankers", "rose"}, set()) == []
    assert match_ranges(text, {"a"}, set())[-1] == (SCAN_CHARS - 6, SCAN_CHARS - 5)
    snippet = build_snippet(text, match_ranges(text, {"bank"}, set()))
    assert snippet is not None and not any(is_match for _, is_match in snippet.segments)


def test_a_snippet_of_a_text_without_spaces_is_about_the_window_wide() -> None:
    text = "人工智能" * 2_000 + "中国银行" + "人工智能" * 20_000
    snippet = build_snippet(text, match_ranges(text, {"中国"}, set()), width=200)
    assert snippet is not None
    assert [s for s, m in snippet.segments if m] == ["中国"]
    assert len(render(snippet)) < 400
