"""The search's fast paths give exactly what the plain Whoosh queries they replace give.

Ids, order and scores are compared with ``==`` (no tolerance): a fast path that changed the
order in which scores are summed would show up here.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from array import array
from dataclasses import replace
from datetime import datetime
from collections.abc import Callable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh import sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.searching import Searcher
from whoosh.spelling import ReaderCorrector
from whoosh.support.levenshtein import levenshtein

from archive.search import IndexDoc, SearchIndex
from archive.search.analysis import is_gram, word_spans
from archive.search import compile as compile_module
from archive.search.compile import _date_query, _terms_within, compile_query
from archive.search.dates import Interval
from archive.search.index import _lengths_in_memory
from archive.search.lexicon import SegmentTerms, segment_terms
from archive.search.postings import (
    IdsFilter,
    SortedIdsMatcher,
    _blocks_at,
    _ids_and_weights,
    _posting_blocks,
    block_postings,
    block_values,
    posting_ids,
    ranked_words,
    word_scores,
)
from archive.search import postings
from archive.search.phrase import ExactPhrase
from archive.search.query import parse
from archive.search.facets import (
    _COLUMNS,
    ColumnFacet,
    _categorizer_keys,
    collected,
    _column_names,
    _segment_ranks,
    _sort_facet,
    _words_only,
)
from archive.search.searcher import _corrections, search
from archive.search.snippets import tokens_and_bounds
from fixtures.search.corpus import build_corpus

RECORDS = build_corpus()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("fast") / "index"
    return SearchIndex.rebuild(path, (r.doc for r in RECORDS))


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """Three segments, some documents deleted: postings are wrapped to skip deleted ones."""
    path = tmp_path_factory.mktemp("fast-segmented") / "index"
    index = SearchIndex.create(path)
    docs = [r.doc for r in RECORDS]
    for start in range(0, len(docs), 60):
        index.add(docs[start : start + 60])
    index.delete(d.id for d in docs[::7])
    return index


def ranked(index: SearchIndex, query: wq.Query, **options: object) -> list[tuple[int, float]]:
    with index.searcher() as searcher:
        results = searcher.search(query, limit=None, **options)  # type: ignore[arg-type]
        return [(hit.docnum, hit.score) for hit in results]


def plain(query: wq.Query) -> wq.Query:
    """The query with every ``IdsFilter`` replaced by Whoosh's ``ConstantScoreQuery``."""
    if isinstance(query, IdsFilter):
        return wq.ConstantScoreQuery(query.child, query.score)
    if isinstance(query, wq.CompoundQuery):
        return type(query)([plain(q) for q in query.subqueries], boost=query.boost)
    if isinstance(query, wq.Not):
        return wq.Not(plain(query.query))
    return query


INTERVALS = [
    Interval(datetime(2023, 1, 1), datetime(2024, 1, 1)),  # one year term
    Interval(datetime(2022, 11, 1), datetime(2023, 3, 15)),  # months and days
    Interval(datetime(2023, 3, 1, 10, 30), datetime(2023, 6, 2, 8)),  # sub-day remainders too
    Interval(None, datetime(2023, 4, 1)),
    Interval(datetime(2024, 2, 10), None),
    Interval(datetime(2030, 1, 1), None),  # nothing
]


@pytest.mark.parametrize("which", ["index", "segmented"])
@pytest.mark.parametrize("interval", INTERVALS)
def test_date_filter_matches_and_scores_like_constant_score_query(
    request: pytest.FixtureRequest, which: str, interval: Interval
) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    with index.searcher() as searcher:
        dates = _date_query(interval, searcher.reader())
    words = wq.Or([wq.Term("text", "oil"), wq.Term("title", "oil")])
    for query in (
        dates,
        wq.And([words, dates]),
        wq.And([dates, wq.Term("text", "prices"), words]),  # three parts: the tree shape matters
        wq.Or([dates, words]),
        wq.And([words, wq.Not(dates)]),
    ):
        assert ranked(index, query) == ranked(index, plain(query))
        assert ranked(index, query, scored=False) == ranked(index, plain(query), scored=False)


