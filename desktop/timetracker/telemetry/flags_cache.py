"""The last good ``/flags/`` answer on disk: values, payloads and when they were fetched.

``flags-cache.json`` lives in the telemetry folder. It is written atomically (a crash leaves
the old or the new file, never half of one) and read tolerantly: an unreadable or malformed
file is treated as "no cache" — the built-in defaults then apply, which can never switch a
kill switch off. Only declared flag keys are kept.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timetracker.core.atomic import atomic_write_bytes

log = logging.getLogger("timetracker.flags")
CACHE_FORMAT = 1


@dataclass(frozen=True)
class FlagSnapshot:
    """Remote flag values as PostHog answered them (not yet checked against the registry)."""

    fetched_at: float
    values: Mapping[str, Any] = field(default_factory=dict)
    payloads: Mapping[str, Any] = field(default_factory=dict)


class FlagCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, declared: Iterable[str]) -> FlagSnapshot | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("flags: the flag cache could not be read; using built-in defaults")
            return None
        if not isinstance(raw, dict) or raw.get("format") != CACHE_FORMAT:
            log.warning("flags: the flag cache has an unknown shape; using built-in defaults")
            return None
        fetched = raw.get("fetched_at")
        values = raw.get("values")
        payloads = raw.get("payloads")
        if (isinstance(fetched, bool) or not isinstance(fetched, (int, float))
                or not isinstance(values, dict) or not isinstance(payloads, dict)):
            log.warning("flags: the flag cache has an unknown shape; using built-in defaults")
            return None
        keys = set(declared)
        return FlagSnapshot(float(fetched),
                            {k: v for k, v in values.items() if k in keys},
                            {k: v for k, v in payloads.items() if k in keys})

    def save(self, snapshot: FlagSnapshot) -> None:
        body = {"format": CACHE_FORMAT, "fetched_at": snapshot.fetched_at,
                "values": dict(snapshot.values), "payloads": dict(snapshot.payloads)}
        atomic_write_bytes(self.path, json.dumps(body, indent=1, sort_keys=True).encode())

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)

    def exists(self) -> bool:
        return self.path.exists()
