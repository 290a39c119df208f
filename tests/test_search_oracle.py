"""Search results checked against a brute-force Python oracle over a generated fixture archive."""

from __future__ import annotations

import fnmatch
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timezone

import pytest

from archive.search import SearchIndex, count, search
from fixtures.search.corpus import FOLDED, Record, build_corpus, contains_phrase, levenshtein, oracle_tokens

RECORDS = build_corpus()
ALL = {r.doc.id for r in RECORDS}
BY_ID = {r.doc.id: r for r in RECORDS}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("oracle") / "index"
    return SearchIndex.rebuild(path, (r.doc for r in RECORDS))


def hit_ids(index: SearchIndex, query: str, **kwargs: object) -> set[int]:
    results = search(index, query, limit=len(RECORDS) + 1, snippets=False, **kwargs)  # type: ignore[arg-type]
    ids = {h.id for h in results.hits}
    assert results.total == len(ids) == count(index, query, **kwargs)  # type: ignore[arg-type]
    return ids


def where(predicate: Callable[[Record], bool]) -> set[int]:
    return {r.doc.id for r in RECORDS if predicate(r)}


def in_title_or_text(words: tuple[str, ...], slop: int = 1) -> set[int]:
    return where(lambda r: contains_phrase(r.title_tokens, words, slop) or contains_phrase(r.text_tokens, words, slop))


# ------------------------------------------------------------------ phrases


def phrase_samples(seed: int, n: int) -> list[tuple[str, tuple[str, ...]]]:
    """Phrases cut from the documents, written as the raw text (odd case, punctuation) or as tokens."""
    rng = random.Random(seed)
    samples = []
    while len(samples) < n:
        record = rng.choice(RECORDS)
        tokens = record.text_tokens
        length = rng.randint(2, 4)
        if len(tokens) < length:
            continue
        start = rng.randrange(len(tokens) - length + 1)
        words = tokens[start : start + length]
        if rng.random() < 0.3:  # a shuffled phrase, which mostly does not occur
            words = tuple(rng.sample(words, len(words)))
        samples.append((" ".join(words).upper() if rng.random() < 0.3 else " ".join(words), words))
    return samples


@pytest.mark.parametrize("phrase,words", phrase_samples(1, 80))
def test_phrase_hits_are_exactly_the_documents_containing_the_words_consecutively(
    index: SearchIndex, phrase: str, words: tuple[str, ...]
) -> None:
    assert hit_ids(index, f'"{phrase}"') == in_title_or_text(words)


@pytest.mark.parametrize("phrase,words", phrase_samples(2, 25))
def test_text_field_phrase(index: SearchIndex, phrase: str, words: tuple[str, ...]) -> None:
    assert hit_ids(index, f'text:"{phrase}"') == where(lambda r: contains_phrase(r.text_tokens, words))


def title_samples(n: int) -> list[tuple[str, ...]]:
    rng = random.Random(3)
    samples = []
    while len(samples) < n:
        tokens = rng.choice(RECORDS).title_tokens
        if len(tokens) >= 2:
            start = rng.randrange(len(tokens) - 1)
            samples.append(tokens[start : start + rng.randint(2, 3)])
    return samples


@pytest.mark.parametrize("words", title_samples(25))
def test_title_phrase(index: SearchIndex, words: tuple[str, ...]) -> None:
    assert hit_ids(index, f'title:"{" ".join(words)}"') == where(lambda r: contains_phrase(r.title_tokens, words))


def test_raw_text_with_punctuation_and_case_is_tokenised_like_the_index(index: SearchIndex) -> None:
    # Queries written as they appear in the text: apostrophes, hyphens, numbers, accents.
    for raw in ["don't", "O'Brien", "state-owned", "1,000", "3.5", "Café", "ZÜRICH", "U.S.", "co_op",
                "microsoft's", "e-mail", "New York", "Reuters’", "zurich", "Strasse", "STRAßE", "García"]:
        words = oracle_tokens(raw)
        assert hit_ids(index, f'"{raw}"') == in_title_or_text(words), raw
        # Unquoted, a word the tokenizer splits is searched as the phrase it indexes as.
        if " " not in raw:
            assert hit_ids(index, raw) == in_title_or_text(words), raw


