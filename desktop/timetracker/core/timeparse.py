"""Parsing the times and dates people type: '9:30', 'yesterday 17:00', '-15m', ISO."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from timetracker.core.errors import ValidationError

_RELATIVE = re.compile(r"^-?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")
_AGO = re.compile(r"^(?:(\d+)\s*(?:hours?|h))?\s*(?:(\d+)\s*(?:minutes?|mins?|m))?\s+ago$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]m)?$", re.IGNORECASE)


def parse_clock(text: str) -> dt.time:
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if match.group(2) is None and not meridiem:
        raise ValueError(text)  # a bare number is not a time
    return dt.time(hour, minute, second)


def parse_date(text: str, now: int, tz: str) -> dt.date:
    """'2026-11-28', 'today', 'yesterday', 'monday' (the most recent one)."""
    value = text.strip().lower()
    today = dt.datetime.fromtimestamp(now, ZoneInfo(tz)).date()
    if value == "today":
        return today
    if value == "yesterday":
        return today - dt.timedelta(days=1)
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    if value in weekdays:
        return today - dt.timedelta(days=(today.weekday() - weekdays.index(value)) % 7)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"Cannot read the date '{text}'. Use YYYY-MM-DD, today, yesterday or a weekday."
        ) from None


def parse_time(text: str, now: int, tz: str) -> int:
    """Parse a point in time typed by a user into UTC seconds, in zone ``tz``."""
    value = " ".join(text.strip().lower().split())
    if not value:
        raise ValidationError("An empty time was given.")
    if value == "now":
        return now
    relative = _RELATIVE.match(value)
    if value.startswith("-") and relative and (relative.group(1) or relative.group(2)):
        return now - int(relative.group(1) or 0) * 3600 - int(relative.group(2) or 0) * 60
    ago = _AGO.match(value)
    if ago and (ago.group(1) or ago.group(2)):
        return now - int(ago.group(1) or 0) * 3600 - int(ago.group(2) or 0) * 60
    zone = ZoneInfo(tz)
    try:
        parsed = dt.datetime.fromisoformat(value.upper().replace(" ", "T", 1)
                                           if re.match(r"^\d{4}-\d{2}-\d{2}[ t]", value)
                                           else value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return int(parsed.timestamp())
    except ValueError:
        pass
    day_part, _, clock_part = value.rpartition(" ")
    try:
        clock = parse_clock(clock_part)
    except ValueError:
        raise ValidationError(
            f"Cannot read the time '{text}'. Use HH:MM, 'yesterday 17:00', "
            "'2026-11-28 09:30', '-15m' or '20 minutes ago'."
        ) from None
    day = parse_date(day_part, now, tz) if day_part else (
        dt.datetime.fromtimestamp(now, zone).date())
    return int(dt.datetime.combine(day, clock, zone).timestamp())
