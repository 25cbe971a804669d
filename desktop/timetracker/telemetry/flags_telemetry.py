"""Wires the flag client to the telemetry service; ``app.py`` calls :func:`build_flags`.

What the flags need from telemetry — consent level, install id, endpoint, person properties
and groups — is read through the service's public attributes. In the other direction three
hooks are installed:

* ``$feature/<key>`` on every later event for each flag the UI reported as shown
  (a :class:`~timetracker.telemetry.envelope.MessageBuilder` that adds them);
* ``$feature_flag_called`` (``$feature_flag``, ``$feature_flag_response``) once per flag per
  app session, at consent ``full`` only, queued in the same durable outbox;
* the ``telemetry-sending-enabled`` kill switch in front of the uploader's endpoint: while it
  is off nothing is sent and events wait in the outbox (nothing is deleted).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timetracker.telemetry.endpoint import Endpoint
from timetracker.telemetry.envelope import MessageBuilder
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

EXPOSURE_EVENT = "$feature_flag_called"
CACHE_FILE = "flags-cache.json"
OVERRIDES_FILE = "flag-overrides.json"


class FlagPropertiesBuilder(MessageBuilder):
    """The telemetry message builder plus ``$feature/<key>`` for the flags shown so far."""

    def __init__(self, base: MessageBuilder,
                 extra: Callable[[], Mapping[str, FlagValue]]) -> None:
        super().__init__(base.facts, int(base.common["telemetry_schema"]))
        self._extra = extra

    def message_json(self, event: str, properties: dict[str, Any], distinct_id: str,
                     message_uuid: str | None = None, timestamp: str | None = None,
                     ) -> tuple[str, str]:
        if not event.startswith("$"):
            extra = self._extra()
            if extra:
                properties = {**properties, **extra}
        return super().message_json(event, properties, distinct_id, message_uuid, timestamp)


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


def exposure_recorder(telemetry: Telemetry, registry: FlagRegistry) -> ExposureSink:
    """Queues ``$feature_flag_called`` at consent ``full`` (printed in debug mode)."""

    def record(key: str, value: FlagValue) -> None:
        spec = registry.spec(key)
        if not spec.accepts(value):  # only declared variants/booleans ever leave the app
            return
        properties: dict[str, Any] = {"$feature_flag": key, "$feature_flag_response": value}
        if telemetry.debug:
            message = telemetry.builder.message(
                EXPOSURE_EVENT, properties,
                telemetry.identity.load().install_id or "(a random id created when you opt in)")
            sys.stderr.write("telemetry-debug " + json.dumps(
                {"debug": {"sent": False, "allowed_by_consent": telemetry.level == "full"},
                 "message": message}, sort_keys=True) + "\n")
            return
        if telemetry.level != "full":
            return
        install_id = telemetry.identity.ensure().install_id
        ident, text = telemetry.builder.message_json(EXPOSURE_EVENT, properties, install_id)
        telemetry.outbox.append(ident, EXPOSURE_EVENT, "full", text)

    return record


def gate_uploader(telemetry: Telemetry, flags: Flags) -> None:
    """Put the ``telemetry-sending-enabled`` kill switch in front of the uploader."""
    original = telemetry.uploader.endpoint
    reason = flags.registry.spec(FeatureFlags.TELEMETRY_SENDING_ENABLED).reason

    def gated() -> Endpoint:
        endpoint = original()
        if endpoint.usable and not flags.is_enabled(FeatureFlags.TELEMETRY_SENDING_ENABLED):
            return Endpoint(endpoint.host, "", endpoint.source, reason)
        return endpoint

    telemetry.uploader.endpoint = gated


def build_flags(telemetry: Telemetry, config_dir: Path, environ: Mapping[str, str],
                registry: FlagRegistry | None = None,
                settings: FlagSettings | None = None,
                clock: Callable[[], float] = time.time) -> Flags:
    """The flag client for this run, with all telemetry hooks installed."""
    registry = registry or load_flag_registry()
    flags = Flags(registry, FlagCache(telemetry.folder / CACHE_FILE), flag_source(telemetry),
                  OverrideStore(config_dir / OVERRIDES_FILE), environ, settings, clock)
    flags.set_exposure_sink(exposure_recorder(telemetry, registry))
    telemetry.builder = FlagPropertiesBuilder(telemetry.builder, flags.exposure_properties)
    gate_uploader(telemetry, flags)
    return flags
