"""provenance_view names each document: its title, or the start of its text

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

Archives ingested from JSON exports without a headline field have no titles, so reading
``provenance_view`` in sqlite3 showed NULL for both sides of every link. Two columns are added at
the end (``SELECT *`` keeps the old columns where they were): ``derived_name`` and
``source_name``, each document's title, or else the first 80 characters of its text on one line.
A view only: dropped and created again, no table is touched (so no batch migration, which would
drop SQLite's triggers and views).
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_COLUMNS = """
SELECT p.id, p.relation, p.score, p.direction_confidence,
       p.derived_id, d.external_id AS derived_external_id, d.title AS derived_title,
       d.source AS derived_source, d.published_at AS derived_published_at,
       p.source_id, s.external_id AS source_external_id, s.title AS source_title,
       s.source AS source_source, s.published_at AS source_published_at,
       st.story_id, p.evidence"""
_FROM = """
FROM provenance AS p
JOIN documents AS d ON d.id = p.derived_id
JOIN documents AS s ON s.id = p.source_id
LEFT JOIN stories AS st ON st.document_id = p.source_id
"""
# char(10) is a line break: a name is one line. (An expression's column has no declared type.)
_NAMES = """,
       coalesce(d.title, replace(substr(d.text, 1, 80), char(10), ' ')) AS derived_name,
       coalesce(s.title, replace(substr(s.text, 1, 80), char(10), ' ')) AS source_name"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS provenance_view")
    op.execute("CREATE VIEW provenance_view AS" + _COLUMNS + _NAMES + _FROM)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS provenance_view")
    op.execute("CREATE VIEW provenance_view AS" + _COLUMNS + _FROM)
