"""The telemetry facade the app talks to: ``track()``, consent, lifecycle pings, read APIs.

Pipeline of ``track(event, **props)``: validate against the registry (raise in development or
strict mode, drop and count in production) → check the consent level and the ``since`` gate →
stamp uuid, timestamp and the common properties → append durably to the outbox. The uploader
thread (started explicitly by the front ends) sends from there.

With consent ``off`` nothing is created: no folder, no file, no thread, no request.

Two hooks let other parts extend the pipeline without reaching into it (the feature flags use
both, see ``flags_telemetry.py``):

* :meth:`Telemetry.add_property_provider` — a callable returning extra properties for every
  event (``$feature/<flag key>``). Each one is validated against the registry's
  ``property_families`` and left out until the user accepted the schema that declared it.
* :meth:`Telemetry.set_send_gate` — a callable saying whether sending is allowed now (the
  ``telemetry-sending-enabled`` kill switch). While it says no, the uploader sends nothing
  and events wait in the outbox; nothing is deleted.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from timetracker import build_info
from timetracker.telemetry.consent import ConsentStore, EffectiveConsent
from timetracker.telemetry.endpoint import Endpoint, EndpointStore, resolve_endpoint
from timetracker.telemetry.envelope import MessageBuilder, RunFacts, gather_facts
from timetracker.telemetry.identity import IdentityStore
from timetracker.telemetry.outbox import Outbox
from timetracker.telemetry.registry import (
    LEVELS,
    Registry,
    TelemetryValidationError,
    level_rank,
    load_registry,
)
from timetracker.telemetry.uploader import Uploader, UploaderSettings

log = logging.getLogger("timetracker.telemetry")

DEBUG_ENV = "TIMETRACKER_TELEMETRY_DEBUG"
STRICT_ENV = "TIMETRACKER_TELEMETRY_STRICT"
HEALTH_EVERY = 24 * 3600.0
PREVIEW_ID = "(a random id created when you opt in)"
#: Exception classes reported by name in ``error.occurred``; anything else is "other".
_OTHER = "other"
#: A property provider: extra properties for every event (declared in property_families).
PropertyProvider = Callable[[], Mapping[str, object]]
#: A send gate: True while sending is allowed.
SendGate = Callable[[], bool]


@dataclass(frozen=True)
class TelemetrySettings:
    max_events: int = 10_000
    max_bytes: int = 10 * 1024 * 1024
    uploader: UploaderSettings = field(default_factory=UploaderSettings)


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    kind: str
    allowed: str


@dataclass(frozen=True)
class EventInfo:
    """One registry event as the settings pane shows it."""

    name: str
    level: str
    since: int
    owner: str
    description: str
    properties: tuple[PropertyInfo, ...]
    sent_count: int = 0
    last_sent: float | None = None


@dataclass(frozen=True)
class QueuedItem:
    uuid: str
    event: str
    level: str
    created: float
    json: str


@dataclass(frozen=True)
class BatchInfo:
    at: float
    count: int
    status: int
    outcome: str
    seconds: float
    json: str


@dataclass(frozen=True)
class TelemetryStatus:
    level: str
    level_source: str
    decided: bool
    accepted_schema: int
    schema_version: int
    needs_prompt: bool
    install_id: str
    endpoint: str
    sending: bool
    debug: bool
    queued: int
    queued_bytes: int
    paused: bool
    backoff_until: float
    counters: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Telemetry:
    def __init__(self, folder: Path, environ: Mapping[str, str], session_id: str,
                 registry: Registry | None = None, strict: bool | None = None,
                 settings: TelemetrySettings | None = None,
                 stderr: TextIO | None = None) -> None:
        self.folder = folder
        self.environ = environ
        self.registry = registry or load_registry()
        self.settings = settings or TelemetrySettings()
        self.strict = (strict if strict is not None else
                       build_info.ENVIRONMENT == "development"
                       or environ.get(STRICT_ENV, "") == "1")
        self.debug = environ.get(DEBUG_ENV, "").strip() not in ("", "0")
        self._stderr = stderr
        self.consent = ConsentStore(folder / "consent.json", environ,
                                    self.registry.schema_version)
        self.identity = IdentityStore(folder / "identity.json")
        self.endpoints = EndpointStore(folder / "endpoint.json")
        self.outbox = Outbox(folder / "outbox.sqlite3", self.settings.max_events,
                             self.settings.max_bytes)
        self.facts: RunFacts = gather_facts(session_id)
        self.builder = MessageBuilder(self.facts, self.registry.schema_version)
        self.uploader = Uploader(self.outbox, self._endpoint_for_upload,
                                 self.settings.uploader, on_tick=self._tick)
        self._lock = threading.RLock()
        self._started_at = time.time()
        self._install_id = ""
        self._providers: list[PropertyProvider] = []
        self._send_gate: SendGate | None = None
        self._send_gate_reason = ""
        self.captured: dict[str, int] = dict.fromkeys(("basic", "full"), 0)
        self.dropped: dict[str, int] = dict.fromkeys(
            ("consent", "level", "gated", "invalid", "queue_full"), 0)
        self._consent = self.consent.effective()
        if self._consent.level == "off":
            self._purge()

    # -- consent -----------------------------------------------------------------------------
    @property
    def level(self) -> str:
        return self._consent.level

    def reload_consent(self) -> EffectiveConsent:
        """Re-read the stored choice (another process may have changed it)."""
        with self._lock:
            before = self._consent.level
            self._consent = self.consent.effective()
            if self._consent.level == "off" and before != "off":
                self._go_dark()
            elif self._consent.level != "off":
                self.outbox.enable()
            return self._consent

    def set_level(self, level: str) -> EffectiveConsent:
        """The user's choice; takes effect immediately. Returns the effective consent."""
        with self._lock:
            _before, _after = self.consent.choose(level)
            previous = self._consent.level
            self._consent = self.consent.effective()
            now = self._consent.level
            if now == "off":
                self._go_dark()
                return self._consent
            self.outbox.enable()
            if previous == "full" and now == "basic":
                self.outbox.delete_level("full")
            if previous != now:
                self._track("consent.changed", {"from_level": previous, "to_level": now})
                self.run_lifecycle()
            return self._consent

    def mark_prompt_seen(self) -> None:
        self.consent.mark_seen()

    def needs_prompt(self) -> bool:
        return self.consent.needs_prompt()

    def _go_dark(self) -> None:
        """Consent is off: stop sending at once and forget everything (zero requests)."""
        thread_was = self.uploader.running
        if thread_was:
            self.uploader.stop(timeout=0.0)
        self._purge()

    def _purge(self) -> None:
        self.outbox.destroy()
        self.identity.delete()
        self._install_id = ""

    # -- hooks -------------------------------------------------------------------------------
    def add_property_provider(self, provider: PropertyProvider) -> Callable[[], None]:
        """Add ``provider()``'s properties to every event tracked from now on.

        Each property must be declared in the registry's ``property_families`` with a value
        it allows: otherwise it raises in strict mode and is left out (logged) in production.
        Properties of a family newer than the accepted schema are left out. A provider that
        raises is logged and skipped. Returns a function that removes the provider."""
        with self._lock:
            self._providers.append(provider)

        def remove() -> None:
            with self._lock:
                if provider in self._providers:
                    self._providers.remove(provider)

        return remove

    def set_send_gate(self, gate: SendGate | None,
                      reason: str = "sending is paused remotely") -> None:
        """While ``gate()`` returns False the uploader sends nothing (events wait in the
        outbox, nothing is deleted) and ``status()`` shows ``reason``. ``None`` removes the
        gate. A gate that raises counts as open: a broken gate never stops telemetry for
        good, nor takes the uploader down."""
        with self._lock:
            self._send_gate = gate
            self._send_gate_reason = reason
        if gate is None and self.uploader.running:
            self.uploader.poke()

    def _gate_closed(self) -> str:
        """The gate's reason while it forbids sending, else ``""``."""
        gate = self._send_gate
        if gate is None:
            return ""
        try:
            open_now = gate()
        except Exception:
            log.exception("telemetry: the send gate failed; sending as usual")
            return ""
        return "" if open_now else self._send_gate_reason

    def _provided(self, accepted_schema: int) -> dict[str, object]:
        """Properties from the providers, validated; those not yet accepted left out."""
        out: dict[str, object] = {}
        for provider in list(self._providers):
            try:
                extra = dict(provider())
            except Exception:
                log.exception("telemetry: a property provider failed; its properties are "
                              "left out")
                continue
            for name, value in extra.items():
                try:
                    clean, since = self.registry.provided(name, value)
                except TelemetryValidationError as exc:
                    if self.strict:
                        raise
                    log.warning("telemetry: left out a property that does not match the "
                                "registry (%s)", exc)
                    continue
                if since <= accepted_schema:
                    out[name] = clean
        return out

    # -- tracking ----------------------------------------------------------------------------
    def track(self, event: str, **properties: object) -> str | None:
        """Validate and record one event; returns its uuid when it was queued."""
        return self._track(event, properties)

    def _track(self, event: str, properties: Mapping[str, object],
               person: bool = False) -> str | None:
        spec = self.registry.events.get(event)
        try:
            if spec is None:
                self.registry.spec(event)  # raises with the message
            clean = self.registry.validate(event, properties)
        except TelemetryValidationError as exc:
            if self.strict:
                raise
            self.dropped["invalid"] += 1
            log.warning("telemetry: dropped an event that does not match the registry (%s)",
                        exc)
            return None
        assert spec is not None
        consent = self._consent
        allowed, reason = self._allowed(consent, spec.level, spec.since)
        for name in spec.newer_properties(consent.accepted_schema):
            clean.pop(name, None)  # added after the schema the user accepted
        if self._providers and (allowed or self.debug):
            clean.update(self._provided(consent.accepted_schema))
        if person:
            clean.update(self.builder.person_properties())
        if self.debug:
            self._print_debug(event, clean, allowed, reason)
            return None
        if not allowed:
            self.dropped[reason] += 1
            return None
        with self._lock:
            ident, text = self.builder.message_json(
                event, clean, self._install_id or self._ensure_install_id())
            dropped = self.outbox.append(ident, event, spec.level, text)
        self.captured[spec.level] += 1
        if dropped:
            self.dropped["queue_full"] += dropped
        if (self.uploader.running
                and self.outbox.approx_depth() >= self.settings.uploader.threshold):
            self.uploader.poke()
        return ident

    @staticmethod
    def _allowed(consent: EffectiveConsent, level: str, since: int) -> tuple[bool, str]:
        if consent.level == "off":
            return False, "consent"
        if level_rank(level) > level_rank(consent.level):
            return False, "level"
        if since > consent.accepted_schema:
            return False, "gated"
        return True, ""

    def _ensure_install_id(self) -> str:
        if not self._install_id:
            self._install_id = self.identity.ensure().install_id
        return self._install_id

    def _record_raw(self, event: str, properties: dict[str, Any]) -> None:
        """Messages that are not registry events ($groupidentify), built from app facts."""
        if self.debug:
            self._print_debug(event, properties, self._consent.level != "off", "")
            return
        if self._consent.level == "off":
            return
        with self._lock:
            ident, text = self.builder.message_json(event, properties,
                                                    self._ensure_install_id())
            self.outbox.append(ident, event, "basic", text)
        self.captured["basic"] += 1

    def _print_debug(self, event: str, properties: dict[str, Any], allowed: bool,
                     reason: str) -> None:
        message = self.builder.message(event, properties,
                                       self.identity.load().install_id or PREVIEW_ID)
        note: dict[str, object] = {"sent": False, "allowed_by_consent": allowed}
        if not allowed:
            note["dropped_because"] = reason
        stream = self._stderr or sys.stderr
        stream.write("telemetry-debug " + json.dumps({"debug": note, "message": message},
                                                     sort_keys=True) + "\n")
        stream.flush()

    def report_error(self, error: BaseException, source: str = "cli") -> str | None:
        """An ``error.occurred`` summary: the class name from the declared list only."""
        allowed = self.registry.spec("error.occurred").properties["exception_type"].values
        name = _OTHER
        for cls in type(error).__mro__:
            if cls.__name__ in allowed:
                name = cls.__name__
                break
        return self._track("error.occurred", {"exception_type": name, "source": source})

    # -- lifecycle ---------------------------------------------------------------------------
    def run_lifecycle(self, now: float | None = None) -> list[str]:
        """install (once per id), update (version changed) and health (≤ once per 24 h)."""
        if self._consent.level == "off" or self.debug:
            return []
        moment = time.time() if now is None else now
        sent: list[str] = []
        with self._lock:
            state = self.identity.ensure()
            self._install_id = state.install_id
            version = self.facts.app_version
            if state.install_sent_for != state.install_id:
                if self._track("telemetry.install", {}, person=True):
                    sent.append("telemetry.install")
                    self._groups()
                state.install_sent_for = state.install_id
                state.last_version = version
            elif state.last_version != version:
                old = state.last_version or "0"
                if self._track("telemetry.update", {"old_version": old,
                                                    "new_version": version}, person=True):
                    sent.append("telemetry.update")
                    self._groups()
                state.last_version = version
            if moment - state.last_health >= HEALTH_EVERY:
                if self._health(moment):
                    sent.append("telemetry.health")
                state.last_health = moment
            self.identity.save(state)
        return sent

    def _groups(self) -> None:
        for event, properties in self.builder.group_identify():
            self._record_raw(event, properties)

    def _health(self, moment: float) -> str | None:
        queued = self.outbox.approx_depth()
        counters = self.outbox.counters()
        dropped = sum(counters.get(k, 0) for k in
                      ("dropped_queue_full", "dropped_rejected", "dropped_too_large"))
        return self._track("telemetry.health", {
            "consent_level": self._consent.level,
            "uptime_hours": int(max(0.0, moment - self._started_at) // 3600),
            "queued": queued,
            "dropped": dropped,
        }, person=True)

    def _tick(self) -> None:
        """Runs on the uploader thread each wake-up: re-read consent, health when due."""
        self.reload_consent()
        if self._consent.level != "off":
            state = self.identity.load()
            if time.time() - state.last_health >= HEALTH_EVERY:
                self.run_lifecycle()

    # -- sending -----------------------------------------------------------------------------
    def endpoint(self) -> Endpoint:
        return resolve_endpoint(self.environ, self.endpoints)

    def _endpoint_for_upload(self) -> Endpoint:
        if self.debug:
            return Endpoint("", "", "none", "debug mode prints events and sends nothing")
        if self.consent.effective().level == "off":
            with self._lock:
                self._consent = self.consent.effective()
                self._purge()
            return Endpoint("", "", "none", "telemetry is off")
        endpoint = self.endpoint()
        closed = self._gate_closed() if endpoint.usable else ""
        if closed:
            return Endpoint(endpoint.host, "", endpoint.source, closed)
        return endpoint

    def start(self) -> None:
        """GUI launch: lifecycle pings, then the uploader thread (not when off/debug)."""
        if self._consent.level == "off" or self.debug:
            return
        self.run_lifecycle()
        self.uploader.start()

    def flush(self, timeout: float = 5.0) -> bool:
        """Send now (ignores backoff); True when everything finished within ``timeout``."""
        if self._consent.level == "off" or self.debug or not self.outbox.exists():
            return True
        return self.uploader.flush(timeout, force=True)

    def network_up(self) -> None:
        if self._consent.level != "off" and self.outbox.exists():
            self.uploader.network_up()

    def shutdown(self, timeout: float = 1.0) -> None:
        """Exit: one bounded attempt to send what waits; the rest stays for next start.

        A CLI run never starts the uploader thread: its lifecycle pings (update after a
        version change, the daily health ping) are recorded here, then flushed."""
        if not self.uploader.running and self._consent.level != "off" and not self.debug \
                and timeout > 0:
            self.run_lifecycle()
        if self.uploader.running:
            self.uploader.stop(timeout)
        elif (timeout > 0 and self._consent.level != "off" and not self.debug
              and self.outbox.exists() and self.outbox.approx_depth() > 0):
            self.uploader.flush(timeout, force=False)
        self.outbox.close()

    # -- read APIs (settings pane, CLI, metrics) -----------------------------------------------
    def events(self) -> list[EventInfo]:
        sent = self.outbox.sent_stats() if self.outbox.exists() else {}
        rows = []
        for spec in self.registry.events.values():
            count, last = sent.get(spec.name, (0, None))
            rows.append(EventInfo(
                spec.name, spec.level, spec.since, spec.owner, spec.description,
                tuple(PropertyInfo(name, ptype.kind, ptype.describe())
                      for name, ptype in spec.properties.items()),
                count, last))
        return rows

    def queued(self, limit: int | None = None) -> list[QueuedItem]:
        if not self.outbox.exists():
            return []
        return [QueuedItem(q.uuid, q.event, q.level, q.created, q.payload)
                for q in self.outbox.queued(limit)]

    def delete_queued(self, uuids: list[str] | None = None) -> int:
        """Delete some (or all) waiting events before they are sent."""
        if not self.outbox.exists():
            return 0
        if uuids is None:
            return self.outbox.delete(q.id for q in self.outbox.queued())
        return self.outbox.delete_uuids(uuids)

    def sent_batches(self, limit: int = 50) -> list[BatchInfo]:
        if not self.outbox.exists():
            return []
        return [BatchInfo(b.at, b.count, b.status, b.outcome, b.seconds, b.body)
                for b in self.outbox.batches(limit)]

    def reset_id(self) -> str:
        """A new random install id (telemetry.install is sent again for it)."""
        if self._consent.level == "off":
            self.identity.delete()
            return ""
        with self._lock:
            state = self.identity.reset()
            self._install_id = state.install_id
        self.run_lifecycle()
        return state.install_id

    def preview(self, level: str | None = None) -> list[dict[str, Any]]:
        """The exact messages an opt-in at ``level`` would send now (nothing is stored)."""
        chosen = level or (self._consent.level if self._consent.level != "off" else "basic")
        if chosen not in LEVELS or chosen == "off":
            raise TelemetryValidationError("preview a level that sends: basic or full")
        install_id = self.identity.load().install_id or PREVIEW_ID
        messages = [self.preview_event("consent.changed",
                                       {"from_level": self._consent.level
                                        if self._consent.level != chosen else "off",
                                        "to_level": chosen}, install_id=install_id),
                    self.preview_event("telemetry.install", {}, person=True,
                                       install_id=install_id)]
        messages += [self.builder.message(event, props, install_id)
                     for event, props in self.builder.group_identify()]
        messages.append(self.preview_event("telemetry.health", {
            "consent_level": chosen, "uptime_hours": 0, "queued": 0, "dropped": 0},
            person=True, install_id=install_id))
        if chosen == "full":
            messages.append(self.preview_event("timer.started", {
                "source": "bar", "stopped_running": False, "has_project": True,
                "has_task": False, "tag_count": 2, "billable": True}, install_id=install_id))
        return messages

    def preview_event(self, event: str, properties: Mapping[str, object],
                      person: bool = False, install_id: str | None = None) -> dict[str, Any]:
        """The exact message ``track(event, **properties)`` would queue (always validates)."""
        clean: dict[str, Any] = dict(self.registry.validate(event, properties))
        if self._providers:
            clean.update(self._provided(self.registry.schema_version))
        if person:
            clean.update(self.builder.person_properties())
        ident = install_id or self.identity.load().install_id or PREVIEW_ID
        return self.builder.message(event, clean, ident)

    def status(self) -> TelemetryStatus:
        record = self.consent.load()
        consent = self.consent.effective()
        endpoint = self.endpoint() if consent.level != "off" else None
        exists = self.outbox.exists()
        queued, size = self.outbox.depth() if exists else (0, 0)
        paused = bool(exists and self.outbox.get_state("auth_paused"))
        backoff = float(self.outbox.get_state("backoff_until", "0") or 0) if exists else 0.0
        if consent.level == "off":
            where = "telemetry is off: nothing is recorded or sent"
        elif self.debug:
            where = "debug mode: events are printed to stderr, nothing is sent"
        else:
            assert endpoint is not None
            closed = self._gate_closed() if endpoint.usable else ""
            if closed:
                endpoint = Endpoint(endpoint.host, "", endpoint.source, closed)
            where = endpoint.describe()
        return TelemetryStatus(
            level=consent.level, level_source=consent.source, decided=record.decided,
            accepted_schema=consent.accepted_schema,
            schema_version=self.registry.schema_version,
            needs_prompt=self.consent.needs_prompt(),
            install_id=self.identity.load().install_id,
            endpoint=where,
            sending=bool(endpoint and endpoint.usable and not self.debug and not paused),
            debug=self.debug, queued=queued, queued_bytes=size, paused=paused,
            backoff_until=backoff if backoff > time.time() else 0.0,
            counters=self.outbox.counters() if exists else {})

    def stats(self) -> dict[str, Any]:
        """Pipeline figures as plain numbers for the metrics exporter (counters only grow
        while the process runs). Shape: see observability/telemetry_collector.py."""
        exists = self.outbox.exists()
        depth, size = self.outbox.depth() if exists else (0, 0)
        up = self.uploader.stats
        batches: dict[str, int] = {}
        for outcome, count in up.batches.items():
            label = _BATCH_LABELS.get(outcome, "failure")
            batches[label] = batches.get(label, 0) + count
        dropped = {("outbox_full" if k == "queue_full" else k): v
                   for k, v in self.dropped.items()}
        dropped.update(up.dropped)
        return {
            "captured": dict(self.captured),
            "dropped": dropped,
            "outbox_depth": depth,
            "outbox_bytes": size,
            "batches": batches,
            "events_sent": up.events_sent,
            "send_duration_seconds": {"sum": up.send_seconds_sum,
                                      "count": up.send_seconds_count,
                                      "buckets": dict(up.send_seconds_buckets)},
        }


_BATCH_LABELS = {"sent": "success", "retry": "failure", "rejected": "failure",
                 "too_large": "too_large", "bad_request": "bad_request",
                 "unauthorised": "unauthorised"}
