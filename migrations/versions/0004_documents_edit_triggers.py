"""an edit of documents in SQL follows through to the index and provenance

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

People edit the database in sqlite3, Datasette or pandas. Before this revision a row deleted
there stayed in search results until ``archive index check``, and with foreign keys off (the
sqlite3 shell's default) its links, fingerprint and story row stayed behind, so its copies kept
pointing at a document that no longer existed; a text changed there kept its old fingerprint and
links. Triggers on ``documents`` now queue the index change, unlink what a changed text was
linked by, and take a deleted document's derived rows with it (sqlite_extras.CREATE_EDIT_TRIGGERS).
The upgrade also removes the rows such deletes left behind, queues the index entries of those
documents for deletion, and unlinks the documents that were linked to them, so the next write
links them again. Triggers only and a data fix: no table is recreated.
"""

from __future__ import annotations

from alembic import op

from archive import sqlite_extras

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        sqlite_extras.remove_orphans(op.execute)
        sqlite_extras.create_edit_triggers(op.execute)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        sqlite_extras.drop_edit_triggers(op.execute)
