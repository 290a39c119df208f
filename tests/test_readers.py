from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.readers import ReadLimits, _html_record, iter_input_files, iter_records, parse_date
from archive.ingest.records import RawRecord, RecordFailure, with_default_source
from archive.ingest.textdetect import sniff_format

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = "The council approved the new budget on Tuesday after a long debate about schools and roads."
UTC = timezone.utc


def read(*paths: Path | str, **kwargs: object) -> list[RawRecord | RecordFailure]:
    return list(iter_records([str(path) for path in paths], **kwargs))  # type: ignore[arg-type]


def only_record(*paths: Path | str, **kwargs: object) -> RawRecord:
    [result] = read(*paths, **kwargs)
    assert isinstance(result, RawRecord), result
    return result


def only_failure(*paths: Path | str, **kwargs: object) -> RecordFailure:
    [result] = read(*paths, **kwargs)
    assert isinstance(result, RecordFailure), result
    return result


def jsonl(*objects: object) -> bytes:
    return "".join(json.dumps(obj) + "\n" for obj in objects).encode()


# --- formats -------------------------------------------------------------------------------------


def test_plain_text_file_uses_its_basename_as_id(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Budget passes\n\n" + ARTICLE)
    record = only_record(path)
    assert (record.fmt, record.external_id, record.origin) == ("txt", "story.txt", str(path))
    assert record.text.endswith("roads.")


def test_html_gives_text_and_metadata() -> None:
    record = only_record(FIXTURES / "article.html")
    assert record.fmt == "html"
    assert record.title == "Harbour town opens tidal power plant"
    assert record.author == "Mara Lindqvist"
    assert record.source == "Coastal Courier"
    assert record.url == "https://courier.example.org/2023/05/tidal-plant"
    assert record.published_at == datetime(2023, 5, 14, 7, 30, tzinfo=UTC)
    assert "Skellhaven" in record.text and "Share on Facebook" not in record.text
    assert record.extra["description"].startswith("A small harbour town")


def test_a_page_stating_no_date_is_stored_undated_with_the_date_finders_guess_kept_apart() -> None:
    """A page whose metadata and markup give no date is undated, whatever its copyright line or
    its story's text say: a farm's "© 2024" footer would date its copy of a March article in
    January, and provenance takes the earlier of two dated texts for the source. The date
    finder's guess is kept in raw_meta."""
    body = "".join(f"<p>{sentence}</p>" for sentence in (
        "The harbour authority said on Tuesday that the new breakwater would be finished by autumn.",
        "Engineers found the old pier unsafe after the winter storms and closed it to visitors.",
        "The council voted to pay for the repairs from its reserve fund, officials said.",
    ) * 3)
    page = (f"<html><head><title>Breakwater to be finished by autumn</title></head><body><article>"
            f"<h1>Breakwater to be finished by autumn</h1>{body}</article>"
            f"<footer>© 2024 Harbour Farm. All rights reserved.</footer></body></html>")
    _undated_but_guessed_until_a_date_is_stated(page, "2024-01-01", datetime(2024, 3, 5, 14, 20, tzinfo=UTC))


def _page_dated(content: str) -> str:
    body = "".join(f"<p>{ARTICLE} Paragraph {n} about the harbour and its ships.</p>" for n in range(3))
    return (f'<html><head><title>Wire story</title><meta property="article:published_time" content="{content}">'
            f"</head><body><article><h1>Wire story</h1>{body}</article></body></html>")


@pytest.mark.parametrize(("stated", "expected"), [
    ("1987-02-26T15:00:00Z", datetime(1987, 2, 26, 15, tzinfo=UTC)),
    ("1850-05-01", datetime(1850, 5, 1, tzinfo=UTC)),
])
def test_a_page_dated_before_1995_keeps_its_date(stated: str, expected: datetime) -> None:
    # (htmldate's own floor is 1995: an archive of old pages would lose every date)
    record = _html_record(_page_dated(stated), "old.html", "old.html")
    assert isinstance(record, RawRecord) and record.published_at == expected


@pytest.mark.parametrize(("stated", "kept"), [("0999-01-01", "999-01-01"), ("2999-05-01T10:00:00Z", "2999-05-01")])
def test_a_page_date_out_of_bounds_is_kept_raw(stated: str, kept: str) -> None:
    record = _html_record(_page_dated(stated), "odd.html", "odd.html")
    assert isinstance(record, RawRecord) and record.published_at is None
    assert record.extra["published_raw"].startswith(kept)


def _undated_but_guessed_until_a_date_is_stated(page: str, guess: str, stated: datetime) -> None:
    """``page`` is undated with ``guess`` kept in raw_meta, and dated ``stated`` (no guess) once
    its metadata states that time."""
    record = _html_record(page, "farm.html", "farm.html")
    assert isinstance(record, RawRecord) and record.published_at is None
    assert record.extra["published_guess"].startswith(guess)
    meta = f'<meta property="article:published_time" content="{stated.isoformat()}"></head>'
    dated = _html_record(page.replace("</head>", meta), "news.html", "news.html")
    assert isinstance(dated, RawRecord) and dated.published_at == stated
    assert "published_guess" not in dated.extra


def test_a_date_only_the_headline_names_does_not_date_the_page() -> None:
    # htmldate reads a page's <title> and <h1> too: "what happened on March 3, 2021" dated a
    # farm's undated copy two days before the article it copied, which it then read as its source.
    body = "".join(f"<p>{ARTICLE} Paragraph {n} of the recap goes on about the markets.</p>" for n in range(4))
    headline = "Markets recap: what happened on March 3, 2021"
    page = (f"<html><head><title>{headline} | Farm</title><meta property=\"og:title\" content=\"{headline}\">"
            f"</head><body><article><h1>{headline}</h1>{body}</article></body></html>")
    # A date the page states besides is its date, the headline's day or not.
    _undated_but_guessed_until_a_date_is_stated(page, "2021-03-03", datetime(2021, 3, 5, 9, tzinfo=UTC))
    # So is a byline's <time> inside an <h1> the page leaves open (a WordPress theme's markup).
    open_h1 = page.replace(f"<h1>{headline}</h1>", f'<h1>{headline}<h4>Published on <time datetime="2021-03-04T10:07:02+01:00">'
                                                    f"4 March 2021</time></h4>")
    bylined = _html_record(open_h1, "blog.html", "blog.html")
    assert isinstance(bylined, RawRecord) and bylined.published_at is not None
    assert bylined.published_at.date() == datetime(2021, 3, 4).date() and "published_guess" not in bylined.extra


def test_html_without_text_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body><script>var a = 1;</script></body></html>")
    assert "no article text" in only_failure(path).reason


def test_json_object_with_aliased_fields(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({
        "headline": "Budget passes", "body": ARTICLE, "date_publish": "2021-03-04 10:00:00",
        "link": "https://example.net/a", "publisher": "Daily Example", "authors": ["Ann Lee", "Bo Chan"],
        "lang": "en", "section": "politics", "wordcount": 17,
    }))
    record = only_record(path)
    assert (record.title, record.text, record.url, record.source) == (
        "Budget passes", ARTICLE, "https://example.net/a", "Daily Example")
    assert record.author == "Ann Lee; Bo Chan"
    assert record.published_at == datetime(2021, 3, 4, 10, tzinfo=UTC)
    assert record.language == "en"
    assert record.external_id == "one.json"
    assert record.extra == {"section": "politics", "wordcount": 17}
    assert record.unknown_fields == ["section", "wordcount"]


def test_json_field_names_match_whatever_their_case_and_separators(tmp_path: Path) -> None:
    # NewsAPI's articles, a JSON Feed and a schema.org NewsArticle: each spells the fields its way.
    (tmp_path / "newsapi.json").write_text(json.dumps({"status": "ok", "articles": [{
        "source": {"id": "reuters", "name": "Reuters"}, "author": "Jane Doe", "title": "Storm hits the coast",
        "url": "https://www.reuters.com/a", "urlToImage": "https://x/y.jpg", "publishedAt": "2024-01-01T10:00:00Z",
        "content": ARTICLE}]}))
    (tmp_path / "feed.json").write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "f-1", "title": "Bridge opens", "content_html": "<p>The new bridge opened on <b>Friday</b>.</p>",
         "date_published": "2024-05-03T09:00:00+02:00", "authors": [{"name": "Ann Lee"}]},
        {"id": "f-2", "Content_Text": ARTICLE, "Publication-Date": "2024-05-06", "Byline": "Bo Chan",
         "Site_Name": "Harbour Times"}]}))
    (tmp_path / "ld.json").write_text(json.dumps({
        "@type": "NewsArticle", "headline": "Council passes budget", "articleBody": ARTICLE,
        "datePublished": "2024-03-05T18:00:00Z", "publisher": {"@type": "Organization", "name": "City Post"}}))
    newsapi, first, second, ld = read(tmp_path / "newsapi.json", tmp_path / "feed.json", tmp_path / "ld.json")
    assert isinstance(newsapi, RawRecord) and isinstance(first, RawRecord)
    assert isinstance(second, RawRecord) and isinstance(ld, RawRecord)
    assert (newsapi.source, newsapi.published_at) == ("Reuters", datetime(2024, 1, 1, 10, tzinfo=UTC))
    assert newsapi.unknown_fields == ["urlToImage"]
    assert (first.text, first.author, first.published_at) == (
        "The new bridge opened on Friday.", "Ann Lee", datetime(2024, 5, 3, 7, tzinfo=UTC))
    assert (second.text, second.author, second.source) == (ARTICLE, "Bo Chan", "Harbour Times")
    assert second.published_at == datetime(2024, 5, 6, tzinfo=UTC) and second.unknown_fields == []
    assert (ld.title, ld.text, ld.source) == ("Council passes budget", ARTICLE, "City Post")
    assert ld.published_at == datetime(2024, 3, 5, 18, tzinfo=UTC)


