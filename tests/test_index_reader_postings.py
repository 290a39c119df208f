"""The reader process analyses each document's text fields for the search index (postings) and
the writer only pools them: the index must be exactly the one the writer's own analysis gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage

from archive.api import Archive
from archive.ingest import prepare
from archive.search import IndexDoc, SearchIndex
from archive.search.index import _open_writer
from archive.search.schema import TITLE_BOOST, Text, analyse, build_schema, texts_to_index, to_fields
from fixtures.search.corpus import build_corpus

TEXT_FIELDS = ("title", "text", "author", "source", "url")


def index_contents(index: SearchIndex) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    with index.searcher() as searcher:
        return searcher_contents(searcher)


def searcher_contents(searcher: Any) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    """Every text field's postings, by stored id (document numbers differ between builds)."""
    contents: dict[tuple[str, bytes], list[tuple[str, float, bytes]]] = {}
    reader = searcher.reader()
    ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
    for fieldname in TEXT_FIELDS:
        if fieldname not in reader.indexed_field_names():
            continue
        for term in reader.lexicon(fieldname):
            postings = reader.postings(fieldname, term)
            rows = []
            while postings.is_active():
                rows.append((ids[postings.id()], postings.weight(), postings.value()))
                postings.next()
            contents[(fieldname, term)] = sorted(rows)
    return contents


@pytest.mark.parametrize("writer_behind", [True, False])
def test_an_ingest_indexes_what_a_rebuild_from_the_store_indexes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer_behind: bool) -> None:
    # The reader analyses the texts while batches wait for the writer, else the writer does.
    monkeypatch.setattr(prepare, "_writer_is_behind", lambda out: writer_behind)
    records = [{"id": doc.external_id, "title": doc.title, "text": doc.text, "author": f"Reporter {n % 7}",
                "source": doc.source, "url": doc.url} for n, doc in enumerate(r.doc for r in build_corpus(200, seed=5))]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(path)], provenance=False)
        ingested = index_contents(archive.search_index())
        archive.rebuild_index()  # analysed by the writer, from the store
        rebuilt = index_contents(archive.search_index())
    assert {field for field, _ in ingested} == set(TEXT_FIELDS) and len(ingested) > 300
    assert ingested == rebuilt


def _doc(i: int) -> IndexDoc:
    return IndexDoc(i, f"x{i}", "Harbour news", "Ferries to Porto resume on Monday.", None, None, None,
                    None, None, "h")


def _fields_with_foreign_postings(doc: IndexDoc) -> dict[str, Any]:
    postings = analyse(texts_to_index(doc.title, doc.text, doc.author, doc.source, doc.url))
    postings["text"] = [(b"zebra", 1, 1.0, postings["text"][0][3])]  # not what the text says
    return to_fields(doc, postings)


def test_the_writer_takes_brought_postings_only_where_it_analyses_alike(tmp_path: Path) -> None:
    alike = SearchIndex.create(tmp_path / "alike")
    with alike.writer() as writer:
        writer.add_document(**_fields_with_foreign_postings(_doc(1)))
    assert ("text", b"zebra") in index_contents(alike)  # taken as brought

    schema = build_schema()
    schema.remove("text")
    schema.add("text", Text(common_words=frozenset({"to"})))  # an index built with other common words
    assert not schema["text"].analyses_like(build_schema()["text"])
    assert schema["title"].analyses_like(Text(common_words=schema["title"].common_words, field_boost=TITLE_BOOST))
    (tmp_path / "other").mkdir()
    other = FileStorage(str(tmp_path / "other")).create_index(schema)
    writer = _open_writer(other)
    writer.add_document(**_fields_with_foreign_postings(_doc(1)))
    writer.commit()
    with other.searcher() as searcher:
        contents = searcher_contents(searcher)
    assert ("text", b"zebra") not in contents and ("text", b"ferries") in contents
