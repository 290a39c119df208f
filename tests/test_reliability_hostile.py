"""Hostile and malformed input: nothing crashes, nothing stored is lost, nothing outside what the user
named is read, nothing the input contains is fetched or run.

Property tests use hypothesis with ``derandomize=True`` and bounded ``max_examples`` (counts in
docs/reliability.md). Limits are tested at small scale by lowering ``ReadLimits``; the full-size
runs (hundreds of MB, a 100 MB line, a real gzip bomb) are in ``bench/reliability_big.py``.

Decided behaviour for links: a symbolic link *inside* a named folder is followed, also when it
points outside the folder (linking data into the tree is a deliberate act of its owner, and it is
what ``cp -r``/``rsync -L`` users expect); every folder is entered once by real path, so link
loops end; links to files with unknown extensions are skipped like any such file; a dangling
link is skipped. Field values (``url``, ``link``, ``path``, HTML ``src``/``href``) are data: they
are stored, never opened or fetched.
"""

from __future__ import annotations

import dataclasses
import gzip
import http.server
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.api import Archive
from archive.errors import QueryError
from archive.ingest.prepare import PreparedDoc, _safe_prepare, Batch
from archive.ingest.readers import ReadLimits, iter_records
from archive.ingest.records import RawRecord, RecordFailure
from fixtures.reliability.corpus import invoke, stored_documents, write_corpus

PROPERTY = settings(
    derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BYTES_EXAMPLES = 300
JSON_EXAMPLES = 200
HTML_EXAMPLES = 100
STORE_EXAMPLES = 30
QUERY_EXAMPLES = 400
KiB = 1024
SMALL = ReadLimits(max_file_bytes=256 * KiB, max_decompressed_bytes=256 * KiB, max_record_bytes=64 * KiB,
                   max_json_depth=64)


def read_all(paths: list[str], limits: ReadLimits = ReadLimits()) -> list[PreparedDoc | RecordFailure]:
    """The reading half of an ingest (readers, normalisation, fingerprints), in this process."""
    out: list[PreparedDoc | RecordFailure] = []
    for item in iter_records(paths, limits=limits):
        assert isinstance(item, (RawRecord, RecordFailure))
        out.append(item if isinstance(item, RecordFailure) else _safe_prepare(item, Batch()))
    return out






@pytest.fixture(scope="module")
def base_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with 30 documents, shared read-only by the query properties."""
    root = tmp_path_factory.mktemp("hostile")
    write_corpus(root / "corpus", prefix="h", files=1, per_file=30, seed=11)
    home = root / "home"
    assert invoke(home, "ingest", "-q", str(root / "corpus")).exit_code == 0
    return home


@pytest.fixture
def home(base_home: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the base archive; afterwards, none of its documents may be gone."""
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(base_home, copy)
    before = stored_documents(copy)
    yield copy
    after = stored_documents(copy)
    assert after[: len(before)] == before, "an ingest of hostile input lost or changed stored documents"


# ------------------------------------------------------------------ properties over random input

EXTENSIONS = (".txt", ".json", ".jsonl", ".html", ".warc", ".gz", ".json.gz", ".warc.gz", ".dat", ".csv", ".tsv",
              ".csv.gz", ".mhtml", ".rss", ".xml", ".wacz")


@settings(PROPERTY, max_examples=BYTES_EXAMPLES)
@given(data=st.binary(max_size=4096), ext=st.sampled_from(EXTENSIONS), gz=st.booleans())
def test_random_bytes_never_crash_the_readers(tmp_path_factory: pytest.TempPathFactory, data: bytes, ext: str,
                                              gz: bool) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"input{ext}"
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    for item in read_all([str(path)], SMALL):
        assert isinstance(item, (PreparedDoc, RecordFailure))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["id", "title", "text", "body", "url", "date", "published", "author", "authors",
                         "source", "language", "articles", "items", "x"]) | st.text(max_size=8),
        inner, max_size=6),
    max_leaves=30,
)