def test_date_filter_is_an_ids_filter(index: SearchIndex) -> None:
    with index.searcher() as searcher:
        query = _date_query(INTERVALS[1], searcher.reader())
    assert isinstance(query, IdsFilter)


def test_sorted_ids_matcher_skips_like_a_list_matcher() -> None:
    ids = array("I", [2, 3, 8, 13, 21, 34, 55])
    for target in range(0, 60):
        matcher = SortedIdsMatcher(ids, all_weights=1.0)
        matcher.next()
        if target <= 55:
            matcher.skip_to(target)
            expected = min(i for i in ids[1:] if i >= target)
            assert matcher.id() == expected and matcher.score() == 1.0
        copied = matcher.copy()
        assert copied.is_active() == matcher.is_active()
        if matcher.is_active():
            assert copied.id() == matcher.id()
    matcher = SortedIdsMatcher(ids, all_weights=1.0)
    matcher.skip_to(56)
    assert not matcher.is_active()


def spans_from_bounds(text: str) -> list[tuple[str, int, int]]:
    tokens, bounds = tokens_and_bounds(text)
    assert bounds[0] == 0 and bounds[-1] == len(text) and len(bounds) == 2 * len(tokens) + 2
    return [(token, bounds[2 * i + 1], bounds[2 * i + 2]) for i, token in enumerate(tokens)]


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "Oil", "Microsoft's rise", "O'Brien's don't 's x's", "it's'", "ab'sx Ab'S", "''s", "U.S. 1,000",
        "co_op e-mail", "Zürich café Reuters’ Microsoft’s", "İstanbul STRASSE ß", "tab\tnew\nline",
    ],
)
def test_snippet_tokens_are_the_analyzer_words(text: str) -> None:
    assert spans_from_bounds(text) == word_spans(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ9 '’sS_-.\néİß")), max_size=40))
def test_snippet_tokens_are_the_analyzer_words_for_any_text(text: str) -> None:
    assert spans_from_bounds(text) == word_spans(text)


def test_fuzzy_expansion_gives_whoosh_terms_in_whoosh_order(index: SearchIndex) -> None:
    words = sorted({t for r in RECORDS for t in (*r.text_tokens, *r.title_tokens)})
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname in ("text", "title", "author"):
            for word in [*words, "zzz", "mikrosoft", "oi", "pricse"]:
                for maxdist in (1, 2):
                    expected = list(reader.terms_within(fieldname, word, maxdist, prefix=1))
                    assert list(_terms_within(reader, fieldname, word, maxdist, 1)) == expected
                    assert list(_terms_within(reader, fieldname, word, maxdist, 1)) == expected  # cached


def levenshtein_terms(reader: Any, fieldname: str, word: str, maxdist: int, prefix: int) -> list[str]:
    """Every term of the field (all segments) within ``maxdist`` Levenshtein edits of ``word``
    sharing its first ``prefix`` letters, by brute force, in sorted order: what a segment's
    Levenshtein automaton yields (Whoosh's ``terms_within`` over several segments instead uses
    Damerau-Levenshtein, where a swap of two letters is one edit)."""
    terms = (t.decode("utf-8") for t in reader.lexicon(fieldname))
    return [t for t in terms if t[:prefix] == word[:prefix] and levenshtein(t, word) <= maxdist]


@pytest.mark.parametrize(("block", "walk"), [(2, "first"), (64, "first"), (64, "later")])
@pytest.mark.parametrize("which", ["index", "segmented"])
def test_fuzzy_expansion_is_every_term_within_the_edits(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, block: int, walk: str
) -> None:
    """On one segment this is also Whoosh's own (previous test); on several, the same rule over
    their terms together, so segmenting never changes what a fuzzy word or suggestion finds:
    a field's first walk in a process (over each segment's terms, decoded by blocks of any size)
    and the ones after (over all of them merged)."""
    monkeypatch.setattr(SegmentTerms, "BLOCK", block)
    monkeypatch.setattr(compile_module, "_TERM_LISTS", WeakKeyDictionary())
    monkeypatch.setattr(compile_module, "_MERGED", WeakKeyDictionary())
    monkeypatch.setattr(compile_module, "asked_before", lambda asked, reader, key: walk == "later")
    index: SearchIndex = request.getfixturevalue(which)
    with index.searcher() as searcher:
        reader = searcher.reader()
        found = 0
        for word in [*vocabulary()[::3], "zzz", "mikrosoft", "oi", "pricse", "oli"]:
            for maxdist, prefix in ((1, 1), (2, 1), (1, 0), (2, 0)):
                expected = levenshtein_terms(reader, "text", word, maxdist, prefix)
                assert list(_terms_within(reader, "text", word, maxdist, prefix)) == expected, (word, maxdist)
                found += len(expected)
        assert found > 100
        # A transposition is two edits here; Whoosh's several-segment walk counted it as one.
        assert "oil" not in _terms_within(reader, "text", "oli", 1, 1)


def test_segment_terms_are_the_lexicon(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            for fieldname in ("text", "title", "author", "source", "nosuchfield"):
                expected = [t.decode("utf-8") for t in leaf.lexicon(fieldname)] if fieldname in leaf.schema else []
                assert list(segment_terms(leaf, fieldname)) == expected
                assert expected or fieldname in ("author", "nosuchfield")


def test_segment_terms_holding_newlines_are_the_lexicon(tmp_path: Any) -> None:
    """All of a segment's terms are decoded at once, split at newlines put before each: a term
    that holds a newline (a whole-value field such as ``lang``) is decoded as it is."""
    docs = [IndexDoc(i, f"x{i}", None, "some text", None, None, None, lang, None, f"h{i}")
            for i, lang in enumerate(["en", "fr\nde", "\n", "zz"], start=1)]
    index = SearchIndex.rebuild(tmp_path / "index", docs)
    with index.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            expected = [t.decode("utf-8") for t in leaf.lexicon("lang")]
            assert "fr\nde" in expected
            assert list(segment_terms(leaf, "lang")) == expected


@pytest.mark.parametrize("block", [1, 3, 64])
def test_segment_terms_bisect_as_a_list_does(segmented: SearchIndex, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Terms are decoded as look-ups reach them, a block's first term up front: whatever the block
    size, a look-up finds what ``bisect`` finds in the decoded list, and indexing gives its terms."""
    monkeypatch.setattr(SegmentTerms, "BLOCK", block)
    rng = random.Random(block)
    with segmented.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            terms = segment_terms(leaf, "text")
            assert isinstance(terms, SegmentTerms)
            expected = [t.decode("utf-8") for t in leaf.lexicon("text")]
            probes = [*expected[::7], "", "a", "zzzz", "\uffff", *(t + "\0" for t in expected[::11]), *(t[:-1] for t in expected[::13])]
            for probe in probes:
                lo = rng.randrange(len(expected) + 1)
                hi = rng.randrange(lo, len(expected) + 1)
                assert terms.bisect_left(probe) == bisect_left(expected, probe), probe
                assert terms.bisect_left(probe, lo, hi) == bisect_left(expected, probe, lo, hi), (probe, lo, hi)
            assert [terms[i] for i in range(len(terms) - 1, -1, -1)] == expected[::-1]
            assert terms[-1] == expected[-1] and terms[2:9] == expected[2:9]
            with pytest.raises(IndexError):
                terms[len(expected)]


@pytest.mark.parametrize("which", ["index", "segmented"])
@pytest.mark.parametrize("reverse", [False, True])
def test_column_facets_sort_and_group_like_field_facets(
    request: pytest.FixtureRequest, which: str, reverse: bool
) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    query = wq.Or([wq.Term("text", "oil"), wq.Term("text", "the"), wq.Term("title", "prices")])

    def run(facet: type[sorting.FieldFacet]) -> tuple[list[int], dict[str, dict[object, int]]]:
        with index.searcher() as searcher:
            by_date = sorting.MultiFacet([sorting.TranslateFacet(lambda v: not v, facet("dated")),
                                          facet("published", reverse=reverse)])
            results = searcher.search(query, limit=None, sortedby=by_date,
                                      groupedby={"s": facet("source_facet"), "y": facet("year")},
                                      maptype=sorting.Count)
            return [hit.docnum for hit in results], {name: results.groups(name) for name in ("s", "y")}

    assert run(ColumnFacet) == run(sorting.FieldFacet)
    assert run(ColumnFacet) == run(sorting.FieldFacet)  # column readers now from the cache
    with index.searcher() as searcher:
        readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
    assert all(("dated", False) in _COLUMNS[reader] for reader in readers)


@pytest.fixture(scope="module")
def long_postings(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """The corpus four times over in two segments, some deleted: common words span several blocks."""
    path = tmp_path_factory.mktemp("fast-long") / "index"
    index = SearchIndex.create(path)
    docs = [replace(r.doc, id=r.doc.id + copy * 1000, external_id=f"{r.doc.external_id}-{copy}")
            for copy in range(4) for r in RECORDS]
    index.add(docs[:400])
    index.add(docs[400:])
    index.delete(d.id for d in docs[::9])
    return index


def vocabulary() -> list[str]:
    return sorted({t for r in RECORDS for t in (*r.text_tokens, *r.title_tokens)})


def both_fields(word: str) -> wq.Query:
    return wq.Or([wq.Term("title", word), wq.Term("text", word)])


def words_queries(reader: Any) -> list[wq.Query]:
    words = vocabulary()
    queries: list[wq.Query] = [wq.Term("text", "zzz"), both_fields("zzz"), wq.NullQuery, wq.Or([])]
    for word in words:
        queries.append(wq.Term("text", word))
        queries.append(both_fields(word))
    for i in range(0, len(words) - 6, 5):  # ORs of three and more, wildcard-like preloaded ORs
        some = words[i : i + 6]
        queries.append(wq.Or([both_fields(w) for w in some[:3]]))
        queries.append(wq.Or([wq.Term("text", w) for w in some]))
        queries.append(wq.Or([PreloadedOr([wq.Term("title", w) for w in some]), PreloadedOr([wq.Term("text", w) for w in some])]))
        queries.append(PreloadedOr([wq.Term("text", some[0])]))
        queries.append(wq.Or([wq.Term("title", some[0]), wq.NullQuery, wq.Or([wq.Term("text", some[1])])]))
        # ANDs, of words, ORs and date filters (IdsFilter), nested, of two parts and more
        queries.append(wq.And([both_fields(w) for w in some[:2]]))
        queries.append(wq.And([both_fields(w) for w in some[:3]]))
        queries.append(wq.And([wq.Or([wq.Term("text", w) for w in some[:3]]), wq.Term("text", some[3]), wq.NullQuery]))
        queries.append(wq.And([wq.And([both_fields(w) for w in some[4:]]), both_fields("the")]))
        # negations in an AND: a word's, an OR's, a phrase's documents left out
        queries.append(wq.And([both_fields(some[0]), wq.Not(both_fields(some[1]))]))
        queries.append(wq.And([wq.Not(wq.Term("text", some[2])), wq.Term("text", "the"), both_fields(some[3])]))
        queries.append(wq.And([both_fields("the"), wq.Not(ExactPhrase("text", [("oil", 0), ("prices", 1)]))]))
        queries.append(wq.And([wq.Not(both_fields(some[4])), wq.Or([both_fields(some[5]), both_fields("the")])]))
    # exact phrases: word pairs and triples that occur, and ones that do not, alone, ORed and ANDed
    for record in RECORDS[::25]:
        tokens = record.text_tokens
        for i in range(0, len(tokens) - 2, 4):
            pair = ExactPhrase("text", [(tokens[i], 0), (tokens[i + 1], 1)])
            queries.append(pair)
            queries.append(ExactPhrase("text", [(tokens[i], 0), (tokens[i + 2], 2)]))
            queries.append(ExactPhrase("text", [(tokens[i + 1], 0), (tokens[i], 1)]))
            queries.append(wq.Or([ExactPhrase("title", [(tokens[i], 0), (tokens[i + 1], 1)]), pair]))
            queries.append(wq.And([pair, both_fields(tokens[i + 2])]))
            queries.append(ExactPhrase("text", [(tokens[i], 0), (tokens[i + 1], 1), (tokens[i + 2], 2)]))
            queries.append(ExactPhrase("text", [(tokens[i + 1], 1), (tokens[i], 0), (tokens[i + 2], 2)]))
            queries.append(ExactPhrase("text", [(tokens[i], 0), (tokens[i + 2], 1), (tokens[i + 1], 2)]))
    for interval in INTERVALS:
        for word in ("the", "oil", "prices", "new"):
            queries.append(wq.And([both_fields(word), _date_query(interval, reader)]))
            queries.append(wq.And([_date_query(interval, reader), both_fields(word), wq.Term("text", "said")]))
            queries.append(wq.And([both_fields(word), wq.Not(_date_query(interval, reader))]))
    return queries


@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("arrays_from", [10**9, 0], ids=["python", "arrays"])
def test_ranked_words_give_whoosh_top_hits_and_total(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, large: bool, arrays_from: int
) -> None:
    """Read and scored in Python (the fixtures' terms are all short) and as arrays (as long ones are)."""
    monkeypatch.setattr(postings, "arrays_from", lambda: arrays_from)
    index: SearchIndex = request.getfixturevalue(which)
    if not large:
        with index.searcher() as searcher:
            check_ranked_words(searcher)
        return
    # Whoosh ORs more than two parts as a tree of unions on segments of over 5,000 documents, as
    # an array of sums below that: pretend the segments are that large (idf changes too, alike on
    # both sides), in a searcher of its own.
    monkeypatch.setattr(Searcher, "doc_count_all", lambda self: 5001)
    with index.searcher() as cached, cached._ix.searcher() as searcher:
        _lengths_in_memory(searcher)
        check_ranked_words(searcher)


@pytest.mark.parametrize("which", ["segmented", "long_postings"])
@pytest.mark.parametrize("arrays_from", [10**9, 0], ids=["python", "arrays"])
def test_ranked_words_give_whoosh_top_hits_reading_only_wanted_blocks(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, arrays_from: int
) -> None:
    """The parts of an AND after the smallest, read only at its matches however many they are."""
    monkeypatch.setattr(postings, "arrays_from", lambda: arrays_from)
    monkeypatch.setattr(postings, "_postings_of", lambda matcher, count, within, with_values=False: (
        _posting_blocks(matcher, with_values) if within is None else _blocks_at(matcher, within, with_values)))
    with request.getfixturevalue(which).searcher() as searcher:
        check_ranked_words(searcher)


@pytest.mark.parametrize("which", ["segmented", "long_postings"])
def test_blocks_at_are_the_wanted_postings(request: pytest.FixtureRequest, which: str) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    rng = random.Random(5)
    skipped = 0
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            count = reader.doc_count_all()
            for fieldname, text in list(reader.all_terms())[::7]:
                def new_matcher() -> Any:
                    return reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)

                full = list(_posting_blocks(new_matcher(), True))
                everything = [(i, w, v) for ids, ws, vs in full for i, w, v in zip(ids, ws, vs)]
                for share in (0.01, 0.2, 1.0):
                    wanted = sorted(rng.sample(range(count), max(1, int(share * count))))
                    keep = set(wanted)
                    expected = [posting for posting in everything if posting[0] in keep]
                    blocks = list(_blocks_at(new_matcher(), wanted, with_values=True))
                    assert [(i, w, v) for ids, ws, vs in blocks for i, w, v in zip(ids, ws, vs)] == expected
                    assert [i for ids, _, _ in _blocks_at(new_matcher(), wanted) for i in ids] == [p[0] for p in expected]
                    skipped += len(blocks) < len(full)
    assert skipped > 0  # some blocks were passed by


def check_ranked_words(searcher: Searcher) -> None:
    handled = 0
    for query in words_queries(searcher.reader()):
        everything = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=None)]
        for limit in (1, 3, 10, 1000):
            fast = ranked_words(searcher, query, limit)
            assert fast is not None, query
            handled += 1
            assert fast == (len(everything), everything[:limit]), (query, limit)
            if _words_only(query):
                # What the search used for these before: Whoosh's block-skipping top-N collector
                # (which on unions of preloaded ORs skips blocks it should not).
                top = searcher.search(query, limit=limit)
                assert fast[1] == [(hit.score, hit.docnum) for hit in top]
    assert handled == 4 * len(words_queries(searcher.reader()))


def test_ranked_words_leave_other_queries_to_whoosh(index: SearchIndex) -> None:
    with index.searcher() as searcher:
        for query in (
            wq.Term("text", "oil", boost=2.0),
            wq.Or([wq.Term("title", "oil"), wq.Term("text", "oil")], boost=2.0),
            wq.Or([wq.Term("title", "oil"), wq.Term("text", "oil"), wq.Term("author", "oil", boost=0.5)]),
            wq.Or([wq.Term("title", "oil"), wq.Term("text", "oil")], scale=0.5),
            PreloadedOr([wq.Term("title", "oil"), wq.Term("text", "oil")], boost=3.0),
            wq.And([wq.Term("title", "oil"), wq.Not(wq.Term("text", "oil"))], boost=2.0),
            # Whoosh's NOT alone matches a segment's last document if it is deleted
            wq.Not(wq.Term("text", "oil")),
            wq.Or([wq.Term("title", "oil"), wq.Not(wq.Term("text", "oil"))]),
            wq.And([wq.Not(wq.Term("title", "oil")), wq.Not(wq.Term("text", "oil"))]),
            wq.And([wq.Term("title", "oil"), wq.Term("text", "oil")], boost=2.0),
            wq.And([wq.ConstantScoreQuery(wq.Term("title", "oil")), wq.Term("text", "oil")]),
            wq.Or([wq.Term("title", "oil"), wq.Phrase("text", ["oil", "prices"], boost=2.0)]),
        ):
            assert ranked_words(searcher, query, 10) is None


def _block_matcher_pairs(index: SearchIndex) -> Iterator[tuple[Any, Any, Callable[[], Any]]]:
    """For every term stored in block format: two fresh matchers (one for the fast reader, one
    for Whoosh's own block reading) and a factory for more."""
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for fieldname, text in reader.all_terms():
                def new_matcher(fieldname: str = fieldname, text: bytes = text) -> Any:
                    return reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)

                fast, slow = new_matcher(), new_matcher()
                if isinstance(fast, W3LeafMatcher):
                    yield fast, slow, new_matcher


