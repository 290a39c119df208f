"""Batched language identification gives py3langid's answers, and the ingest uses it."""

from __future__ import annotations

from pathlib import Path

import py3langid
import pytest

from archive.ingest.langid import classify_many, rank_many
from archive.ingest.normalize import detect_languages, normalize_record
from archive.ingest.prepare import prepared_batches
from archive.ingest.records import RawRecord

TEXTS = [
    "The central bank raised its key interest rate by a quarter point on Tuesday, citing inflation.",
    "Der Bundestag hat am Donnerstag das Gesetz beschlossen, über das lange gestritten wurde.",
    "Le gouvernement français a annoncé mercredi une réforme des retraites très contestée.",
    "El presidente anunció nuevas medidas económicas para combatir la inflación en el país.",
    "ПРАВИТЕЛЬСТВО РОССИИ ОБЪЯВИЛО О НОВЫХ МЕРАХ ПОДДЕРЖКИ ЭКОНОМИКИ",
    "日本政府は水曜日に新しい経済対策を発表した。", "中国国家统计局周三公布了最新的经济数据。",
    "Il governo italiano ha approvato la legge di bilancio dopo un lungo dibattito.",
    "", "12345 678", "a", "\udcff surrogate text", "x" * 3000, "Ça va? Ünïcödé. " * 40,
]


TABLE = "Shr 27 cts vs 29 cts\nNet 13,555,000 vs 14,635,000\nRevs 104,606,000 vs 110,311,000\n" * 3


def test_same_codes_and_confidences_as_py3langid() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    normalised = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = TEXTS + [TABLE] + [t[: n] for t in TEXTS for n in (5, 17, 60)]
    ranked = rank_many(texts, batch=7)
    assert [code for code, _ in ranked] == [py3langid.classify(t)[0] for t in texts]
    for text, (code, confidence) in zip(texts, ranked):
        scores = normalised._decide(text)
        assert confidence == pytest.approx(float(scores[list(normalised.nb_classes).index(code)]), abs=1e-5), text


def test_an_identifier_the_batches_cannot_reproduce_is_asked_text_by_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.ingest import langid

    texts = TEXTS + [TABLE]
    batched = rank_many(texts)
    monkeypatch.setattr(langid, "_supported", lambda ident: False)
    slowly = rank_many(texts)
    assert [code for code, _ in slowly] == [code for code, _ in batched]
    assert [confidence for _, confidence in slowly] == pytest.approx([confidence for _, confidence in batched], abs=1e-5)


def test_a_language_is_named_only_when_py3langid_is_fairly_sure() -> None:
    codes = classify_many(TEXTS[:8] + [TABLE])
    assert codes[:8] == ["en", "de", "fr", "es", "ru", "ja", "zh", "it"]
    assert codes[8] is None  # figures and abbreviations: py3langid's guess is Nigerian Pidgin at ~0.2
    assert [code for code, _ in rank_many([TABLE])] == [py3langid.classify(TABLE)[0]]


def test_detect_languages_gives_what_normalize_record_gives() -> None:
    raws = [RawRecord(origin="t", fmt="json", external_id=str(i), text=t * 3, language=given)
            for i, t in enumerate(TEXTS) for given in (None, "en-US", "english")]
    one_by_one = [normalize_record(r).language for r in raws]
    bulk = [r.language for r in detect_languages([normalize_record(r, detect_language=False) for r in raws])]
    assert bulk == one_by_one
    assert {"de", "fr", "es", "ru", "ja", "en"} <= set(bulk)


def test_ingest_batches_detect_languages(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(
        '{"id": "%d", "text": "%s"}' % (i, t) for i, t in enumerate(TEXTS[:8])
    ), encoding="utf-8")
    (batch,) = prepared_batches([str(path)])
    expected = [normalize_record(RawRecord(origin="t", fmt="json", external_id="x", text=t)).language for t in TEXTS[:8]]
    assert [item.record.language for item in batch.items] == expected
    assert expected[:5] == ["en", "de", "fr", "es", "ru"] and expected[5] is None  # too few letters
