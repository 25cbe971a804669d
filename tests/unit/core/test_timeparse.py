from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from timetracker.core.errors import ValidationError
from timetracker.core.timeparse import parse_date, parse_time

TZ = "Europe/Berlin"
NOW = int(dt.datetime(2026, 11, 29, 15, 0, tzinfo=ZoneInfo(TZ)).timestamp())


def at(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=ZoneInfo(TZ)).timestamp())  # type: ignore[misc]


@pytest.mark.parametrize(("text", "expected"), [
    ("9:30", at(2026, 11, 29, 9, 30)),
    ("09:30:15", at(2026, 11, 29, 9, 30, 15)),
    ("5pm", at(2026, 11, 29, 17, 0)),
    ("yesterday 17:00", at(2026, 11, 28, 17, 0)),
    ("2026-11-20 08:05", at(2026, 11, 20, 8, 5)),
    ("2026-07-01T12:00", at(2026, 7, 1, 12, 0)),
    ("2026-07-01T12:00:00+00:00", at(2026, 7, 1, 14, 0)),
    ("-15m", NOW - 900),
    ("-1h30m", NOW - 5400),
    ("20 minutes ago", NOW - 1200),
    ("1h 5m ago", NOW - 3900),
    ("now", NOW),
])
def test_parse_time(text: str, expected: int) -> None:
    assert parse_time(text, NOW, TZ) == expected


@pytest.mark.parametrize("text", ["", "25:00", "soon", "yesterday 99", "12", "13pm"])
def test_parse_time_rejects_with_clear_message(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_time(text, NOW, TZ)


def test_parse_date() -> None:
    assert parse_date("today", NOW, TZ) == dt.date(2026, 11, 29)
    assert parse_date("monday", NOW, TZ) == dt.date(2026, 11, 23)
    assert parse_date("2026-01-31", NOW, TZ) == dt.date(2026, 1, 31)
    with pytest.raises(ValidationError, match="31/01"):
        parse_date("31/01", NOW, TZ)