@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
def test_block_postings_read_what_whoosh_reads(request: pytest.FixtureRequest, which: str) -> None:
    cut = 0
    for fast, slow, new_matcher in _block_matcher_pairs(request.getfixturevalue(which)):
        assert list(posting_ids(new_matcher())) == list(new_matcher().all_ids())
        while fast.is_active():
            cut += _ids_and_weights(fast) is not None
            ids, weights = block_postings(fast)
            slow._read_ids()
            slow._read_weights()
            assert (ids, list(weights)) == (slow._ids, list(slow._weights))
            assert type(ids) is type(slow._ids)
            fast._next_block()
            slow._next_block()
        assert not slow.is_active()
    assert cut > 0  # the values were cut off for some blocks, not every block read whole


@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
def test_block_values_read_what_whoosh_reads(request: pytest.FixtureRequest, which: str) -> None:
    blocks = 0
    for fast, slow, _ in _block_matcher_pairs(request.getfixturevalue(which)):
        while fast.is_active():
            ids, weights, values = block_values(fast)
            slow._read_ids()
            slow._read_weights()
            slow._read_values()
            assert (ids, list(weights), values) == (slow._ids, list(slow._weights), slow._values)
            assert type(ids) is type(slow._ids)
            blocks += 1
            fast._next_block()
            slow._next_block()
        assert not slow.is_active()
    assert blocks > 100


