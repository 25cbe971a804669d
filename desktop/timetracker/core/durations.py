"""How a duration reads everywhere (CLI, window, tray): ``3725`` → ``1:02:05``."""

from __future__ import annotations


def clock_time(seconds: int) -> str:
    """Whole hours, minutes and seconds, like a running timer; negatives read as 0:00:00."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
