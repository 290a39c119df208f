"""docs/schema.md describes exactly the tables, views, columns and triggers of a freshly migrated database."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from archive.db import open_store

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def documented() -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    current: str | None = None
    for line in DOC.read_text().splitlines():
        heading = re.match(r"### `(\w+)`", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        if line.startswith("#"):  # another heading: what follows describes no columns (e.g. a JSON's keys)
            current = None
            continue
        row = re.match(r"\| `(\w+)` \|\s*([^|]*?)\s*\|", line)
        if row and current:
            tables[current].append((row.group(1), row.group(2).strip()))
    return tables


def actual(path: Path) -> dict[str, list[tuple[str, str]]]:
    conn = sqlite3.connect(path)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'documents_fts_%'"
        )
    ]
    return {
        name: [(r[1], r[2]) for r in conn.execute(f"PRAGMA table_info({name})")] for name in names
    }


def test_schema_doc_matches_the_database(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    open_store(path).dispose()
    assert documented() == actual(path)


def documented_triggers() -> set[str]:
    section = DOC.read_text().split("\n## Triggers\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))


def test_schema_doc_lists_every_trigger(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    open_store(path).dispose()
    conn = sqlite3.connect(path)
    triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert documented_triggers() == triggers