@pytest.mark.parametrize("which", ["index", "segmented"])
def test_corrections_are_whoosh_candidates(request: pytest.FixtureRequest, which: str) -> None:
    """A suggestion's candidates are what Whoosh's reader corrector takes: every term within the
    edits, no common prefix needed (on one segment, the same as Whoosh's own walk)."""
    index: SearchIndex = request.getfixturevalue(which)
    words = vocabulary()
    typos = [w[:i] + w[i + 1 :] for w in words[::3] for i in range(min(len(w), 3))]
    typos += [w[1:] + w[0] for w in words[::5]] + ["zzz", "mikrosoft", "oi", "pricse", "shaers", "minster"]
    found = 0
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname in ("text", "title"):
            for word in [*words[::2], *typos]:
                for maxdist in (1, 2):
                    expected = [t for t in levenshtein_terms(reader, fieldname, word, maxdist, 0)
                                if t != word and not is_gram(t)]
                    if which == "index":
                        whoosh = {t for _, t in ReaderCorrector(reader, fieldname, None)._suggestions(word, maxdist, 0)}
                        assert set(expected) == {t for t in whoosh if t != word and not is_gram(t)}
                    assert _corrections(searcher, fieldname, word, maxdist) == expected, (word, maxdist)
                    found += bool(expected)
        assert found > 100


