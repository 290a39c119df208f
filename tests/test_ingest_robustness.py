"""Bad input from acceptance testing: each gets a clear per-record failure or note, never a
traceback, and never breaks the archive for later runs."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive import sqlite_extras
from archive.coltypes import from_iso, to_iso
from archive.ingest.readers import iter_records, parse_date
from archive.ingest.records import RawRecord, RecordFailure


def db_rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "archive.db") as conn:
        return conn.execute(sql).fetchall()


def jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(iter_records([str(path)]))


# -- dates before year 1000 ---------------------------------------------------------------------

def test_years_before_1000_are_stored_with_four_digits_and_read_back() -> None:
    zero = datetime(1, 1, 1, tzinfo=timezone.utc)
    assert to_iso(zero) == "0001-01-01T00:00:00Z"
    assert to_iso(datetime(999, 5, 5, 3, 4, 5, tzinfo=timezone.utc)) == "0999-05-05T03:04:05Z"
    assert from_iso(to_iso(zero)) == zero


def test_rows_written_with_short_years_are_still_read() -> None:
    assert from_iso("1-01-01T00:00:00Z") == datetime(1, 1, 1, tzinfo=timezone.utc)
    assert from_iso("999-05-05T00:00:00Z") == datetime(999, 5, 5, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        from_iso("1-1-1")


@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00Z", "0999-05-05", "01.02.0003", -62135596800, "-62135596800",
    "Sat, 01 Jan 0999 00:00:00 GMT",
])
def test_dates_before_year_1000_are_no_dates(value: object) -> None:
    assert parse_date(value) is None


def test_year_1000_and_later_are_kept() -> None:
    assert parse_date("1000-01-01") == datetime(1000, 1, 1, tzinfo=timezone.utc)
    assert parse_date("1850-06-01T12:00:00Z") == datetime(1850, 6, 1, 12, tzinfo=timezone.utc)


def test_zero_time_leaves_the_record_undated_and_the_archive_usable(run_cli, home: Path, tmp_path: Path) -> None:
    zero = jsonl(tmp_path / "zero.jsonl", {"id": "z1", "title": "Zero", "published": "0001-01-01T00:00:00Z",
                                            "text": "A scraper export with Go zero time about harbour dredging."})
    result = run_cli("ingest", str(zero))
    assert result.exit_code == 0, result.output
    assert "could not be read" in result.output and "zero.jsonl [1]" in result.output
    published, meta = db_rows(home, "SELECT published_at, raw_meta FROM documents")[0]
    assert published is None
    assert json.loads(meta)["published_raw"] == "0001-01-01T00:00:00Z"
    later = jsonl(tmp_path / "later.jsonl", {"id": "l1", "text": "Dredging the harbour resumed on Monday.",
                                              "published": "2021-05-05"})
    assert run_cli("ingest", str(later)).exit_code == 0


def test_an_archive_holding_a_short_year_recovers(run_cli, home: Path, tmp_path: Path) -> None:
    first = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "The harbour dredging began in spring.",
                                          "published": "2020-01-01"})
    assert run_cli("ingest", str(first)).exit_code == 0
    with sqlite3.connect(home / "archive.db") as conn:  # as an earlier version wrote it, before the checks
        conn.execute("DROP TRIGGER documents_update_checked")
        conn.execute("UPDATE documents SET published_at = '1-01-01T00:00:00Z'")
        conn.execute(next(s for s in sqlite_extras.CREATE_EDIT_TRIGGERS if "documents_update_checked" in s))
    second = jsonl(tmp_path / "b.jsonl", {"id": "b1", "text": "The harbour dredging began in spring, again.",
                                           "published": "2020-01-02"})
    assert run_cli("ingest", str(second)).exit_code == 0
    assert run_cli("index", "rebuild").exit_code == 0


def test_a_feed_entry_dated_before_1000_is_undated(tmp_path: Path) -> None:
    feed = tmp_path / "old.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title>'
        "<item><title>Ancient</title><guid>o1</guid><pubDate>Sat, 01 Jan 0999 00:00:00 GMT</pubDate>"
        "<description>A story about the harbour and its dredging.</description></item></channel></rss>")
    [record] = read(feed)
    assert isinstance(record, RawRecord)
    assert record.published_at is None and record.extra["published_raw"].startswith("Sat, 01 Jan 0999")


# -- one bad record costs that record only ------------------------------------------------------

def test_lone_surrogates_are_replaced_and_noted(run_cli, home: Path, tmp_path: Path) -> None:
    data = tmp_path / "sur.jsonl"
    data.write_text('{"id": "s1", "title": "Half \\ud800", "text": "Owls \\udc00 hunt at night.", "tag": "\\ud800"}\n'
                    '{"id": "s2", "text": "Second record about owls."}\n')
    result = run_cli("ingest", str(data))
    assert result.exit_code == 0, result.output
    assert "added 2," in result.output and "sur.jsonl [1]" in result.output and "U+FFFD" in result.output
    title, text, meta = db_rows(home, "SELECT title, text, raw_meta FROM documents WHERE external_id = 's1'")[0]
    assert (title, text) == ("Half \ufffd", "Owls \ufffd hunt at night.")
    assert json.loads(meta)["lone_surrogates_replaced"] == 3


def test_a_feed_with_a_surrogate_reference_is_read(tmp_path: Path) -> None:
    feed = tmp_path / "s.rss"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>r1</guid>'
                    "<title>A &#xD800; b</title><description>Owls &#55296; hunt at night.</description>"
                    "</item></channel></rss>")
    [record] = read(feed)
    assert isinstance(record, RawRecord) and record.text == "Owls \ufffd hunt at night."


@pytest.mark.parametrize("value", [
    "2020-01-01T00:00:00+25:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-05:00", 10 ** 400,
    "1" + "0" * 400,
])
def test_out_of_range_dates_are_unreadable_not_errors(value: object) -> None:
    assert parse_date(value) is None


def test_bad_dates_leave_their_records_undated_and_the_run_goes_on(run_cli, home: Path, tmp_path: Path) -> None:
    data = tmp_path / "dates.jsonl"
    data.write_text("".join(f'{{"id": "d{n}", "text": "Owls number {n} hunt.", "published": {value}}}\n'
                            for n, value in enumerate(['"2020-01-01T00:00:00+25:00"', '"0001-01-01T00:00:00+14:00"',
                                                       '"9999-12-31T23:00:00-05:00"', "1" + "0" * 400])))
    result = run_cli("ingest", str(data))
    assert result.exit_code == 0, result.output
    assert "added 4," in result.output and "4 records had a date that could not be read" in result.output
    assert db_rows(home, "SELECT count(*) FROM documents WHERE published_at IS NULL") == [(4,)]


def test_an_unforeseen_error_in_one_record_is_that_records_failure(
        run_cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.ingest import readers

    mapped = readers._mapped_record

    def broken(value, *args):  # type: ignore[no-untyped-def]
        if value.get("id") == "b2":
            raise KeyError("surprise")
        return mapped(value, *args)

    monkeypatch.setattr(readers, "_mapped_record", broken)
    first = jsonl(tmp_path / "first.jsonl", *({"id": f"b{n}", "text": f"Owls number {n} hunt."} for n in (1, 2, 3)))
    second = jsonl(tmp_path / "second.jsonl", {"id": "c1", "text": "Badgers dig at night."})
    result = run_cli("ingest", str(first), str(second))
    assert result.exit_code == 1
    assert "archive: failed: " in result.output and "first.jsonl [2]: could not be read: KeyError" in result.output
    assert "internal error" not in result.output
    assert db_rows(home, "SELECT external_id FROM documents ORDER BY external_id") == [("b1",), ("b3",), ("c1",)]


def test_an_unforeseen_error_normalising_one_record_is_that_records_failure(
        run_cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.ingest import prepare

    normalize = prepare.normalize_record

    def broken(raw, **kwargs):  # type: ignore[no-untyped-def]
        if raw.external_id == "b2":
            raise LookupError("surprise")
        return normalize(raw, **kwargs)

    monkeypatch.setattr(prepare, "normalize_record", broken)
    data = jsonl(tmp_path / "n.jsonl", *({"id": f"b{n}", "text": f"Owls number {n} hunt."} for n in (1, 2, 3)))
    result = run_cli("ingest", str(data))
    assert result.exit_code == 1
    assert "n.jsonl [2]: cannot normalise: LookupError" in result.output
    assert db_rows(home, "SELECT count(*) FROM documents") == [(2,)]


# -- ids ------------------------------------------------------------------------------------------

def test_texts_piped_in_do_not_replace_one_another(run_cli, home: Path) -> None:
    assert "added 1," in run_cli("ingest", "-", input="Head\n\nbody about owls.\n").output
    assert "added 1, updated 0," in run_cli("ingest", "-", input="Head\n\nbody about bats.\n").output
    assert "unchanged 1," in run_cli("ingest", "-", input="Head\n\nbody about bats.\n").output
    ids = [row[0] for row in db_rows(home, "SELECT external_id FROM documents")]
    assert len(ids) == 2 and all(external_id.startswith("-:") for external_id in ids)


def test_piped_records_with_ids_keep_them(run_cli, home: Path) -> None:
    lines = '{"id": "p1", "text": "Owls hunt at night."}\n{"text": "Bats fly at night."}\n'
    assert "added 2," in run_cli("ingest", "-", input=lines).output
    ids = sorted(row[0] for row in db_rows(home, "SELECT external_id FROM documents"))
    assert ids[0].startswith("-:") and ids[1] == "p1"


def test_two_inputs_naming_records_alike_by_path_refuse_the_later(run_cli, home: Path, tmp_path: Path) -> None:
    for folder, text in (("txtA", "Owls hunt at night in the woods."), ("txtB", "Bats fly at night over the lake.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(f"Head\n\n{text}\n")
    for year in ("y2019", "y2020"):
        (tmp_path / year).mkdir()
        jsonl(tmp_path / year / "articles.jsonl", {"text": f"Owls in {year} hunted mice."})
    result = run_cli("ingest", *(str(tmp_path / name) for name in ("txtA", "txtB", "y2019", "y2020")))
    assert result.exit_code == 1
    assert "added 2, updated 0, unchanged 0, failed 2" in result.output
    assert "txtB/story.txt: its id 'story.txt'" in result.output and "--id-prefix" in result.output
    assert "y2020/articles.jsonl [1]: its id 'articles.jsonl#1'" in result.output
    assert db_rows(home, "SELECT external_id, path FROM documents ORDER BY id") == [
        ("story.txt", str(tmp_path / "txtA" / "story.txt")),
        ("articles.jsonl#1", str(tmp_path / "y2019" / "articles.jsonl"))]
    assert db_rows(home, "SELECT path, record FROM ingest_failures ORDER BY id") == [
        (str(tmp_path / "txtB" / "story.txt"), None), (str(tmp_path / "y2020" / "articles.jsonl"), "1")]


def test_one_file_given_twice_is_no_clash(run_cli, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Head\n\nOwls hunt at night in the woods.\n")
    result = run_cli("ingest", str(story), str(story))
    assert result.exit_code == 0, result.output


# -- UTF-16 and UTF-32 JSON Lines ------------------------------------------------------------------

def wide_jsonl(path: Path, encoding: str, count: int = 3) -> Path:
    lines = "".join(json.dumps({"id": f"c{n}", "title": "t", "text": "text about glaciers é"}) + "\n"
                    for n in range(count))
    path.write_bytes(lines.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_json_lines_with_a_byte_order_mark_are_decoded_before_they_are_split(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u.jsonl"
    lines = "".join(json.dumps({"id": f"c{n}", "text": "text about glaciers é"}) + "\n" for n in range(3))
    path.write_bytes((lines.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + lines.encode(encoding)))
    records = read(path)
    assert [getattr(r, "external_id", r) for r in records] == ["c0", "c1", "c2"]
    assert all(isinstance(r, RawRecord) and r.text == "text about glaciers é" for r in records)


def test_utf16_json_lines_named_json_or_piped_in_are_read(run_cli, tmp_path: Path) -> None:
    named = wide_jsonl(tmp_path / "u.json", "utf-16")
    assert "added 3, updated 0, unchanged 0, failed 0" in run_cli("ingest", str(named)).output
    piped = wide_jsonl(tmp_path / "p.jsonl", "utf-32").read_bytes().replace(b"c", b"p")
    assert "added 3," in run_cli("ingest", "-", input=piped).output


def test_damaged_utf16_json_lines_fail_at_the_damage(tmp_path: Path) -> None:
    path = wide_jsonl(tmp_path / "u.jsonl", "utf-16")
    path.write_bytes(path.read_bytes() + b"\x00")
    records = read(path)
    assert [type(r) for r in records] == [RawRecord] * 3 + [RecordFailure]
    assert "line 4: not valid utf-16" in records[-1].reason  # type: ignore[union-attr]


# -- dates read as the input meant them -----------------------------------------------------------

def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(("value", "expected"), [
    ("2021-03-05 22:00 EST", utc(2021, 3, 6, 3)),
    ("Sat, 06 Mar 2021 00:30:00 CET", utc(2021, 3, 5, 23, 30)),
    ("Sat, 06 Mar 2021 00:30:00 GMT", utc(2021, 3, 6, 0, 30)),
    ("2021-07-05 09:00 AEST", utc(2021, 7, 4, 23)),
    ("2021-07-05 09:00 ACST", utc(2021, 7, 4, 23, 30)),
    ("Mon Mar  5 22:00:00 PDT 2021", utc(2021, 3, 6, 5)),
    ("Tue, 10 Jun 2003 04:00:00 -0400 (EDT)", utc(2003, 6, 10, 8)),
    ("Tue, 10 Jun 2003 04:00:00 +0530 (IST)", utc(2003, 6, 9, 22, 30)),  # the number says it
    ("March 5, 2021 10:00 PM", utc(2021, 3, 5, 22)),
    ("Sat, 01 Jan 99 00:00:00 GMT", utc(1999, 1, 1)),  # RFC 822's two-digit year
    (1_600_000_000, utc(2020, 9, 13, 12, 26, 40)),
    (883_612_800_000, utc(1998, 1, 1)),  # milliseconds
])
def test_dates_are_read_as_meant(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [
    "Sat, 01 Jan 0099 00:00:00 +0000",  # year 99, not 1999
    253402300799, "253402300799",  # 9999-12-31 in seconds or 1978 in milliseconds: no telling
    150_000_000_000,
    "Sat, 06 Mar 2021 00:30:00 IST", "2021-03-05 22:00 BST", "Mon Mar  5 22:00:00 IST 2021",  # ambiguous zones
])
def test_dates_that_cannot_be_told_are_unreadable(value: object) -> None:
    assert parse_date(value) is None


# -- messages ---------------------------------------------------------------------------------------

def test_a_json_error_is_said_in_full(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "j1", "text": "a\tb"}\n{"id": "j2", "text": "ab')
    first, second = read(path)
    assert first.reason == ("line 1: malformed JSON at column 24: "  # type: ignore[union-attr]
                            "Invalid control character '\\t' in a string (JSON wants it escaped)")
    assert second.reason == "line 2: malformed JSON at column 22: Unterminated string starting there"  # type: ignore[union-attr]


# -- how a run ended ----------------------------------------------------------------------------------

def test_a_run_interrupted_while_linking_is_recorded_as_interrupted(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import provenance_store
    from archive.api import Archive

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(provenance_store, "update", interrupted)
    data = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "Owls hunt at night in the woods."})
    with Archive(home) as archive, pytest.raises(KeyboardInterrupt):
        archive.ingest([str(data)], background=False)
    assert db_rows(home, "SELECT status, added FROM ingest_runs") == [("interrupted", 1)]


def test_a_run_interrupted_while_reading_is_recorded_as_interrupted(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.api import Archive
    from archive.ingest import pipeline

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt
        yield  # (a generator, as the real one)

    monkeypatch.setattr(pipeline, "batches_for", interrupted)
    data = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "Owls hunt at night in the woods."})
    with Archive(home) as archive, pytest.raises(KeyboardInterrupt):
        archive.ingest([str(data)], background=False)
    assert db_rows(home, "SELECT status FROM ingest_runs") == [("interrupted",)]


def test_a_run_reads_running_until_its_documents_are_linked_and_ok_only_then(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monitoring script reading ingest_runs (or a run killed while it links) must not take a
    run whose provenance is still being linked for one that finished."""
    from archive import provenance_store
    from archive.api import Archive

    seen: list[tuple] = []
    linking = provenance_store.update

    def observed(engine):  # type: ignore[no-untyped-def]
        seen.extend(db_rows(home, "SELECT status, finished_at FROM ingest_runs"))
        return linking(engine)

    monkeypatch.setattr(provenance_store, "update", observed)
    data = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "Owls hunt at night in the woods."})
    with Archive(home) as archive:
        archive.ingest([str(data)], background=False)
    assert seen == [("running", None)]
    [(status, finished)] = db_rows(home, "SELECT status, finished_at FROM ingest_runs")
    assert status == "ok" and finished is not None


