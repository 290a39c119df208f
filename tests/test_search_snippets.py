"""Snippets: phrase-aware marking, fragment windows, rendering."""

from __future__ import annotations

from archive.search.snippets import ELLIPSIS, Snippet, build_snippet, match_ranges, render


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
