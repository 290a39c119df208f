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


def test_a_relative_rss_link_is_resolved_against_the_channels(tmp_path: Path) -> None:
    path = tmp_path / "rel.rss"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Harbor Gazette</title>'
        "<link>https://harborgazette.example/</link><item><title>Relative link item</title>"
        '<link>/news/2021/05/ferry</link><guid isPermaLink="false">hg-1</guid><description>The ferry timetable '
        "changes for the summer season, the operator said on Monday.</description></item></channel></rss>")
    record = _only_record(path)
    assert record.url == "https://harborgazette.example/news/2021/05/ferry"
    assert record.external_id == "hg-1"


def test_an_atom_entry_without_a_link_has_no_address_and_an_html_title_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "nolink.atom"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title type="html">Atom &lt;b&gt;Blog&lt;/b&gt;</title><id>urn:atom:1</id>'
        "<updated>2021-06-01T00:00:00Z</updated><entry><title>Entry without link</title>"
        "<id>tag:atomsite.example,2021:2</id><updated>2021-06-02T12:00:00Z</updated><content>Otters returned to "
        "the river this spring, wardens said on Wednesday.</content></entry></feed>")
    record = _only_record(path)
    assert record.url is None
    assert record.external_id == "tag:atomsite.example,2021:2"
    assert record.source == "Atom Blog"


def test_an_rss_guid_that_is_a_permalink_is_the_address(tmp_path: Path) -> None:
    path = tmp_path / "guid.rss"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Gazette</title>'
        "<item><title>Guid item</title><guid>https://gazette.example/a/1</guid><description>The ferry timetable "
        "changes for the summer season, the operator said on Monday.</description></item></channel></rss>")
    assert _only_record(path).url == "https://gazette.example/a/1"
