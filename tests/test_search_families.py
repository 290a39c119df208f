"""Search hits know their copy family; --collapse shows one hit per family."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.api import Archive
from archive.readstore import ReadStore
from archive.search import IndexDoc, SearchIndex, search

from conftest import provenance_folder


def _doc(i: int, text: str) -> IndexDoc:
    return IndexDoc(i, f"x{i}", None, text, None, None, None, None, None, "h")


def test_collapsing_reads_further_down_the_ranking_until_it_has_enough_groups(tmp_path: Path) -> None:
    # 300 documents, in 3 groups by id: the first read (100 hits) holds a few groups only when
    # the ranking puts one group's members first, so the page must come from further reads.
    docs = [_doc(i, "copper " * (1 + (i >= 100)) + "mine" * (i >= 250)) for i in range(1, 301)]
    index = SearchIndex.rebuild(tmp_path / "ix", docs)
    group = {i: (1 if i >= 100 else 2 if i % 2 else 3) for i in range(1, 301)}

    def groups_for(ids: list[int]) -> dict[int, int]:
        return {i: group[i] for i in ids}

    plain = search(index, "copper", limit=300)
    collapsed = search(index, "copper", limit=10, collapse=groups_for)
    assert collapsed.total == plain.total == 300  # documents, not groups
    firsts: dict[int, int] = {}
    for hit in plain.hits:
        firsts.setdefault(group[hit.id], hit.id)
    assert [h.id for h in collapsed.hits] == list(firsts.values())
    assert len(collapsed.hits) == 3
    # The offset counts groups too.
    assert [h.id for h in search(index, "copper", limit=1, offset=1, collapse=groups_for).hits] == \
        list(firsts.values())[1:2]
    # Sorted by date, each group's first in that order.
    by_date = search(index, "copper", sort="date", limit=300)
    firsts_by_date: dict[int, int] = {}
    for hit in by_date.hits:
        firsts_by_date.setdefault(group[hit.id], hit.id)
    assert [h.id for h in search(index, "copper", sort="date", limit=5, collapse=groups_for).hits] == \
        list(firsts_by_date.values())


def _store_with_links(tmp_path: Path) -> Path:
    """An archive of six texts and hand-written links: 2 <- 3 <- 4 (a chain), 5 near 2 (related
    only), 6 a duplicate of 1 and also related to 2."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(1, 7):
        (folder / f"d{i}.txt").write_text(f"Headline {i}\n\nText number {i} about copper and the mine.\n")
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([str(folder)], background=False, provenance=False)
    with sqlite3.connect(home / "archive.db") as conn:
        ids = dict(conn.execute("SELECT external_id, id FROM documents"))
        links = [(3, 2, "rewrite", 0.5), (4, 3, "spun", 0.8), (5, 2, "related", 0.3), (6, 1, "duplicate", 1.0),
                 (6, 2, "related", 0.2)]
        conn.executemany(
            "INSERT INTO provenance (derived_id, source_id, relation, score, direction_confidence, evidence, "
            "method_version) VALUES (?, ?, ?, ?, 0.9, '{}', 'test')",
            [(ids[f"d{d}.txt"], ids[f"d{s}.txt"], relation, score) for d, s, relation, score in links])
    return home


def test_copy_families_follow_derivation_links_to_the_original(tmp_path: Path) -> None:
    home = _store_with_links(tmp_path)
    with ReadStore(home / "archive.db") as store:
        ids = {store.document(f"d{i}.txt").id: i for i in range(1, 7)}
        by_name = {name: doc_id for doc_id, name in ids.items()}
        families = store.copy_families(list(ids))
        named = {ids[d]: (ids[root], size) for d, (root, size) in families.items()}
        assert named == {1: (1, 2), 2: (2, 3), 3: (2, 3), 4: (2, 3), 5: (5, 1), 6: (1, 2)}
        assert store.copy_roots([by_name[4]]) == {by_name[4]: by_name[2]}


def test_cli_search_names_each_hits_family_and_collapses_them(tmp_path: Path, home: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = provenance_folder(tmp_path, "docs", ["story", "duplicate", "spun", "cut", "independent"])
    assert run_cli("ingest", "-q", str(folder)).exit_code == 0
    import json

    hits = [json.loads(line) for line in run_cli("search", "Norvale", "--jsonl", "-n", "20").output.splitlines()]
    assert len(hits) == 5
    with ReadStore(home / "archive.db") as store:
        expected = store.copy_families([h["id"] for h in hits])
    for hit in hits:
        root, size = expected[hit["id"]]
        assert hit["copy_of"] == (root if root != hit["id"] else None)
        assert hit["family_size"] == size
    copied = [h for h in hits if h["copy_of"] is not None]
    assert copied, "the fixture's copies are linked to their original"
    families = {expected[h["id"]][0] for h in hits}
    collapsed = [json.loads(line) for line in
                 run_cli("search", "Norvale", "--jsonl", "--collapse", "-n", "20").output.splitlines()]
    assert len(collapsed) == len(families) < len(hits)
    assert [h["id"] for h in collapsed] == [h["id"] for h in hits if h is _first_of_family(hits, expected, h)]
    text = run_cli("search", "Norvale", "--collapse").output
    assert "5 matches, showing families 1-" in text
    assert f"copy of [{copied[0]['copy_of']}]" in run_cli("search", "Norvale", "-n", "20").output


def _first_of_family(hits: list[dict], families: dict[int, tuple[int, int]], hit: dict) -> dict:
    return next(h for h in hits if families[h["id"]][0] == families[hit["id"]][0])


@pytest.mark.parametrize("flag", ["--csv", "--json"])
def test_machine_outputs_carry_the_family_fields(home: Path, run_cli, flag: str) -> None:  # type: ignore[no-untyped-def]
    from conftest import SEEDS

    assert run_cli("ingest", "-q", str(SEEDS)).exit_code == 0
    output = run_cli("search", "Nvidia", flag).output
    assert "copy_of" in output and "family_size" in output


def test_the_documented_copy_families_query_agrees_with_the_store(tmp_path: Path) -> None:
    """docs/schema.md's SQL for copy families gives what search names each hit with."""
    from conftest import REPO

    doc = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    query = doc.split("-- copy families: the largest first\n", 1)[1].split("```", 1)[0]
    home = _store_with_links(tmp_path)
    with sqlite3.connect(home / "archive.db") as conn:
        sizes = dict(conn.execute(query).fetchall())
    with ReadStore(home / "archive.db") as store:
        families = store.copy_families([r[0] for r in store.conn.execute("SELECT id FROM documents")])
    assert sizes == {root: size for root, size in set(families.values()) if size > 1}
    assert sorted(sizes.values()) == [2, 3]


def test_an_error_of_the_callers_grouping_is_not_taken_for_index_damage(tmp_path: Path) -> None:
    index = SearchIndex.rebuild(tmp_path / "ix", [_doc(i, "copper mine") for i in range(1, 5)])

    def broken(ids: list[int]) -> dict[int, int]:
        raise ValueError("the store's own problem")

    with pytest.raises(ValueError, match="the store's own problem"):
        search(index, "copper", collapse=broken)