def test_a_run_stopped_by_an_error_while_linking_is_recorded_as_aborted(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import provenance_store
    from archive.api import Archive

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("linking failed")

    monkeypatch.setattr(provenance_store, "update", failing)
    data = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "Owls hunt at night in the woods."})
    with Archive(home) as archive, pytest.raises(RuntimeError):
        archive.ingest([str(data)], background=False)
    [(status, finished)] = db_rows(home, "SELECT status, finished_at FROM ingest_runs")
    assert status == "aborted" and finished is not None


def test_runs_left_running_by_a_process_that_died_are_marked_killed_by_the_next_ingest(
        home: Path, tmp_path: Path) -> None:
    from archive.api import Archive

    first = jsonl(tmp_path / "a.jsonl", {"id": "a1", "text": "Owls hunt at night in the woods."})
    second = jsonl(tmp_path / "b.jsonl", {"id": "b1", "text": "Herons fish at dawn by the river."})
    with Archive(home) as archive:
        archive.ingest([str(first)], background=False)
        with sqlite3.connect(home / "archive.db") as conn:  # what a kill -9 before the end leaves
            conn.execute("UPDATE ingest_runs SET status = 'running', finished_at = NULL")
        archive.ingest([str(second)], background=False)
    [killed, done] = db_rows(home, "SELECT status, finished_at FROM ingest_runs ORDER BY id")
    assert killed == ("killed", None)
    assert done[0] == "ok" and done[1] is not None


