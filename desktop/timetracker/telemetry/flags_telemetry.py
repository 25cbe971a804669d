"""Wires the flag client to the telemetry service; ``app.py`` calls :func:`build_flags`.

What the flags need from telemetry — consent level, install id, endpoint, person properties
and groups — is read through the service's public attributes. In the other direction the
flags use the service's documented hooks only:

* a property provider (:meth:`Telemetry.add_property_provider`) adds ``$feature/<key>`` to
  every later event for each flag the UI reported as shown;
* ``$feature_flag_called`` (``$feature_flag``, ``$feature_flag_response``) goes through
  ``track()`` like any event: validated against the registry, level ``full``, gated by the
  schema version the user accepted — once per flag per app session;
* the ``telemetry-sending-enabled`` kill switch is the service's send gate
  (:meth:`Telemetry.set_send_gate`): while it is off nothing is sent and events wait in the
  outbox (nothing is deleted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from timetracker.telemetry.endpoint import Endpoint
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.telemetry.flags import (
    ExposureSink,
    Flags,
    FlagSettings,
    FlagSource,
    OverrideStore,
)
from timetracker.telemetry.flags_cache import FlagCache
from timetracker.telemetry.flags_registry import FlagRegistry, FlagValue, load_flag_registry

if TYPE_CHECKING:
    from timetracker.telemetry.service import Telemetry

CACHE_FILE = "flags-cache.json"
OVERRIDES_FILE = "flag-overrides.json"


def flag_source(telemetry: Telemetry) -> FlagSource:
    def endpoint() -> Endpoint:
        if telemetry.debug:
            return Endpoint("", "", "none", "debug mode sends nothing")
        return telemetry.endpoint()

    def groups() -> dict[str, str]:
        return dict(telemetry.builder.common["$groups"])

    def group_properties() -> dict[str, dict[str, object]]:
        return {str(props["$group_type"]): dict(props["$group_set"])
                for _event, props in telemetry.builder.group_identify()}

    return FlagSource(
        consent_level=lambda: telemetry.level,
        endpoint=endpoint,
        distinct_id=lambda: telemetry.identity.ensure().install_id,
        person_properties=lambda: dict(telemetry.builder.person_properties()["$set"]),
        groups=groups,
        group_properties=group_properties,
    )


def exposure_recorder(telemetry: Telemetry) -> ExposureSink:
    """Tracks ``$feature_flag_called`` (the registry decides level, gating and values)."""

    def record(key: str, value: FlagValue) -> None:
        telemetry.track("$feature_flag_called",
                        **{"$feature_flag": key, "$feature_flag_response": value})

    return record


def build_flags(telemetry: Telemetry, config_dir: Path, environ: Mapping[str, str],
                registry: FlagRegistry | None = None,
                settings: FlagSettings | None = None,
                clock: Callable[[], float] = time.time) -> Flags:
    """The flag client for this run, with its telemetry hooks installed."""
    registry = registry or load_flag_registry()
    flags = Flags(registry, FlagCache(telemetry.folder / CACHE_FILE), flag_source(telemetry),
                  OverrideStore(config_dir / OVERRIDES_FILE), environ, settings, clock)
    flags.set_exposure_sink(exposure_recorder(telemetry))
    telemetry.add_property_provider(flags.exposure_properties)
    sending = FeatureFlags.TELEMETRY_SENDING_ENABLED
    telemetry.set_send_gate(lambda: flags.is_enabled(sending),
                            registry.spec(sending).reason)
    return flags
