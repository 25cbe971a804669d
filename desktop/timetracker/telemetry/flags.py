"""Feature flags, experiments, remote config and kill switches. No Qt.

Flags are declared in ``resources/telemetry/flags.yaml`` (see :mod:`flags_registry`). Values come
from ``{host}/flags/`` through ``posthog.request.flags`` — only while the telemetry level is
``full``, with the random install id, person properties and groups — on a background thread
at start and every few minutes. The last good answer is cached on disk.

Every evaluation carries its reason:

``override``  ``TIMETRACKER_FLAGS=key=value,…`` or the developer override map (settings);
``remote``    fetched by this process and younger than ``stale_after``;
``cached``    read from the disk cache (an earlier run or another process) and as young;
``stale``     older than ``stale_after`` but younger than ``expire_after`` — still served;
``default``   the built-in default: no answer, expired answer, consent below full, a value or
              payload that does not match the declaration, or a required kill switch is off.

A kill switch is on unless PostHog explicitly answered ``false``: errors, timeouts, consent off
and malformed answers all leave it on. Changes (a refresh, an override, consent) are pushed to
plain observer callbacks — on the thread that caused them; the UI bridges them to Qt signals.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from timetracker.core.atomic import atomic_write_bytes
from timetracker.core.errors import TimeTrackerError, ValidationError
from timetracker.telemetry.endpoint import Endpoint
from timetracker.telemetry.flags_cache import FlagCache, FlagSnapshot
from timetracker.telemetry.flags_registry import FlagRegistry, FlagSpec, FlagValue

log = logging.getLogger("timetracker.flags")

FLAGS_ENV = "TIMETRACKER_FLAGS"
REASONS: tuple[str, ...] = ("remote", "cached", "stale", "default", "override")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

P = ParamSpec("P")
R = TypeVar("R")


class FeatureDisabledError(TimeTrackerError):
    """An action guarded by a flag that is off (e.g. a kill switch); the message is the
    short user-facing reason the GUI shows too."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class FlagSettings:
    #: How often the background thread asks PostHog (seconds).
    refresh_every: float = 15 * 60
    #: Answers older than this are served with reason ``stale``.
    stale_after: float = 60 * 60
    #: Answers older than this are no longer used: the built-in default applies.
    expire_after: float = 7 * 24 * 3600
    #: One request's timeout (seconds); the GUI thread never waits for it.
    request_timeout: float = 5.0
    #: The background thread re-evaluates at least this often (expiry, consent).
    tick: float = 60.0


@dataclass(frozen=True)
class Evaluation:
    key: str
    value: FlagValue
    reason: str
    payload: Any = None
    #: Why a default or override applies (never a remote value or payload content).
    note: str = ""
    fetched_at: float | None = None

    @property
    def assigned_remotely(self) -> bool:
        """PostHog assigned this value (not a default, an override or "not in rollout")."""
        return self.reason in ("remote", "cached", "stale") and not self.note

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FlagChange:
    key: str
    before: Evaluation
    after: Evaluation


@dataclass(frozen=True)
class Guard:
    """Whether a guarded action may run, and the short reason when it may not."""

    key: str
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class RefreshResult:
    #: "fetched", "skipped" (consent, no endpoint, fresh enough) or "failed".
    outcome: str
    #: Why, as words or an error class / HTTP status — never a response body.
    detail: str = ""
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagSource:
    """What the flag client needs from the telemetry layer (wired by the composition root)."""

    consent_level: Callable[[], str]
    endpoint: Callable[[], Endpoint]
    distinct_id: Callable[[], str]
    person_properties: Callable[[], Mapping[str, object]] = dict
    groups: Callable[[], Mapping[str, str]] = dict
    group_properties: Callable[[], Mapping[str, Mapping[str, object]]] = dict


Observer = Callable[[list[FlagChange]], None]
#: Receives (flag key, the value shown) once per flag per app session.
ExposureSink = Callable[[str, FlagValue], None]


class MalformedFlagsResponse(ValueError):
    """A /flags/ answer without the expected shape (its content is never logged)."""


# -- overrides --------------------------------------------------------------------------------

