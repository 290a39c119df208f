"""The store's tables as typed SQLAlchemy models.

This schema is a public interface: people query it with sqlite3, Datasette and pandas. It changes
only through a migration in ``migrations/``, and ``docs/schema.md`` describes it (a test checks
that the two agree).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from archive.coltypes import JSONText, UTCDateTime

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RELATIONS = ("duplicate", "near_copy", "spun", "rewrite", "related")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONText()}


class Document(Base):
    """One article. ``external_id`` is its identity across re-ingests."""

    __tablename__ = "documents"
    # A removed document's id is never given to another (migration 0005).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String, unique=True)
    path: Mapped[str] = mapped_column(String)
    format: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String, index=True)
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # What the input said beyond the columns above (unknown JSON fields, HTML metadata, WARC
    # headers, removed cruft lines), so nothing is lost.
    raw_meta: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IngestRun(Base):
    """One ``archive ingest`` call and its summary."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    arguments: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="running")
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class IngestFailure(Base):
    """A file or record that could not be ingested, and why."""

    __tablename__ = "ingest_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    record: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndexQueue(Base):
    """Documents changed in the store whose full-text index entry is not yet committed.

    Rows are written in the same transaction as the document and deleted after the index
    commits, so a crash between the two commits leaves a to-do list, not silent drift.
    """

    __tablename__ = "index_queue"

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation: Mapped[str] = mapped_column(String(8))

    __table_args__ = (CheckConstraint("operation IN ('upsert', 'delete')", name="operation"),)


class Fingerprint(Base):
    """Per-document provenance signatures, computed at ingest."""

    __tablename__ = "fingerprints"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    method_version: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProvenanceLink(Base):
    """``derived_id`` was made from ``source_id`` (or, for ``related``, reports the same story)."""

    __tablename__ = "provenance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    derived_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    direction_confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    method_version: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("derived_id", "source_id", name="uq_provenance_pair"),
        CheckConstraint(
            "relation IN (" + ", ".join(f"'{name}'" for name in RELATIONS) + ")", name="relation"
        ),
        CheckConstraint("score >= 0 AND score <= 1", name="score"),
        CheckConstraint(
            "direction_confidence >= 0 AND direction_confidence <= 1", name="direction_confidence"
        ),
    )


class Story(Base):
    """Which story cluster each document belongs to (``story_id`` is its smallest document id)."""

    __tablename__ = "stories"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(Integer, index=True)


class Attribution(Base):
    """An outlet the text credits ("according to Reuters", "contacted by CNBC")."""

    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    outlet: Mapped[str] = mapped_column(String, index=True)
    phrase: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class DocumentFlag(Base):
    """A property provenance found in one document on its own, e.g. ``spun`` with its evidence."""

    __tablename__ = "document_flags"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(32), primary_key=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)


Index("ix_provenance_derived", ProvenanceLink.derived_id)
# Covers the ingest's "is this text stored under this id?" lookup (migration 0002): without it,
# reaching content_hash means reading past each row's text.
Index("ix_documents_external_id_content_hash", Document.external_id, Document.content_hash)