def test_json_list_and_container_shapes(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps([{"text": ARTICLE}, {"text": ARTICLE, "_id": 42}]))
    (tmp_path / "wrapped.json").write_text(json.dumps({"count": 1, "articles": [{"content": ARTICLE, "guid": "g-1"}]}))
    records = read(tmp_path / "list.json", tmp_path / "wrapped.json")
    assert [r.external_id for r in records] == ["list.json#1", "42", "g-1"]  # type: ignore[union-attr]
    assert [r.record_ref for r in records] == ["1", "2", "1"]


def test_json_articles_are_found_one_api_envelope_down(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text(json.dumps(
        {"status": "ok", "data": {"total": 2, "articles": [{"text": ARTICLE}, {"body": ARTICLE, "id": "b"}]}}))
    (tmp_path / "guardian.json").write_text(json.dumps(
        {"response": {"status": "ok", "results": [{"webTitle": "T", "fields": {}, "text": ARTICLE}]}}))
    (tmp_path / "registry.json").write_text(json.dumps({"articles": {"page": 1, "results": [{"body": ARTICLE}]}}))
    records = read(tmp_path / "data.json", tmp_path / "guardian.json", tmp_path / "registry.json")
    assert [r.external_id for r in records] == [  # type: ignore[union-attr]
        "data.json#1", "b", "guardian.json#1", "registry.json#1"]
    assert all(isinstance(r, RawRecord) and r.text == ARTICLE for r in records)


def test_json_articles_two_envelopes_down_are_not_looked_for(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(json.dumps({"data": {"response": {"articles": [{"text": ARTICLE}]}}}))
    assert "no text" in only_failure(tmp_path / "deep.json").reason


def test_jsonl_ids_are_own_id_or_path_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "feeds").mkdir(parents=True)
    (folder / "feeds" / "day.jsonl").write_bytes(jsonl({"id": 7, "text": ARTICLE}, {"text": ARTICLE}) + b"\n")
    records = read(folder)
    assert [r.external_id for r in records] == ["7", "feeds/day.jsonl#2"]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.ndjson.gz"])
def test_gzipped_jsonl(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(gzip.compress(jsonl({"title": "T", "text": ARTICLE})))
    assert only_record(tmp_path / name).title == "T"


@pytest.mark.parametrize(("name", "fmt"), [("a.txt.gz", "txt"), ("a.html.gz", "html"), ("a.json.gz", "json")])
def test_other_gzipped_formats(tmp_path: Path, name: str, fmt: str) -> None:
    payload = {
        "txt": ARTICLE.encode(),
        "html": (FIXTURES / "article.html").read_bytes(),
        "json": json.dumps({"text": ARTICLE}).encode(),
    }[fmt]
    (tmp_path / name).write_bytes(gzip.compress(payload))
    assert only_record(tmp_path / name).fmt == fmt


def write_warc(path: Path, *, compress: bool) -> None:
    html = (FIXTURES / "article.html").read_bytes()
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for uri, ctype, status, body in [
            ("https://courier.example.org/a", "text/html; charset=utf-8", "200 OK", html),
            ("https://courier.example.org/logo.png", "image/png", "200 OK", b"\x89PNG\x00\x00"),
            ("https://courier.example.org/gone", "text/html", "404 Not Found", b"<html>gone</html>"),
        ]:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
        writer.write_record(writer.create_warc_record("https://courier.example.org/a", "request",
                                                      payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_reads_html_responses_only(tmp_path: Path, name: str) -> None:
    write_warc(tmp_path / name, compress=name.endswith(".gz"))
    record = only_record(tmp_path / name)
    assert record.fmt == "warc"
    assert record.url == "https://courier.example.org/a"
    assert record.record_ref and record.record_ref.startswith("<urn:uuid:")
    assert record.external_id == record.record_ref
    assert record.title == "Harbour town opens tidal power plant"
    assert "warc_date" in record.extra
    assert record.extra["page_url"] == "https://courier.example.org/2023/05/tidal-plant"


@pytest.mark.parametrize("data", [
    b"this is not a web archive\r\n\r\n",
    b"WARC/1.0\r\nbroken header\r\n\r\n",
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nshort",
])
def test_malformed_warc_fails(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "bad.warc").write_bytes(data)
    assert "malformed WARC" in only_failure(tmp_path / "bad.warc").reason


def test_warc_without_headers_says_so_in_words(tmp_path: Path) -> None:
    # warcio trips over the missing headers with an AttributeError on None.
    (tmp_path / "bad.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n")
    reason = only_failure(tmp_path / "bad.warc").reason
    assert reason == "malformed WARC: a record's header is damaged or incomplete"


def test_truncated_warc_gz_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, compress=True)
    data = whole.read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data + data[: len(data) // 3])
    results = read(tmp_path / "cut.warc.gz")
    assert [type(r).__name__ for r in results] == ["RawRecord", "RecordFailure"]


# --- walking -------------------------------------------------------------------------------------


def test_folder_walk_is_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.json", "a/y.md", ".git/x.txt", "a/.hidden.txt", "c.TXT"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(ARTICLE)
    assert list(iter_input_files([str(tmp_path)])) == [
        (str(tmp_path / "a" / "z.json"), "a/z.json"),
        (str(tmp_path / "b.txt"), "b.txt"),
        (str(tmp_path / "c.TXT"), "c.TXT"),
    ]


def test_json_lines_named_json_and_gzip_named_anything(tmp_path: Path) -> None:
    (tmp_path / "lines.json").write_bytes(jsonl({"text": ARTICLE}, {"text": ARTICLE}))
    (tmp_path / "packed.txt").write_bytes(gzip.compress(ARTICLE.encode()))
    results = read(tmp_path / "lines.json", tmp_path / "packed.txt")
    assert [r.external_id for r in results] == ["lines.json#1", "lines.json#2", "packed.txt"]  # type: ignore[union-attr]
    assert results[2].text == ARTICLE  # type: ignore[union-attr]


def test_named_file_with_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_bytes(jsonl({"text": ARTICLE}, {"text": ARTICLE}))
    assert [r.fmt for r in read(path)] == ["json", "json"]  # type: ignore[union-attr]


def test_symlink_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(ARTICLE)
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    os.symlink(tmp_path / "sub", tmp_path / "again")
    # the folder is read once, under the first name met in sorted order
    assert [rel for _path, rel in iter_input_files([str(tmp_path)])] == ["again/a.txt"]  # type: ignore[misc]


def test_an_entry_that_cannot_be_looked_at_is_a_failure_and_the_walk_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "forbidden").mkdir()
    real = os.path.realpath

    def realpath(path: str, *args: object, **kwargs: object) -> str:
        if str(path).endswith("forbidden"):  # as /proc/1/cwd is for another user
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os.path, "realpath", realpath)
    found = list(iter_input_files([str(tmp_path)]))
    assert ("a.txt" in [item[1] for item in found if isinstance(item, tuple)])
    [failure] = [item for item in found if isinstance(item, RecordFailure)]
    assert failure.origin.endswith("forbidden") and failure.reason == "cannot read: Permission denied"


def test_missing_path_fails() -> None:
    assert only_failure("/nonexistent/input.txt").reason == "no such file or folder"


# --- stdin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "fmt", "count"), [
    (jsonl({"text": ARTICLE}, {"text": ARTICLE}), "json", 2),
    (json.dumps([{"text": ARTICLE}], indent=2).encode(), "json", 1),
    ((FIXTURES / "article.html").read_bytes(), "html", 1),
    (gzip.compress(jsonl({"text": ARTICLE}), mtime=0), "json", 1),
    (ARTICLE.encode(), "txt", 1),
])
def test_stdin_is_sniffed(payload: bytes, fmt: str, count: int) -> None:
    records = read("-", stdin=io.BytesIO(payload))
    assert [(r.fmt, r.origin) for r in records] == [(fmt, "-")] * count  # type: ignore[union-attr]