# -- tables ------------------------------------------------------------------------------------------

def test_a_small_cp1252_table_is_read_as_cp1252(run_cli, home: Path, tmp_path: Path) -> None:
    table = tmp_path / "cp.csv"
    text = "A naïve approach by the señor at the Café on Main Street."
    table.write_bytes(f'id,title,text\n1,Naive,"{text}"\n'.encode("cp1252"))
    assert run_cli("ingest", str(table)).exit_code == 0
    assert db_rows(home, "SELECT text FROM documents") == [(text,)]


def test_rows_merged_by_an_unclosed_quote_are_named(run_cli, home: Path, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text('id,title,text,date\n1,Fine,"A fine row",2020-01-01\n2,Unclosed,"never closes\n'
                     '3,After,"Row after",2020-01-03\n4,Later,"Row later",2020-01-04\n')
    result = run_cli("ingest", str(table))
    assert "1 table row held what looks like the next rows" in result.output
    assert "bad.csv [row 2] holds the line '3,After,Row after\"'" in result.output
    meta = json.loads(db_rows(home, "SELECT raw_meta FROM documents WHERE external_id = '2'")[0][0])
    assert meta["unclosed_quote"] == '3,After,Row after"'


def test_cells_of_a_repeated_column_or_past_the_header_are_kept_and_named(run_cli, home: Path,
                                                                         tmp_path: Path) -> None:
    table = tmp_path / "joined.csv"
    table.write_text("id,title,content,content\n1,Both,First text of the row,Second text of the row\n"
                     "2,Only second,,Text in the second column\n3,Long,A row with more cells,,spare,\n"
                     "4,Trailing,A row ending in an empty cell,,\n")
    result = run_cli("ingest", str(table))
    assert result.exit_code == 0 and "added 4," in result.output
    assert ("1 table row had a cell in a column named as an earlier one, which gave the field; kept in "
            "raw_meta.repeated_columns (first: " f"{table} [row 1]: 'content (2)')") in result.output
    assert ("1 table row had more cells than the header has names; the others kept in raw_meta.extra_cells "
            f"(first: {table} [row 3]: 'spare')") in result.output
    stored = {external_id: (text, json.loads(meta)) for external_id, text, meta
              in db_rows(home, "SELECT external_id, text, raw_meta FROM documents")}
    assert stored["1"][0] == "First text of the row"
    assert stored["1"][1]["repeated_columns"] == {"content (2)": "Second text of the row"}
    assert stored["2"][0] == "Text in the second column" and "repeated_columns" not in stored["2"][1]
    assert stored["3"][1]["extra_cells"] == ["spare", ""]
    assert "extra_cells" not in stored["4"][1]
    # Fields of those names are the input's own: kept, and no note.
    (tmp_path / "own.json").write_text(json.dumps([{"text": "Owls hunt at night near the harbour.",
                                                     "extra_cells": [], "repeated_columns": 5}]))
    (tmp_path / "own.csv").write_text("text,extra_cells\nOwls hunt by day near the harbour too.,x\n")
    own = run_cli("ingest", str(tmp_path / "own.json"), str(tmp_path / "own.csv"))
    assert own.exit_code == 0 and "added 2," in own.output and "table row" not in own.output


def test_paragraphs_in_a_cell_are_no_merged_rows(tmp_path: Path) -> None:
    table = tmp_path / "good.tsv"
    table.write_text('id\ttitle\ttext\tdate\n1\tFine\t"Paragraph one.\nParagraph two\twith a tab\tand more"\t2020-01-01\n'
                     '2\tNext\t"Owls hunt at night."\t2020-01-02\n')
    records = read(table)
    assert [r.extra.get("unclosed_quote") for r in records] == [None, None]  # type: ignore[union-attr]


# -- web archives ------------------------------------------------------------------------------------

def test_a_brotli_page_in_a_warc_is_refused_for_its_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from warcio.bufferedreaders import BufferedReader
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    monkeypatch.delitem(BufferedReader.DECOMPRESSORS, "br", raising=False)  # (as without brotlicffi)
    path = tmp_path / "br.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for uri, encoding, body in [("https://example.org/br", "br", b"\x1b\x00\x00\xf8\x00\x01\x02"),
                                    ("https://example.org/plain", "identity",
                                     b"<html><body><article><p>Owls hunt at night in the woods near the "
                                     b"harbour, where the dredging went on all spring.</p></article></body></html>")]:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", encoding)],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
    failure, page = read(path)
    assert isinstance(failure, RecordFailure) and "Content-Encoding 'br'" in failure.reason
    assert "NUL" not in failure.reason
    assert isinstance(page, RawRecord) and "Owls hunt" in page.text


def test_a_long_unreadable_date_is_shortened_in_the_note(run_cli, tmp_path: Path) -> None:
    data = tmp_path / "long.jsonl"
    data.write_text('{"id": "l1", "text": "Owls hunt at night.", "published": ' + "1" * 400 + "}\n")
    result = run_cli("ingest", str(data))
    assert "'" + "1" * 60 + "…'" in result.output and "1" * 61 not in result.output


def test_a_quoted_cell_whose_line_looks_like_a_row_is_no_merged_row(tmp_path: Path) -> None:
    # (its last line, with the closing quote and the next cell, splits into the header's 3 fields)
    table = tmp_path / "ok_quotes.csv"
    table.write_text('title,content,date\nRed Lion,"Red Lion said it filed a statement.\nIt said proceeds, along with'
                     ' a 102.5 mln\ndlr loan, will be used for hotels.",1987-03-01\n')
    [record] = read(table)
    assert "unclosed_quote" not in record.extra  # type: ignore[union-attr]
    assert record.text.endswith("dlr loan, will be used for hotels.")  # type: ignore[union-attr]