def test_stop_words_are_kept_in_phrases(index: SearchIndex) -> None:
    for phrase in ["one of the", "the the", "of the", "a an", "and or not"]:
        words = tuple(phrase.split())
        assert hit_ids(index, f'"{phrase}"') == in_title_or_text(words), phrase


@pytest.mark.parametrize("slop", [1, 2, 3, 5])
@pytest.mark.parametrize("phrase,words", phrase_samples(4, 12))
def test_slop(index: SearchIndex, phrase: str, words: tuple[str, ...], slop: int) -> None:
    assert hit_ids(index, f'"{phrase}"~{slop}') == in_title_or_text(words, slop)


# ------------------------------------------------------------------ fields


@pytest.mark.parametrize(
    "query,predicate",
    [
        ("source:reuters", lambda r: "reuters" in oracle_tokens(r.doc.source)),
        ('source:"agence france presse"', lambda r: r.doc.source == "Agence France-Presse"),
        ("source:bbc", lambda r: r.doc.source == "BBC News"),
        ("url:example.com", lambda r: contains_phrase(oracle_tokens(r.doc.url), ("example", "com"))),
        ("url:reuters.com", lambda r: (r.doc.url or "").startswith("https://reuters.com")),
        ('author:"john smith"', lambda r: r.doc.author == "John Smith"),
        ("author:o'neil", lambda r: r.doc.author == "Jane O'Neil"),
        ("author:garcía", lambda r: r.doc.author == "Ana García"),
        ("lang:en", lambda r: r.doc.language == "en"),
        ("lang:DE", lambda r: r.doc.language == "de"),
        ("title:oil", lambda r: "oil" in r.title_tokens),
        ("text:oil", lambda r: "oil" in r.text_tokens),
        ("title:(oil OR gas)", lambda r: {"oil", "gas"} & set(r.title_tokens)),
        ("title:oil source:reuters", lambda r: "oil" in r.title_tokens and r.doc.source == "Reuters"),
        ("-source:ap", lambda r: r.doc.source != "AP"),
        ("Title:OIL", lambda r: "oil" in r.title_tokens),
    ],
)
def test_field_queries(index: SearchIndex, query: str, predicate: Callable[[Record], bool]) -> None:
    assert hit_ids(index, query) == where(predicate)


# ------------------------------------------------------------------ dates


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def dated(start: datetime | None, end: datetime | None) -> set[int]:
    """Documents published at or after ``start`` and strictly before ``end``."""
    return where(
        lambda r: r.doc.published_at is not None
        and (start is None or r.doc.published_at >= start)
        and (end is None or r.doc.published_at < end)
    )


@pytest.mark.parametrize(
    "query,start,end",
    [
        ("published:2023", utc(2023, 1, 1), utc(2024, 1, 1)),
        ("published:2023-11", utc(2023, 11, 1), utc(2023, 12, 1)),
        ("published:2022-12", utc(2022, 12, 1), utc(2023, 1, 1)),
        ("published:2024-02", utc(2024, 2, 1), utc(2024, 3, 1)),
        ("published:2023-03-01", utc(2023, 3, 1), utc(2023, 3, 2)),
        ("published:2024-02-29", utc(2024, 2, 29), utc(2024, 3, 1)),
        ("published:[2023-01-01 TO 2023-06-30]", utc(2023, 1, 1), utc(2023, 7, 1)),
        ("published:[2023-01 TO 2023-06]", utc(2023, 1, 1), utc(2023, 7, 1)),
        ("published:[2022 TO 2022]", utc(2022, 1, 1), utc(2023, 1, 1)),
        ("published:[* TO 2022-06-30]", None, utc(2022, 7, 1)),
        ("published:[2024-06-01 TO *]", utc(2024, 6, 1), None),
        ("published:>2023-06", utc(2023, 7, 1), None),
        ("published:>=2023-06", utc(2023, 6, 1), None),
        ("published:<2023-06", None, utc(2023, 6, 1)),
        ("published:<=2023-06", None, utc(2023, 7, 1)),
        ("published:>2023", utc(2024, 1, 1), None),
        ("published:<2022-03-01", None, utc(2022, 3, 1)),
        ("published:<=2022-03-01", None, utc(2022, 3, 2)),
        ("published:>2022-03-31", utc(2022, 4, 1), None),
    ],
)
def test_date_queries(index: SearchIndex, query: str, start: datetime | None, end: datetime | None) -> None:
    assert hit_ids(index, query) == dated(start, end)


