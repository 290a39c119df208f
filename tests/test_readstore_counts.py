"""``archive stats`` ranks sources in Python (``readstore._ranked``) what SQL ranked before."""

from __future__ import annotations

import sqlite3

from archive.readstore import _ranked

VALUES = [None, "(none)", "Reuters", "reuters", "AP", "Ünited", "Zeit", "Éclair", "a", "AP", None, "b", "a", "Zeit",
          "日本", "𝔘nicode", "", "Reuters", "(none)", "Éclair"]


def test_ranked_as_sql_ranked_them() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE documents (source TEXT)")
    conn.executemany("INSERT INTO documents VALUES (?)", [(value,) for value in VALUES])
    by_sql = conn.execute("SELECT coalesce(source, '(none)') AS source, count(*) AS n FROM documents "
                          "GROUP BY 1 ORDER BY n DESC, source").fetchall()
    ranked = _ranked(conn.execute("SELECT source, count(*) FROM documents GROUP BY source"), "(none)")
    assert ranked == by_sql
    assert ranked[0] == ("(none)", 4)