def read_keys(monkeypatch: pytest.MonkeyPatch, keys: str) -> None:
    """Make date-sorted and faceted searches read sort keys and facet values of their matches
    only ("matches"), or of every document of a segment ("segment"), whatever their number."""
    from archive.search import facets

    share = 1 if keys == "matches" else 10**9
    monkeypatch.setattr(facets, "FEW_MATCHES_SHARE", share)
    monkeypatch.setattr(facets, "FEW_MATCHES_SHARE_FACETS", share)
    monkeypatch.setattr(facets, "asked_before", lambda asked, reader, key: False)


@pytest.mark.parametrize("keys", ["matches", "segment"])
@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
def test_word_searches_page_count_and_group_like_the_collector(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, keys: str
) -> None:
    read_keys(monkeypatch, keys)
    index: SearchIndex = request.getfixturevalue(which)
    words = vocabulary()
    texts = ["zzz", "oil", "the", "title:new", "oil OR prices OR shares", "s*", "title:s*", "pric~1", *words[::4],
             "oil prices", "new AND (oil OR shares)", "the published:2023", "published:>=2023-03-01 s*", "new title:new",
             '"new york"', '"said said"', '"the oil" OR shares', '"new york" AND (oil OR the)', '"oil prices" published:2023']
    with index.searcher() as searcher:
        for text in texts:
            compiled = compile_query(parse(text).root, searcher.reader())
            assert word_scores(searcher, compiled.query) is not None or "published" in text or " " in text, text
            for facets, limit, offset in (((), 10, 0), (("source", "year"), 10, 0), (("year",), 3, 2), ((), 0, 0)):
                results = search(index, text, facets=facets, limit=limit, offset=offset)  # type: ignore[arg-type]
                total, page, groups = collected(searcher, compiled.query, "relevance", limit, offset, facets)
                assert (results.total, [(hit.id, hit.score) for hit in results.hits], results.facets) == (
                    total, [(int(fields["id"]), score) for fields, score in page], groups
                ), (text, facets)