def test_stdin_ids_are_made_from_the_text() -> None:
    records = read("-", stdin=io.BytesIO(jsonl({"text": ARTICLE}, {"text": ARTICLE + " Again."})))
    ids = [r.external_id for r in records]  # type: ignore[union-attr]
    assert all(external_id.startswith("-:") for external_id in ids) and ids[0] != ids[1]
    assert only_record("-", stdin=io.BytesIO(ARTICLE.encode())).external_id == ids[0]


def test_empty_stdin_fails() -> None:
    assert only_failure("-", stdin=io.BytesIO(b"")).reason == "empty file"


# --- encodings and bad input ---------------------------------------------------------------------


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    text = "Café owners’ “fête” drew crowds — the mayor said it was the town’s best summer festival."
    path.write_bytes(text.encode("cp1252"))
    assert only_record(path).text == text


def test_utf8_with_a_few_damaged_bytes_stays_utf8(tmp_path: Path) -> None:
    """Stray bytes in UTF-8 text cost themselves (U+FFFD), not every other accented letter."""
    path = tmp_path / "pasted.txt"
    sentence = "Schön grün, süß und größer: Müller fährt über Köln nach Zürich. "
    path.write_bytes(sentence.encode() * 3 + b"caf\xe9 " + sentence.encode() * 3)
    text = only_record(path).text
    assert text.count("Schön") == 6 and text.count("\ufffd") == 1 and "Ã" not in text


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    (tmp_path / "wide.txt").write_bytes(ARTICLE.encode("utf-16"))
    assert only_record(tmp_path / "wide.txt").text == ARTICLE


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\t\n", "no text"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("bad.json", b'{"text": "a",\n "title": }', "malformed JSON at line 2"),
    ("scalar.json", b'"just a string"', "JSON is a string"),
    ("notext.json", b'{"title": "only a title"}', "record has no text"),
    # A text field holding something else is named as such (a number would make a one-word
    # document; an object or a list of other things is no article).
    ("number.json", b'{"text": 5}', "record's text is a number, not text"),
    ("flag.json", b'{"body": true}', "record's text is a boolean, not text"),
    ("object.json", b'{"content": {"value": "x"}}', "record's text is an object, not text"),
    ("mixedlist.json", b'{"text": ["a paragraph", 3]}', "record's text is a list holding other than strings"),
    ("markup.json", b'{"text": "<iframe src=\\"https://ads.example/1\\" width=\\"300\\"></iframe>"}',
     "record's text is only HTML markup"),
    ("empty.json.gz", b"", "empty file"),
    ("zero.json.gz", gzip.compress(b"", mtime=0), "empty file after decompression"),
    ("broken.txt.gz", b"\x1f\x8b\x08\x00garbage-not-deflate", "damaged or truncated gzip"),
    ("fake.txt.gz", b"plain text, not gzip at all", "damaged or truncated gzip"),
])
def test_bad_files_fail_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    failure = only_failure(tmp_path / name)
    assert reason in failure.reason
    assert failure.origin == str(tmp_path / name)


