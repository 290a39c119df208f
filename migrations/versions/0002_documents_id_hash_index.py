"""index documents by (external_id, content_hash)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Before fingerprinting a batch, an ingest asks which of its (external id, content hash) pairs the
store holds already. ``content_hash`` sits after ``text`` in each row, so without this index the
lookup reads every matched text's overflow pages; with it the lookup reads the index alone.
A plain index: it adds no table, view or trigger, so no batch migration is needed.
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_documents_external_id_content_hash', 'documents', ['external_id', 'content_hash'])


def downgrade() -> None:
    op.drop_index('ix_documents_external_id_content_hash', table_name='documents')
