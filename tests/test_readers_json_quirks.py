"""JSON inputs that are not quite what their name or a parser expects: a pretty-printed document
saved as ``.jsonl``, UTF-16 without a byte-order mark, odd ids, MongoDB's extended JSON."""

from __future__ import annotations

import json
from pathlib import Path

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord, RecordFailure

ARTICLE = "The council approved the new budget on Tuesday after a long debate about schools and roads."


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(iter_records([str(path)]))


def test_pretty_printed_object_in_jsonl_is_read_as_one_document(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "a1", "title": "Budget", "text": ARTICLE}, indent=2))
    [record] = read(path)
    assert isinstance(record, RawRecord) and (record.external_id, record.title) == ("a1", "Budget")


def test_pretty_printed_array_in_jsonl_is_read_as_one_document(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps([{"text": ARTICLE}, {"text": ARTICLE + " Again."}], indent=2))
    records = read(path)
    assert [r.external_id for r in records if isinstance(r, RawRecord)] == ["export.jsonl#1", "export.jsonl#2"]


def test_broken_pretty_printed_jsonl_is_one_failure_saying_what_it_looks_like(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"title": "Budget", "text": ARTICLE}, indent=2)[:-3])
    [failure] = read(path)
    assert isinstance(failure, RecordFailure)
    assert "looks like one JSON document (pretty-printed), not JSON Lines" in failure.reason
    assert "\n" not in failure.reason


def test_jsonl_with_broken_first_lines_still_reads_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "cut\n{broken\n' + json.dumps({"text": ARTICLE}).encode() + b"\n")
    results = read(path)
    assert [type(r).__name__ for r in results] == ["RecordFailure", "RecordFailure", "RawRecord"]
    assert results[2].external_id == "mixed.jsonl#3"  # type: ignore[union-attr]


def test_utf16_json_without_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        path = tmp_path / f"{encoding}.json"
        path.write_bytes(json.dumps({"title": "Café", "text": ARTICLE}).encode(encoding))
        [record] = read(path)
        assert isinstance(record, RawRecord) and record.title == "Café", encoding


def test_utf16_jsonl_without_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes((json.dumps({"text": ARTICLE}) + "\n" + json.dumps({"text": ARTICLE + " Again."}) + "\n")
                     .encode("utf-16-le"))
    records = read(path)
    assert [r.external_id for r in records if isinstance(r, RawRecord)] == ["lines.jsonl#1", "lines.jsonl#2"]


def test_whole_number_float_id_is_an_integer_and_boolean_id_is_no_id(tmp_path: Path) -> None:
    path = tmp_path / "ids.json"
    path.write_text(json.dumps([{"id": 1.0, "text": ARTICLE}, {"id": 2.5, "text": ARTICLE},
                                {"id": True, "text": ARTICLE}, {"_id": False, "text": ARTICLE}]))
    assert [r.external_id for r in read(path)] == ["1", "2.5", "ids.json#3", "ids.json#4"]  # type: ignore[union-attr]


def test_mongodb_extended_json_ids_and_dates_are_read(tmp_path: Path) -> None:
    path = tmp_path / "mongo.jsonl"
    lines = [
        {"_id": {"$oid": "5f1d7c2e9b1e8a3d4c2b1a09"}, "date": {"$date": "2021-05-01T10:00:00Z"}, "text": ARTICLE},
        {"id": {"$numberLong": "1234567890123"}, "date": {"$date": {"$numberLong": "1619863200000"}}, "text": ARTICLE},
        {"id": {"$numberInt": "7"}, "date": {"$date": 1619863200000}, "text": ARTICLE},
        {"date": {"$numberLong": "1619863200"}, "text": ARTICLE},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    records = [r for r in read(path) if isinstance(r, RawRecord)]
    assert [r.external_id for r in records] == ["5f1d7c2e9b1e8a3d4c2b1a09", "1234567890123", "7", "mongo.jsonl#4"]
    assert [r.published_at.isoformat() if r.published_at else None for r in records] == [
        "2021-05-01T10:00:00+00:00", *["2021-05-01T10:00:00+00:00"] * 3]
    assert all("published_raw" not in r.extra for r in records)