def test_bad_jsonl_lines_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(jsonl({"text": ARTICLE}) + b"{broken\n" + b"[1, 2]\n" + b"\n" + jsonl({"body": ARTICLE}))
    results = read(path)
    assert [type(r).__name__ for r in results] == ["RawRecord", "RecordFailure", "RecordFailure", "RawRecord"]
    assert results[1].reason.startswith("line 2: malformed JSON at column 2:")  # type: ignore[union-attr]
    assert results[2].record_ref == "3" and "not a JSON object" in results[2].reason  # type: ignore[union-attr]
    assert results[3].external_id == "mixed.jsonl#5"  # type: ignore[union-attr]


def test_truncated_gzip_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(*({"id": n, "text": ARTICLE * 20} for n in range(200))))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    results = read(path)
    assert all(isinstance(r, RawRecord) for r in results[:-1]) and len(results) > 50
    assert isinstance(results[-1], RecordFailure) and "truncated" in results[-1].reason


def test_gzip_bomb_stops_at_the_decompression_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    assert path.stat().st_size < 20_000
    failure = only_failure(path, limits=ReadLimits(max_decompressed_bytes=1_000_000))
    assert "decompresses to more than" in failure.reason


def test_file_too_big(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(ARTICLE * 10)
    assert "file too big" in only_failure(tmp_path / "big.txt", limits=ReadLimits(max_file_bytes=100)).reason


def test_article_too_big(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(ARTICLE * 10)
    failure = only_failure(tmp_path / "big.txt", limits=ReadLimits(max_record_bytes=100))
    assert "too big for one article" in failure.reason


def test_overlong_jsonl_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(jsonl({"text": ARTICLE * 50}, {"text": ARTICLE}))
    results = read(path, limits=ReadLimits(max_record_bytes=1000))
    assert isinstance(results[0], RecordFailure) and "line 1 is longer than" in results[0].reason
    assert isinstance(results[1], RawRecord) and results[1].external_id == "long.jsonl#2"


@pytest.mark.parametrize("depth", [70, 100_000])
def test_deeply_nested_json_fails_cleanly(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"text": "x", "n": ' + "[" * depth + "]" * depth + "}")
    assert "nested deeper than 64" in only_failure(path).reason


def test_unreadable_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", refuse)  # chmod is no test when the suite runs as root
    assert only_failure(path).reason == "cannot read: permission denied"


def _varied_articles(n: int) -> list[dict[str, str]]:
    """Articles of varied words: gzip shrinks them about as much as real news (3-4 times)."""
    import random

    rng = random.Random(5)
    words = [f"{a}{b}{c}" for a in "bcdfgklmnprst" for b in "aeiou" for c in "lmnrstxz"]
    return [{"id": f"a{i}", "text": " ".join(rng.choice(words) for _ in range(120)) + "."} for i in range(n)]


def test_a_json_lines_file_of_any_size_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    articles = _varied_articles(200)
    path = tmp_path / "dump.jsonl"
    path.write_bytes(jsonl(*articles))
    limits = ReadLimits(max_file_bytes=10_000, max_record_bytes=5_000)
    assert path.stat().st_size > 10 * limits.max_file_bytes
    assert [r.external_id for r in read(path, limits=limits)] == [a["id"] for a in articles]
    # The same from standard input, and gzipped past the decompressed cap at news text's ratio.
    stdin = read("-", stdin=io.BytesIO(path.read_bytes()), limits=limits)
    assert [r.external_id for r in stdin] == [a["id"] for a in articles]
    packed = tmp_path / "dump.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    inflated = ReadLimits(max_decompressed_bytes=20_000, max_record_bytes=5_000)
    assert path.stat().st_size > 5 * inflated.max_decompressed_bytes
    for source in (packed, "-"):
        got = read(source, stdin=io.BytesIO(packed.read_bytes()), limits=inflated)
        assert [r.external_id for r in got] == [a["id"] for a in articles], got[-1]
    # JSON Lines named .json are streamed too.
    named_json = tmp_path / "dump-lines.json"
    named_json.write_bytes(path.read_bytes())
    assert [r.external_id for r in read(named_json, limits=limits)] == [a["id"] for a in articles]
    # Read whole, a JSON document or a text of that size is still refused.
    document = tmp_path / "dump.json"
    document.write_text(json.dumps(articles))
    assert "file too big" in only_failure(document, limits=limits).reason
    assert "file too big" in only_failure(_renamed(document, tmp_path / "dump.data"), limits=limits).reason


def _renamed(path: Path, to: Path) -> Path:
    path.rename(to)
    return to


def test_a_gzip_bomb_of_json_lines_is_refused_once_past_the_cap(tmp_path: Path) -> None:
    # Zeros inflate ~1,000 times: past the decompressed cap that is no text.
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(*_varied_articles(5)) + b"\n" * 3_000_000, mtime=0))
    results = read(path, limits=ReadLimits(max_decompressed_bytes=100_000, max_record_bytes=5_000))
    assert [r.external_id for r in results[:5]] == [f"a{i}" for i in range(5)]
    assert isinstance(results[-1], RecordFailure) and "gzip bomb" in results[-1].reason


def test_oversized_stdin_fails() -> None:
    failure = only_failure("-", stdin=io.BytesIO(b"x" * 5000), limits=ReadLimits(max_file_bytes=1000))
    assert failure.reason.startswith("input is larger than")


def test_gzip_inside_gzip_fails(tmp_path: Path) -> None:
    (tmp_path / "twice.gz").write_bytes(gzip.compress(gzip.compress(ARTICLE.encode())))
    assert "gzip inside gzip" in only_failure(tmp_path / "twice.gz").reason


def test_seeds_read_as_plain_text() -> None:
    records = read(SEEDS)
    assert [r.external_id for r in records] == sorted(p.name for p in SEEDS.glob("*.txt"))  # type: ignore[union-attr]


# --- dates and sniffing --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2023-05-14T09:30:00+02:00", datetime(2023, 5, 14, 7, 30, tzinfo=UTC)),
    ("2023-05-14T09:30:00Z", datetime(2023, 5, 14, 9, 30, tzinfo=UTC)),
    ("2023-05-14 09:30", datetime(2023, 5, 14, 9, 30, tzinfo=UTC)),
    ("2023-05-14", datetime(2023, 5, 14, tzinfo=UTC)),
    ("Sun, 14 May 2023 09:30:00 -0400", datetime(2023, 5, 14, 13, 30, tzinfo=UTC)),
    ("26-FEB-1987 15:01:01.00", datetime(1987, 2, 26, 15, 1, 1, tzinfo=UTC)),
    ("May 14, 2023", datetime(2023, 5, 14, tzinfo=UTC)),
    (1684056600, datetime(2023, 5, 14, 9, 30, tzinfo=UTC)),
    ("1684056600", datetime(2023, 5, 14, 9, 30, tzinfo=UTC)),
    (1684056600000, datetime(2023, 5, 14, 9, 30, tzinfo=UTC)),
])
def test_parse_date(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["yesterday-ish", "March 2020", "Monday", "", None, True, [2020], 12, 20200, "0999"])
def test_unparseable_dates_are_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("04.03.2021", datetime(2021, 3, 4, tzinfo=UTC)),  # dotted: day first wherever it is so written
    ("13.03.2021 10:00", datetime(2021, 3, 13, 10, tzinfo=UTC)),
    ("25/04/2021", datetime(2021, 4, 25, tzinfo=UTC)),  # 25 can only be the day
    ("04/25/2021", datetime(2021, 4, 25, tzinfo=UTC)),
    ("05/05/2021", datetime(2021, 5, 5, tzinfo=UTC)),
    ("2021/04/05", datetime(2021, 4, 5, tzinfo=UTC)),
])
def test_a_date_in_figures_is_read_when_its_order_is_sure(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["05/04/2021", "05-04-2021", "05/04/21", "05/04/2021 10:00"])
def test_a_date_in_figures_that_reads_either_way_is_not_guessed(value: str) -> None:
    # 5 April in London, May 4 in New York: one DD/MM export would be half wrong
    assert parse_date(value) is None


