"""Resolving the user's time zone to an IANA name."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

#: Where Linux and macOS link the system's zone from (into a zoneinfo folder).
LOCALTIME = Path("/etc/localtime")


def system_timezone(environ: Mapping[str, str] | None = None,
                    localtime: Path = LOCALTIME) -> str:
    """IANA name of the machine's zone (TZ, /etc/localtime, Windows registry); UTC if unknown."""
    return detected_timezone(environ, localtime) or "UTC"


def detected_timezone(environ: Mapping[str, str] | None = None,
                      localtime: Path = LOCALTIME) -> str | None:
    """IANA name of the machine's zone, or None when it cannot be told.

    The usual answers — a zone name in ``TZ``, or /etc/localtime linked into a zoneinfo folder
    — are read here directly; anything else (/etc/timezone, systemd's settings, the Windows
    registry) is left to tzlocal, whose import costs a few milliseconds of every start (tzlocal
    reads the process's own environment, not ``environ``)."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    name = _zone_from_tz(env.get("TZ")) if "TZ" in env else _zone_from_link(localtime)
    if name is None:
        name = _zone_from_tzlocal()
    return name if name and _known(name) else None


def _known(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone_from_tz(value: str | None) -> str | None:
    name = (value or "").removeprefix(":")
    if name.startswith("/"):  # a zone file: named by its place in a zoneinfo folder
        return _zone_from_link(Path(name))
    return name if name and _known(name) else None


def _zone_from_link(path: Path) -> str | None:
    try:
        target = os.path.realpath(path, strict=True)
    except OSError:
        return None
    _before, found, name = target.rpartition("/zoneinfo/")
    if not found:
        return None
    name = name.removeprefix("posix/").removeprefix("right/")
    return name if _known(name) else None


def _zone_from_tzlocal() -> str | None:
    import tzlocal

    try:
        return tzlocal.get_localzone_name()
    except Exception:
        return None


def resolve_timezone(setting: str) -> str:
    return system_timezone() if setting == "system" else setting
