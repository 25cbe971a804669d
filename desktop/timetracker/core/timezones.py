"""Resolving the user's time zone to an IANA name."""

from __future__ import annotations

import zoneinfo

import tzlocal


def system_timezone() -> str:
    """IANA name of the machine's zone (TZ, /etc/localtime, Windows registry); UTC if unknown."""
    try:
        name = tzlocal.get_localzone_name()
    except Exception:
        return "UTC"
    if not name:
        return "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def resolve_timezone(setting: str) -> str:
    return system_timezone() if setting == "system" else setting
