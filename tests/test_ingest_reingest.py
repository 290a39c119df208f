"""Re-ingesting files: texts the store already holds are not fingerprinted again, and a text the
reader took for stored but that changed meanwhile still gets its fingerprint."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from archive.api import Archive
from archive.ingest import pipeline, prepare, stored_texts
from archive.ingest.stored_texts import StoredTexts
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
        real = StoredTexts.__call__

        def look_then_change(self: StoredTexts, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
            held = real(self, pairs)
            assert len(held) == 1
            with archive.engine.begin() as conn:  # as if another run changed it after the look
                conn.exec_driver_sql("UPDATE documents SET content_hash = 'other'")
            return held

        monkeypatch.setattr(StoredTexts, "__call__", look_then_change)
        again = archive.ingest([str(folder)], background=False, provenance=False)
        assert again.updated == 1
        stored = _stored_print(archive, "a.txt")
        assert stored.telltales == read_telltales(STORY) and len(stored.tokens) > 10
        # Its language too: the reader detects it only for texts it does not take for stored.
        with archive.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT language FROM documents").scalar_one() == "en"


def test_a_reingest_of_unchanged_texts_loads_no_language_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The language of a text the store holds is not needed (it is not written again): loading
    py3langid's model (~0.5 s) was most of a re-ingest of a few unchanged files."""
    from archive.ingest import langid

    folder = _write(tmp_path / "in", {"a.txt": STORY, "b.txt": "A second story about wheat prices in Chicago."})
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        with archive.engine.connect() as conn:
            languages = [row[0] for row in conn.exec_driver_sql("SELECT language FROM documents ORDER BY id")]
        assert languages[0] == "en"  # (the second is too short to tell)

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise AssertionError("the language model was asked for")

        monkeypatch.setattr(langid, "classify_many", refuse)
        again = archive.ingest([str(folder)], background=False, provenance=False)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
        with archive.engine.connect() as conn:
            assert [row[0] for row in conn.exec_driver_sql("SELECT language FROM documents ORDER BY id")] == languages


def _lookup_in_child(lookup: StoredTexts, pairs: list[tuple[str, str]], out: Any) -> None:
    out.put(sorted(lookup(pairs)))


def test_the_lookup_finds_held_pairs_by_id_in_any_process(tmp_path: Path) -> None:
    texts = {f"{n:04}.txt": f"Story number {n} about the harbour in Porto." for n in range(1000)}
    folder = _write(tmp_path / "in", texts)
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
        with archive.engine.connect() as conn:
            stored = [tuple(row) for row in conn.exec_driver_sql(
                "SELECT external_id, content_hash FROM documents ORDER BY external_id")]
        assert len(stored) == 1000  # more than one query's worth of ids
        lookup = pipeline.stored_texts(archive.engine)
        assert lookup is not None
        changed = (stored[0][0], "0" * 64)
        asked = stored[1:] + [changed, ("missing.txt", stored[1][1])]
        assert lookup(asked) == set(stored[1:])
        # The reader is forked after the parent may have used the lookup: the child opens its own.
        context = mp.get_context("fork")
        out = context.Queue()
        child = context.Process(target=_lookup_in_child, args=(lookup, asked[:5], out))
        child.start()
        assert out.get(timeout=60) == sorted(stored[1:6])
        child.join(timeout=60)
        lookup.close()


def test_the_lookup_reads_the_covering_index_not_the_texts(tmp_path: Path) -> None:
    with Archive(tmp_path / "home") as archive:
        with archive.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stored_texts._HELD.format(marks="?,?"),
                                        ("a", "b")).all()
    assert "COVERING INDEX ix_documents_external_id_content_hash" in plan[0][-1]


def test_a_lookup_that_cannot_read_the_store_only_loses_the_saving(tmp_path: Path) -> None:
    not_a_store = tmp_path / "archive.db"
    not_a_store.write_bytes(b"not sqlite" * 100)
    assert StoredTexts(not_a_store)([("a.txt", "0" * 64)]) == set()