@pytest.mark.parametrize(
    "since,until,start,end",
    [
        (date(2023, 3, 1), None, utc(2023, 3, 1), None),
        (None, date(2023, 3, 31), None, utc(2023, 4, 1)),
        (date(2023, 1, 1), date(2023, 1, 31), utc(2023, 1, 1), utc(2023, 2, 1)),
        ("2023-05", "2023-05", utc(2023, 5, 1), utc(2023, 6, 1)),
        ("2022", None, utc(2022, 1, 1), None),
        (utc(2023, 4, 30, 23, 59, 59), None, utc(2023, 4, 30, 23, 59, 59), None),
        (None, utc(2023, 4, 30, 23, 59, 59), None, utc(2023, 5, 1)),
        (datetime(2023, 6, 1, 2, 0, tzinfo=timezone.utc).astimezone(), None, utc(2023, 6, 1, 2), None),
    ],
)
def test_since_until(
    index: SearchIndex, since: object, until: object, start: datetime | None, end: datetime | None
) -> None:
    assert hit_ids(index, "-zzzz", since=since, until=until) == dated(start, end)
    assert hit_ids(index, "oil", since=since, until=until) == dated(start, end) & in_title_or_text(("oil",))


def test_date_combined_with_words(index: SearchIndex) -> None:
    expected = dated(utc(2023, 1, 1), utc(2024, 1, 1)) & in_title_or_text(("oil", "prices"))
    assert hit_ids(index, '"oil prices" published:2023') == expected
    assert hit_ids(index, '"oil prices" -published:2023') == in_title_or_text(("oil", "prices")) - expected


# ------------------------------------------------------------------ booleans


def test_booleans_follow_set_algebra(index: SearchIndex) -> None:
    rng = random.Random(5)
    words = ["oil", "prices", "tax", "vote", "bank", "gas", "wheat", "saudi", "new", "profit"]
    sets = {w: in_title_or_text((w,)) for w in words}
    for _ in range(30):
        a, b, c = rng.sample(words, 3)
        A, B, C = sets[a], sets[b], sets[c]
        cases = {
            f"{a} {b}": A & B,
            f"{a} AND {b}": A & B,
            f"{a} OR {b}": A | B,
            f"{a} -{b}": A - B,
            f"{a} NOT {b}": A - B,
            f"NOT {a}": ALL - A,
            f"-{a}": ALL - A,
            f"({a} OR {b}) {c}": (A | B) & C,
            f"{a} OR {b} {c}": A | (B & C),
            f"({a} OR {b}) -{c}": (A | B) - C,
            f"{a} OR NOT {b}": A | (ALL - B),
            f"NOT ({a} OR {b})": ALL - (A | B),
            f"NOT NOT {a}": A,
            f"-({a} {b}) {c}": C - (A & B),
            f'"{a} {b}" -{c}': in_title_or_text((a, b)) - C,
        }
        for query, expected in cases.items():
            assert hit_ids(index, query) == expected, query


# ------------------------------------------------------------------ wildcard and fuzzy


def tokens_matching(predicate: Callable[[str], bool]) -> set[int]:
    return where(lambda r: any(predicate(t) for t in (*r.title_tokens, *r.text_tokens)))


@pytest.mark.parametrize("pattern", ["micro*", "mic*o*", "o?l", "pr*s", "*ing*", "caf?", "zür*", "1*", "state*",
                                     "straß*"])
def test_wildcards(index: SearchIndex, pattern: str) -> None:
    # A pattern's letters are folded as the words it is matched against are ("zür*" is "zur*").
    folded = pattern.translate(FOLDED)
    assert hit_ids(index, pattern) == tokens_matching(lambda t: fnmatch.fnmatchcase(t, folded))


