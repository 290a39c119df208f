"""Queries as people type them: typographic quotes, invisible characters, long or deep queries,
a leading "-", and the spelling suggested when nothing matches, through the CLI on a small archive."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from archive.search import parse
from archive.search.query import Words

DOCUMENTS = [
    {"id": "zurich", "title": "Oil prices rise in Zürich", "text": "Oil prices rose in Zurich, traders said."},
    {"id": "cocoa", "title": "Coffee and cocoa rise", "text": "Coffee exports grew while cocoa fell, Bergmann said."},
    {"id": "coffee", "title": "Coffee only, a rise", "text": "Coffee exports grew again. Bergmann was not available."},
    {"id": "apart", "title": "Prices for oil", "text": "Prices for oil and gas went up, the rise said Bergmann."},
    {"id": "german", "title": "German report on the rise", "text": "A report on Bergmann's firm; oil prices in Zurich."},
    {"id": "gold", "title": "Gold", "text": "The price of gold fell."},
]


@pytest.fixture
def archive_cli(run_cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """run_cli on an archive of DOCUMENTS."""
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in DOCUMENTS), encoding="utf-8")
    assert run_cli("ingest", "-q", str(path)).exit_code == 0
    return run_cli


def count(run, query: str) -> int:  # type: ignore[no-untyped-def]
    result = run("search", "--count", "--", query)
    assert result.exit_code == 0, result.output
    return int(result.output)


# ------------------------------------------------------------------ typographic quotes


PHRASE = Words(("title", "text"), ("oil", "prices"), 1, (0, 12))


@pytest.mark.parametrize("query", ['"oil prices"', "“oil prices”", "„oil prices“", "„oil prices”", "«oil prices»",
                                   "»oil prices«", "‹oil prices›", "”oil prices”", "‟oil prices”", "＂oil prices＂",
                                   "‘oil prices’"])
def test_typographic_quotes_make_a_phrase(query: str) -> None:
    assert parse(query).root == PHRASE


def test_a_typographic_phrase_takes_a_field_and_a_distance() -> None:
    assert parse("title:“oil prices”").root == Words(("title",), ("oil", "prices"), 1, (6, 18))
    assert parse("«oil prices»~3").root == Words(("title", "text"), ("oil", "prices"), 3, (0, 14))
    assert parse("‘oil prices’ -‘gas prices’").root.children[1].child.terms == ("gas", "prices")


@pytest.mark.parametrize("query,terms", [
    ("don’t panic", (("dont",), ("panic",))),           # an apostrophe inside a word
    ("Reuters’ desk", (("reuters",), ("desk",))),       # an apostrophe ending a word
    ("‘oil’ prices", (("oil",), ("prices",))),          # one quoted word: no phrase to make
    ("rock ‘n’ roll", (("rock",), ("n",), ("roll",))),
    ("‘oil prices", (("oil",), ("prices",))),           # never closed: punctuation, as before
])
def test_single_curly_quotes_are_a_phrase_only_around_words_with_a_space(query: str, terms: tuple) -> None:
    assert tuple(node.terms for node in parse(query).root.children) == terms


def test_a_single_quoted_phrase_may_hold_apostrophes() -> None:
    assert parse("‘don’t panic’").root.terms == ("dont", "panic")
    assert parse("‘Reuters’ desk’").root.terms == ("reuters", "desk")


@pytest.mark.parametrize("query,message", [
    ("“oil prices", "the “ at position 1 is never closed"),
    ("oil «prices", "the « at position 5 is never closed"),
    ("‹oil prices", "the ‹ at position 1 is never closed"),
])
def test_an_unclosed_typographic_quote_is_an_error(query: str, message: str) -> None:
    from archive.errors import QueryError

    with pytest.raises(QueryError, match=message):
        parse(query)


def test_typographic_phrases_find_what_the_ascii_phrase_finds(archive_cli) -> None:  # type: ignore[no-untyped-def]
    assert count(archive_cli, "oil prices") == 3  # "apart" has both words, not as a phrase
    for query in ('"oil prices"', "“oil prices”", "«oil prices»", "＂oil prices＂", "‘oil prices’"):
        assert count(archive_cli, query) == 2, query
    assert count(archive_cli, "title:“oil prices”") == count(archive_cli, 'title:"oil prices"') == 1


# ------------------------------------------------------------------ invisible characters


@pytest.mark.parametrize("query", ["zu\u200brich", "zu\u00adrich", "zu\u200crich", "zu\u200drich", "zu\u2060rich",
                                   "\ufeffzurich", "“zu\u00adrich”", "title:zu\u200brich"])
def test_invisible_characters_in_a_query_word_are_dropped_as_ingest_drops_them(query: str) -> None:
    assert [node.terms for node in _words(parse(query).root)] == [("zurich",)]


def _words(node: object) -> list[Words]:
    return [node] if isinstance(node, Words) else [w for child in node.children for w in _words(child)]


def test_a_word_typed_with_a_hidden_character_finds_the_documents(archive_cli) -> None:  # type: ignore[no-untyped-def]
    assert count(archive_cli, "zurich") == 2
    assert count(archive_cli, "zu\u200brich") == count(archive_cli, "zu\u00adrich") == 2


def test_queries_and_texts_drop_the_same_invisible_characters() -> None:
    from archive.ingest.normalize import normalize_text
    from archive.search.analysis import words

    for hidden in ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\x07"):
        text = f"re{hidden}port"
        assert [n.terms for n in _words(parse(text).root)] == [tuple(words(normalize_text(text)))], repr(hidden)


# ------------------------------------------------------------------ long and deep queries


def _numbered(count: int, start: int = 0) -> list[str]:
    return [f"w{k}" for k in range(start, start + count)]


@pytest.fixture
def long_cli(archive_cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """archive_cli with one more document, of the words w0...w1199 and then "said oil"."""
    path = tmp_path / "numbered.jsonl"
    path.write_text(json.dumps({"id": "numbered", "title": "Numbered", "text": " ".join(_numbered(1200)) + " said oil"}),
                    encoding="utf-8")
    assert archive_cli("ingest", "-q", str(path)).exit_code == 0
    return archive_cli


def _nested(levels: int, per_level: int) -> str:
    """``levels`` parenthesised groups inside one another, ANDs and ORs in turn, of ``per_level``
    numbered words each, "oil" innermost."""
    query, words = "oil", iter(_numbered(levels * per_level))
    for level in range(levels):
        glue = " OR " if level % 2 else " "
        query = glue.join([*(next(words) for _ in range(per_level)), f"({query})" if level else query])
    return query


@pytest.mark.parametrize("query,matches", [
    (" AND ".join(["oil"] * 1000), 4),
    (" ".join(_numbered(1000)), 1),
    (" OR ".join(_numbered(1000, start=500)), 1),
    ("said " + " ".join("-" + word for word in _numbered(1000, start=1)), 3),
    (" ".join("-" + word for word in _numbered(1000, start=1)), 6),
    ('"' + " ".join(_numbered(1000)) + '"', 1),
    ('"' + " ".join(_numbered(1000)) + '"~3', 1),
    (_nested(30, 33), 1),
])
def test_long_queries_are_answered(long_cli, query: str, matches: int) -> None:  # type: ignore[no-untyped-def]
    assert count(long_cli, query) == matches
    for options in ((), ("--facet", "source"), ("--sort", "date")):
        result = long_cli("search", *options, "-n", "1", "--", query)
        assert result.exit_code == 0 and f"{matches} match" in result.output, result.output[-300:]


@pytest.mark.parametrize("query,message", [
    ("(" * 31 + "oil" + ")" * 31, "nests parentheses and NOTs more than 30 deep (at position 31)"),
    ("NOT " * 31 + "oil", "nests parentheses and NOTs more than 30 deep (at position 121)"),
    ("oil " + "-(" * 16 + "gas" + ")" * 16, "more than 30 deep"),
    ("(" * 200 + "oil" + ")" * 200, "more than 30 deep"),
    (" ".join(_numbered(1025)), "the query has 1025 words, phrases and values; at most 1024 are allowed"),
])
def test_absurdly_deep_or_long_queries_are_refused(archive_cli, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    for options in (("--count",), ()):
        result = archive_cli("search", *options, "--", query)
        assert result.exit_code == 2 and result.output.startswith("archive: error: "), result.output[-300:]
        assert message in result.output


def test_a_query_nested_to_the_limit_is_parsed() -> None:
    parse("(" * 30 + "oil" + ")" * 30)
    parse("NOT " * 30 + "oil")
    parse(" ".join(_numbered(1024)))


# ------------------------------------------------------------------ did you mean


@pytest.mark.parametrize("query,suggestion", [
    # "german" (2 edits, in a title) was suggested before "bergmann" (1 edit, in 4 texts).
    ("bergman", "bergmann"),
    # "price" is 1 edit away; "rise" and "prices" 2, "rise" in more documents.
    ("pricse", "price"),
    # '"oil price"' and '"oil rise"' find nothing: the first correction with hits is offered.
    ('"oil pricse"', '"oil prices"'),
    ("bergman -cocoa", "bergmann -cocoa"),
])
def test_the_suggestion_is_the_closest_spelling_that_finds_something(archive_cli, query: str,  # type: ignore[no-untyped-def]
                                                                   suggestion: str) -> None:
    result = archive_cli("search", "--json", "--", query)
    assert json.loads(result.output)["suggestion"] == suggestion
    assert count(archive_cli, suggestion) > 0


def test_a_correction_one_edit_away_in_the_titles_spares_the_walk_of_the_texts_terms(
        archive_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from archive.search import searcher

    walked: list[str] = []
    corrections = searcher._corrections

    def recorded(view, fieldname, word, maxdist):  # type: ignore[no-untyped-def]
        walked.append(fieldname)
        return corrections(view, fieldname, word, maxdist)

    monkeypatch.setattr(searcher, "_corrections", recorded)
    # "gold" is a title word one edit from "gols": nothing can be closer, so the text field's
    # terms (the costly first walk of a suggestion) are not read.
    assert json.loads(archive_cli("search", "--json", "gols").output)["suggestion"] == "gold"
    assert walked == ["title"]
    # "german" is the only title word near "bergman" (2 edits): the texts are walked too.
    walked.clear()
    assert json.loads(archive_cli("search", "--json", "bergman").output)["suggestion"] == "bergmann"
    assert walked == ["title", "text"]


def test_no_suggestion_when_no_correction_finds_anything(archive_cli) -> None:  # type: ignore[no-untyped-def]
    result = archive_cli("search", '"gold pricse"')
    assert "no matches" in result.output and "did you mean" not in result.output
    # Nor one that the dates given with it rule out.
    assert "did you mean" in archive_cli("search", "bergman").output
    assert "did you mean" not in archive_cli("search", "--since", "2020", "bergman").output


# ------------------------------------------------------------------ a query starting with "-"


@pytest.mark.parametrize("query", ["-cocoa coffee", "-cocoa", "-x", "-nuclear coffee"])
def test_a_query_starting_with_a_minus_is_told_to_follow_a_double_dash(archive_cli, query: str) -> None:  # type: ignore[no-untyped-def]
    result = archive_cli("search", query)
    assert result.exit_code == 2
    assert f'a query that starts with "-" needs "--" before it: cli search -- {shlex.quote(query)}' in result.output


def test_after_a_double_dash_the_minus_excludes(archive_cli) -> None:  # type: ignore[no-untyped-def]
    assert count(archive_cli, "-cocoa coffee") == 1
    # Options before "--" still work, also the clustered ones, and other errors stay click's own.
    assert archive_cli("search", "-n1", "--count", "--", "-cocoa coffee").output.strip() == "1"
    unknown = archive_cli("search", "--colour", "coffee")
    assert unknown.exit_code == 2 and "No such option '--colour'" in unknown.output and "needs" not in unknown.output
    assert archive_cli("search", "-n", "x", "coffee").exit_code == 2


def test_the_search_help_says_how_to_start_a_query_with_a_minus(archive_cli) -> None:  # type: ignore[no-untyped-def]
    assert "archive search -- '-cocoa coffee'" in archive_cli("search", "--help").output


# ------------------------------------------------------------------ messages


@pytest.mark.parametrize("query", ['lang:"en"', "lang:“en”", 'lang:" en "', "lang:EN"])
def test_a_quoted_language_code_is_the_code(query: str) -> None:
    from archive.search.query import Exact

    assert parse(query).root == Exact("lang", "en")


@pytest.mark.parametrize("query,message", [
    ('lang:"en fr"', 'lang:"en fr": give one language code; for several, lang:(en OR fr)'),
    ("lang:english", "lang:english: 'english' is not a language code; write its two letters (ISO 639-1), e.g. lang:en"),
    ('lang:"english"', """lang:"english": 'english' is not a language code"""),
    ("lang:e*", "lang:e*: 'e*' is not a language code"),
    ("[cocoa]", "[cocoa]: ranges only work on dates, e.g. published:[2023-01-01 TO 2023-06-30]"),
    ("title:[a TO b]", "title:[a TO b]: ranges only work on dates, e.g. published:[2023-01-01 TO 2023-06-30]"),
])
def test_a_misused_field_value_is_told_what_is_wrong(query: str, message: str) -> None:
    from archive.errors import QueryError

    with pytest.raises(QueryError) as err:
        parse(query)
    assert str(err.value) == message or str(err.value).startswith(message)
