"""Inputs refused, or nearly: each failure says why in words a user can act on."""

from __future__ import annotations

import bz2
import lzma
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.ingest.readers import iter_records
from archive.ingest.records import RawRecord, RecordFailure

ARTICLE = "The council approved the new budget on Tuesday after a long debate about schools and roads."
ITEM = f"<item><title>One</title><link>https://example.com/1</link><description>{ARTICLE}</description></item>"


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(iter_records([str(path)]))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("story.txt", ARTICLE)


def _tar(path: Path) -> None:
    story = path.parent / "story.txt"
    story.write_text(ARTICLE)
    with tarfile.open(path, "w") as package:
        package.add(story, arcname="story.txt")


@pytest.mark.parametrize(("name", "write", "kind"), [
    ("stories.zip", _zip, "a zip archive"),
    ("stories.json.bz2", lambda path: path.write_bytes(bz2.compress(ARTICLE.encode())), "a bzip2 file"),
    ("stories.xz", lambda path: path.write_bytes(lzma.compress(ARTICLE.encode())), "an xz file"),
    ("stories.tar", _tar, "a tar archive"),
    ("stories.7z", lambda path: path.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)), "a 7-Zip archive"),
])
def test_an_archive_is_refused_as_one_saying_to_unpack_it(tmp_path: Path, name: str, write: Callable[[Path], object],
                                                       kind: str) -> None:
    path = tmp_path / name
    write(path)
    [failure] = read(path)
    assert isinstance(failure, RecordFailure)
    assert failure.reason == f"{kind} is not read: unpack it and ingest what it holds"


def test_text_starting_like_a_magic_number_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "bzh.txt"
    path.write_text("BZh9 is a code name. " + ARTICLE)
    [record] = read(path)
    assert isinstance(record, RawRecord)


def test_a_feed_cut_short_inside_its_last_entry_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.rss"
    path.write_text(f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>News</title>\n{ITEM}\n'
                    "<item><title>Two</title><link>https://example.com/2</link><descrip")
    first, last = read(path)
    assert isinstance(first, RawRecord) and isinstance(last, RecordFailure)
    assert last.record_ref == "2"
    assert last.reason.startswith("the feed is cut short in this entry: malformed XML at line 4")


def test_a_feed_whose_end_is_cut_after_its_last_entry_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "cut.rss"
    path.write_text(f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>News</title>\n{ITEM}\n</chan')
    [record] = read(path)
    assert isinstance(record, RawRecord)


def test_an_xml_feed_with_an_internal_dtd_is_read_as_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY co "Example Co">]>\n'
                    f'<rss version="2.0"><channel><title>&co; News</title>{ITEM}</channel></rss>')
    [record] = read(path)
    assert isinstance(record, RawRecord) and record.text == ARTICLE
    assert "Example Co" not in (record.source or "")  # entities are not expanded