@pytest.mark.parametrize("query,word,distance", [
    ("microsfot~", "microsfot", 2), ("microsfot~1", "microsfot", 1), ("pricse~2", "pricse", 2),
    ("minster~1", "minster", 1), ("oil~1", "oil", 1), ("earnigns~", "earnigns", 2),
])
def test_fuzzy(index: SearchIndex, query: str, word: str, distance: int) -> None:
    expected = tokens_matching(lambda t: t[:1] == word[:1] and levenshtein(t, word) <= distance)
    assert hit_ids(index, query) == expected


# ------------------------------------------------------------------ ordering, paging, facets


def undated_last_key(published: datetime | None, newest_first: bool) -> tuple[int, float]:
    if published is None:
        return (1, 0.0)
    return (0, -published.timestamp() if newest_first else published.timestamp())


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_by_date_puts_undated_last(index: SearchIndex, sort: str) -> None:
    results = search(index, "oil OR tax", sort=sort, limit=1000, snippets=False)  # type: ignore[arg-type]
    keys = [undated_last_key(h.published_at, sort == "-date") for h in results.hits]
    assert keys == sorted(keys)
    assert {h.id for h in results.hits} == in_title_or_text(("oil",)) | in_title_or_text(("tax",))
    assert all(h.score is None for h in results.hits)


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_pages_concatenate_to_the_full_list(index: SearchIndex, sort: str) -> None:
    full = [h.id for h in search(index, "oil OR gas", sort=sort, limit=1000, snippets=False).hits]  # type: ignore[arg-type]
    paged: list[int] = []
    for offset in range(0, len(full) + 7, 7):
        page = search(index, "oil OR gas", sort=sort, limit=7, offset=offset, snippets=False)  # type: ignore[arg-type]
        assert page.total == len(full)
        paged += [h.id for h in page.hits]
    assert paged == full


def test_relevance_ranks_title_matches_higher(index: SearchIndex) -> None:
    hits = search(index, "wheat", limit=1000, snippets=False).hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    in_title = [h.id for h in hits if "wheat" in BY_ID[h.id].title_tokens]
    assert in_title and hits[0].id in in_title


def test_facets_count_all_matching_documents(index: SearchIndex) -> None:
    results = search(index, "oil", facets=("source", "year"), limit=3, snippets=False)
    matching = [BY_ID[i].doc for i in in_title_or_text(("oil",))]
    sources = Counter(d.source for d in matching if d.source)
    years = Counter(f"{d.published_at.year}" for d in matching if d.published_at)
    assert dict(results.facets["source"]) == sources
    assert dict(results.facets["year"]) == years
    counts = [n for _, n in results.facets["source"]]
    assert counts == sorted(counts, reverse=True)


def test_hit_fields_come_from_the_document(index: SearchIndex) -> None:
    for hit in search(index, "oil", limit=20, snippets=False).hits:
        doc = BY_ID[hit.id].doc
        assert (hit.external_id, hit.title, hit.source, hit.published_at) == (
            doc.external_id, doc.title, doc.source, doc.published_at,
        )


def test_suggestion_when_nothing_matches(index: SearchIndex) -> None:
    results = search(index, "minsiter -gas")
    assert results.total == 0 and results.suggestion == "minister -gas"
    assert search(index, "minister").suggestion is None


def test_snippets_mark_the_phrase_only(index: SearchIndex) -> None:
    texts = {r.doc.id: r.doc.text for r in RECORDS}
    results = search(index, 'text:"oil prices"', limit=50, texts_for=lambda ids: {i: texts[i] for i in ids})
    assert results.hits
    for hit in results.hits:
        assert hit.snippet is not None
        marked = [s for s, is_match in hit.snippet.segments if is_match]
        assert marked, hit.id
        for segment in marked:
            tokens = oracle_tokens(segment)  # adjacent occurrences merge into one marked segment
            assert tokens and tokens == ("oil", "prices") * (len(tokens) // 2), segment
