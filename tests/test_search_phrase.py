"""Common-word grams, the text field's postings and the exact-phrase matcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import fields

from archive.search import IndexDoc, SearchIndex, search
from archive.search import schema as schema_module
from archive.search.analysis import COMMON_WORDS, fold_latin, gram, make_analyzer, phrase_parts, word_spans, words
from archive.search.schema import Text, to_fields
from fixtures.search.corpus import build_corpus, contains_phrase

TRICKY = "Don't stop: the U.S. state-owned café in Zürich — O’Brien's 1,000 CO_OP İstanbul the the of the end"


CJK = "微软总裁在北京会见中国官员，讨论人工智能。iPhone手机 東京タワーは々高い 北 O’Brien's 1,000 ＣＮＮ２０２０ ﬁnal"
MARKS = "हिन्दी समाचार: বাংলা সংবাদ, தமிழ் செய்திகள் e\u0301cole น้ำท่วม ประเทศไทย"


@pytest.mark.parametrize("text", [TRICKY, CJK, MARKS])
def test_words_and_spans_follow_the_analyzer(text: str) -> None:
    assert words(text) == [t.text for t in make_analyzer()(text)]
    assert word_spans(text) == [(t.text, t.startchar, t.endchar) for t in make_analyzer()(text, chars=True)]
    assert [t.pos for t in make_analyzer()(text, positions=True)] == list(range(len(words(text))))


def test_chinese_and_japanese_runs_are_indexed_as_pairs_of_characters() -> None:
    assert words("人工智能") == ["人工", "工智", "智能"]
    assert words("iPhone手机 北 O’Brien's") == ["iphone", "手机", "北", "obrien"]
    assert words("東京タワー") == ["東京", "京タ", "タワ", "ワー"]
    assert word_spans("在北京") == [("在北", 0, 2), ("北京", 1, 3)]
    # Korean puts spaces between words: its words stay whole.
    assert words("서울 시장") == ["서울", "시장"]


def test_a_letter_keeps_its_combining_marks() -> None:
    # Hindi, Bengali and Tamil vowel signs and viramas are marks, not letters: words stay whole.
    assert words("हिन्दी समाचार, বাংলা সংবাদ, தமிழ் செய்திகள்") == [
        "हिन्दी", "समाचार", "বাংলা", "সংবাদ", "தமிழ்", "செய்திகள்"]
    assert words("e\u0301cole") == ["ecole"]  # a decomposed accent is a mark too (a Latin one: folded)
    assert words("e\u0301cole", folded=False) == ["école"]  # (then NFKC composes it)
    # Beside Chinese too (a text holding an unspaced run is split by another pattern).
    assert words("हिन्दी 人工 e\u0301cole") == ["हिन्दी", "人工", "ecole"]
    # Thai puts no spaces between words: pairs, as for Chinese, marks included.
    assert words("ไทย") == ["ไท", "ทย"]
    assert "ไท" in words("ประเทศไทย") and "ทย" in words("ประเทศไทย")


def test_compatibility_forms_are_folded() -> None:
    assert words("ＣＮＮ报道 ２０２０年 ﬁnal Ｍicrosoft’s") == ["cnn", "报道", "2020", "年", "final", "microsoft"]
    assert words("Zürich café", folded=False) == ["zürich", "café"]  # NFKC keeps accents


def test_latin_letters_are_folded_to_ascii_and_other_scripts_keep_their_marks() -> None:
    assert words("Zürich café São Việt İstanbul naïve ǅemal") == [
        "zurich", "cafe", "sao", "viet", "istanbul", "naive", "dzemal"]
    # Letters that hold their stroke or ligature in one character are spelled out.
    assert words("Straße Øresund Łódź Æsir œuvre Þór Đakovo") == [
        "strasse", "oresund", "lodz", "aesir", "oeuvre", "thor", "dakovo"]
    # Marks on other scripts' letters are theirs: Russian й is not и, Greek keeps its tonos.
    assert words("йод Ελλάδα हिन्दी") == ["йод", "ελλάδα", "हिन्दी"]
    assert words("Zürich Straße", folded=False) == ["zürich", "straße"]
    assert [fold_latin(t) for t in ("zurich", "straße", "ελλάδα")] == ["zurich", "strasse", "ελλάδα"]
    # A folded word reads as its ASCII spelling everywhere, common-word grams too.
    assert words("Thé of the") == ["the", "of", "the"]


@pytest.mark.parametrize("boost", [1.0, 2.0])
def test_text_field_postings_equal_whooshs_own_plus_grams(boost: float) -> None:
    plain = fields.TEXT(analyzer=make_analyzer(), phrase=True, field_boost=boost)
    ours = Text(common_words=COMMON_WORDS, field_boost=boost)
    expected = sorted(plain.index(TRICKY))
    postings = sorted(ours.index(TRICKY))
    assert [p for p in postings if not p[0].startswith(b"\x1f")] == expected
    grams = {p[0].decode(): p for p in postings if p[0].startswith(b"\x1f")}
    assert set(grams) == {gram("the", "u"), gram("u", "s"), gram("the", "the"), gram("the", "of"), gram("of", "the")}
    assert all(p[1] == 0 for p in grams.values())  # grams do not count in the field length


def test_phrase_parts_use_grams_only_for_pairs_of_common_words() -> None:
    common = frozenset({"the", "of", "one"})
    assert phrase_parts(("one", "of", "the"), common) == [(gram("one", "of"), 0), (gram("of", "the"), 1)]
    assert phrase_parts(("bank", "of", "england"), common) == [("bank", 0), ("of", 1), ("england", 2)]
    assert phrase_parts(("u", "s", "farm"), common) == [(gram("u", "s"), 0), ("farm", 2)]
    assert phrase_parts(("oil", "prices"), frozenset()) == [("oil", 0), ("prices", 1)]


def test_to_fields_hands_the_writer_plain_text_and_a_stored_title() -> None:
    doc = IndexDoc(1, "x", "The title", "the body text", None, None, None, None, None, "h")
    values = to_fields(doc)
    assert (values["text"], values["title"], values["_stored_title"]) == ("the body text", "The title", "The title")
    assert "author" not in values and "published" not in values


@pytest.fixture(scope="module")
def corpus() -> list:  # type: ignore[type-arg]
    return build_corpus(seed=11, n=150)


def _index(path: Path, docs: list[IndexDoc]) -> SearchIndex:
    return SearchIndex.rebuild(path, docs)


PHRASES = ["one of the", "the the", "of the", "u s", "new york", "said the oil", "the", "a an the", "in to"]


def test_phrases_are_exact_with_and_without_grams(tmp_path: Path, corpus: list, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    with_grams = _index(tmp_path / "grams", [r.doc for r in corpus])
    original = schema_module.build_schema

    def without_grams() -> fields.Schema:
        built = original()
        built._fields["title"] = Text(stored=True, field_boost=schema_module.TITLE_BOOST)
        built._fields["text"] = Text()
        return built

    monkeypatch.setattr("archive.search.index.build_schema", without_grams)
    no_grams = _index(tmp_path / "plain", [r.doc for r in corpus])
    for phrase in PHRASES:
        terms = tuple(phrase.split())
        expected = {r.doc.id for r in corpus if contains_phrase(r.title_tokens, terms) or contains_phrase(r.text_tokens, terms)}
        for index in (with_grams, no_grams):
            results = search(index, f'"{phrase}"', limit=1000, snippets=False)
            assert {h.id for h in results.hits} == expected and results.total == len(expected), phrase


def test_word_counts_leave_out_deleted_documents(tmp_path: Path, corpus: list) -> None:  # type: ignore[type-arg]
    index = _index(tmp_path / "ix", [r.doc for r in corpus])
    having = [r.doc.id for r in corpus if "oil" in r.title_tokens or "oil" in r.text_tokens]
    index.delete(having[:3])
    results = search(index, "oil", limit=5, snippets=False)
    assert results.total == len(having) - 3
