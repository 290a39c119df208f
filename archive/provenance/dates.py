"""When two publication dates say which text came first.

A date given without a time of day (a page that shows only its day: "March 14, 1987") is stored
at midnight UTC, yet it stands for any moment of that day in the page's own time zone. Read as
midnight, a copy dated only by its day is hours *before* its source published that afternoon,
and dates decide direction: so a day is compared as the span of moments it may stand for, and
two dates tell an order only when their spans do not overlap. Two days are compared as days
(pages dated the same way are taken to be in like time zones). A timed date is a moment.

A year alone is stored at midnight on January 1: an export's "2024", and what a page's date
finder guesses from its copyright line ("© 2024", on every page of the site whenever the story
ran: trafilatura's extensive search falls back to it for a page that shows no date). It stands
for any moment of that year, and is compared as such: read as a day, an undated farm copy whose
footer says "© 2024" came two months before the article it copied, published that March.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# A calendar day begins first at UTC+14 and ends last at UTC-12.
_DAY_BEGINS_BEFORE_UTC = timedelta(hours=14)
_DAY_ENDS_AFTER_UTC = timedelta(hours=24 + 12)


def is_day(moment: datetime) -> bool:
    """A date stored without a time of day (midnight exactly: a real midnight stamp is rare, and
    read as a day it only tells less)."""
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def is_year(moment: datetime) -> bool:
    """A date stored as a year alone (midnight on January 1: a real stamp then is rarer still, and
    read as a year it only tells less)."""
    return is_day(moment) and (moment.month, moment.day) == (1, 1)


def _precision(moment: datetime) -> int:
    """2 for a year, 1 for a day, 0 for a moment."""
    return 2 if is_year(moment) else 1 if is_day(moment) else 0


def span(moment: datetime) -> tuple[datetime, datetime]:
    """The first and last moments a stored date may stand for."""
    if is_year(moment):
        last_day = moment.replace(year=moment.year + 1) - timedelta(days=1)
        return moment - _DAY_BEGINS_BEFORE_UTC, last_day + _DAY_ENDS_AFTER_UTC
    if is_day(moment):
        return moment - _DAY_BEGINS_BEFORE_UTC, moment + _DAY_ENDS_AFTER_UTC
    return moment, moment


def seconds_later(a: datetime | None, b: datetime | None) -> float | None:
    """How many seconds b surely came after a (negative: before it); None when either date is
    unknown or the two may stand for the same moment (0.0 for equal moments, the same day or
    the same year)."""
    if a is None or b is None:
        return None
    if _precision(a) == _precision(b):
        return (b - a).total_seconds()
    (a_first, a_last), (b_first, b_last) = span(a), span(b)
    if b_first > a_last:
        return (b_first - a_last).total_seconds()
    if a_first > b_last:
        return -(a_first - b_last).total_seconds()
    return None


def surely_before(a: datetime | None, b: datetime | None) -> bool:
    """a came before b, whatever moments their dates stand for."""
    gap = seconds_later(a, b)
    return gap is not None and gap > 0


def describe_gap(a: datetime, b: datetime) -> str:
    """Words for how much earlier a was published than b (hours for moments, days for days,
    years for years)."""
    if is_year(a) or is_year(b):
        return f"published in an earlier year ({a:%Y} against {b:%Y})" if is_year(a) and is_year(b) else \
            f"published earlier ({_as_dated(a)} against {_as_dated(b)})"
    if is_day(a) or is_day(b):
        return f"published on an earlier day ({a:%Y-%m-%d} against {b:%Y-%m-%d})"
    return f"published {abs((b - a).total_seconds()) / 3600:.1f} h earlier"


def _as_dated(moment: datetime) -> str:
    """A stored date as precisely as it was given: a year, a day or a moment."""
    return f"{moment:%Y}" if is_year(moment) else f"{moment:%Y-%m-%d}" if is_day(moment) else f"{moment:%Y-%m-%d %H:%M}"
