"""The user's telemetry choice, versioned like Syncthing's usage reporting.

Stored in ``consent.json`` in the telemetry folder (not in settings.toml): the chosen level, the
registry schema version the user accepted and the newest one they were shown. The environment
can force a level: ``DO_NOT_TRACK=1`` and ``TIMETRACKER_TELEMETRY=off`` force off whatever else is
set; ``TIMETRACKER_TELEMETRY=basic|full`` forces that level (managed installs, tests).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from timetracker.core.atomic import atomic_write_bytes
from timetracker.telemetry.checks import LEVELS

LEVEL_ENV = "TIMETRACKER_TELEMETRY"
DNT_ENV = "DO_NOT_TRACK"


class ConsentError(ValueError):
    """A level name that is not off, basic or full."""


# Named tuples, not dataclasses: building a dataclass costs ~0.5 ms at import, and this
# module is imported by every CLI command that reports an event.
class ConsentRecord(NamedTuple):
    level: str = "off"
    #: True once the user made a choice (a "no" is a choice too: never asked again).
    decided: bool = False
    accepted_schema: int = 0
    last_seen_schema: int = 0
    changed_at: float = 0.0


class EffectiveConsent(NamedTuple):
    level: str
    #: "user", "default", "DO_NOT_TRACK" or "TIMETRACKER_TELEMETRY".
    source: str
    accepted_schema: int


def forced_level(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The level the environment imposes, with the variable that imposes it."""
    dnt = environ.get(DNT_ENV, "").strip().lower()
    if dnt and dnt not in ("0", "false", "no"):
        return "off", DNT_ENV
    forced = environ.get(LEVEL_ENV, "").strip().lower()
    if forced:
        if forced not in LEVELS:
            # An unknown value must never turn telemetry on.
            return "off", LEVEL_ENV
        return forced, LEVEL_ENV
    return None


class ConsentStore:
    def __init__(self, path: Path, environ: Mapping[str, str], schema_version: int) -> None:
        self.path = path
        self.environ = environ
        self.schema_version = schema_version

    def load(self) -> ConsentRecord:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ConsentRecord()
        except (OSError, ValueError):
            # Unreadable: the safe reading is "off, undecided" (the user is asked again).
            return ConsentRecord()
        level = raw.get("level")
        schemas = [raw.get(name, 0) for name in ("accepted_schema", "last_seen_schema")]
        changed = raw.get("changed_at", 0.0)
        return ConsentRecord(
            level=level if level in LEVELS else "off",
            decided=bool(raw.get("decided", False)),
            accepted_schema=schemas[0] if isinstance(schemas[0], int) else 0,
            last_seen_schema=schemas[1] if isinstance(schemas[1], int) else 0,
            changed_at=float(changed) if isinstance(changed, (int, float)) else 0.0)

    def save(self, record: ConsentRecord) -> None:
        atomic_write_bytes(self.path, json.dumps(record._asdict(), indent=2).encode("utf-8"))

    def effective(self) -> EffectiveConsent:
        forced = forced_level(self.environ)
        if forced is not None:
            return EffectiveConsent(forced[0], forced[1], self.schema_version)
        record = self.load()
        if not record.decided:
            return EffectiveConsent("off", "default", 0)
        return EffectiveConsent(record.level, "user", record.accepted_schema)

    def choose(self, level: str) -> tuple[ConsentRecord, ConsentRecord]:
        """Store the user's choice (accepting the current schema); returns (before, after)."""
        if level not in LEVELS:
            raise ConsentError(f"unknown telemetry level '{level}' (use off, basic or full)")
        before = self.load()
        after = ConsentRecord(
            level=level, decided=True,
            accepted_schema=self.schema_version if level != "off" else before.accepted_schema,
            last_seen_schema=self.schema_version, changed_at=time.time())
        self.save(after)
        return before, after

    def mark_seen(self) -> None:
        """The user was shown the current schema (and did not accept it)."""
        self.save(self.load()._replace(last_seen_schema=self.schema_version))

    def needs_prompt(self) -> bool:
        """Should the UI ask? First run, or new events since the accepted schema (once)."""
        if forced_level(self.environ) is not None:
            return False
        record = self.load()
        if not record.decided:
            return True
        if record.level == "off":
            return False
        return (record.accepted_schema < self.schema_version
                and record.last_seen_schema < self.schema_version)
