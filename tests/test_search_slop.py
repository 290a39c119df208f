"""Phrases with slop (``postings._sloppy_scores``) and exact phrases give exactly what Whoosh
gives: its matches, total and scores (compared with ``==``), on postings that span several blocks,
repeat values, hold very long position lists and positions far apart.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from whoosh import query as wq

from archive.search import IndexDoc, SearchIndex, postings
from archive.search.phrase import ExactPhrase
from archive.search.postings import ranked_words
from fixtures.search.corpus import build_corpus

RECORDS = build_corpus()


def _long_doc(doc_id: int) -> IndexDoc:
    """Positions that need every pickled int size and a list pickled in batches: words 300 and
    70,000 positions apart (BININT2, BININT deltas), one word 1,100 times (more than the 1,000
    items pickle puts in one batch), phrases with and without room in between."""
    filler = " ".join(f"w{i % 50}" for i in range(300))
    far = " ".join("far" for _ in range(70_000))
    many = " ".join("oil prices" if i % 3 else "oil rose prices" for i in range(1_100))
    text = f"oil prices {filler} oil prices {many} {far} oil said prices {filler} trade the deficit"
    return IndexDoc(id=doc_id, external_id=f"long-{doc_id}", title="Oil prices", text=text, author=None,
                    source="Reuters", url=None, language="en", published_at=None, content_hash=f"long-{doc_id}")


def _ladder(doc_id: int, place: int) -> IndexDoc:
    """"marker" at ``place``: 100 documents with places 0-99, then again at places 90-99."""
    text = " ".join(["pad"] * place + ["marker", "word"])
    return IndexDoc(id=doc_id, external_id=f"ladder-{doc_id}", title=None, text=text, author=None, source=None,
                    url=None, language=None, published_at=None, content_hash=f"ladder-{doc_id}")


@pytest.fixture(scope="module")
def long_postings(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """The corpus four times over in two segments, some deleted, and a few very long documents:
    common words span several blocks, values repeat (shared single-position values)."""
    index = SearchIndex.create(tmp_path_factory.mktemp("phrase-arrays") / "index")
    docs = [replace(r.doc, id=r.doc.id + copy * 1000, external_id=f"{r.doc.external_id}-{copy}")
            for copy in range(4) for r in RECORDS]
    ladder = [_ladder(8000 + i, i if i < 100 else 90 + i % 10) for i in range(125)]
    index.add(docs[:400] + [_long_doc(9001)] + ladder)
    index.add(docs[400:] + [_long_doc(9002), _long_doc(9003)])
    index.delete([d.id for d in docs[::9]] + [9003])
    return index


def phrases() -> list[tuple[str, ...]]:
    """Word pairs and triples that occur (and in other orders, that may not), common words,
    a word twice, and the long documents' phrases."""
    found: list[tuple[str, ...]] = [("marker", "word"), ("pad", "word"), ("oil", "prices"), ("oil", "said", "prices"), ("trade", "deficit"),
                                    ("oil", "rose", "prices"), ("prices", "oil"), ("the", "the")]
    for record in RECORDS[::80]:
        tokens = record.text_tokens
        for i in range(0, len(tokens) - 2, 5):
            found += [tokens[i : i + 2], tokens[i : i + 3], (tokens[i], tokens[i + 2]), (tokens[i + 1], tokens[i])]
    return found


def queries() -> list[wq.Query]:
    result: list[wq.Query] = []
    for words in phrases():
        for fieldname in ("text", "title"):
            exact = ExactPhrase(fieldname, [(word, i) for i, word in enumerate(words)])
            result += [exact, wq.And([exact, wq.Term("text", "the")]), wq.Or([exact, wq.Term("title", words[0])])]
            for slop in (2, 4):
                sloppy = wq.Phrase(fieldname, list(words), slop=slop)
                result += [sloppy, wq.And([sloppy, wq.Term("text", words[-1])])]
    return result


@pytest.mark.parametrize("arrays_from", [10**9, 0], ids=["python", "arrays"])
def test_phrases_are_whoosh_phrases(long_postings: SearchIndex, monkeypatch: pytest.MonkeyPatch, arrays_from: int) -> None:
    """Read and checked in Python (the fixture's phrases are all short) and as arrays."""
    monkeypatch.setattr(postings, "arrays_from", lambda: arrays_from)
    matched = 0
    with long_postings.searcher() as searcher:
        for query in queries():
            everything = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=None)]
            for limit in (3, 1000):
                assert ranked_words(searcher, query, limit) == (len(everything), everything[:limit]), query
            matched += bool(everything)
    assert matched > len(queries()) // 3


def test_long_position_lists_are_in_the_fixture(long_postings: SearchIndex) -> None:
    """What the phrase test must meet: a list pickled in batches (over 1,000 positions), BININT2
    and BININT deltas (positions 256 and 65,536 apart)."""
    lists = []
    with long_postings.searcher() as searcher:
        for word in ("oil", "said"):
            matcher = searcher.reader().postings("text", word)
            while matcher.is_active():
                lists.append(matcher.value_as("positions"))
                matcher.next()
    assert max(len(positions) for positions in lists) > 1000
    gaps = [b - a for positions in lists for a, b in zip(positions, positions[1:])]
    assert max(gaps) >= 1 << 16 and any(256 <= gap < 1 << 16 for gap in gaps)
