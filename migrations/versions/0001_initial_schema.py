"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23

The documents table and its FTS5 mirror (SQLite only), ingest bookkeeping, provenance links,
stories, attributions and flags, and the provenance_view for people reading the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from archive import coltypes, sqlite_extras


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# One row per provenance link with both documents' titles, sources and dates.
PROVENANCE_VIEW = """
CREATE VIEW provenance_view AS
SELECT p.id, p.relation, p.score, p.direction_confidence,
       p.derived_id, d.external_id AS derived_external_id, d.title AS derived_title,
       d.source AS derived_source, d.published_at AS derived_published_at,
       p.source_id, s.external_id AS source_external_id, s.title AS source_title,
       s.source AS source_source, s.published_at AS source_published_at,
       st.story_id, p.evidence
FROM provenance AS p
JOIN documents AS d ON d.id = p.derived_id
JOIN documents AS s ON s.id = p.source_id
LEFT JOIN stories AS st ON st.document_id = p.source_id
"""


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(), nullable=False),
    sa.Column('path', sa.String(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('author', sa.Text(), nullable=True),
    sa.Column('source', sa.String(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published_at', coltypes.UTCDateTime(length=20), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('raw_meta', coltypes.JSONText(), nullable=False),
    sa.Column('ingested_at', coltypes.UTCDateTime(length=20), nullable=False),
    sa.Column('updated_at', coltypes.UTCDateTime(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('external_id', name=op.f('uq_documents_external_id'))
    )
    op.create_index(op.f('ix_documents_content_hash'), 'documents', ['content_hash'], unique=False)
    op.create_index(op.f('ix_documents_published_at'), 'documents', ['published_at'], unique=False)
    op.create_index(op.f('ix_documents_source'), 'documents', ['source'], unique=False)

    op.create_table('index_queue',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('operation', sa.String(length=8), nullable=False),
    sa.CheckConstraint("operation IN ('upsert', 'delete')", name=op.f('ck_index_queue_operation')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_index_queue'))
    )
    op.create_table('ingest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', coltypes.UTCDateTime(length=20), nullable=False),
    sa.Column('finished_at', coltypes.UTCDateTime(length=20), nullable=True),
    sa.Column('arguments', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_runs'))
    )
    op.create_table('attributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('outlet', sa.String(), nullable=False),
    sa.Column('phrase', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_attributions_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attributions'))
    )
    op.create_index(op.f('ix_attributions_document_id'), 'attributions', ['document_id'], unique=False)
    op.create_index(op.f('ix_attributions_outlet'), 'attributions', ['outlet'], unique=False)

    op.create_table('document_flags',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=32), nullable=False),
    sa.Column('evidence', coltypes.JSONText(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_flags_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'flag', name=op.f('pk_document_flags'))
    )
    op.create_table('fingerprints',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('method_version', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_fingerprints_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_fingerprints'))
    )
    op.create_table('ingest_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('record', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', coltypes.UTCDateTime(length=20), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['ingest_runs.id'], name=op.f('fk_ingest_failures_run_id_ingest_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_failures'))
    )
    op.create_index(op.f('ix_ingest_failures_run_id'), 'ingest_failures', ['run_id'], unique=False)

    op.create_table('provenance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('derived_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('direction_confidence', sa.Float(), nullable=False),
    sa.Column('evidence', coltypes.JSONText(), nullable=False),
    sa.Column('method_version', sa.String(length=32), nullable=False),
    sa.CheckConstraint("relation IN ('duplicate', 'near_copy', 'spun', 'rewrite', 'related')", name=op.f('ck_provenance_relation')),
    sa.CheckConstraint('direction_confidence >= 0 AND direction_confidence <= 1', name=op.f('ck_provenance_direction_confidence')),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_provenance_score')),
    sa.ForeignKeyConstraint(['derived_id'], ['documents.id'], name=op.f('fk_provenance_derived_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['documents.id'], name=op.f('fk_provenance_source_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provenance')),
    sa.UniqueConstraint('derived_id', 'source_id', name='uq_provenance_pair')
    )
    op.create_index('ix_provenance_derived', 'provenance', ['derived_id'], unique=False)
    op.create_index(op.f('ix_provenance_source_id'), 'provenance', ['source_id'], unique=False)

    op.create_table('stories',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_stories_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_stories'))
    )
    op.create_index(op.f('ix_stories_story_id'), 'stories', ['story_id'], unique=False)

    op.execute(PROVENANCE_VIEW)
    if op.get_bind().dialect.name == "sqlite":
        sqlite_extras.create_fts(op.execute)



def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        sqlite_extras.drop_fts(op.execute)
    op.execute("DROP VIEW IF EXISTS provenance_view")
    op.drop_index(op.f('ix_stories_story_id'), table_name='stories')

    op.drop_table('stories')
    op.drop_index(op.f('ix_provenance_source_id'), table_name='provenance')
    op.drop_index('ix_provenance_derived', table_name='provenance')

    op.drop_table('provenance')
    op.drop_index(op.f('ix_ingest_failures_run_id'), table_name='ingest_failures')

    op.drop_table('ingest_failures')
    op.drop_table('fingerprints')
    op.drop_table('document_flags')
    op.drop_index(op.f('ix_attributions_outlet'), table_name='attributions')
    op.drop_index(op.f('ix_attributions_document_id'), table_name='attributions')

    op.drop_table('attributions')
    op.drop_table('ingest_runs')
    op.drop_table('index_queue')
    op.drop_index(op.f('ix_documents_source'), table_name='documents')
    op.drop_index(op.f('ix_documents_published_at'), table_name='documents')
    op.drop_index(op.f('ix_documents_content_hash'), table_name='documents')

    op.drop_table('documents')
