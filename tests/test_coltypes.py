"""Dates as the store keeps them: ISO-8601 text in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.coltypes import ISO_FORMAT, from_iso, to_iso


def test_stored_dates_read_back_as_the_aware_utc_datetimes_written() -> None:
    start = datetime(1987, 2, 26, 15, 1, 1, tzinfo=timezone.utc)
    for k in range(200):
        when = start + timedelta(hours=97 * k, seconds=13 * k)
        text = to_iso(when)
        assert from_iso(text) == when == datetime.strptime(text, ISO_FORMAT).replace(tzinfo=timezone.utc)
        assert from_iso(text).utcoffset() == timedelta(0)


def test_dates_written_by_hand_are_converted_to_utc_or_refused() -> None:
    assert from_iso("2023-11-05T16:03:00+02:00") == datetime(2023, 11, 5, 14, 3, tzinfo=timezone.utc)
    assert from_iso("2023-11-05T14:03:00") == datetime(2023, 11, 5, 14, 3, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        from_iso("5 Nov 2023")