@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
def test_column_names_are_the_categorizer_names(request: pytest.FixtureRequest, which: str) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    with index.searcher() as searcher:
        for fieldname in ("source_facet", "year", "dated"):
            categorizer = ColumnFacet(fieldname).categorizer(searcher)
            for leaf, offset in searcher.leaf_searchers():
                categorizer.set_searcher(leaf, offset)
                expected = [categorizer.key_to_name(categorizer.key_for(None, d)) for d in range(leaf.doc_count_all())]
                coded = _column_names(leaf.reader(), categorizer)
                assert coded is not None
                codes, names = coded
                assert [names[code] for code in codes.tolist()] == expected
                assert len(set(expected)) > 1


def dated_searches(index: SearchIndex) -> list[str]:
    words = vocabulary()
    return ["zzz", "oil", "the", "title:new", "oil OR prices OR shares", "s*", "pric~1", *words[::6], "oil prices",
            "new AND (oil OR shares)", "the published:2023", '"new york"', '"said said"', '"the oil" OR shares',
            '"new york" AND (oil OR the)', '"oil prices" published:2023', "published:>=2023-03-01 s*"]


@pytest.mark.parametrize("keys", ["matches", "segment"])
@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
@pytest.mark.parametrize("sort", ["date", "-date"])
def test_dated_searches_page_count_and_group_like_the_sorting_collector(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, sort: str, keys: str
) -> None:
    """Sorted by date, every page is the sorting collector's page: ties in date in index order,
    undated documents last, the total exact; whether the keys of the matches only were read
    (a segment's first such search, few matches) or the segment's."""
    read_keys(monkeypatch, keys)
    index: SearchIndex = request.getfixturevalue(which)
    one_pass = 0
    with index.searcher() as searcher:
        for text in dated_searches(index):
            compiled = compile_query(parse(text).root, searcher.reader())
            one_pass += word_scores(searcher, compiled.query) is not None
            for facets, limit, offset in (((), 10, 0), ((), 7, 5), (("source", "year"), 10, 0), ((), 0, 0), ((), 1000, 0)):
                results = search(index, text, sort=sort, facets=facets, limit=limit, offset=offset)  # type: ignore[arg-type]
                total, page, groups = collected(searcher, compiled.query, sort, limit, offset, facets)
                assert (results.total, [hit.id for hit in results.hits], results.facets) == (
                    total, [int(fields["id"]) for fields, _ in page], groups
                ), (text, facets, limit, offset)
                assert all(hit.score is None for hit in results.hits)
    assert one_pass > 0.8 * len(dated_searches(index))