def parse_override(spec: FlagSpec, text: str) -> tuple[FlagValue, Any]:
    """(value, payload or None) for an override written as text; ``ValueError`` says why."""
    raw = text.strip()
    if spec.kind == "remote-config" and raw.startswith("{"):
        import jsonschema

        try:
            payload = json.loads(raw)
        except ValueError:
            raise ValueError(f"flag '{spec.key}': the payload override is not valid JSON"
                             ) from None
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(spec.payload_schema or {}).iter_errors(payload))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise ValueError(f"flag '{spec.key}': the payload override does not match the "
                             f"declared schema at {where}: {error.message}")
        return True, payload
    if spec.type == "multivariate":
        if raw in spec.variants:
            return raw, None
        raise ValueError(f"flag '{spec.key}': '{raw}' is not a variant "
                         f"(use {', '.join(spec.variants)})")
    lowered = raw.lower()
    if lowered in _TRUE:
        return True, None
    if lowered in _FALSE:
        return False, None
    hint = " or a JSON payload" if spec.kind == "remote-config" else ""
    raise ValueError(f"flag '{spec.key}': '{raw}' is not true or false{hint}")


def parse_env_overrides(text: str, registry: FlagRegistry
                        ) -> tuple[dict[str, tuple[FlagValue, Any]], list[str]]:
    """``key=value,key=value`` → overrides, plus one problem line per bad item."""
    found: dict[str, tuple[FlagValue, Any]] = {}
    problems: list[str] = []
    for position, item in enumerate(text.split(","), start=1):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            problems.append(f"{FLAGS_ENV} item {position}: expected key=value")
            continue
        if key not in registry.flags:
            problems.append(f"{FLAGS_ENV} item {position}: flag '{key}' is not declared")
            continue
        try:
            found[key] = parse_override(registry.flags[key], value)
        except ValueError as exc:
            problems.append(f"{FLAGS_ENV} item {position}: {exc}")
    return found, problems


class OverrideStore:
    """The developer override map (settings → developer), one JSON file in the config folder:
    ``{"timer-ui": "compact", "export-enabled": "false"}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("flags: %s is not readable JSON; developer overrides ignored",
                        self.path.name)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}

    def save(self, overrides: Mapping[str, str]) -> None:
        if not overrides:
            self.path.unlink(missing_ok=True)
            return
        atomic_write_bytes(self.path, json.dumps(dict(overrides), indent=1,
                                                 sort_keys=True).encode("utf-8"))


# -- the /flags/ answer ----------------------------------------------------------------------

def parse_flags_response(data: object) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(values, payloads, partial) from a v4 (``flags``) or v3 (``featureFlags``) answer.

    Payloads arrive as JSON text and are decoded here; one that is not JSON is dropped.
    ``partial`` is PostHog's ``errorsWhileComputingFlags``.
    """
    if not isinstance(data, dict):
        raise MalformedFlagsResponse("the answer is not a JSON object")
    partial = data.get("errorsWhileComputingFlags") is True
    values: dict[str, Any] = {}
    raw_payloads: dict[str, Any] = {}
    v4 = data.get("flags")
    if isinstance(v4, dict):
        for key, entry in v4.items():
            if not isinstance(entry, dict):
                continue
            variant = entry.get("variant")
            values[str(key)] = variant if isinstance(variant, str) and variant \
                else entry.get("enabled")
            metadata = entry.get("metadata")
            if isinstance(metadata, dict) and metadata.get("payload") is not None:
                raw_payloads[str(key)] = metadata["payload"]
    elif isinstance(data.get("featureFlags"), dict):
        values = {str(k): v for k, v in data["featureFlags"].items()}
        payloads_v3 = data.get("featureFlagPayloads")
        if isinstance(payloads_v3, dict):
            raw_payloads = {str(k): v for k, v in payloads_v3.items() if v is not None}
    else:
        raise MalformedFlagsResponse("the answer has neither 'flags' nor 'featureFlags'")
    payloads: dict[str, Any] = {}
    for key, raw in raw_payloads.items():
        if isinstance(raw, str):
            try:
                payloads[key] = json.loads(raw)
            except ValueError:
                log.warning("flags: the payload of '%s' is not JSON; ignored", key)
        else:
            payloads[key] = raw
    return values, payloads, partial


# -- the client -------------------------------------------------------------------------------

