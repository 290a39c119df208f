"""SQLite-only parts of the schema, isolated here: the FTS5 full-text table and its sync triggers,
the triggers that make an edit of ``documents`` in SQL follow through, and the JSON-list form of
an IN clause.

Everything else in the schema is portable SQLAlchemy. A PostgreSQL store would replace this
module with a tsvector column; migrations call these functions only on SQLite.

Migrations that recreate the ``documents`` table (Alembic batch mode) drop these triggers
silently: such a migration must call :func:`drop_fts` and :func:`drop_edit_triggers` first and
:func:`create_fts` and :func:`create_edit_triggers` after.
"""

from __future__ import annotations

from collections.abc import Callable

# The ids a statement takes as one JSON list bound to ``:ids``, however many (one statement,
# where IN lists of bound parameters need many): ``... WHERE id IN ({LISTED_IDS})``.
LISTED_IDS = "SELECT value FROM json_each(:ids)"

FTS_COLUMNS = ("title", "text", "author", "source")
_cols = ", ".join(FTS_COLUMNS)
_new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)

CREATE_FTS = [
    f"""CREATE VIRTUAL TABLE documents_fts USING fts5(
        {_cols}, content='documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    f"""CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old});
    END""",
    f"""CREATE TRIGGER documents_fts_update AFTER UPDATE OF {_cols} ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old});
        INSERT INTO documents_fts(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    # Fill from rows that already exist (a no-op on an empty table).
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
]

DROP_FTS = [
    "DROP TRIGGER IF EXISTS documents_fts_insert",
    "DROP TRIGGER IF EXISTS documents_fts_delete",
    "DROP TRIGGER IF EXISTS documents_fts_update",
    "DROP TABLE IF EXISTS documents_fts",
]

FTS_OBJECTS = frozenset(
    {"documents_fts", "documents_fts_insert", "documents_fts_delete", "documents_fts_update"}
)


def create_fts(execute: Callable[[str], object]) -> None:
    for statement in CREATE_FTS:
        execute(statement)


def drop_fts(execute: Callable[[str], object]) -> None:
    for statement in DROP_FTS:
        execute(statement)


# Columns the full-text index holds (indexsync.INDEX_COLUMNS, less the id), and those a
# provenance fingerprint is made from (ingest.prepare.fingerprint_bytes).
_INDEXED = "external_id, title, text, author, source, url, language, published_at, content_hash"
_FINGERPRINTED = "title, text, published_at, source, url"
_DERIVED_BY_DOCUMENT = ("fingerprints", "stories", "attributions", "document_flags")

# Users edit the database in sqlite3, Datasette or pandas: these triggers make such an edit do
# what archive's own writes do. A change to a document queues its full-text entry (the next
# write, `archive index check`, applies it; search hides a deleted one meanwhile); a changed text
# loses its fingerprint and story row, so the next provenance update links it again; a deleted
# document takes what was derived from it even where foreign keys are off (sqlite3's default),
# and the documents linked to it are linked again without it. archive's own writes rely on them
# too: one rule for every writer.
_DATED = ("published_at", "ingested_at", "updated_at")


def _refused_unless_iso(column: str) -> str:
    """A trigger statement refusing a value of ``column`` that is not ISO-8601 UTC as stored
    (coltypes.to_iso): every reader parses it, so one hand-written "5 March 1987" stopped them
    all. Through julianday (which moves 30 February to 2 March) strftime gives the value back
    unchanged only for a real date and time written as stored."""
    return (f"SELECT RAISE(ABORT, 'documents.{column} must be ISO-8601 UTC text like 1987-03-05T00:00:00Z, or NULL') "
            f"WHERE new.{column} IS NOT NULL "
            f"AND strftime('%Y-%m-%dT%H:%M:%SZ', julianday(new.{column})) IS NOT new.{column};")


# (Delete, then insert: an INSERT OR REPLACE would take the outer statement's conflict rule.)
_QUEUE_UPSERT = """
        DELETE FROM index_queue WHERE document_id = new.id;
        INSERT INTO index_queue (document_id, operation) VALUES (new.id, 'upsert');
    """

_REFUSED_UNLESS_JSON = ("SELECT RAISE(ABORT, 'documents.raw_meta must be JSON text (an object), e.g. {}') "
                        "WHERE NOT json_valid(new.raw_meta);")
_CHECKS = "\n        ".join([*(_refused_unless_iso(column) for column in _DATED), _REFUSED_UNLESS_JSON])

