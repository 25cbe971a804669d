"""Times of day as the user chose to see them (setting ``time_format``: ``24h`` or ``12h``)."""

from __future__ import annotations

import datetime as dt


def clock_of_day(moment: dt.datetime | dt.time, time_format: str) -> str:
    """``17:05`` (24h) or ``5:05 PM`` (12h)."""
    if time_format == "12h":
        return moment.strftime("%I:%M %p").lstrip("0")
    return moment.strftime("%H:%M")


def date_and_clock(moment: dt.datetime, time_format: str) -> str:
    """``Mon 03 Nov 2025, 17:05`` (or ``…, 5:05 PM``)."""
    return f"{moment:%a %d %b %Y}, {clock_of_day(moment, time_format)}"
