"""Re-ingesting files: texts the store already holds are not fingerprinted again, and a text the
reader took for stored but that changed meanwhile still gets its fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.api import Archive
from archive.ingest import pipeline, prepare
from archive.provenance import FINGERPRINT_VERSION, Fingerprint
from archive.provenance.telltales import read_telltales

STORY = ("Officials in Lisbon said the Tagus bridge will close for repairs in March while engineers "
         "replace corroded cables. Ferry operators plan extra crossings for commuters from Almada.")


def _write(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = prepare.fingerprint_bytes

    def count(record):  # type: ignore[no-untyped-def]
        seen.append(record.text)
        return real(record)

    monkeypatch.setattr(prepare, "fingerprint_bytes", count)
    return seen


def _stored_print(archive: Archive, name: str) -> Fingerprint:
    with archive.engine.connect() as conn:
        data, version = conn.exec_driver_sql(
            "SELECT f.data, f.method_version FROM fingerprints f JOIN documents d ON d.id = f.document_id "
            "WHERE d.external_id LIKE ?", (f"%{name}",)).one()
    assert version == FINGERPRINT_VERSION
    return Fingerprint.from_bytes(data)


def test_unchanged_texts_are_not_fingerprinted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path / "in", {"a.txt": STORY, "b.txt": "A second story about wheat prices in Chicago."})
    seen = _counting(monkeypatch)
    with Archive(tmp_path / "home") as archive:
        first = archive.ingest([str(folder)], background=False, provenance=False)
        assert first.added == 2 and len(seen) == 2
        seen.clear()
        _write(folder, {"b.txt": "A second story about wheat prices in Chicago, corrected."})
        again = archive.ingest([str(folder)], background=False, provenance=False)
        assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
        assert seen == ["A second story about wheat prices in Chicago, corrected."]
        assert _stored_print(archive, "b.txt").telltales is not None


def test_a_text_changed_after_the_reader_looked_is_fingerprinted_by_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path / "in", {"a.txt": STORY})
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        stale = pipeline.stored_keys(archive.engine)
        with archive.engine.begin() as conn:  # as if another run changed it after the reader's look
            conn.exec_driver_sql("UPDATE documents SET content_hash = 'other'")
        monkeypatch.setattr(pipeline, "stored_keys", lambda engine: stale)
        again = archive.ingest([str(folder)], background=False, provenance=False)
        assert again.updated == 1
        stored = _stored_print(archive, "a.txt")
        assert stored.telltales == read_telltales(STORY) and len(stored.tokens) > 10