@settings(PROPERTY, max_examples=JSON_EXAMPLES)
@given(value=JSON_VALUES)
def test_random_json_never_crashes_the_readers(tmp_path_factory: pytest.TempPathFactory, value: object) -> None:
    folder = tmp_path_factory.mktemp("json")
    encoded = json.dumps(value)
    (folder / "one.json").write_text(encoded)
    (folder / "lines.jsonl").write_text(encoded + "\n" + encoded[: len(encoded) // 2] + "\n")
    for item in read_all([str(folder)], SMALL):
        assert isinstance(item, (PreparedDoc, RecordFailure))


RECORDS = st.lists(JSON_VALUES, min_size=1, max_size=4)


@settings(PROPERTY, max_examples=STORE_EXAMPLES)
@given(values=RECORDS, junk=st.binary(max_size=512), ext=st.sampled_from(EXTENSIONS))
def test_random_records_through_the_whole_ingest_lose_nothing(
    tmp_path_factory: pytest.TempPathFactory, home: Path, values: list[object], junk: bytes, ext: str
) -> None:
    """Store, index and provenance too, as a long-running library user would: odd ids (numbers,
    booleans, floats) and odd field types, ingested and checked repeatedly in one process."""
    folder = tmp_path_factory.mktemp("store")
    (folder / "records.jsonl").write_text("\n".join(json.dumps(value) for value in values) + "\n")
    (folder / f"junk{ext}").write_bytes(junk)
    before = stored_documents(home)
    archive = Archive(home)
    try:
        summary = archive.ingest([str(folder)], background=False)
        assert summary.seen >= 1
        assert archive.check_index(repair=False).drift.ok
    finally:
        archive.close()
    after = stored_documents(home)
    assert {row[:2] for row in before} <= {row[:2] for row in after}  # updates allowed, losses not


TAGS = st.sampled_from(["p", "div", "script", "style", "title", "h1", "article", "meta", "a", "img", "table",
                        "td", "iframe", "base", "link", "noscript", "svg", "!--", "![CDATA["])


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(TAGS)
        attr = draw(st.sampled_from(["", ' src="http://127.0.0.1:9/x"', ' href="file:///etc/passwd"',
                                     ' content="2020-13-45"', ' name="author" content="&#0;&#xD800;"']))
        body = draw(st.text(max_size=30))
        parts.append(draw(st.sampled_from([f"<{tag}{attr}>{body}</{tag}>", f"<{tag}{attr}>{body}",
                                           f"</{tag}>{body}", f"&{body};"])))
    return "".join(parts)


@settings(PROPERTY, max_examples=HTML_EXAMPLES)
@given(page=html_documents())
def test_random_html_never_crashes_the_readers(tmp_path_factory: pytest.TempPathFactory, page: str) -> None:
    path = tmp_path_factory.mktemp("html") / "page.html"
    path.write_text(page, encoding="utf-8", errors="surrogatepass")
    for item in read_all([str(path)], SMALL):
        assert isinstance(item, (PreparedDoc, RecordFailure))


QUERY_ATOMS = st.sampled_from([
    "storm", "oil", '"oil prices"', '"', "(", ")", "AND", "OR", "NOT", "TO", "-", "+", "*", "?", "~", "~2", "^3",
    "title:", "text:", "source:", "author:", "published:", "year:", "id:", "nosuch:", "url:", "[", "]", "{", "}",
    "[1987 TO 2020]", "published:[2015-01 TO 2016-13]", "published:>2030", "'; DROP TABLE documents; --",
    "\" OR 1=1 --", "documents_fts MATCH", "NEAR(", "\\", "/", ":", "\x00", "é", "北京", "\u202e", "%", "_",
    "ö*", "**", "*?*", "a~99", "title:(storm OR", "))))", "((((", "NOT NOT", "AND AND", "$(touch x)",
])


QUERY_FIELDS = ("title", "text", "author", "source", "url", "lang", "published", "nosuch", "TITLE", "")
FIELDED = st.builds(lambda field, value: f"{field}:{value}", st.sampled_from(QUERY_FIELDS),
                    QUERY_ATOMS | st.text(max_size=10))


@settings(PROPERTY, max_examples=QUERY_EXAMPLES)
@given(parts=st.lists(QUERY_ATOMS | FIELDED | st.text(max_size=12), max_size=8), glue=st.sampled_from([" ", "", ":"]),
       since=st.none() | st.sampled_from(["2015", "2015-02-30", "yesterday", "'; --", "1e9", "0000"]),
       sort=st.sampled_from(["relevance", "date", "-date"]))
def test_any_query_answers_or_says_what_is_wrong(base_home: Path, parts: list[str], glue: str,
                                                  since: str | None, sort: str) -> None:
    query = glue.join(parts)
    archive = Archive(base_home)
    try:
        results = archive.search(query, since=since, sort=sort, limit=5)
        assert results.total >= len(results.hits)
        assert archive.count(query, since=since) == results.total
    except QueryError as err:
        assert str(err).strip()
    assert len(stored_documents(base_home)) == 30


def test_queries_through_the_cli_exit_0_or_2(base_home: Path) -> None:
    for query in ("'; DROP TABLE documents; --", 'title:"unbalanced', "nosuch:storm", "published:[2020 TO",
                  "", "*", "-storm", "NOT", "storm)", "\\", "text:" + "a" * 10_000):
        for extra in (("--json",), ("--count", "--since", "2015-99")):
            result = invoke(base_home, "search", *extra, "--", query)
            assert result.exit_code in (0, 2), (query, extra, result.output)
            if result.exit_code == 2:
                assert result.output.startswith("archive: error:") or "Usage" in result.output
    assert len(stored_documents(base_home)) == 30


# ------------------------------------------------------------------ specific hostile inputs


def test_deep_nesting_is_one_failure_not_a_crash(tmp_path: Path, home: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "in" / "deep.jsonl").write_text('{"text": "fine line"}\n' + "[" * 100_000 + "\n")
    (tmp_path / "in" / "deepobj.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    items = read_all([str(tmp_path / "in")])
    failures = [item for item in items if isinstance(item, RecordFailure)]
    assert len(failures) == 3 and all("nested deeper" in f.reason for f in failures), failures
    result = invoke(home, "ingest", str(tmp_path / "in"))
    assert result.exit_code == 1 and "added 1," in result.output


def test_truncated_gzip_and_warc_keep_what_came_before(tmp_path: Path, home: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder = tmp_path / "in"
    folder.mkdir()
    lines = "".join(json.dumps({"id": f"gz-{n}", "text": f"gzip article number {n} " * 20}) + "\n" for n in range(200))
    packed = gzip.compress(lines.encode(), mtime=0)
    (folder / "cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n in range(6):
        html = f"<html><head><title>Page {n}</title></head><body><p>{'warc words here ' * 40}{n}</p></body></html>"
        writer.write_record(writer.create_warc_record(
            f"http://example.invalid/{n}", "response", payload=io.BytesIO(html.encode()),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")))
    warc = buffer.getvalue()
    (folder / "cut.warc").write_bytes(warc[: int(len(warc) * 0.6)])
    items = read_all([str(folder)])
    docs = [i for i in items if isinstance(i, PreparedDoc)]
    failures = [i for i in items if isinstance(i, RecordFailure)]
    assert {f.origin.rsplit("/", 1)[-1] for f in failures} == {"cut.jsonl.gz", "cut.warc"}, failures
    assert docs, "the records before the cut are kept"
    result = invoke(home, "ingest", str(folder))
    assert result.exit_code == 1 and f"added {len(docs)}," in result.output


def test_gzip_bomb_is_refused_by_the_decompressed_size_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\x00" * (8 * 1024 * KiB), compresslevel=9, mtime=0))
    assert bomb.stat().st_size < 16 * KiB  # 8 MiB of zeros in a few KB
    limits = ReadLimits(max_decompressed_bytes=1024 * KiB, max_record_bytes=64 * KiB)
    items = read_all([str(bomb)], limits)
    assert len(items) == 1 and isinstance(items[0], RecordFailure)
    assert "gzip bomb" in items[0].reason


def test_long_line_is_refused_by_the_record_cap_and_the_next_lines_still_count(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    good = json.dumps({"text": "a normal article text"}) + "\n"
    path.write_text(good + json.dumps({"text": "x" * (512 * KiB)}) + "\n" + good)
    items = read_all([str(path)], dataclasses.replace(SMALL, max_file_bytes=4 * 1024 * KiB))
    assert [type(i).__name__ for i in items] == ["PreparedDoc", "RecordFailure", "PreparedDoc"]
    assert "longer than" in items[1].reason  # type: ignore[union-attr]
    assert (tmp_path / "long.jsonl").stat().st_size > SMALL.max_record_bytes
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (80 * KiB))
    (item,) = read_all([str(big)], SMALL)
    assert isinstance(item, RecordFailure) and "too big" in item.reason


def test_symlink_loop_and_links_out_of_the_folder(tmp_path: Path, home: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.txt").write_text("Linked headline\n\nAn article that lives outside the folder.")
    (outside / "secret.key").write_text("not an article")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("Headline A\n\nThe first article in the folder.")
    (folder / "sub" / "loop").symlink_to(folder)  # a loop back to the top
    (folder / "self").symlink_to(".")
    (folder / "out.txt").symlink_to(outside / "linked.txt")
    (folder / "outdir").symlink_to(outside)
    (folder / "key").symlink_to(outside / "secret.key")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    items = read_all([str(folder)])
    docs = sorted(i.record.external_id for i in items if isinstance(i, PreparedDoc))
    # Followed links are read once per folder they are found in; the loop and self-link end.
    assert docs == ["out.txt", "outdir/linked.txt", "sub/a.txt"], docs
    assert not any("secret" in str(getattr(i, "record", i)) for i in items)
    # A link whose target is gone is named, not dropped without a word.
    (broken,) = [i for i in items if isinstance(i, RecordFailure)]
    assert broken.origin == str(folder / "dangling.txt")
    assert broken.reason == f"broken symbolic link (to {tmp_path / 'nowhere.txt'}, which does not exist)"
    result = invoke(home, "ingest", str(folder))
    assert "added 3, updated 0, unchanged 0, failed 1" in result.output
    assert "dangling.txt: broken symbolic link" in result.output


def test_a_pipe_or_a_link_to_one_in_a_folder_is_named_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")  # reading it would wait for a writer forever
    (folder / "linked.txt").symlink_to(folder / "pipe.json")
    (folder / "notes").symlink_to(tmp_path / "gone")  # no format by its name: skipped, as unknown files are
    items = read_all([str(folder)])
    assert sorted((i.origin, i.reason) for i in items if isinstance(i, RecordFailure)) == [
        (str(folder / name), "not a regular file or folder (a device, socket or pipe)")
        for name in ("linked.txt", "pipe.json")]
    assert len(items) == 2


ODD_NAMES = ("with space.txt", "ünïcödé – 北京.txt", "new\nline.txt", "-leading-dash.txt", "--help.txt",
             "$(touch PWNED).txt", "semi;colon `x`.txt", "quote'\"s.txt", ".hidden.txt")


def test_paths_with_odd_characters(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "odd dir"
    folder.mkdir()
    for number, name in enumerate(ODD_NAMES):
        (folder / name).write_text(f"Odd headline {number}\n\nArticle {number} in an oddly named file.")
    before = len(stored_documents(home))
    os.chdir(folder)  # make `$(touch PWNED)` land here if anything ran a shell
    try:
        result = invoke(home, "ingest", str(folder))
        assert result.exit_code == 0, result.output
        assert len(stored_documents(home)) == before + len(ODD_NAMES) - 1  # hidden files are skipped
        dash = invoke(home, "ingest", "--", "-leading-dash.txt", "--help.txt", "new\nline.txt")
        # Read as files (the same external ids as from the folder), not taken for options.
        assert dash.exit_code == 0 and "unchanged 3, failed 0" in dash.output, dash.output
        for name in ODD_NAMES[:-1]:
            shown = invoke(home, "show", "--", name)
            assert shown.exit_code == 0 and "oddly named" in shown.output, (name, shown.output)
    finally:
        os.chdir(tmp_path)
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<html><body>fetched</body></html>")

    def log_message(self, *args: object) -> None:
        pass


def test_urls_and_paths_in_the_input_are_never_fetched_opened_or_run(tmp_path: Path, home: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    fifo = tmp_path / "trap.fifo"
    os.mkfifo(fifo)  # opening it for reading would block: an ingest that opened it would hang
    marker = tmp_path / "ran"
    folder = tmp_path / "in"
    folder.mkdir()
    record = {
        "id": "trap-1", "title": f"$(touch {marker})", "text": f"`touch {marker}`; $(touch {marker}) {base}/t",
        "url": f"{base}/article", "link": f"{base}/link", "path": str(fifo), "file": f"file://{fifo}",
        "image": f"{base}/image.jpg", "source": f"{base}/source",
    }
    (folder / "trap.json").write_text(json.dumps(record))
    (folder / "trap.html").write_text(
        f'<html><head><title>Trap</title><link rel="canonical" href="{base}/canonical">'
        f'<script src="{base}/script.js"></script><meta http-equiv="refresh" content="0;url={base}/refresh">'
        f'</head><body><article><p>{"A page full of references to elsewhere. " * 10}</p>'
        f'<img src="{base}/img.png"><iframe src="{base}/frame"></iframe>'
        f'<a href="file://{fifo}">local</a></article></body></html>')
    try:
        result = invoke(home, "ingest", str(folder))
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0 and "added 2," in result.output, result.output
    assert _Recorder.requests == [], _Recorder.requests
    assert not marker.exists()
    shown = json.loads(invoke(home, "show", "--json", "trap-1").output)
    assert shown["url"] == f"{base}/article" and shown["raw_meta"]["path"] == str(fifo)