class Flags:
    """Evaluates declared flags; fetches, caches and watches them."""

    def __init__(self, registry: FlagRegistry, cache: FlagCache, source: FlagSource,
                 overrides: OverrideStore, environ: Mapping[str, str] | None = None,
                 settings: FlagSettings | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.registry = registry
        self.cache = cache
        self.source = source
        self.override_store = overrides
        self.settings = settings or FlagSettings()
        self.clock = clock
        self._lock = threading.RLock()
        self._observers: list[Observer] = []
        self._exposure_sink: ExposureSink | None = None
        self._exposed: dict[str, FlagValue] = {}
        env_text = (environ or {}).get(FLAGS_ENV, "")
        self._env_overrides, self.problems = parse_env_overrides(env_text, registry)
        for problem in self.problems:
            log.warning("flags: %s; ignored", problem)
        self._dev_stamp: tuple[int, int] | None = None
        self._dev_overrides = self._load_dev_overrides()
        self._snapshot: FlagSnapshot | None = None
        self._snapshot_loaded = False
        self._fetched_here_at: float | None = None
        self._valid_payloads: dict[str, Any] = {}
        self._last: dict[str, Evaluation] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.last_refresh: RefreshResult | None = None
        #: /flags/ requests made by this process, by result (for the metrics exporter).
        self._fetches = {"success": 0, "failure": 0}

    # -- evaluation ------------------------------------------------------------------------
    def evaluate(self, key: str) -> Evaluation:
        spec = self.registry.spec(key)
        with self._lock:
            return self._evaluate(spec, self._remote())

    def value(self, key: str) -> FlagValue:
        return self.evaluate(key).value

    def is_enabled(self, key: str) -> bool:
        """A boolean flag's value (a multivariate flag: is it on a non-default variant)."""
        evaluation = self.evaluate(key)
        if isinstance(evaluation.value, bool):
            return evaluation.value
        return evaluation.value != self.registry.spec(key).default

    def variant(self, key: str) -> str:
        spec = self.registry.spec(key)
        if spec.type != "multivariate":
            raise KeyError(f"flag '{key}' is not multivariate")
        return str(self.evaluate(key).value)

    def payload(self, key: str) -> Any:
        """A remote-config flag's validated payload (or its declared default payload)."""
        spec = self.registry.spec(key)
        if spec.kind != "remote-config":
            raise KeyError(f"flag '{key}' is not a remote-config flag")
        return self.evaluate(key).payload

    def all(self) -> list[Evaluation]:
        with self._lock:
            remote = self._remote()
            return [self._evaluate(spec, remote) for spec in self.registry.flags.values()]

    def _evaluate(self, spec: FlagSpec, remote: FlagSnapshot | None,
                  depth: int = 0) -> Evaluation:
        default_payload = spec.default_payload
        override = self._env_overrides.get(spec.key)
        where = FLAGS_ENV
        if override is None:
            override = self._dev_overrides.get(spec.key)
            where = "developer override"
        if override is not None:
            value, payload = override
            if spec.kind == "remote-config" and payload is None:
                payload = default_payload
            return Evaluation(spec.key, value, "override", payload, where)
        if spec.requires and depth == 0:
            gate = self._evaluate(self.registry.spec(spec.requires), remote, depth + 1)
            if gate.value is False:
                return Evaluation(spec.key, spec.default, "default", default_payload,
                                  f"{spec.requires} is off")
        if self.source.consent_level() != "full":
            return Evaluation(spec.key, spec.default, "default", default_payload,
                              "flags are only fetched at telemetry level full")
        if remote is None:
            return Evaluation(spec.key, spec.default, "default", default_payload,
                              "no answer from the analytics host yet")
        age = self.clock() - remote.fetched_at
        if age >= self.settings.expire_after:
            return Evaluation(spec.key, spec.default, "default", default_payload,
                              "the last answer expired", remote.fetched_at)
        if spec.key not in remote.values:
            return Evaluation(spec.key, spec.default, "default", default_payload,
                              "not in the last answer", remote.fetched_at)
        if age >= self.settings.stale_after:
            reason = "stale"
        elif self._fetched_here_at is not None and remote.fetched_at == self._fetched_here_at:
            reason = "remote"
        else:
            reason = "cached"
        raw = remote.values[spec.key]
        if spec.type == "multivariate" and raw is False:
            # Not part of the rollout: PostHog says so explicitly; the default variant shows.
            return Evaluation(spec.key, spec.default, reason, default_payload,
                              "not in the rollout", remote.fetched_at)
        if not spec.accepts(raw):
            return Evaluation(spec.key, spec.default, "default", default_payload,
                              "the remote value does not match the declaration",
                              remote.fetched_at)
        if spec.kind == "remote-config":
            if raw is True and spec.key in self._valid_payloads:
                return Evaluation(spec.key, raw, reason, self._valid_payloads[spec.key],
                                  "", remote.fetched_at)
            note = ("the flag is off" if raw is False else
                    "the remote payload is missing or does not match its schema")
            return Evaluation(spec.key, raw, "default", default_payload, note,
                              remote.fetched_at)
        return Evaluation(spec.key, raw, reason, None, "", remote.fetched_at)

    def _remote(self) -> FlagSnapshot | None:
        """The answer to evaluate with (loads the disk cache once; forgets it when off)."""
        level = self.source.consent_level()
        if level == "off":
            if self._snapshot is not None or self.cache.exists():
                self.cache.delete()
            self._snapshot = None
            self._snapshot_loaded = True
            return None
        if not self._snapshot_loaded:
            self._snapshot_loaded = True
            snapshot = self.cache.load(self.registry.flags)
            if snapshot is not None:
                self._install(snapshot)
        return self._snapshot

    def _install(self, snapshot: FlagSnapshot) -> None:
        """Make ``snapshot`` current, validating remote-config payloads once."""
        import jsonschema

        valid: dict[str, Any] = {}
        for key, payload in snapshot.payloads.items():
            spec = self.registry.flags.get(key)
            if spec is None or spec.kind != "remote-config":
                continue
            error = jsonschema.exceptions.best_match(
                jsonschema.Draft202012Validator(spec.payload_schema or {}).iter_errors(payload))
            if error is None:
                valid[key] = payload
            else:
                # The path names schema keys only; the payload's content is never logged.
                where = "/".join(str(p) for p in error.absolute_schema_path) or "(root)"
                log.warning("flags: the remote payload of '%s' does not match its schema "
                            "(at %s); the default is used", key, where)
        self._snapshot = snapshot
        self._valid_payloads = valid

    # -- guards ----------------------------------------------------------------------------
    def guard(self, key: str, value: FlagValue = True) -> Guard:
        """May the action guarded by ``key`` (being ``value``) run? With the reason if not."""
        spec = self.registry.spec(key)
        current = self.evaluate(key).value
        if current == value:
            return Guard(key, True)
        reason = spec.reason or f"This needs the feature '{key}', which is not enabled."
        return Guard(key, False, reason)

    def require(self, key: str, value: FlagValue = True) -> None:
        """Raise :class:`FeatureDisabledError` (a TimeTrackerError) when the guard is closed."""
        state = self.guard(key, value)
        if not state.allowed:
            raise FeatureDisabledError(key, state.reason)

    # -- exposure --------------------------------------------------------------------------
    def set_exposure_sink(self, sink: ExposureSink | None) -> None:
        self._exposure_sink = sink

    def exposed(self, key: str) -> bool:
        """The UI actually SHOWS the variant of ``key`` now. Sends ``$feature_flag_called``
        once per flag per app session — only for values PostHog assigned (not defaults or
        overrides, which would skew an experiment). Returns True when it was sent now."""
        evaluation = self.evaluate(key)
        if not evaluation.assigned_remotely:
            return False
        with self._lock:
            if key in self._exposed:
                self._exposed[key] = evaluation.value
                return False
            self._exposed[key] = evaluation.value
            sink = self._exposure_sink
        if sink is not None:
            try:
                sink(key, evaluation.value)
            except Exception:  # telemetry never takes a feature down
                log.exception("flags: recording an exposure failed")
        return True

    def exposure_properties(self) -> dict[str, FlagValue]:
        """``$feature/<key>`` for every flag exposed this session, with its current value
        (added to every later event)."""
        with self._lock:
            keys = list(self._exposed)
        properties: dict[str, FlagValue] = {}
        for key in keys:
            evaluation = self.evaluate(key)
            if evaluation.assigned_remotely:
                properties[f"$feature/{key}"] = evaluation.value
        return properties

    # -- overrides -------------------------------------------------------------------------
    def _load_dev_overrides(self) -> dict[str, tuple[FlagValue, Any]]:
        self._dev_stamp = self._override_stamp()
        found: dict[str, tuple[FlagValue, Any]] = {}
        for key, text in self.override_store.load().items():
            spec = self.registry.flags.get(key)
            if spec is None:
                log.warning("flags: developer override for undeclared flag '%s' ignored", key)
                continue
            try:
                found[key] = parse_override(spec, text)
            except ValueError as exc:
                log.warning("flags: developer override ignored: %s", exc)
        return found

    def _override_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.override_store.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _reload_dev_overrides_if_changed(self) -> None:
        """Another process (``timetracker flags override``) changed the file."""
        if self._override_stamp() != self._dev_stamp:
            self._dev_overrides = self._load_dev_overrides()

    def overrides(self) -> dict[str, str]:
        """Where each overridden flag's override comes from."""
        where = dict.fromkeys(self._dev_overrides, "developer override")
        where.update(dict.fromkeys(self._env_overrides, FLAGS_ENV))
        return where

    def set_override(self, key: str, text: str) -> Evaluation:
        """Store a developer override (persists in the settings folder); takes effect live."""
        try:
            spec = self.registry.spec(key)
        except KeyError as exc:
            raise ValidationError(str(exc.args[0])) from None
        try:
            parsed = parse_override(spec, text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        self._ensure_baseline()
        with self._lock:
            stored = self.override_store.load()
            stored[key] = text.strip()
            self.override_store.save(stored)
            self._dev_overrides[key] = parsed
        self.recheck()
        return self.evaluate(key)

    def clear_override(self, key: str) -> bool:
        try:
            self.registry.spec(key)
        except KeyError as exc:
            raise ValidationError(str(exc.args[0])) from None
        self._ensure_baseline()
        with self._lock:
            stored = self.override_store.load()
            had = stored.pop(key, None) is not None
            self.override_store.save(stored)
            self._dev_overrides.pop(key, None)
        self.recheck()
        return had

    # -- change notification ---------------------------------------------------------------
    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer(changes)`` whenever evaluated values change. It runs on the thread
        that caused the change (often the background refresh thread): a UI must hop to its
        own thread (e.g. a queued Qt signal). Returns a function that unsubscribes."""
        with self._lock:
            self._observers.append(observer)
        self._ensure_baseline()

        def unsubscribe() -> None:
            with self._lock:
                if observer in self._observers:
                    self._observers.remove(observer)

        return unsubscribe

    def _ensure_baseline(self) -> None:
        """Remember the current values so the next recheck can tell what changed."""
        with self._lock:
            if not self._last:
                self._last = {e.key: e for e in self._all_locked()}

    def _all_locked(self) -> list[Evaluation]:
        remote = self._remote()
        return [self._evaluate(spec, remote) for spec in self.registry.flags.values()]

    def recheck(self) -> list[FlagChange]:
        """Re-evaluate everything and tell observers what changed (value, payload or
        reason). Call after the consent level changed; refreshes and overrides call it, and
        the background thread every ``tick`` (expiry, overrides set by another process)."""
        with self._lock:
            self._reload_dev_overrides_if_changed()
            current = {e.key: e for e in self._all_locked()}
            before = self._last
            self._last = current
            observers = list(self._observers)
        changes = [FlagChange(key, before[key], after) for key, after in current.items()
                   if key in before and _differs(before[key], after)]
        if changes:
            for observer in observers:
                try:
                    observer(changes)
                except Exception:
                    log.exception("flags: a change observer failed")
        return changes

    # -- fetching (never call on a UI thread) ---------------------------------------------
    def refresh(self, timeout: float | None = None) -> RefreshResult:
        """Ask ``{host}/flags/`` now (blocking). Nothing is sent below consent ``full``."""
        self._ensure_baseline()
        result = self._fetch(self.settings.request_timeout if timeout is None else timeout)
        self.last_refresh = result
        if result.outcome in ("fetched", "failed"):
            with self._lock:
                self._fetches["success" if result.outcome == "fetched" else "failure"] += 1
        changes = self.recheck()
        return RefreshResult(result.outcome, result.detail, tuple(c.key for c in changes))

    def fetch_counts(self) -> dict[str, int]:
        """``{"success": n, "failure": m}`` — /flags/ requests this process made."""
        with self._lock:
            return dict(self._fetches)

    def refresh_if_older(self, max_age: float, timeout: float | None = None) -> RefreshResult:
        """Refresh unless the answer in hand is younger than ``max_age`` seconds."""
        with self._lock:
            remote = self._remote()
        if remote is not None and self.clock() - remote.fetched_at < max_age:
            return RefreshResult("skipped", "the last answer is recent")
        return self.refresh(timeout)

    def _fetch(self, timeout: float) -> RefreshResult:
        import requests
        from posthog.request import APIError
        from posthog.request import flags as post_flags

        if self.source.consent_level() != "full":
            with self._lock:
                self._remote()  # forgets the cache when consent is off
            return RefreshResult("skipped", "flags are only fetched at telemetry level full")
        endpoint = self.source.endpoint()
        if not endpoint.usable:
            return RefreshResult("skipped", endpoint.problem or "no analytics host configured")
        try:
            distinct_id = self.source.distinct_id()
            body: dict[str, Any] = {
                "distinct_id": distinct_id,
                "person_properties": dict(self.source.person_properties()),
                "groups": dict(self.source.groups()),
                "group_properties": {k: dict(v)
                                     for k, v in self.source.group_properties().items()},
                "flag_keys_to_evaluate": list(self.registry.flags),
            }
            data = post_flags(endpoint.api_key, host=endpoint.host, timeout=max(0.05, timeout),
                              max_retries=0, **body)
            values, payloads, partial = parse_flags_response(data)
        except APIError as exc:
            status = exc.status if isinstance(exc.status, int) else 0
            log.warning("flags: the analytics host answered HTTP %s; keeping the last answer",
                        status or "error")
            return RefreshResult("failed", f"HTTP {status}" if status else type(exc).__name__)
        except MalformedFlagsResponse:
            log.warning("flags: the analytics host sent a malformed answer; keeping the last "
                        "answer")
            return RefreshResult("failed", "malformed answer")
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            log.warning("flags: fetching flags failed (%s); keeping the last answer",
                        type(exc).__name__)
            return RefreshResult("failed", type(exc).__name__)
        declared = self.registry.flags
        now = self.clock()
        with self._lock:
            if self.source.consent_level() != "full":  # consent changed while we waited
                return RefreshResult("skipped", "consent changed during the request")
            previous = self._remote()
            kept_values = {k: v for k, v in values.items() if k in declared}
            kept_payloads = {k: v for k, v in payloads.items() if k in declared}
            if partial and previous is not None:
                kept_values = {**previous.values, **kept_values}
                kept_payloads = {**previous.payloads, **kept_payloads}
            snapshot = FlagSnapshot(now, kept_values, kept_payloads)
            self._fetched_here_at = now
            self._install(snapshot)
            try:
                self.cache.save(snapshot)
            except OSError as exc:
                log.warning("flags: the flag cache could not be written (%s)",
                            type(exc).__name__)
        return RefreshResult("fetched", "partial answer" if partial else "")

    # -- the background thread -------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Refresh now and every ``refresh_every`` seconds on a daemon thread."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="feature-flags", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Refresh as soon as possible (e.g. right after consent became full)."""
        self._wake.set()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        next_fetch = 0.0
        level = ""
        while not self._stop.is_set():
            try:
                now_level = self.source.consent_level()
                if now_level != level:  # e.g. the user just chose full: ask at once
                    level, next_fetch = now_level, 0.0
                if self._wake.is_set() or time.monotonic() >= next_fetch:
                    self._wake.clear()
                    self.refresh()
                    next_fetch = time.monotonic() + self.settings.refresh_every
                else:
                    self.recheck()
            except Exception:  # never let flags take the app down
                log.exception("flags: the refresh thread hit an unexpected error")
            wait = min(self.settings.tick, max(0.0, next_fetch - time.monotonic()))
            self._wake.wait(max(0.01, wait))


def _differs(before: Evaluation, after: Evaluation) -> bool:
    return (before.value != after.value or before.payload != after.payload
            or before.reason != after.reason)


# -- guard decorator --------------------------------------------------------------------------

def requires_flag(key: str, value: FlagValue = True
                  ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a function whose first argument is the :class:`Flags` client or has a ``flags``
    attribute (the App, a window): it raises :class:`FeatureDisabledError` with the flag's
    short reason instead of running while ``key`` is not ``value``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            owner = args[0] if args else None
            client = owner if isinstance(owner, Flags) else getattr(owner, "flags", None)
            if not isinstance(client, Flags):
                raise TypeError(f"{func.__name__}: requires_flag needs a Flags client or an "
                                "object with a .flags attribute as the first argument")
            client.require(key, value)
            return func(*args, **kwargs)

        setattr(guarded, "required_flag", (key, value))  # noqa: B010 - lets a UI find the guard
        return guarded

    return decorate
