"""Date syntax of the query language, turned into half-open UTC intervals.

A date is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and stands for the whole year, month or day.
Every filter becomes ``start <= published < end`` on naive UTC datetimes (what Whoosh stores), so
"until a day" always includes that whole day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from archive.errors import QueryError
from archive.records import record

_DATE = r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"  # compiled on first use (re's cache): few searches have dates


@record
class Interval:
    """``start <= t < end``; ``None`` means unbounded on that side."""

    start: datetime | None
    end: datetime | None


def parse_period(text: str, *, what: str) -> Interval:
    """The interval covered by one calendar date of year, month or day precision."""
    match = re.fullmatch(_DATE, text.strip())
    if match is None:
        raise QueryError(f"{what}: {text!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if year < 1:
        raise QueryError(f"{what}: year {year} is not valid")
    if month is None:
        return Interval(datetime(year, 1, 1), _next_year(year))
    if not 1 <= month <= 12:
        raise QueryError(f"{what}: month {month} is not valid (1-12)")
    if day is None:
        start = datetime(year, month, 1)
        return Interval(start, _next_year(year) if month == 12 else datetime(year, month + 1, 1))
    try:
        start = datetime(year, month, day)
    except ValueError:
        raise QueryError(f"{what}: {year:04d}-{month:02d} has no day {day}") from None
    return Interval(start, start + timedelta(days=1))


def _next_year(year: int) -> datetime | None:
    return datetime(year + 1, 1, 1) if year < 9999 else None


def comparison(op: str, period: Interval) -> Interval:
    """``>`` means after the whole period, ``>=`` from its start, ``<`` before it, ``<=`` to its end."""
    if op == ">":
        return Interval(period.end, None) if period.end else Interval(datetime.max, None)
    if op == ">=":
        return Interval(period.start, None)
    if op == "<":
        return Interval(None, period.start)
    if op == "<=":
        return Interval(None, period.end)
    raise ValueError(op)


def to_utc_naive(moment: datetime) -> datetime:
    """Whoosh stores naive datetimes; ours are UTC. A naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def since_bound(value: datetime | date | str) -> datetime:
    """Start of the ``since`` filter: a date or date string counts from the start of that period."""
    if isinstance(value, datetime):
        return to_utc_naive(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    start = parse_period(value, what="since").start
    assert start is not None
    return start


def until_bound(value: datetime | date | str) -> datetime | None:
    """Exclusive end of the ``until`` filter: a date or date string includes that whole period.

    A datetime is an inclusive instant, so the exclusive end is one microsecond later.
    """
    if isinstance(value, datetime):
        return to_utc_naive(value) + timedelta(microseconds=1)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day) + timedelta(days=1)
    return parse_period(value, what="until").end


@record
class Cover:
    """An interval split into whole calendar years, months and days plus sub-day remainders.

    Whole periods become single term lookups in the index (fields ``year``/``month``/``day``),
    which is much faster than Whoosh's numeric range over one term per timestamp; only a since/until
    given as a datetime leaves remainders, searched as ranges within one day.
    """

    years: tuple[str, ...]
    months: tuple[str, ...]
    days: tuple[str, ...]
    remainders: tuple[tuple[datetime, datetime], ...]


def cover(start: datetime, end: datetime) -> Cover:
    """Split ``start <= t < end`` (naive UTC) into calendar periods; see :class:`Cover`."""
    years: list[str] = []
    months: list[str] = []
    days: list[str] = []
    remainders: list[tuple[datetime, datetime]] = []
    first_midnight = _midnight_at_or_after(start)
    last_midnight = _midnight_at_or_before(end)
    if first_midnight >= last_midnight:  # less than one whole day
        return Cover((), (), (), ((start, end),) if start < end else ())
    if start < first_midnight:
        remainders.append((start, first_midnight))
    if last_midnight < end:
        remainders.append((last_midnight, end))
    cursor = first_midnight
    while cursor < last_midnight:
        next_year = datetime(cursor.year + 1, 1, 1) if cursor.year < 9999 else None
        next_month = _month_after(cursor)
        if cursor.month == 1 and cursor.day == 1 and next_year is not None and next_year <= last_midnight:
            years.append(f"{cursor.year:04d}")
            cursor = next_year
        elif cursor.day == 1 and next_month is not None and next_month <= last_midnight:
            months.append(f"{cursor.year:04d}-{cursor.month:02d}")
            cursor = next_month
        else:
            days.append(f"{cursor.year:04d}-{cursor.month:02d}-{cursor.day:02d}")
            cursor += timedelta(days=1)
    return Cover(tuple(years), tuple(months), tuple(days), tuple(remainders))


def _midnight_at_or_after(moment: datetime) -> datetime:
    midnight = datetime(moment.year, moment.month, moment.day)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def _midnight_at_or_before(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day)


def _month_after(moment: datetime) -> datetime | None:
    if moment.month < 12:
        return datetime(moment.year, moment.month + 1, 1)
    return datetime(moment.year + 1, 1, 1) if moment.year < 9999 else None
