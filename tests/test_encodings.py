"""Text without a declared charset: Western European single-byte text reads as cp1252, other code
pages only when the bytes clearly say so, and UTF-8 with a stray byte stays UTF-8."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord
from archive.ingest.textdetect import decode_text

WORDS = ["café", "résumé", "naïve", "Zoë", "São Paulo", "Peña", "Müller", "façade", "Nestlé", "Société Générale",
         "Ångström", "Björk", "Søren", "crème brûlée", "jalapeño", "Göteborg", "Málaga", "Curaçao", "Françoise",
         "piñata", "déjà vu", "Øresund", "Zürich", "Düsseldorf", "Renée", "Chloë", "Noël", "über", "smörgåsbord",
         "Íñigo", "Fernández", "Ibáñez", "João", "Conceição", "Gonçalves", "Strauß", "Héloïse", "Citroën", "Bogotá"]
NAMES = ["Zoë Müller", "José Núñez", "François Pérez", "Søren Ødegaard", "Björn Åström", "Inês Conceição",
         "Jürgen Groß", "Renée Lefèvre", "Ramón Ibáñez", "Chloé Brontë"]
# An English wire story: one accented word in a thousand characters is all a guesser has to go by.
STORY = ("The Agriculture Department said on Monday that cumulative imports from individual countries during the "
         "quota year, which began in January and ends in December, were lower than expected. Officials told "
         "reporters that the figures would be revised next month after the customs service finished its count. "
         "Traders said the market had already priced in a smaller harvest, and prices rose slightly in early "
         "trading before falling back when the report was published. The minister is expected to meet growers "
         "next week to discuss the support programme and the new rules for exports to neighbouring countries.")


def _sentences(count: int, seed: int) -> list[str]:
    pick = random.Random(seed)
    return [f"{NAMES[i % len(NAMES)]} said the {first} near the old town hall was closed on Monday, and that "
            f"{second} would reopen next week." for i, (first, second) in
            enumerate(pick.sample(WORDS, 2) for _ in range(count))]


def _stories() -> list[str]:
    return [f"Report {i} {word}\n\n" + STORY.replace(" the ", f" the {word} ", 1) for i, word in enumerate(WORDS)]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_sentences_read_as_cp1252(encoding: str) -> None:
    texts = _sentences(40, seed=1) + [sentence.split(" said")[0] + " said." for sentence in _sentences(40, seed=2)]
    wrong = [decoded for text in texts if (decoded := decode_text(text.encode(encoding))) != text]
    assert wrong == []


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_an_english_story_with_one_accented_word_reads_as_cp1252(encoding: str) -> None:
    wrong = [decoded[:60] for text in _stories() if (decoded := decode_text(text.encode(encoding))) != text]
    assert wrong == []


@pytest.mark.parametrize(("text", "encoding"), [
    ("Президент России заявил в понедельник, что правительство продолжит реформы экономики и поддержит "
     "малый бизнес в регионах страны.", "cp1251"),
    ("Президент России заявил в понедельник, что правительство продолжит реформы экономики и поддержит "
     "малый бизнес в регионах страны.", "koi8_r"),
    ("Vláda v pondělí oznámila, že ceny energií se v příštím roce sníží. Ministr řekl, že česká ekonomika "
     "roste.", "cp1250"),
    ("Zażółć gęślą jaźń. Rząd ogłosił w poniedziałek, że ceny energii w przyszłym roku spadną, powiedział "
     "minister.", "cp1250"),
    ("A kormány hétfőn bejelentette, hogy jövőre csökkennek az energiaárak, mondta a miniszter a "
     "sajtótájékoztatón.", "cp1250"),
    ("Η κυβέρνηση ανακοίνωσε τη Δευτέρα ότι οι τιμές της ενέργειας θα μειωθούν τον επόμενο χρόνο, δήλωσε ο "
     "υπουργός.", "cp1253"),
    ("أعلنت الحكومة يوم الاثنين أن أسعار الطاقة ستنخفض في العام المقبل، حسبما قال الوزير في مؤتمر صحفي.",
     "cp1256"),
    ("Hükümet pazartesi günü enerji fiyatlarının gelecek yıl düşeceğini açıkladı, dedi bakan basın "
     "toplantısında.", "cp1254"),
    ("Vyriausybė pirmadienį paskelbė, kad energijos kainos kitais metais sumažės, sakė ministras spaudos "
     "konferencijoje.", "cp1257"),
    ("政府は月曜日、来年のエネルギー価格が下がると発表した。大臣が記者会見で述べた。", "shift_jis"),
])
def test_other_code_pages_still_read_as_themselves(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_a_latin1_text_file_and_page_read_as_cp1252(tmp_path: Path) -> None:
    text = ("The naïve painter Zoë Müller won the prize for the façade of the old town hall in São Paulo on "
            "Monday, the jury said.")
    (tmp_path / "naive.txt").write_bytes(f"Zoë Müller wins the façade prize\n\n{text}\n".encode("latin-1"))
    paragraphs = "".join(f"<p>{text} Paragraph {i} has enough words to be kept as main text.</p>" for i in range(5))
    page = f"<html><head><title>Zoë Müller wins</title></head><body><article>{paragraphs}</article></body></html>"
    (tmp_path / "naive.html").write_bytes(page.encode("latin-1"))
    records = [r for r in iter_records([str(tmp_path)]) if isinstance(r, RawRecord)]
    assert len(records) == 2 and all(text in record.text for record in records)


def _rows(path: Path) -> list[tuple[str | None, str]]:
    return [(record.title, record.text) for record in iter_records([str(path)]) if isinstance(record, RawRecord)]


def test_a_utf8_table_with_a_stray_byte_keeps_its_valid_rows(tmp_path: Path) -> None:
    table = tmp_path / "mixed.csv"
    table.write_bytes(b"title,content\nGood row,Good row text about pies and the bakery on the corner.\n"
                      b"Bad row,Caf\xe9 bad byte row about cakes and the bakery.\n"
                      + "Third,Third row über the Zürich bakery and its cookies.\n".encode())
    assert _rows(table) == [("Good row", "Good row text about pies and the bakery on the corner."),
                            ("Bad row", "Café bad byte row about cakes and the bakery."),
                            ("Third", "Third row über the Zürich bakery and its cookies.")]


def test_a_small_cp1252_export_reads_as_cp1252(tmp_path: Path) -> None:
    title = "Cp1252 “smart” title"
    text = ("Café story about ferries — with dashes. The council voted on the new budget after a long debate "
            "about school funding and road repairs in the district.")
    table = tmp_path / "w.csv"
    table.write_bytes(f"title,content\n{title},{text}\n".encode("cp1252"))
    assert _rows(table) == [(title, text)]
