"""Search, index maintenance and provenance through the CLI on the seeds and small fixtures."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from archive.locking import write_lock
from archive.search.index import SearchIndex
from conftest import SEEDS


@pytest.fixture
def seeded(run_cli):  # type: ignore[no-untyped-def]
    assert run_cli("ingest", str(SEEDS)).exit_code == 0
    return run_cli


def test_phrase_search_with_snippet_and_machine_formats(seeded) -> None:
    text = seeded("search", '"artificial intelligence" AND title:chinese')
    assert text.exit_code == 0, text.output
    assert "2 matches" in text.output and "[[artificial intelligence]]" in text.output
    data = json.loads(seeded("search", '"this 12 months"', "--json").output)
    assert data["total"] == 1 and data["hits"][0]["external_id"] == "000_f1a1e904460b1218.txt"
    assert set(data["hits"][0]) == {"id", "external_id", "title", "source", "published_at", "score", "snippet",
                                    "copy_of", "family_size"}
    # 000 is the spun copy that 001 rewrites: the original of a family of two.
    assert (data["hits"][0]["copy_of"], data["hits"][0]["family_size"]) == (None, 2)
    rows = list(csv.DictReader(io.StringIO(seeded("search", "microsoft", "--csv").output)))
    assert len(rows) == 2 and rows[0]["id"]
    lines = seeded("search", "microsoft", "--jsonl").output.strip().splitlines()
    assert [json.loads(line)["id"] for line in lines] and len(lines) == 2
    assert seeded("search", "--count", "Nvidia").output.strip() == "2"


def test_possessives_match_the_bare_word(seeded) -> None:
    # Both seed titles say "Microsoft’s"; a person searching for microsoft means them.
    assert seeded("search", "--count", "title:microsoft").output.strip() == "2"
    assert seeded("search", "--count", "title:\"microsoft's president\"").output.strip() == "2"


def test_bad_queries_get_clear_errors(seeded) -> None:
    for query, message in (
        ("nosuchfield:storm", "nosuchfield"),
        ('"unbalanced phrase', "quote"),
        ("vote AND (", "parenthes"),
        ("published:2023-13", "2023-13"),
    ):
        result = seeded("search", query)
        assert result.exit_code == 2, (query, result.output)
        assert message in result.output.lower() or message in result.output
        assert "Traceback" not in result.output


def test_no_match_suggests_a_spelling(seeded) -> None:
    result = seeded("search", "microsfot")
    assert "no matches" in result.output
    assert "did you mean" in result.output and "microsoft" in result.output


def test_index_check_repairs_drift_and_rebuild_restores(seeded, home: Path) -> None:
    SearchIndex.open(home / "index").delete([2])
    report = seeded("index", "check", "--no-repair")
    assert report.exit_code == 1 and "missing from index: 1" in report.output
    repaired = seeded("index", "check")
    assert "repaired 1" in repaired.output
    assert "in step" in seeded("index", "check").output
    rebuilt = seeded("index", "rebuild")
    assert "2 documents" in rebuilt.output
    assert seeded("search", "--count", "microsoft").output.strip() == "2"


def test_a_text_changed_in_sql_is_indexed_by_the_next_write(seeded, home: Path) -> None:
    with sqlite3.connect(home / "archive.db") as conn:  # (the schema's triggers queue the index work)
        conn.execute("UPDATE documents SET text = text || ' Zanzibar.' WHERE id = 1")
    counted = seeded("search", "--count", "zanzibar")
    assert counted.stdout.strip() == "0" and "not in the search index yet" in counted.stderr
    seeded("ingest", str(SEEDS))  # any write applies the pending index work first
    counted = seeded("search", "--count", "zanzibar", "--json")
    assert json.loads(counted.stdout) == {"total": 1, "warnings": []} and not counted.stderr


def test_seed_provenance_rewrite_spun_flag_and_attribution(seeded, home: Path) -> None:
    with sqlite3.connect(home / "archive.db") as conn:
        links = conn.execute("SELECT derived_id, source_id, relation FROM provenance WHERE relation != 'related'").fetchall()
        flags = dict(conn.execute("SELECT document_id, evidence FROM document_flags WHERE flag = 'spun'").fetchall())
        cites = conn.execute("SELECT document_id, outlet, phrase FROM attributions").fetchall()
        view = conn.execute("SELECT relation, derived_title, source_title FROM provenance_view").fetchall()
    assert len(links) == 1 and links[0][2] == "rewrite" and {links[0][0], links[0][1]} == {1, 2}
    assert 1 in flags and "this 12 months" in flags[1]
    assert (1, "CNBC", "when contacted by CNBC") in cites
    assert view and view[0][0] == "rewrite"

    tree = seeded("provenance", "2")
    assert tree.exit_code == 0
    assert "rewrite" in tree.output and "credits CNBC" in tree.output
    evidence = seeded("provenance", "1", "--evidence").output
    assert "substitutions:" in evidence and "| copy [" in evidence
    family = json.loads(seeded("provenance", "1", "--json").output)
    assert {d["id"] for d in family["documents"]} == {1, 2}
    assert seeded("provenance", "1", "--format", "dot").output.startswith("digraph story_")
    assert "rewrite 1" in seeded("provenance", "--families").output
    for mixed in (["1", "--families"], ["--families", "--format", "dot"]):
        refused = seeded("provenance", *mixed)
        assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "not both" in seeded("provenance", "1", "--families").output


def test_nearest_texts_are_listed_with_their_links_without_writing(run_cli, home: Path, tmp_path: Path) -> None:
    # The seeds, another report on the topic (no copy of either), and a text on nothing like it.
    (tmp_path / "topic.txt").write_text(
        "Microsoft opens AI research lab in Shanghai\n\nMicrosoft said on Tuesday it would open an artificial "
        "intelligence research laboratory in Shanghai, hiring 200 engineers to work on language models for "
        "Chinese businesses. The company did not say how much the lab would cost.", encoding="utf-8")
    (tmp_path / "other.txt").write_text(
        "Harbour festival draws record crowds\n\nThe harbour festival drew a record 40,000 visitors over the "
        "weekend, organisers said, with sailing races, brass bands and fireworks over the old quay.",
        encoding="utf-8")
    assert run_cli("ingest", str(SEEDS), str(tmp_path / "topic.txt"), str(tmp_path / "other.txt")).exit_code == 0
    db = home / "archive.db"
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    with write_lock(home / "write.lock", wait=0):  # a writer at work: reading needs no lock
        listed = run_cli("provenance", "2", "--nearest", "3")
        data = json.loads(run_cli("provenance", "2", "--nearest", "3", "--json").output)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith("nearest texts to [2] ")
    assert "[1] " in lines[2] and lines[2].endswith("source (rewrite)")  # 2 is 1's rewrite
    assert "[3] " in lines[3] and lines[3].endswith("not linked")  # the other report: only near
    assert data["focus"]["id"] == 2 and "text" not in data["focus"]
    near = data["nearest"]
    assert [n["id"] for n in near][:2] == [1, 3] and 4 not in [n["id"] for n in near[:2]]
    assert (near[0]["link"], near[0]["role"], near[0]["same_story"]) == ("rewrite", "source", True)
    assert (near[1]["link"], near[1]["role"], near[1]["same_story"]) == (None, None, False)
    assert near[0]["cosine"] > near[1]["cosine"] > 0
    # From the source's side the rewrite is its copy; --nearest 1 lists one text.
    copy = json.loads(run_cli("provenance", "1", "--nearest", "1", "--json").output)["nearest"]
    assert [(n["id"], n["role"]) for n in copy] == [(2, "copy")]
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before
    for mixed in (["2", "--nearest", "3", "--families"], ["2", "--nearest", "3", "--evidence"],
                  ["2", "--nearest", "3", "--format", "dot"], ["2", "--nearest", "0"]):
        refused = run_cli("provenance", *mixed)
        assert refused.exit_code == 2 and "Traceback" not in refused.output, mixed
    missing = run_cli("provenance", "nosuch.txt", "--nearest", "3")
    assert missing.exit_code == 1 and "no document with id or external id 'nosuch.txt'" in missing.output
    # A document removed between being named and being searched for has no nearest texts.
    from archive import provenance_store
    from archive.db import open_readonly

    engine = open_readonly(db)
    try:
        assert provenance_store.nearest(engine, 999_999, 3) == []
        assert [doc_id for doc_id, _ in provenance_store.nearest(engine, 2, 2)] == [1, 3]
    finally:
        engine.dispose()


def test_a_text_sharing_no_word_with_any_other_has_no_nearest_text(run_cli, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Quarterly dividend\n\nZanzibar orchestras rehearse tonight.", encoding="utf-8")
    (texts / "b.txt").write_text("Weather\n\nFog blankets Helsinki airport runways.", encoding="utf-8")
    assert run_cli("ingest", str(texts)).exit_code == 0
    listed = run_cli("provenance", "a.txt", "--nearest", "5")
    assert listed.exit_code == 0 and "none: no other text shares its content words" in listed.output


def test_untitled_documents_are_named_by_their_opening_words(run_cli, home: Path, tmp_path: Path) -> None:
    # The seeds as a JSON export without a headline field: nothing gives them a title.
    export = tmp_path / "export.jsonl"
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.iterdir())]
    export.write_text("".join(json.dumps({"id": f"seed-{k}", "text": text}) + "\n" for k, text in enumerate(texts)))
    assert run_cli("ingest", str(export)).exit_code == 0
    stored = sqlite3.connect(home / "archive.db").execute("SELECT title, text FROM documents").fetchall()
    assert [title for title, _ in stored] == [None, None]
    openings = [" ".join(text.split())[:25] for _, text in stored]
    tree = run_cli("provenance", "1").output
    assert "(untitled)" not in tree and all(f"“{opening}" in tree for opening in openings)
    listing = run_cli("provenance", "--families").output
    assert "“" in listing and "(untitled)" not in listing
    rows = json.loads(run_cli("provenance", "--families", "--json").output)["families"]
    assert rows[0]["title"] is None and " ".join(rows[0]["opening"].split())[:25] in openings
    # In sqlite3 too: the view names both sides of a link, on one line.
    names = sqlite3.connect(home / "archive.db").execute(
        "SELECT derived_title, source_title, derived_name, source_name FROM provenance_view").fetchall()
    assert names and all(row[:2] == (None, None) and "\n" not in row[2] + row[3] for row in names)
    assert {row[2][:25] for row in names} | {row[3][:25] for row in names} == set(openings)


def test_provenance_refresh_is_idempotent(seeded, home: Path) -> None:
    before = sqlite3.connect(home / "archive.db").execute("SELECT * FROM provenance").fetchall()
    result = seeded("provenance", "--refresh")
    assert "; links 0 new, 0 changed, 0 removed" in result.output
    assert sqlite3.connect(home / "archive.db").execute("SELECT * FROM provenance").fetchall() == before


def test_a_second_writer_waits_then_exits_with_a_clear_message(run_cli, home: Path) -> None:
    with write_lock(home / "write.lock"):
        result = run_cli("--wait", "0.3", "ingest", str(SEEDS))
    assert result.exit_code == 75
    assert "another archive process is writing" in result.output


def test_a_family_is_listed_under_its_original_even_when_a_copy_came_first(run_cli, home: Path) -> None:
    # The rewrite (001) ingested before the article it was made from (000): the story keeps the
    # smallest id (the rewrite's), but the listing names the original.
    for name in ("001_261e66b95509d6ff.txt", "000_f1a1e904460b1218.txt"):
        assert run_cli("ingest", str(SEEDS / name)).exit_code == 0
    rows = json.loads(run_cli("provenance", "--families", "--json").output)["families"]
    assert [(r["story_id"], r["original_id"], r["documents"]) for r in rows] == [(1, 2, 2)]
    assert rows[0]["title"].startswith("Microsoft’s president meets") and rows[0]["links"] == {"rewrite": 1}
    assert "Microsoft’s president meets" in run_cli("provenance", "--families").output


def test_the_original_is_the_root_with_the_most_texts_derived_from_it() -> None:
    from archive.provenance import DERIVATIONS
    from archive.readstore import DERIVATIONS as READ_DERIVATIONS, story_original

    assert set(READ_DERIVATIONS) == DERIVATIONS
    # 5 <- 3 <- 1 and 2 <- 1: root 1 with three below; 9 <- 7: root 7 with one.
    assert story_original(1, 6, [(5, 3), (3, 1), (2, 1), (9, 7)]) == 1
    assert story_original(2, 5, [(9, 7), (8, 7), (3, 4)]) == 7
    assert story_original(4, 4, [(6, 5), (8, 7)]) == 4  # no tree is most of the story
    assert story_original(4, 3, [(6, 5), (8, 7)]) == 5  # a tie goes to the lower id
    assert story_original(4, 5, []) == 4  # related texts only: the story's first document
    # A saga of separate reports, two of them copied: named by its first report.
    assert story_original(10, 23, [(30, 20), (31, 20)]) == 10


def test_chinese_and_japanese_words_are_found_inside_unspaced_text(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "cjk"
    folder.mkdir()
    (folder / "zh.txt").write_text("微软总裁会见中国官员\n\n微软总裁周二在北京会见了中国商务部长，讨论人工智能合作。\n", encoding="utf-8")
    (folder / "ja.txt").write_text("東京タワーの夜\n\n東京タワーは今夜、青い光で照らされた。\n", encoding="utf-8")
    (folder / "en.txt").write_text("Storm hits coast\n\nA storm hit the coast of China on Monday.\n", encoding="utf-8")
    (folder / "fw.txt").write_text("ＣＮＮ报道\n\nＣＮＮ周一报道，风暴袭击了海岸。\n", encoding="utf-8")
    (folder / "hi.txt").write_text("बाढ़ की खबर\n\nमुंबई में भारी बारिश के बाद बाढ़ आई, समाचार एजेंसी ने कहा।\n", encoding="utf-8")
    (folder / "th.txt").write_text("น้ำท่วม\n\nน้ำท่วมกรุงเทพฯ หลังฝนตกหนักทั้งคืน\n", encoding="utf-8")
    assert run_cli("ingest", str(folder)).exit_code == 0
    found = run_cli("search", "人工智能")
    assert "1 match" in found.output and "[[人工智能]]" in found.output and "zh.txt" in found.output
    assert "1 match" in run_cli("search", "東京タワー").output
    assert "1 match" in run_cli("search", "title:会见").output
    assert "1 match" in run_cli("search", "北京 AND 中国").output
    assert "1 match" in run_cli("search", "cnn").output  # written full-width: ＣＮＮ
    assert "1 match" in run_cli("search", "समाचार").output
    assert "no matches" in run_cli("search", "समा").output  # a word, not any part of one
    assert "1 match" in run_cli("search", "กรุงเทพ").output
    # Two words the text does not hold side by side, and a word it does not hold at all.
    assert "no matches" in run_cli("search", '"北京人工智能"').output
    assert "no matches" in run_cli("search", "上海").output


def test_index_check_names_an_index_built_by_an_older_word_rule(run_cli, home: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.search import schema as schema_module

    with monkeypatch.context() as patched:  # an index created before the rule (its fields carry rule 1)
        patched.setattr(schema_module, "WORD_RULE", 1)
        assert run_cli("ingest", str(SEEDS)).exit_code == 0
    old = run_cli("index", "check")
    assert old.exit_code == 0 and "older rule" in old.output and "archive index rebuild" in old.output
    assert run_cli("index", "rebuild").exit_code == 0
    rebuilt = run_cli("index", "check")
    assert rebuilt.exit_code == 0 and "older rule" not in rebuilt.output


def test_accents_are_folded_and_an_index_built_before_stays_searchable_as_built(
        run_cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.search import schema as schema_module

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Zürich bank\n\nThe central bank in Zürich cut rates, an official of "
                                  "Łódź said in São Paulo.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Zurich insurer\n\nZurich Insurance said profits rose.\n", encoding="utf-8")
    with monkeypatch.context() as patched:  # an index created before the folding rule (rule 2)
        patched.setattr(schema_module, "WORD_RULE", 2)
        assert run_cli("ingest", str(folder / "a.txt")).exit_code == 0
    # A text added now still goes in as the index was built: one rule per index until a rebuild.
    assert run_cli("ingest", str(folder / "b.txt")).exit_code == 0
    written = run_cli("search", "Zürich")
    assert "1 match" in written.output and "a.txt" in written.output and "before accents were folded" in written.output
    plain = run_cli("search", "zurich")
    assert "1 match" in plain.output and "b.txt" in plain.output
    assert "no matches" in run_cli("search", "lodz").output
    assert "older rule" in run_cli("index", "check").output

    assert run_cli("index", "rebuild").exit_code == 0
    for query in ("zurich", "Zürich", "ZURICH", "zür*", "zürih~1"):
        found = run_cli("search", query)
        assert "2 matches" in found.output and "before accents" not in found.output, query
    assert "[[Łódź]]" in run_cli("search", "lodz").output  # the word as written is marked
    assert "1 match" in run_cli("search", '"sao paulo"').output
    assert "older rule" not in run_cli("index", "check").output


def test_a_copys_credit_line_is_kept_and_recorded_as_its_attribution(run_cli, home: Path, tmp_path: Path) -> None:
    # A farm's copy whose original is not in the archive still points somewhere: its last line
    # credits the outlet (a credit is no site furniture, so the ingest keeps it).
    page = tmp_path / "farm-copy.txt"
    page.write_text("Harbour festival draws record crowds\n\nThe harbour festival drew a record 40,000 visitors "
                    "over the weekend, organisers said, with sailing races, brass bands and fireworks over the old "
                    "quay.\nTags: festival, harbour\nSource: Northern Gazette\n", encoding="utf-8")
    assert run_cli("ingest", str(page)).exit_code == 0
    with sqlite3.connect(home / "archive.db") as conn:
        stored = conn.execute("SELECT text FROM documents").fetchone()[0]
        cited = conn.execute("SELECT outlet, phrase FROM attributions").fetchall()
    assert stored.endswith("Source: Northern Gazette") and "Tags:" not in stored
    assert cited == [("Northern Gazette", "Source: Northern Gazette")]
    assert "credits Northern Gazette" in run_cli("provenance", "farm-copy.txt").output


def test_a_records_address_names_its_outlet_for_provenance(run_cli, home: Path, tmp_path: Path) -> None:
    # A scraper's export: each article's address, no publisher field. The site an address names
    # is the article's outlet, so a farm's undated copy that credits the paper points at the
    # paper's article by that credit.
    story = ("The harbour festival drew a record 40,000 visitors over the weekend, organisers said, with sailing "
             "races, brass bands and fireworks over the old quay. The town council said the event brought in more "
             "than two million pounds for local businesses, and that next year's festival would run for four days.")
    rows = [{"id": "gazette-1", "title": "Harbour festival draws record crowds", "text": story,
             "url": "https://www.northerngazette.co.uk/news/harbour-festival"},
            {"id": "farm-1", "title": "Harbour festival draws record crowds", "text": story + "\nSource: Northern Gazette",
             "url": "https://web.archive.org/web/20240101000000/https://best-news-daily.example.com/harbour-festival/"}]
    export = tmp_path / "scrape.jsonl"
    export.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    assert run_cli("ingest", str(export)).exit_code == 0
    family = json.loads(run_cli("provenance", "--json", "farm-1").output)
    assert [d["source"] for d in family["documents"]] == ["northerngazette.co.uk", "best-news-daily.example.com"]
    [link] = family["links"]
    assert (link["derived_id"], link["source_id"]) == (2, 1)
    credits = [s for s in link["evidence"]["direction"] if s["signal"] == "attribution"]
    assert credits and credits[0]["source"] == 1 and "northerngazette.co.uk" in credits[0]["reason"]
