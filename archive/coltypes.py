"""Column types shared by the models; the only place that knows how SQLite stores them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A year of fewer than four digits, as strftime's %Y wrote years before 1000 ("1-01-01T..."):
# such rows made every later read of the archive fail, so they are still read.
_SHORT_YEAR = re.compile(r"\d{1,3}(?=-)")


def to_iso(value: datetime) -> str:
    """UTC ISO-8601 with a ``Z``: sorts as text and reads the same in sqlite3 and pandas.
    The year always has four digits (strftime's %Y does not pad it on every platform)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}Z"


def from_iso(value: str) -> datetime:
    """A stored ISO-8601 date as an aware UTC datetime. ``fromisoformat`` (C) reads a linking
    run's 20,000 dates in a tenth of the time ``strptime`` takes; a value written by hand with
    another offset is converted, one without an offset taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        short = _SHORT_YEAR.match(value)
        if short is None:
            raise
        parsed = datetime.fromisoformat(short.group().zfill(4) + value[short.end():])
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes.

    SQLite has no date type, so there they are ISO-8601 text (``2023-11-05T14:03:00Z``), which
    people querying the file directly can compare and ``strftime``; other databases get a real
    ``TIMESTAMP WITH TIME ZONE``.
    """

    impl = String(20)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(20))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_iso(value)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return from_iso(value)
        return value.astimezone(timezone.utc)


class JSONText(TypeDecorator[Any]):
    """JSON kept as readable text (SQLite's json_* functions work on it directly)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
