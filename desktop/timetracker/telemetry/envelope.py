"""What surrounds every event: the common properties, person properties and group messages.

All values come from the app and the OS — never from the user, the hostname or a path.
"""

from __future__ import annotations

import json
import locale
import platform
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from timetracker import build_info
from timetracker.core.ids import new_uuid

LIB = "timetracker-desktop"
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_OS_NAMES = {"Linux": "Linux", "Windows": "Windows", "Darwin": "Mac OS X"}
_KNOWN_PLATFORMS = ("Linux", "Windows", "Darwin", "FreeBSD", "OpenBSD", "NetBSD")
_TZ_NAME = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+\-]+){0,2}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_OS_RELEASE = re.compile(r"^[A-Za-z0-9._+\-]{1,40}$")


@dataclass(frozen=True)
class RunFacts:
    """Facts about this run, gathered once."""

    app_version: str
    environment: str
    deployment_method: str
    platform: str  # platform.system() spelling, or "other"
    os_name: str  # PostHog's $os spelling
    os_version: str
    python_version: str
    session_id: str
    timezone: str
    locale: str


def _safe(pattern: re.Pattern[str], value: str) -> str:
    return value if value and pattern.match(value) else "unknown"


def _os_version(system: str) -> str:
    if system == "Darwin":
        release = platform.mac_ver()[0]
    elif system == "Windows":
        release = platform.version()
    else:
        release = platform.release()
    return _safe(_OS_RELEASE, release)


def _timezone() -> str:
    try:
        from timetracker.core.timezones import detected_timezone

        return _safe(_TZ_NAME, detected_timezone() or "")
    except Exception:  # any failure means "unknown", never a crash
        return "unknown"


def _locale() -> str:
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return _safe(_LOCALE, name)


def gather_facts(session_id: str) -> RunFacts:
    system = platform.system()
    known = system if system in _KNOWN_PLATFORMS else "other"
    return RunFacts(
        app_version=build_info.VERSION,
        environment=build_info.ENVIRONMENT,
        deployment_method=build_info.DEPLOYMENT_METHOD,
        platform=known,
        os_name=_OS_NAMES.get(system, known),
        os_version=_os_version(system),
        python_version=platform.python_version(),
        session_id=session_id,
        timezone=_timezone(),
        locale=_locale(),
    )


_second_cache: list[object] = [-1, ""]


def now_iso(at: float | None = None) -> str:
    """UTC ISO-8601 with milliseconds, e.g. 2024-05-01T09:30:00.123+00:00."""
    moment = time.time() if at is None else at
    second = int(moment)
    if _second_cache[0] != second:
        _second_cache[1] = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second_cache[0] = second
    millis = min(999, int((moment - second) * 1000))
    return f"{_second_cache[1]}.{millis:03d}+00:00"


class MessageBuilder:
    """Builds the exact PostHog messages (the same code serves track() and preview)."""

    def __init__(self, facts: RunFacts, schema_version: int) -> None:
        self.facts = facts
        self.common: dict[str, Any] = {
            "app_version": facts.app_version,
            "environment": facts.environment,
            "deployment_method": facts.deployment_method,
            "telemetry_schema": schema_version,
            "$os": facts.os_name,
            "$os_version": facts.os_version,
            "$lib": LIB,
            "$lib_version": facts.app_version,
            "$session_id": facts.session_id,
            "$geoip_disable": True,
            "$groups": {"version": facts.app_version, "platform": facts.platform},
        }
        self._common_json = _COMPACT.encode(self.common)[1:-1]
        self._id_json: tuple[str, str] = ("", "")

    def message(self, event: str, properties: dict[str, Any], distinct_id: str,
                message_uuid: str | None = None, timestamp: str | None = None,
                ) -> dict[str, Any]:
        return json.loads(self.message_json(event, properties, distinct_id,
                                            message_uuid, timestamp)[1])

    def message_json(self, event: str, properties: dict[str, Any], distinct_id: str,
                     message_uuid: str | None = None, timestamp: str | None = None,
                     ) -> tuple[str, str]:
        """(uuid, JSON text) of one capture message."""
        ident = message_uuid or new_uuid()
        own = _COMPACT.encode(properties)[1:-1] if properties else ""
        props = self._common_json + ("," + own if own else "")
        if self._id_json[0] != distinct_id:
            self._id_json = (distinct_id, _COMPACT.encode(distinct_id))
        text = ('{"event":' + _COMPACT.encode(event) + ',"distinct_id":' + self._id_json[1]
                + ',"uuid":"' + ident + '","timestamp":"' + (timestamp or now_iso())
                + '","properties":{' + props + "}}")
        return ident, text

    def person_properties(self) -> dict[str, dict[str, str]]:
        facts = self.facts
        return {
            "$set": {
                "current_version": facts.app_version,
                "platform": facts.platform,
                "os_version": facts.os_version,
                "environment": facts.environment,
                "deployment_method": facts.deployment_method,
                "timezone": facts.timezone,
                "locale": facts.locale,
            },
            "$set_once": {
                "first_seen_version": facts.app_version,
                "first_seen_platform": facts.platform,
                "first_seen_python_version": facts.python_version,
            },
        }

    def group_identify(self) -> list[tuple[str, dict[str, Any]]]:
        """(event, properties) of the ``$groupidentify`` messages for this install."""
        facts = self.facts
        return [
            ("$groupidentify", {"$group_type": "version", "$group_key": facts.app_version,
                                "$group_set": {"version_number": facts.app_version,
                                               "deployment_method": facts.deployment_method}}),
            ("$groupidentify", {"$group_type": "platform", "$group_key": facts.platform,
                                "$group_set": {"platform_name": facts.platform,
                                               "platform_release": facts.os_version}}),
        ]
