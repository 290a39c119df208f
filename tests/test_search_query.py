"""The query language: every bad query is a clear QueryError, lenient readings are warned about."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import QueryError
from archive.search import SearchIndex, parse, search
from archive.search.dates import Interval
from archive.search.query import And, DateFilter, Exact, Fuzzy, Not, Or, Wildcard, Words


@pytest.mark.parametrize(
    "query,message",
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("nosuchfield:x", "unknown field 'nosuchfield:'; valid fields are: title:, text:, author:"),
        ('"oil prices', "unbalanced quote"),
        ('oil "prices', "unbalanced quote"),
        ("(oil OR gas", "unbalanced parenthesis"),
        ("oil OR gas)", "unbalanced parenthesis"),
        ("oil ()", "empty parentheses"),
        ("vote AND", "AND at position 6 has nothing on its right"),
        ("vote OR", "OR at position 6 has nothing on its right"),
        ("AND vote", "AND at position 1 has nothing on its left"),
        ("OR vote", "nothing on its left"),
        ("vote AND OR tax", "nothing on its right"),
        ("vote NOT", "NOT at position 6 has nothing on its right"),
        ("(vote AND)", "nothing on its right"),
        ("vote -", "lone '-'"),
        ("-", "lone '-'"),
        ("vote - tax", "lone '-'"),
        ("--vote", "cannot follow '-'"),
        ("published:2023-13", "month 13 is not valid"),
        ("published:2023-02-30", "has no day 30"),
        ("published:2023-00", "month 0 is not valid"),
        ("published:yesterday", "is not a date"),
        ("published:>2023-13", "month 13"),
        ("published:[2023-06 TO 2023-01]", "ends before it starts"),
        ("published:[2023-01 2023-06]", "write ranges as"),
        ("published:[2023-01 TO 2023-06", "never closed"),
        ('published:"2023"', "without quotes"),
        ("published:(2023 OR 2024-13)", "month 13"),
        ("oil ]", "has no '['"),
        ("[2023 TO 2024]", "ranges only work on dates"),
        ("title: oil", "needs a value right after the colon"),
        ("title:", "needs a value"),
        ("title:text:oil", "inside another field"),
        ("title:(text:oil)", "inside another field"),
        ("title:-oil", "write the minus before the field"),
        ('""', "contains no words"),
        ('"  ,. "', "contains no words"),
        ('"oil prices"~', "needs a whole number"),
        ('"oil prices"~0', "at least 1"),
        ("oil~3", "fuzzy distance must be 1 or 2"),
        ("oil~x", "~ goes at the end"),
        ("state-owned~", "single word"),
        ("*", "would match every word"),
        ("micro-*", "only letters, digits"),
        ("oil^2", "boosts"),
        ("oil\\ prices", "backslash"),
        ("published:{2023 TO 2024}", "square brackets"),
        ("vote && tax", "write AND"),
        ("vote || tax", "write OR"),
        ("+vote", "'+' is not supported"),
        ("lang:english_language_name!", "language code"),
        ("&", "no words"),
        ("NOT &", "no words"),
        ("http://example.com", "unknown field 'http:'"),
    ],
)
def test_bad_queries_raise_a_clear_error(query: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        parse(query)
    assert message in str(err.value)


def test_unknown_field_lists_every_valid_field() -> None:
    with pytest.raises(QueryError) as err:
        parse("nosuchfield:x")
    for name in ("title", "text", "author", "source", "url", "lang", "published"):
        assert f"{name}:" in str(err.value)


@pytest.mark.parametrize(
    "query,warning",
    [
        ("vote & tax", "ignored '&'"),
        ("oil or gas", "'or' is searched as a word; write OR"),
        ('"micro* soft"', "not wildcards"),
    ],
)
def test_lenient_readings_are_reported(query: str, warning: str) -> None:
    assert any(warning in w for w in parse(query).warnings)


def test_plain_queries_have_no_warnings() -> None:
    assert parse('oil "crude prices"~3 title:opec -gas published:>2023-06').warnings == ()


DEFAULT = ("title", "text")


@pytest.mark.parametrize(
    "query,tree",
    [
        ("oil", Words(DEFAULT, ("oil",), 1, (0, 3))),
        ("Oil prices", And((Words(DEFAULT, ("oil",), 1, (0, 3)), Words(DEFAULT, ("prices",), 1, (4, 10))))),
        ('"Oil, Prices"~3', Words(DEFAULT, ("oil", "prices"), 3, (0, 15))),
        ("state-owned", Words(DEFAULT, ("state", "owned"), 1, (0, 11))),
        ("title:\"don't stop\"", Words(("title",), ("dont", "stop"), 1, (6, 18))),
        ("a OR b c", Or((Words(DEFAULT, ("a",), 1, (0, 1)), And((Words(DEFAULT, ("b",), 1, (5, 6)), Words(DEFAULT, ("c",), 1, (7, 8))))))),
        ("-a", Not(Words(DEFAULT, ("a",), 1, (1, 2)))),
        ("NOT NOT a", Not(Not(Words(DEFAULT, ("a",), 1, (8, 9))))),
        ("Micro*", Wildcard(DEFAULT, "micro*")),
        ("text:microsfot~1", Fuzzy(("text",), "microsfot", 1)),
        ("microsfot~", Fuzzy(DEFAULT, "microsfot", 2)),
        ("lang:EN", Exact("lang", "en")),
        ("published:>2023-06", DateFilter(Interval(datetime(2023, 7, 1), None))),
        ("published:<=2023-06-30", DateFilter(Interval(None, datetime(2023, 7, 1)))),
        ("published:[2023-01-01 TO 2023-06-30]", DateFilter(Interval(datetime(2023, 1, 1), datetime(2023, 7, 1)))),
        ("published:2024-12", DateFilter(Interval(datetime(2024, 12, 1), datetime(2025, 1, 1)))),
    ],
)
def test_parse_tree(query: str, tree: object) -> None:
    assert parse(query).root == tree


# Fragments of user input, other engines' syntax and SQL, glued together at random.
FRAGMENTS = st.sampled_from([
    "oil", "Prices", "AND", "OR", "NOT", "and", "-", "+", "(", ")", '"', "'", "~", "~2", "*", "?", ":",
    "title:", "text:", "published:", "published:>", "lang:", "url:", "nosuch:", "[", "]", "{", "}", "TO",
    "2023", "2023-11", "2023-13", "^2", "\\", "&&", "||", "!", ";", "DROP TABLE docs;", "--", "' OR 1=1",
    "/*", "*/", "%", "_", "\x00", "é", "’", "state-owned", "http://x.org", "<", ">=", "=", ",", ".",
])
QUERIES = st.one_of(
    st.lists(FRAGMENTS, max_size=8).map(" ".join),
    st.lists(FRAGMENTS, max_size=8).map("".join),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_parse_never_raises_anything_but_query_error(query: str) -> None:
    try:
        parse(query)
    except QueryError as err:
        assert str(err)


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    from fixtures.search.corpus import build_corpus

    return SearchIndex.rebuild(tmp_path_factory.mktemp("hyp") / "index", (r.doc for r in build_corpus(30, seed=7)))


@settings(max_examples=200, deadline=None)
@given(QUERIES)
def test_search_never_raises_anything_but_query_error(tiny_index: SearchIndex, query: str) -> None:
    try:
        search(tiny_index, query, facets=("source", "year"), sort="-date")
    except QueryError as err:
        assert str(err)


def test_date_cover_splits_into_whole_periods_and_remainders() -> None:
    from archive.search.dates import Cover, cover

    assert cover(datetime(2022, 11, 30), datetime(2024, 2, 3)) == Cover(
        years=("2023",), months=("2022-12", "2024-01"), days=("2022-11-30", "2024-02-01", "2024-02-02"), remainders=()
    )
    assert cover(datetime(2023, 3, 1, 12), datetime(2023, 3, 3, 6)) == Cover(
        (), (), ("2023-03-02",),
        ((datetime(2023, 3, 1, 12), datetime(2023, 3, 2)), (datetime(2023, 3, 3), datetime(2023, 3, 3, 6))),
    )
    assert cover(datetime(2023, 3, 1, 1), datetime(2023, 3, 1, 2)).remainders == (
        (datetime(2023, 3, 1, 1), datetime(2023, 3, 1, 2)),
    )
