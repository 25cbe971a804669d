"""The random install id and the small lifecycle state kept next to it.

The id is random (uuid4) — never derived from hardware, hostname or user — created at opt-in,
deleted on opt-out and replaceable with ``reset``. ``identity.json`` also remembers the last
version seen (for ``telemetry.update``), which id got its ``telemetry.install`` and when the
last ``telemetry.health`` was recorded.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from timetracker.core.atomic import atomic_write_bytes


@dataclass
class IdentityState:
    install_id: str = ""
    install_sent_for: str = ""
    last_version: str = ""
    last_health: float = 0.0


class IdentityStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> IdentityState:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return IdentityState()
        state = IdentityState()
        for key, default in asdict(state).items():
            value = raw.get(key, default)
            if isinstance(value, type(default)) or (
                    isinstance(default, float) and isinstance(value, int)):
                setattr(state, key, type(default)(value))
        try:
            uuid.UUID(state.install_id)
        except ValueError:
            state.install_id = ""
        return state

    def save(self, state: IdentityState) -> None:
        atomic_write_bytes(self.path, json.dumps(asdict(state), indent=2).encode("utf-8"))

    def ensure(self) -> IdentityState:
        """The stored identity, creating a random install id if there is none."""
        state = self.load()
        if not state.install_id:
            state.install_id = str(uuid.uuid4())
            self.save(state)
        return state

    def reset(self) -> IdentityState:
        """A new random install id (the old one is forgotten)."""
        state = self.load()
        state.install_id = str(uuid.uuid4())
        state.install_sent_for = ""
        self.save(state)
        return state

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