CREATE_EDIT_TRIGGERS = [
    # INSERT OR REPLACE deletes the stored row without firing the DELETE triggers (unless a
    # connection turns recursive_triggers on), which would leave its index entry, full-text row,
    # fingerprint and links in place: a row is changed by UPDATE.
    f"""CREATE TRIGGER documents_insert_checked BEFORE INSERT ON documents BEGIN
        SELECT RAISE(ABORT, 'documents: a row with this id or external_id is stored already; change it with UPDATE (INSERT OR REPLACE would bypass the triggers that keep the index and provenance in step)')
        WHERE EXISTS (SELECT 1 FROM documents WHERE id = new.id OR external_id = new.external_id);
        {_CHECKS}
    END""",
    f"""CREATE TRIGGER documents_update_checked BEFORE UPDATE OF {", ".join(_DATED)}, raw_meta ON documents BEGIN
        {_CHECKS}
    END""",
    """CREATE TRIGGER documents_id_fixed BEFORE UPDATE OF id ON documents
        WHEN new.id IS NOT old.id BEGIN
        SELECT RAISE(ABORT, 'documents.id never changes: links, stories and the index refer to it');
    END""",
    f"CREATE TRIGGER documents_queue_insert AFTER INSERT ON documents BEGIN{_QUEUE_UPSERT}END",
    f"CREATE TRIGGER documents_queue_update AFTER UPDATE OF {_INDEXED} ON documents BEGIN{_QUEUE_UPSERT}END",
    """CREATE TRIGGER documents_queue_delete AFTER DELETE ON documents BEGIN
        DELETE FROM index_queue WHERE document_id = old.id;
        INSERT INTO index_queue (document_id, operation) VALUES (old.id, 'delete');
    END""",
    f"""CREATE TRIGGER documents_relink_update AFTER UPDATE OF {_FINGERPRINTED} ON documents BEGIN
        DELETE FROM fingerprints WHERE document_id = new.id;
        DELETE FROM stories WHERE document_id = new.id;
    END""",
    # Before the delete: the links that name the neighbours are gone after it.
    """CREATE TRIGGER documents_unlink_neighbours BEFORE DELETE ON documents BEGIN
        DELETE FROM stories WHERE document_id IN (
            SELECT source_id FROM provenance WHERE derived_id = old.id
            UNION SELECT derived_id FROM provenance WHERE source_id = old.id);
    END""",
    "CREATE TRIGGER documents_cascade_delete AFTER DELETE ON documents BEGIN\n"
    + "".join(f"        DELETE FROM {table} WHERE document_id = old.id;\n" for table in _DERIVED_BY_DOCUMENT)
    + "        DELETE FROM provenance WHERE derived_id = old.id;\n"
    + "        DELETE FROM provenance WHERE source_id = old.id;\n    END",
]

EDIT_TRIGGERS = frozenset({
    "documents_insert_checked", "documents_update_checked", "documents_id_fixed", "documents_queue_insert", "documents_queue_update", "documents_queue_delete",
    "documents_relink_update", "documents_unlink_neighbours", "documents_cascade_delete",
})


def create_edit_triggers(execute: Callable[[str], object]) -> None:
    for statement in CREATE_EDIT_TRIGGERS:
        execute(statement)


def drop_edit_triggers(execute: Callable[[str], object]) -> None:
    for name in sorted(EDIT_TRIGGERS):
        execute(f"DROP TRIGGER IF EXISTS {name}")


# Rows derived from documents that no longer exist: left by deletes made where foreign keys were
# off before the triggers above existed (revision 0004), or by a trigger dropped since.
_GONE = "NOT IN (SELECT id FROM documents)"
REMOVE_ORPHANS = [
    # Every stored document had a fingerprint: the index may still hold those without a row.
    f"""INSERT OR IGNORE INTO index_queue (document_id, operation)
        SELECT document_id, 'delete' FROM fingerprints WHERE document_id {_GONE}""",
    # A document linked to a deleted one is linked again without it, as the triggers do.
    f"""DELETE FROM stories WHERE document_id IN (
        SELECT source_id FROM provenance WHERE derived_id {_GONE}
        UNION SELECT derived_id FROM provenance WHERE source_id {_GONE})""",
    *(f"DELETE FROM {table} WHERE document_id {_GONE}" for table in _DERIVED_BY_DOCUMENT),
    f"DELETE FROM provenance WHERE derived_id {_GONE} OR source_id {_GONE}",
]
ORPHAN_COUNTS = {
    **{table: f"SELECT count(*) FROM {table} WHERE document_id {_GONE}"
       for table in _DERIVED_BY_DOCUMENT},
    "provenance": f"SELECT count(*) FROM provenance WHERE derived_id {_GONE} OR source_id {_GONE}",
}


def remove_orphans(execute: Callable[[str], object]) -> None:
    for statement in REMOVE_ORPHANS:
        execute(statement)
