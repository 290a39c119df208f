"""Addresses and outlet names read from saved pages (MHTML) and feeds."""

from __future__ import annotations

from pathlib import Path

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord

URL = "https://web.archive.org/web/20190101000000/https://www.cnn.com/2019/01/01/world/story.html"


def _only_record(path: Path) -> RawRecord:
    [record] = list(iter_records([str(path)]))
    assert isinstance(record, RawRecord), record
    return record


def test_a_saved_page_with_folded_headers_keeps_its_address_whole(tmp_path: Path) -> None:
    html = ("<html><head><title>Folded save</title></head><body><article><h1>Folded save</h1>"
            + "".join(f"<p>Folded story paragraph {i} about comets, with enough words to be extracted as main "
                      f"text.</p>" for i in range(5)) + "</article></body></html>")
    message = ("From: <Saved by Blink>\r\nSnapshot-Content-Location:\r\n " + URL + "\r\nSubject: Folded save\r\n"
               "Date: Tue, 04 May 2021 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
               'Content-Type: multipart/related;\r\n type="text/html";\r\n boundary="BOUND"\r\n\r\n--BOUND\r\n'
               "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nContent-Location:\r\n "
               + URL + "\r\n\r\n" + html + "\r\n--BOUND--\r\n")
    path = tmp_path / "folded.mhtml"
    path.write_bytes(message.encode())
    record = _only_record(path)
    assert record.url == URL
    assert record.extra["saved_at"] == "Tue, 04 May 2021 10:00:00 +0000"