@pytest.mark.parametrize("keys", ["matches", "segment"])
def test_dated_searches_order_ties_and_undated_documents(
    long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch, keys: str
) -> None:
    """The fixture has what the order must get right: equal dates and no dates, among matches."""
    read_keys(monkeypatch, keys)
    results = search(long_postings, "the", sort="date", limit=1000)
    dates = [hit.published_at for hit in results.hits]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated) and dates[len(dated):] == [None] * (len(dates) - len(dated))
    assert len(set(dated)) < len(dated) and len(dated) < len(dates)
    # Documents were added in id order, so index order among equal dates is id order.
    ties = [(a.id, b.id) for a, b in zip(results.hits, results.hits[1:]) if a.published_at == b.published_at]
    assert ties and all(a < b for a, b in ties)


@pytest.mark.parametrize("which", ["index", "segmented", "long_postings"])
@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_keys_are_the_categorizer_keys(request: pytest.FixtureRequest, which: str, sort: str) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    with index.searcher() as searcher:
        categorizer = _sort_facet(sort).categorizer(searcher)
        for leaf, offset in searcher.leaf_searchers():
            categorizer.set_searcher(leaf, offset)
            everyone = list(range(leaf.doc_count_all()))
            expected = [categorizer.key_for(None, d) for d in everyone]
            assert _categorizer_keys(categorizer, everyone) == expected
            assert {key[0] for key in expected} == {False, True}  # dated and undated documents
            # Ranks from the keys' codes: the place of each document in (key, document number) order.
            ranks = _segment_ranks(categorizer)
            assert ranks is not None
            assert sorted(everyone, key=lambda d: (expected[d], d)) == sorted(everyone, key=ranks.__getitem__)


def test_ranked_words_stay_whoosh_after_segments_are_added_and_deleted(tmp_path: Any) -> None:
    """What is kept between searches (BM25F's length table, keyed by the index-wide average
    length) must not outlive the index state it was made for: each commit changes the averages."""
    index = SearchIndex.create(tmp_path / "index")
    docs = [r.doc for r in RECORDS]
    queries = [both_fields("oil"), wq.Term("text", "the"), wq.Or([both_fields("prices"), both_fields("shares")]),
               ExactPhrase("text", [("oil", 0), ("prices", 1)])]
    for change in (lambda: index.add(docs[:90]), lambda: index.add(docs[90:]), lambda: index.delete(d.id for d in docs[::5])):
        change()
        with index.searcher() as searcher:
            for query in queries:
                everything = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=None)]
                assert everything
                assert ranked_words(searcher, query, 10) == (len(everything), everything[:10]), query
