"""A WARC page is decoded in the charset its HTTP header declares."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord


def test_the_charset_of_the_http_header_decodes_the_page(tmp_path: Path) -> None:
    title = "Bravo Café Story"
    paragraphs = "".join(f"<p>{title} text about the river, paragraph {i}, with enough words to be extracted "
                         f"as main text by the extractor here.</p>" for i in range(5))
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    path = tmp_path / "latin.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warc_record(
            "http://example.com/1", "response", payload=io.BytesIO(html.encode("iso-8859-1")),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=iso-8859-1")],
                                          protocol="HTTP/1.1")))
    [record] = list(iter_records([str(path)]))
    assert isinstance(record, RawRecord)
    assert record.title == title
    assert "Bravo Café Story text" in record.text
