"""The term file's look-ups and postings matchers (``termfile``) are what Whoosh's reader gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query.compound import PreloadedOr

from archive.search import SearchIndex, search, termfile
from archive.search.compile import _date_query, _years
from archive.search.dates import Interval
from archive.search.phrase import ExactPhrase
from archive.search.postings import DatedIdsFilter, IdsFilter, _and_sizes, query_ids, ranked_words
from fixtures.search.corpus import build_corpus

RECORDS = build_corpus()


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """The corpus twice over in three segments, some documents deleted: common words span
    several posting blocks."""
    index = SearchIndex.create(tmp_path_factory.mktemp("termfile") / "index")
    docs = [replace(r.doc, id=r.doc.id + copy * 1000, external_id=f"{r.doc.external_id}-{copy}")
            for copy in range(2) for r in RECORDS]
    for start in range(0, len(docs), len(docs) // 3 + 1):
        index.add(docs[start : start + len(docs) // 3 + 1])
    index.delete(d.id for d in docs[::7])
    return index


def postings_of(matcher: Any) -> list[tuple[int, float, Any]]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def test_matchers_are_whooshs(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            assert reader.deleted_docs_set
            for fieldname, text in reader.all_terms():
                found = termfile.postings(reader, fieldname, text)
                assert found is not None
                fast, deleted = found
                slow = reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)
                assert type(fast) is type(slow) is W3LeafMatcher
                assert deleted == reader.deleted_docs_set
                assert vars(fast) == vars(slow)  # made as whoosh3 makes it, at its first block
                assert postings_of(fast) == postings_of(slow)
            assert termfile.postings(reader, "text", b"zzz") is None
            assert termfile.postings(reader, "nosuchfield", b"oil") is None


def test_matchers_of_other_readers_are_whooshs_unwrapped(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        reader = searcher.reader()  # several segments: not one termfile reads
        assert termfile.w3_terms(reader) is None
        for fieldname, text in list(reader.all_terms())[::5]:
            found = termfile.postings(reader, fieldname, text)
            assert found is not None
            matcher, deleted = found
            kept = [p for p in postings_of(matcher) if p[0] not in deleted]
            assert kept == postings_of(reader.postings(fieldname, text))
        assert termfile.postings(reader, "text", b"zzz") is None


def test_an_unexpected_block_header_is_read_by_whoosh(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        fieldname, text = next((f, t) for f, t in reader.all_terms()
                               if type(reader._terms.matcher(f, t, reader.schema[f].format)) is W3LeafMatcher)
        slow = reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)
        postfile = reader._terms._postfile

        class Garbled:  # the first block's info not a pickled tuple of six: whoosh3 reads it
            def __getattr__(self, name: str) -> Any:
                return getattr(postfile, name)

            def get(self, position: int, length: int) -> bytes:
                return postfile.get(position, 8) + b"\x80\x02)."

        assert termfile.info_end(Garbled().get(slow._startoffset, 80), 8) == -1
        fast = termfile.leaf_matcher(Garbled(), slow._startoffset, slow._length[0], slow.format, (fieldname, text))
        assert vars(fast) | {"_postfile": postfile} == vars(slow)


def test_frequencies_and_estimates_are_whooshs(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()] + [searcher.reader()]
        for reader in readers:
            terms = list(reader.all_terms())
            for fieldname, text in terms + [("text", b"zzz"), ("title", b"")]:
                assert termfile.doc_frequency(reader, fieldname, text) == reader.doc_frequency(fieldname, text)
            words = [text.decode() for fieldname, text in terms if fieldname == "text"][::40]
            queries: list[wq.Query] = [wq.Term("text", "zzz"), wq.Term("nosuchfield", "oil"), wq.Or([]),
                                       wq.Not(wq.Term("text", words[0])), ExactPhrase("text", [(words[0], 0), ("zzz", 1)])]
            for a, b in zip(words, words[1:]):
                queries += [wq.Term("text", a), wq.Term("title", a), wq.Or([wq.Term("text", a), wq.Term("title", b)]),
                            wq.And([wq.Term("text", a), wq.Or([wq.Term("title", a), wq.Term("text", b)])]),
                            PreloadedOr([wq.Term("text", a), wq.Term("text", b), wq.Term("text", "zzz")]),
                            wq.And([wq.Term("text", a), wq.Not(wq.Term("text", b))]),
                            ExactPhrase("text", [(a, 0), (b, 1)]), ExactPhrase("title", [(b, 0), (a, 2)]),
                            wq.And([ExactPhrase("text", [(a, 0), (b, 1)]),
                                    wq.Or([wq.Term("title", b), wq.Term("text", a)])]),
                            IdsFilter(PreloadedOr([wq.Term("text", a), wq.Term("title", b)])),
                            wq.And([wq.Term("text", b),
                                    DatedIdsFilter(wq.Or([wq.Term("title", a), wq.Term("text", a)]), 0, 1)])]
            for query in queries:
                assert termfile.estimate_size(reader, query) == query.estimate_size(reader), query


def test_query_ids_are_the_live_documents_of_the_terms(segmented: SearchIndex) -> None:
    with segmented.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            words = [text.decode() for fieldname, text in reader.all_terms() if fieldname == "text"][::25]
            for a, b in zip(words, words[1:]):
                queries = [wq.Term("text", a), wq.Term("title", b), wq.Term("text", "zzz"), wq.Term("nosuchfield", a)]
                expected = {docnum for query in queries
                            for docnum in query.matcher(leaf, leaf.boolean_context()).all_ids()}
                assert query_ids(queries, leaf) == expected



def test_an_empty_index_finds_nothing_for_fuzzy_words_dates_or_suggestions(tmp_path: Any) -> None:
    index = SearchIndex.create(tmp_path / "empty")
    for query in ("dolar~1", "published:1987 oil", "cofee"):
        assert search(index, query).total == 0


def test_years_are_the_lexicons(segmented: SearchIndex, tmp_path: Any) -> None:
    with segmented.searcher() as searcher, SearchIndex.create(tmp_path / "empty").searcher() as empty:
        for reader in [searcher.reader(), *(leaf.reader() for leaf, _ in searcher.leaf_searchers()), empty.reader()]:
            assert _years(reader) == sorted(int(year) for year in reader.lexicon("year"))
        assert len(_years(searcher.reader())) > 1


DATE_INTERVALS = [
    Interval(datetime(2022, 11, 1), datetime(2023, 3, 15)),  # months and days
    Interval(datetime(2023, 3, 1, 10, 30), datetime(2023, 6, 2, 8)),  # sub-day remainders too
    Interval(None, datetime(2023, 4, 1)),
    Interval(datetime(2024, 2, 10), None),
]


@pytest.mark.parametrize("interval", DATE_INTERVALS)
def test_and_sizes_count_a_date_filter_only_as_far_as_the_tree_needs(segmented: SearchIndex, interval: Interval) -> None:
    with segmented.searcher() as searcher:
        dates = _date_query(interval, searcher.reader())
        assert isinstance(dates, DatedIdsFilter) and len(dates.child.subqueries) > 2
        words = ["oil", "prices", "the", "said", "zzz"]
        queries = [wq.And([dates, wq.Term("text", w)]) for w in words]
        queries += [wq.And([wq.Term("text", a), dates, wq.Or([wq.Term("title", b), wq.Term("text", b)])])
                    for a, b in zip(words, words[1:])]
        queries += [wq.And([wq.Term("text", "oil"), dates, wq.Term("text", "prices"), wq.Term("title", "oil")]),
                    wq.And([dates, dates, wq.Term("text", "oil")])]
        stopped = 0
        for query in queries:
            for leaf, _ in searcher.leaf_searchers():
                reader = leaf.reader()
                exact = [termfile.estimate_size(reader, q) for q in query.subqueries]
                sizes = _and_sizes(reader, query.subqueries)
                filters = [i for i, q in enumerate(query.subqueries) if q is dates]
                for i, (size, full) in enumerate(zip(sizes, exact)):
                    if size != full:  # a lone filter, stopped once over every other part
                        assert filters == [i] and max(exact[:i] + exact[i + 1 :]) < size < full
                        stopped += 1
            total, best = ranked_words(searcher, query, 1000)
            hits = searcher.search(query, limit=1000)
            assert (total, best) == (len(hits), [(hit.score, hit.docnum) for hit in hits])
        assert stopped
