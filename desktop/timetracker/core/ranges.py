"""Calendar ranges in the user's time zone, as UTC second boundaries.

A local day runs from local midnight to the next local midnight, so a DST day is 23 or 25
hours long. Ranges are half-open: [start, end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from timetracker.core.errors import ValidationError

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
RANGE_KINDS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month",
               "this_year", "last_year", "custom")


@dataclass(frozen=True)
class DateRange:
    """Local dates [first, last] inclusive, in zone ``tz``."""

    first: dt.date
    last: dt.date
    tz: str
    kind: str = "custom"

    @property
    def start(self) -> int:
        return local_midnight(self.first, self.tz)

    @property
    def end(self) -> int:
        return local_midnight(self.last + dt.timedelta(days=1), self.tz)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]


def local_midnight(day: dt.date, tz: str) -> int:
    return int(dt.datetime.combine(day, dt.time(0), ZoneInfo(tz)).timestamp())


def local_date(ts: int, tz: str) -> dt.date:
    return dt.datetime.fromtimestamp(ts, ZoneInfo(tz)).date()


def week_start_of(day: dt.date, week_start: str) -> dt.date:
    offset = (day.weekday() - WEEKDAYS[week_start]) % 7
    return day - dt.timedelta(days=offset)


def month_start_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def named_range(kind: str, now: int, tz: str, week_start: str = "monday") -> DateRange:
    today = local_date(now, tz)
    if kind == "today":
        return DateRange(today, today, tz, kind)
    if kind == "yesterday":
        day = today - dt.timedelta(days=1)
        return DateRange(day, day, tz, kind)
    if kind in ("this_week", "last_week"):
        first = week_start_of(today, week_start)
        if kind == "last_week":
            first -= dt.timedelta(days=7)
        return DateRange(first, first + dt.timedelta(days=6), tz, kind)
    if kind in ("this_month", "last_month"):
        first = month_start_of(today)
        if kind == "last_month":
            first = month_start_of(first - dt.timedelta(days=1))
        following = month_start_of(first + dt.timedelta(days=32))
        return DateRange(first, following - dt.timedelta(days=1), tz, kind)
    if kind in ("this_year", "last_year"):
        year = today.year - (kind == "last_year")
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), tz, kind)
    raise ValidationError(f"Unknown range '{kind}'. Use one of: {', '.join(RANGE_KINDS[:-1])}.")


def custom_range(first: dt.date, last: dt.date, tz: str) -> DateRange:
    if last < first:
        raise ValidationError(f"The range ends ({last}) before it starts ({first}).")
    return DateRange(first, last, tz, "custom")
