"""The cheap path for an event that consent ``off`` would drop: no telemetry service is built.

Building :class:`~timetracker.telemetry.service.Telemetry` imports the outbox, uploader,
identity, envelope and ``posthog``/``requests`` (tens of milliseconds) — too much for a CLI
command that only reports one event which consent then drops. :class:`OffSink` decides the
same way from the environment (``DO_NOT_TRACK``, ``TIMETRACKER_TELEMETRY``) and the small
``consent.json``, and still validates every event against the registry exactly as the service
does (raise in strict/development mode, drop and count in production) — through the registry's
compact check table (:class:`~timetracker.telemetry.checks.EventChecks`), read from the
registry cache, so a cached run imports neither the registry module nor PyYAML.

It applies only while nothing of telemetry is on disk besides the consent file: leftovers the
full service would purge (an outbox, an identity) — or debug printing — make the caller build
the full service instead. It never creates a file, a thread or a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from timetracker import build_info
from timetracker.telemetry.checks import TelemetryValidationError
from timetracker.telemetry.consent import ConsentStore

DEBUG_ENV = "TIMETRACKER_TELEMETRY_DEBUG"
STRICT_ENV = "TIMETRACKER_TELEMETRY_STRICT"
#: Files the full service deletes when consent is off (so their presence needs it).
_LEFTOVERS = ("outbox.sqlite3", "outbox.sqlite3-wal", "outbox.sqlite3-shm",
              "outbox.sqlite3-journal", "identity.json")


def is_strict(environ: Mapping[str, str]) -> bool:
    """Validation errors raise (development builds, or TIMETRACKER_TELEMETRY_STRICT=1)."""
    return build_info.ENVIRONMENT == "development" or environ.get(STRICT_ENV, "") == "1"


def off_and_clean(folder: Path, environ: Mapping[str, str]) -> bool:
    """True when an event would only be validated and dropped: consent is off (forced or
    stored), debug printing is off, and no outbox or identity waits to be purged."""
    if environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        return False
    # schema_version only matters for a forced *on* level, which this path never takes.
    if ConsentStore(folder / "consent.json", environ, 0).effective().level != "off":
        return False
    return not any((folder / name).exists() for name in _LEFTOVERS)


class Validator(Protocol):
    """What checks an event: a :class:`~timetracker.telemetry.registry.Registry` or the
    cache's :class:`~timetracker.telemetry.checks.EventChecks`."""

    def validate(self, event: str, properties: Mapping[str, object]) -> dict[str, object]:
        ...  # pragma: no cover


class OffSink:
    """Validates events and drops them (consent off), counting drops like the service."""

    def __init__(self, environ: Mapping[str, str],
                 registry: Callable[[], Validator] | None = None,
                 cache_dir: Path | None = None) -> None:
        """``registry`` loads what validates; by default the shipped registry — its check
        table from the cache in ``cache_dir`` when one is given (loaded on the first event)."""
        self.strict = is_strict(environ)
        self._load = registry or (lambda: _default_validator(cache_dir))
        self._registry: Validator | None = None
        self.dropped: dict[str, int] = {"consent": 0, "invalid": 0}

    @property
    def registry(self) -> Validator:
        if self._registry is None:
            self._registry = self._load()
        return self._registry

    def track(self, event: str, properties: Mapping[str, object]) -> None:
        """Validate ``event`` (raises in strict mode) and drop it."""
        try:
            self.registry.validate(event, properties)
        except TelemetryValidationError as exc:
            if self.strict:
                raise
            self.dropped["invalid"] += 1
            import logging  # only when there is something to log

            logging.getLogger("timetracker.telemetry").warning(
                "telemetry: dropped an event that does not match the registry (%s)", exc)
            return
        self.dropped["consent"] += 1

    def stats(self) -> dict[str, object]:
        """The same shape as ``Telemetry.stats()`` (the parts that apply when off)."""
        return {"captured": {"basic": 0, "full": 0}, "dropped": dict(self.dropped),
                "outbox_depth": 0, "outbox_bytes": 0}


def _default_validator(cache_dir: Path | None) -> Validator:
    if cache_dir is None:
        from timetracker.telemetry.registry import load_registry

        return load_registry()
    from timetracker.telemetry.registry_cache import load_cached_checks

    return load_cached_checks(cache_dir)
