"""``archive stats`` ranks sources in Python (``readstore.ranked``) what SQL ranked before."""

from __future__ import annotations

import sqlite3

from archive.readstore import ranked

VALUES = [None, "(none)", "Reuters", "reuters", "AP", "Ünited", "Zeit", "Éclair", "a", "AP", None, "b", "a", "Zeit",
          "日本", "𝔘nicode", "", "Reuters", "(none)", "Éclair"]


def test_in_pythonas_sql_in_pythonthem() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE documents (source TEXT)")
    conn.executemany("INSERT INTO documents VALUES (?)", [(value,) for value in VALUES])
    by_sql = conn.execute("SELECT coalesce(source, '(none)') AS source, count(*) AS n FROM documents "
                          "GROUP BY 1 ORDER BY n DESC, source").fetchall()
    in_python = ranked(conn.execute("SELECT source, count(*) FROM documents GROUP BY source"), "(none)")
    assert in_python == by_sql
    assert in_python[0] == ("(none)", 4)