def test_a_year_alone_is_stored_as_its_january_1(tmp_path: Path) -> None:
    # (README: an export's "2024" stands for any moment of that year, as provenance/dates.py reads it)
    (tmp_path / "years.jsonl").write_text("".join(json.dumps({"text": ARTICLE, "date": date}) + "\n"
                                                  for date in ("2024", 2024, " 1987 ")))
    records = read(tmp_path / "years.jsonl")
    assert [r.published_at for r in records] == [  # type: ignore[union-attr]
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC), datetime(1987, 1, 1, tzinfo=UTC)]
    assert not any("published_raw" in r.extra for r in records)  # type: ignore[union-attr]


def test_unparseable_date_is_kept_raw(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"text": ARTICLE, "published": "sometime in spring"}))
    record = only_record(tmp_path / "a.json")
    assert record.published_at is None and record.extra["published_raw"] == "sometime in spring"


@pytest.mark.parametrize(("head", "fmt"), [
    (b"\x1f\x8b\x08", "gzip"),
    (b"WARC/1.1\r\n", "warc"),
    (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
    (b'{\n  "a": 1\n}\n', "json"),
    (b'{"a": 1}', "json"),
    (b"  [1, 2]", "json"),
    (b"<!DOCTYPE html><html>", "html"),
    (b"<div><p>Hello</p></div><title>x</title>", "html"),
    (b"Plain words here.", "txt"),
])
def test_sniff_format(head: bytes, fmt: str) -> None:
    assert sniff_format(head) == fmt


def test_only_html_and_warc_input_import_their_parsers(tmp_path: Path) -> None:
    """trafilatura (with lxml) and warcio cost ~80 ms of imports that text and JSON input don't use."""
    (tmp_path / "story.txt").write_text("A headline\n\nThe body of the story, long enough to read.\n")
    (tmp_path / "page.html").write_text("<html><head><title>T</title></head><body><article><p>"
                                        + "The body of a page with enough words to be read as an article. " * 5
                                        + "</p></article></body></html>")
    reads = ("import sys; from archive.ingest.readers import iter_records; "
             "list(iter_records([sys.argv[1]])); print('trafilatura' in sys.modules, 'warcio' in sys.modules)")
    for name, expected in (("story.txt", "False False"), ("page.html", "True False")):
        done = subprocess.run([sys.executable, "-c", reads, str(tmp_path / name)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected, name


def test_a_default_source_fills_only_records_that_name_none() -> None:
    unnamed = RawRecord(origin="a.txt", external_id="a.txt", text="Storm hits the coast.", fmt="txt")
    named = RawRecord(origin="b.json", external_id="b", text="Shares rose.", fmt="json", source="Wire Co")
    failure = RecordFailure("c.json", "not JSON")
    assert with_default_source(unnamed, "Daily Planet").source == "Daily Planet"
    assert with_default_source(named, "Daily Planet").source == "Wire Co"
    assert with_default_source(failure, "Daily Planet") is failure
    assert with_default_source(unnamed, None) is unnamed
    assert unnamed.source is None  # a copy, not changed in place


def test_an_input_naming_prefixes_every_external_id_and_fills_the_publisher() -> None:
    from archive.ingest.records import InputNaming

    record = RawRecord(origin="a.csv", external_id="17", text=ARTICLE, fmt="csv")
    named = InputNaming(source="Daily Planet", id_prefix="atn").apply(record)
    assert isinstance(named, RawRecord) and (named.external_id, named.source) == ("atn:17", "Daily Planet")
    assert InputNaming().apply(record) is record
    failure = RecordFailure("a.csv", "no text")
    assert InputNaming(id_prefix="atn").apply(failure) is failure
    assert record.external_id == "17"  # a copy, not changed in place


# -- tables (CSV, TSV) --------------------------------------------------------------------------

def _table(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    import csv

    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


NEWS_HEADER = ["Unnamed: 0", "id", "title", "publication", "author", "date", "year", "url", "content"]


def test_a_news_table_gives_one_article_a_row_with_its_fields(tmp_path: Path) -> None:
    # The shape of a Kaggle news dump: pandas' row numbers ("Unnamed: 0"), text with line breaks and
    # commas inside quotes, empty cells.
    path = _table(tmp_path / "news.csv", [
        NEWS_HEADER,
        ["0", "17283", "Republicans Fret", "New York Times", "Carl Hulse", "2016-12-31", "2016", "",
         "WASHINGTON — They might win, aides said.\nA second paragraph, \"quoted\"."],
        ["1", "", "No id here", "", "", "", "", "https://example.com/a", ARTICLE],
        ["", "", "", "", "", "", "", "", ""],
        ["3", "17285", "Only a title", "", "", "", "", "", ""],
    ])
    first, second, failure = read(path)
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert (first.external_id, first.title, first.source, first.author, first.fmt) == \
        ("17283", "Republicans Fret", "New York Times", "Carl Hulse", "csv")
    assert first.text.startswith("WASHINGTON — They might win") and "\nA second paragraph, \"quoted\"." in first.text
    assert first.published_at == datetime(2016, 12, 31, tzinfo=UTC)
    assert first.unknown_fields == ["year"] and first.extra == {"year": "2016"}
    # A row without a publisher is taken to come from the site its address names.
    assert (second.external_id, second.url, second.source) == ("news.csv#2", "https://example.com/a", "example.com")
    assert isinstance(failure, RecordFailure) and failure.record_ref == "row 4" and "has no text" in failure.reason


def test_tab_separated_gzipped_and_windows_encoded_tables(tmp_path: Path) -> None:
    tsv = _table(tmp_path / "news.tsv", [["headline", "body"], ["Tabbed", ARTICLE]], delimiter="\t")
    assert (only_record(tsv).title, only_record(tsv).text) == ("Tabbed", ARTICLE)
    packed = tmp_path / "news.csv.gz"
    packed.write_bytes(gzip.compress(_table(tmp_path / "plain.csv", [["title", "text"], ["Packed", ARTICLE]]).read_bytes()))
    assert only_record(packed).title == "Packed"
    cafe = "The café’s owner — Zoë — closed it in 1998 after a long and difficult decade of rising rents."
    windows = _table(tmp_path / "excel.csv", [["title", "text"], ["Café", cafe]], encoding="cp1252")
    assert (only_record(windows).title, only_record(windows).text) == ("Café", cafe)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plain.csv").read_bytes())
    assert only_record(bom).title == "Packed"  # the BOM is not part of the first column's name


def test_a_table_without_a_text_column_is_refused_when_named_and_skipped_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    labels = _table(folder / "labels.csv", [["file", "label"], ["a.txt", "fake"]])
    _table(folder / "articles.csv", [["title", "text"], ["Kept", ARTICLE]])
    failure = only_failure(labels)
    assert "table has no text column" in failure.reason and "'file', 'label'" in failure.reason
    skipped: list[str] = []
    found = [relative for item in iter_input_files([str(folder)], skipped) if isinstance(item, tuple)
             for _, relative in [item]]
    assert found == ["articles.csv"] and skipped == [str(labels)]


def test_a_csv_separated_by_semicolons_tabs_or_bars_is_read_in_a_folder_and_named(tmp_path: Path) -> None:
    # European Excel saves "CSV" with semicolons (the comma is its decimal mark).
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, delimiter in (("semi.csv", ";"), ("tabbed.csv", "\t"), ("bars.csv", "|")):
        _table(folder / name, [["title", "content", "date"], [name, f"{ARTICLE} 1,5 cm", "2024-03-01"]],
               delimiter=delimiter)
    records = read(folder)
    assert sorted((r.title, r.text) for r in records if isinstance(r, RawRecord)) == \
        sorted((name, f"{ARTICLE} 1,5 cm") for name in ("semi.csv", "tabbed.csv", "bars.csv"))
    assert only_record(folder / "semi.csv").published_at == datetime(2024, 3, 1, tzinfo=UTC)
    # A comma header stays a comma header, whatever its names hold.
    commas = _table(tmp_path / "commas.csv", [["title;kind", "text"], ["Kept", f"{ARTICLE};|"]])
    assert (only_record(commas).text, only_record(commas).extra) == (f"{ARTICLE};|", {"title;kind": "Kept"})


def test_field_names_with_spaces_match_in_json_keys_and_table_headers(tmp_path: Path) -> None:
    # Spreadsheets separate words with spaces: "Article Body" is article_body.
    header = ["  Headline ", "Article  Body", "Source Name", "Publish Date"]
    row = ["Spaced", ARTICLE, "Daily Planet", "2024-03-01"]
    table = only_record(_table(tmp_path / "sheet.csv", [header, row]))
    (tmp_path / "keys.json").write_text(json.dumps(dict(zip(header, row))))
    keyed = only_record(tmp_path / "keys.json")
    for record in (table, keyed):
        assert (record.title, record.text, record.source) == ("Spaced", ARTICLE, "Daily Planet")
        assert record.published_at == datetime(2024, 3, 1, tzinfo=UTC)
        assert (record.extra, record.unknown_fields) == ({}, [])


def test_an_input_holding_no_records_is_a_failure(tmp_path: Path) -> None:
    # An export that came back empty is said to be, as an empty feed is.
    inputs = {"list.json": "[]", "envelope.json": '{"status": "ok", "data": {"articles": []}}',
              "header.csv": "title,content,date\r\n", "blank_rows.tsv": "title\ttext\n\t\n",
              "blank.jsonl": "\n  \n", "zero.jsonl": "",
              "empty.rss": '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'}
    reasons = {}
    for name, content in inputs.items():
        (tmp_path / name).write_text(content)
        failure = only_failure(tmp_path / name)
        reasons[name] = failure.reason
    assert reasons == {"list.json": "no articles: an empty list", "envelope.json": "no articles: an empty list",
                       "header.csv": "no articles: a table with a header and no rows",
                       "blank_rows.tsv": "no articles: a table with a header and no rows",
                       "blank.jsonl": "no articles: only blank lines", "zero.jsonl": "empty file",
                       "empty.rss": "no articles: a feed with no entries"}


def test_a_bad_row_costs_only_itself_and_bad_bytes_end_the_table_with_a_reason(tmp_path: Path) -> None:
    path = _table(tmp_path / "news.csv", [["title", "text"], ["Big", "x" * 5000], ["Fine", ARTICLE]])
    failure, record = read(path, limits=ReadLimits(max_record_bytes=1000))
    assert isinstance(failure, RecordFailure) and failure.record_ref == "row 1" and "longer than" in failure.reason
    assert isinstance(record, RawRecord) and record.title == "Fine"
    # Past the read-ahead that chose UTF-8: a row in Windows' encoding, one with a damaged byte
    # (decoded as best it can be), and one of binary junk; only the last fails, and the rows
    # around them are read.
    damaged = tmp_path / "damaged.csv"
    rows = "".join(f"Title {k},{ARTICLE}\n" for k in range(2000)).encode()
    windows = "Café owner’s story".encode("cp1252") + b"," + ARTICLE.encode() + b"\n"
    one_bad_byte = "Zoë’s long road home".encode() + b"\xff," + ARTICLE.encode() + b"\n"
    junk = bytes(range(1, 9)) * 3 + b"\x00\xfe," + ARTICLE.encode() + b"\n"
    damaged.write_bytes(b"title,text\n" + rows + windows + one_bad_byte + junk + b"Last," + ARTICLE.encode() + b"\n")
    results = read(damaged)
    assert len(results) == 2004 and all(isinstance(r, RawRecord) for r in results[:2002] + results[-1:])
    assert results[2000].title == "Café owner’s story" and results[2001].title.startswith("Zo")
    assert isinstance(results[2002], RecordFailure) and results[2002].record_ref == "row 2003"
    assert results[-1].title == "Last"


# -- pages saved as one file (MHTML) -------------------------------------------------------------

def _mhtml(html: str) -> bytes:
    """A page as Chrome saves it ("Webpage, Single File"): quoted-printable HTML, then an image."""
    import quopri

    body = quopri.encodestring(html.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (
        "From: <Saved by Blink>\r\n"
        "Snapshot-Content-Location: https://news.example.com/2024/05/council-budget\r\n"
        "Subject: =?utf-8?Q?Council_approves_budget?=\r\n"
        "Date: Tue, 14 May 2024 09:30:00 -0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"----MultipartBoundary--abc\"\r\n"
        "\r\n\r\n"
        "------MultipartBoundary--abc\r\n"
        "Content-Type: text/html\r\n"
        "Content-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "Content-Location: https://news.example.com/2024/05/council-budget\r\n\r\n"
        f"{body}\r\n"
        "------MultipartBoundary--abc\r\n"
        "Content-Type: image/png\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Location: https://news.example.com/logo.png\r\n\r\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\r\n"
        "------MultipartBoundary--abc--\r\n"
    ).encode("ascii")


PAGE = ("<html><head><title>Council approves budget – Example News</title></head><body><nav>Home | World</nav>"
        "<article><h1>Council approves budget</h1>"
        + "".join(f"<p>{ARTICLE} Paragraph {k} says the café’s owners, Zoë and Raúl, welcomed it.</p>" for k in range(6))
        + "</article><footer>© Example News</footer></body></html>")


def test_a_page_saved_as_one_file_is_read_as_its_html_at_its_address(tmp_path: Path) -> None:
    path = tmp_path / "Council approves budget.mhtml"
    path.write_bytes(_mhtml(PAGE))
    record = only_record(path)
    assert record.fmt == "mhtml" and record.url == "https://news.example.com/2024/05/council-budget"
    assert record.title == "Council approves budget"
    assert "café’s owners, Zoë and Raúl" in record.text and "Home | World" not in record.text
    assert record.extra["saved_at"] == "Tue, 14 May 2024 09:30:00 -0000"
    # Named otherwise, it is known by its content; without an HTML part it is refused.
    assert sniff_format(path.read_bytes()[:4096]) == "mhtml"
    renamed = tmp_path / "saved.dat"
    renamed.write_bytes(path.read_bytes())
    assert only_record(renamed).url == record.url
    # Its images may make it larger than an article may be: only the HTML part is capped.
    heavy = tmp_path / "heavy.mhtml"
    heavy.write_bytes(_mhtml(PAGE).replace(b"iVBORw0KGgo", b"iVBORw0KGgo" + b"A" * 200_000))
    assert only_record(heavy, limits=ReadLimits(max_record_bytes=50_000)).url == record.url
    assert "too big" in only_failure(heavy, limits=ReadLimits(max_record_bytes=1_000)).reason
    no_page = tmp_path / "images.mht"
    no_page.write_bytes(_mhtml(PAGE).replace(b"Content-Type: text/html\r\n", b"Content-Type: text/plain\r\n"))
    assert "no HTML part" in only_failure(no_page).reason


# -- RSS and Atom feeds ----------------------------------------------------------------------------

WORDPRESS_FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Daily Trends Hub</title>
  <link>https://trends.example.net</link>
  <language>en-US</language>
  <item>
    <title>Council approves budget &#8211; what it means</title>
    <link>https://trends.example.net/council-budget/</link>
    <dc:creator><![CDATA[admin]]></dc:creator>
    <pubDate>Tue, 14 May 2024 09:30:00 +0000</pubDate>
    <guid isPermaLink="false">https://trends.example.net/?p=123</guid>
    <description><![CDATA[The council approved [&#8230;]]]></description>
    <content:encoded><![CDATA[<p>{ARTICLE}</p><p>The caf&#233;&#8217;s owners welcomed it.</p>]]></content:encoded>
  </item>
  <item>
    <title>Only a teaser</title>
    <link>https://trends.example.net/teaser/</link>
    <pubDate>not a date</pubDate>
    <description>{ARTICLE}</description>
  </item>
  <item><title>Empty</title><link>https://trends.example.net/empty/</link></item>
</channel>
</rss>
"""

ATOM_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Wire</title>
  <entry>
    <title>Wire story</title>
    <id>tag:wire.example.com,2024:1</id>
    <link href="https://wire.example.com/1"/>
    <updated>2024-05-14T10:00:00Z</updated>
    <author><name>Ana Ruiz</name></author>
    <content type="html">&lt;p&gt;{ARTICLE}&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_an_rss_feed_gives_one_article_an_entry_with_its_fullest_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.rss"
    path.write_text(WORDPRESS_FEED)
    full, teaser, empty = read(path)
    assert isinstance(full, RawRecord) and isinstance(teaser, RawRecord)
    assert (full.external_id, full.fmt, full.source, full.author, full.url) == (
        "https://trends.example.net/?p=123", "feed", "Daily Trends Hub", "admin", "https://trends.example.net/council-budget/")
    assert full.title == "Council approves budget – what it means"
    assert full.text == f"{ARTICLE}\n\nThe café’s owners welcomed it."  # content:encoded, not the teaser
    assert full.published_at == datetime(2024, 5, 14, 9, 30, tzinfo=UTC) and full.language == "en-US"
    assert (teaser.text, teaser.external_id, teaser.published_at) == (ARTICLE, "https://trends.example.net/teaser/", None)
    assert teaser.extra["text_is_summary"] is True and teaser.extra["published_raw"] == "not a date"
    assert isinstance(empty, RecordFailure) and empty.record_ref == "3" and "no text" in empty.reason


def test_atom_feeds_and_feeds_named_xml_are_read_other_xml_is_not(tmp_path: Path) -> None:
    atom = tmp_path / "wire.xml"
    atom.write_text(ATOM_FEED)
    record = only_record(atom)
    assert (record.title, record.author, record.source, record.text) == ("Wire story", "Ana Ruiz", "Example Wire", ARTICLE)
    assert record.external_id == "tag:wire.example.com,2024:1"
    assert record.published_at == datetime(2024, 5, 14, 10, 0, tzinfo=UTC)
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>')
    assert "not an RSS or Atom feed" in only_failure(sitemap).reason
    bare = tmp_path / "bare.xml"  # no XML declaration
    bare.write_text("<urlset><url><loc>https://x.example/</loc></url></urlset>")
    assert "not an RSS or Atom feed" in only_failure(bare).reason
    skipped: list[str] = []
    found = [item[1] for item in iter_input_files([str(tmp_path)], skipped) if isinstance(item, tuple)]
    assert found == ["wire.xml"] and sorted(skipped) == [str(bare), str(sitemap)]
    broken = tmp_path / "broken.rss"
    broken.write_text("<rss><channel><title>x</title>")
    assert "feed" in only_failure(broken).reason


def test_a_feed_expands_no_entities_nor_reads_files_it_names(tmp_path: Path) -> None:
    levels = "".join(f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10))
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    path = tmp_path / "lol.rss"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol0 "lol">{levels}'
                    f'<!ENTITY ext SYSTEM "file://{secret}">]><rss version="2.0"><channel><title>x</title>'
                    f"<item><title>&lol9;</title><description>{ARTICLE} &ext;</description></item></channel></rss>")
    record = only_record(path)
    assert len(record.title or "") < 100 and "TOP-SECRET" not in record.text and ARTICLE in record.text


# -- WACZ: Webrecorder's packaged web archives ---------------------------------------------------

def _wacz(path: Path, tmp_path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as package:
        package.writestr("datapackage.json", json.dumps({"profile": "data-package", "wacz_version": "1.1.1"}))
        package.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
        for name, data in members.items():
            package.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return path


def test_a_wacz_file_is_read_as_the_warc_files_it_packs(tmp_path: Path) -> None:
    write_warc(tmp_path / "data.warc.gz", compress=True)
    write_warc(tmp_path / "plain.warc", compress=False)
    path = _wacz(tmp_path / "crawl.wacz", tmp_path, {
        "archive/data.warc.gz": (tmp_path / "data.warc.gz").read_bytes(),
        "archive/more.warc": (tmp_path / "plain.warc").read_bytes(),
        "archive/broken.warc": b"WARC/1.0\r\nbroken header\r\n\r\n",
    })
    broken, first, second = read(path)  # members in name order
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert first.fmt == second.fmt == "warc" and first.url == "https://courier.example.org/a"
    assert first.origin == f"{path}!archive/data.warc.gz" and second.origin == f"{path}!archive/more.warc"
    assert first.external_id != second.external_id  # each record's own WARC-Record-ID
    assert isinstance(broken, RecordFailure) and broken.origin == f"{path}!archive/broken.warc"
    assert "malformed WARC" in broken.reason
    (tmp_path / "empty.wacz").write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    assert "holds no WARC files" in only_failure(tmp_path / "empty.wacz").reason
    (tmp_path / "junk.wacz").write_bytes(b"not a zip at all")
    assert "not a WACZ file" in only_failure(tmp_path / "junk.wacz").reason


def test_a_record_naming_no_publisher_comes_from_the_site_its_address_names(tmp_path: Path) -> None:
    path = tmp_path / "scrape.jsonl"
    rows = [{"id": "a", "text": ARTICLE, "url": "https://www.daily-example.com/2021/03/04/budget"},
            {"id": "b", "text": ARTICLE, "url": "https://web.archive.org/web/20210304000000/https://www.cnn.com/a"},
            {"id": "c", "text": ARTICLE, "url": "https://www.cnn.com/a", "publisher": "CNN Politics"},
            {"id": "d", "text": ARTICLE, "url": "not an address"}]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    records = read(path)
    assert all(isinstance(r, RawRecord) for r in records)
    # The address's host, the archived page's behind a web archive's replay address, a
    # publisher the record names, nothing when the address names no site.
    assert [r.source for r in records] == ["daily-example.com", "cnn.com", "CNN Politics", None]  # type: ignore[union-attr]
    assert records[1].url == rows[1]["url"]  # type: ignore[union-attr]  # the address as fetched stays


def test_a_page_fetched_from_a_web_archive_is_its_own_sites() -> None:
    html = ("<html><head><title>Tidal plant opens</title></head><body><article><h1>Tidal plant opens</h1><p>"
            + "The harbour town switched on its tidal power plant on Sunday, the council said. " * 12
            + "</p></article></body></html>")
    replay = "https://web.archive.org/web/20230514000000/https://www.coastal-courier.org/2023/05/tidal-plant"
    record = _html_record(html, "page.html", "page.html", url=replay)
    assert isinstance(record, RawRecord) and record.source == "coastal-courier.org" and record.url == replay
    # An address no parser takes is no site, and no error.
    record = _html_record(html, "page.html", "page.html", url="https://[::1/broken")
    assert isinstance(record, RawRecord) and record.url == "https://[::1/broken"
    # A page that names its publisher keeps that name, wherever it was fetched from.
    named = html.replace("<head>", '<head><meta property="og:site_name" content="Coastal Courier">')
    record = _html_record(named, "page.html", "page.html", url=replay)
    assert isinstance(record, RawRecord) and record.source == "Coastal Courier"
