"""Bad input from acceptance testing: each gets a clear per-record failure or note, never a
traceback, and never breaks the archive for later runs."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

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
    with sqlite3.connect(home / "archive.db") as conn:  # as an earlier version wrote it
        conn.execute("UPDATE documents SET published_at = '1-01-01T00:00:00Z'")
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
