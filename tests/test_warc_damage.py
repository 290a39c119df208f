"""Damaged and cut web archives: each problem costs only the records it touched, and is reported."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord, RecordFailure

TITLES = ["Alpha Story", "Bravo Story", "Charlie Story", "Delta Story", "Echo Story"]


def _page(title: str) -> bytes:
    paragraphs = "".join(f"<p>{title} text about the river, paragraph {i}, with enough words to be extracted "
                         f"as main text.</p>" for i in range(5))
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}"
            f"</article></body></html>").encode()


def _warc(pages: list[tuple[str, bool]], *, compress: bool) -> tuple[bytes, list[int]]:
    """A WARC of (title, sent with Brotli) response records, and where each record starts."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    starts = []
    for number, (title, brotli) in enumerate(pages):
        headers = [("Content-Type", "text/html")] + ([("Content-Encoding", "br")] if brotli else [])
        starts.append(out.tell())
        writer.write_record(writer.create_warc_record(
            f"http://example.com/{number}", "response",
            payload=io.BytesIO(b"\x8b\x03\x80hello\x03" if brotli else _page(title)),
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")))
    return out.getvalue(), starts


def _read(path: Path) -> tuple[list[str], list[RecordFailure]]:
    results = list(iter_records([str(path)]))
    return ([r.title or "" for r in results if isinstance(r, RawRecord)],
            [r for r in results if isinstance(r, RecordFailure)])


def test_a_complete_record_after_a_refused_one_is_kept_when_the_file_is_cut(tmp_path: Path) -> None:
    data, starts = _warc([("Alpha Story", False), ("x", True), ("Bravo Story", False), ("Charlie Story", False)],
                         compress=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: starts[3] + 20])
    titles, failures = _read(path)
    assert titles == ["Alpha Story", "Bravo Story"]
    assert len(failures) == 2
    assert "Content-Encoding 'br'" in failures[0].reason
    assert f"the member at byte {starts[3]}" in failures[1].reason


@pytest.mark.parametrize("into", [50, 150, 250, 350, 450])
def test_an_uncompressed_warc_cut_anywhere_in_its_last_record_says_so(tmp_path: Path, into: int) -> None:
    data, starts = _warc([(title, False) for title in TITLES[:3]], compress=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: starts[2] + into])
    titles, failures = _read(path)
    assert titles == TITLES[:2]
    assert len(failures) == 1 and "malformed WARC" in failures[0].reason, failures


def test_a_cut_record_is_reported_even_when_it_is_the_only_one(tmp_path: Path) -> None:
    data, _ = _warc([("Alpha Story", False)], compress=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:200])  # inside its WARC header, before its Content-Length
    titles, failures = _read(path)
    assert titles == [] and len(failures) == 1 and "cut short" in failures[0].reason


def test_the_members_after_a_damaged_one_are_read(tmp_path: Path) -> None:
    data, starts = _warc([(title, False) for title in TITLES], compress=True)
    damaged = bytearray(data)
    for k in range(starts[1] + 100, starts[1] + 140):
        damaged[k] ^= 0xFF
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(bytes(damaged))
    titles, failures = _read(path)
    assert titles == [title for title in TITLES if title != "Bravo Story"]
    assert len(failures) == 1 and f"the member at byte {starts[1]}" in failures[0].reason


def test_a_damaged_first_member_costs_only_its_record(tmp_path: Path) -> None:
    data, starts = _warc([(title, False) for title in TITLES[:3]], compress=True)
    damaged = bytearray(data)
    for k in range(30, 40):
        damaged[k] ^= 0xFF
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(bytes(damaged))
    titles, failures = _read(path)
    assert titles == TITLES[1:3]
    assert len(failures) == 1 and "the member at byte 0" in failures[0].reason


def test_a_bad_line_before_truncation_is_reported_and_the_lines_after_it_kept(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"n{i}", "text": f"Article number {i} about the harbour and its ships."})
             for i in range(6)]
    lines[2] = "{not json"
    packed = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[:-12])  # the trailer and a little of the last line's data
    results = list(iter_records([str(path)]))
    ids = [r.external_id for r in results if isinstance(r, RawRecord)]
    failures = [r for r in results if isinstance(r, RecordFailure)]
    assert ids[:4] == ["n0", "n1", "n3", "n4"]
    assert [f.record_ref for f in failures][:1] == ["3"]
    assert "damaged or truncated gzip data" in failures[-1].reason


def test_an_ingest_of_a_cut_warc_exits_1(run_cli, tmp_path: Path) -> None:
    data, starts = _warc([(title, False) for title in TITLES[:3]], compress=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: starts[2] + 200])
    result = run_cli("ingest", "-q", str(path))
    assert result.exit_code == 1 and "added 2" in result.output and "cut short" in result.output


def test_a_record_longer_than_its_content_length_says_is_one_failure_line_and_nothing_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, starts = _warc([(title, False) for title in TITLES[:3]], compress=False)
    path = tmp_path / "run_on.warc"
    path.write_bytes(data[: starts[1] - 4] + b"x \r\n" + data[starts[1] - 4:])  # (bytes where the blank lines end)
    titles, failures = _read(path)
    assert "Alpha Story" in titles and "Charlie Story" in titles
    assert [f.record_ref for f in failures] == ["record 1"]
    assert "does not end where its Content-Length says" in failures[0].reason
    assert capsys.readouterr().err == ""  # (warcio wrote three lines of its own there)
