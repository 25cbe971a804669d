"""Remote values, payloads, the disk cache, staleness, consent and overrides — against the
real loopback capture server (its /flags/ endpoint) through posthog's request layer."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.telemetry.flag_keys import FeatureFlags, ReportsV2Variant, TimerUiVariant
from timetracker.telemetry.flags import FlagChange, FlagSettings

from tests.flags.conftest import FakeClock, PairFactory, dead_url, flag_requests

REPORTS = {"default_range": "last_month", "widgets": ["table", "by_project"]}


def test_remote_values_and_payload_with_install_id_person_and_groups(
        make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "export-enabled": True,
                      "reports-config": True, "not-declared": True},
               flag_payloads={"reports-config": REPORTS})
    pair = make_pair()
    result = pair.flags.refresh()
    assert result.outcome == "fetched"
    assert pair.flags.fetch_counts() == {"success": 1, "failure": 0}
    # Value, payload or reason changed (export-enabled: still true, but now from PostHog).
    assert set(result.changed) == {"timer-ui", "reports-v2", "reports-config", "export-enabled"}

    timer = pair.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason) == (TimerUiVariant.COMPACT, "remote")
    assert pair.flags.variant(FeatureFlags.REPORTS_V2) == ReportsV2Variant.V2
    config = pair.flags.evaluate(FeatureFlags.REPORTS_CONFIG)
    assert (config.payload, config.reason) == (REPORTS, "remote")
    # A kill switch PostHog did not mention stays on, from the built-in default.
    kill = pair.flags.evaluate(FeatureFlags.IMPORT_ENABLED)
    assert (kill.value, kill.reason) == (True, "default")

    (request,) = flag_requests(server)
    body = request.payload
    assert body is not None and request.api_key == API_KEY
    install_id = pair.telemetry.identity.load().install_id
    assert install_id and body["distinct_id"] == install_id
    assert body["person_properties"]["current_version"] == pair.telemetry.facts.app_version
    assert body["person_properties"]["platform"] == pair.telemetry.facts.platform
    assert body["groups"] == {"version": pair.telemetry.facts.app_version,
                              "platform": pair.telemetry.facts.platform}
    assert set(body["group_properties"]) == {"version", "platform"}
    assert set(body["flag_keys_to_evaluate"]) == set(pair.flags.registry.flags)
    # Nothing personal travels: only the declared property names.
    assert set(body["person_properties"]) == {
        "current_version", "platform", "os_version", "environment", "deployment_method",
        "timezone", "locale"}


def test_cache_serves_after_restart_while_offline(make_pair: PairFactory,
                                                  server: CaptureServer,
                                                  tmp_path: Path) -> None:
    server.set(flags={"timer-ui": "compact", "export-enabled": False, "reports-config": True},
               flag_payloads={"reports-config": REPORTS})
    assert make_pair().flags.refresh().outcome == "fetched"
    cache = json.loads((tmp_path / "telemetry" / "flags-cache.json").read_text())
    assert cache["values"]["timer-ui"] == "compact" and "fetched_at" in cache
    restarted = make_pair(host=dead_url())  # offline from here on
    assert restarted.flags.refresh().outcome == "failed"
    timer = restarted.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason) == ("compact", "cached")
    assert restarted.flags.payload(FeatureFlags.REPORTS_CONFIG) == REPORTS
    export = restarted.flags.evaluate(FeatureFlags.EXPORT_ENABLED)
    assert (export.value, export.reason) == (False, "cached"), \
        "an explicit remote false survives a restart until the cache expires"


def test_stale_then_expired_falls_back_to_default(make_pair: PairFactory,
                                                  server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "export-enabled": False})
    clock = FakeClock()
    settings = FlagSettings(refresh_every=60, stale_after=3600, expire_after=86400,
                            request_timeout=0.5)
    pair = make_pair(settings=settings, clock=clock)
    pair.flags.refresh()
    seen: list[list[FlagChange]] = []
    pair.flags.subscribe(seen.append)
    pair.environ["TIMETRACKER_POSTHOG_HOST"] = dead_url()  # offline from here on

    clock.now += 3600 + 1
    assert pair.flags.refresh().outcome == "failed"
    timer = pair.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason) == ("compact", "stale")
    assert {c.key for c in seen[-1]} >= {"timer-ui", "export-enabled"}

    clock.now += 86400
    changes = pair.flags.recheck()
    timer = pair.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason, timer.note) == (
        "classic", "default", "the last answer expired")
    export = pair.flags.evaluate(FeatureFlags.EXPORT_ENABLED)
    assert (export.value, export.reason) == (True, "default")
    assert {c.key: c.after.value for c in changes}["timer-ui"] == "classic"


@pytest.mark.parametrize("level", ["off", "basic", None])
def test_consent_below_full_sends_no_flags_request(make_pair: PairFactory,
                                                   server: CaptureServer, tmp_path: Path,
                                                   level: str | None) -> None:
    server.set(flags={"timer-ui": "compact", "export-enabled": False})
    pair = make_pair(level=level)
    pair.flags.start()
    time.sleep(0.5)  # several refresh periods of the real background thread
    result = pair.flags.refresh()
    assert result.outcome == "skipped"
    assert flag_requests(server) == [], "no request at all below consent full"
    assert pair.flags.fetch_counts() == {"success": 0, "failure": 0}
    export = pair.flags.evaluate(FeatureFlags.EXPORT_ENABLED)
    assert (export.value, export.reason) == (True, "default")
    assert pair.flags.value(FeatureFlags.TIMER_UI) == "classic"
    assert not (tmp_path / "telemetry" / "flags-cache.json").exists()


def test_turning_consent_off_forgets_the_cache(make_pair: PairFactory, server: CaptureServer,
                                               tmp_path: Path) -> None:
    server.set(flags={"export-enabled": False})
    pair = make_pair(level=None)
    pair.telemetry.set_level("full")
    pair.flags.refresh()
    assert pair.flags.value(FeatureFlags.EXPORT_ENABLED) is False
    pair.telemetry.set_level("off")
    changes = pair.flags.recheck()
    assert [c.after.value for c in changes if c.key == "export-enabled"] == [True]
    assert not (tmp_path / "telemetry" / "flags-cache.json").exists()


def test_invalid_payload_is_ignored_and_logged_without_content(
        make_pair: PairFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture) -> None:
    secret_marker = "custom_range_zzz"
    server.set(flags={"reports-config": True},
               flag_payloads={"reports-config": {"default_range": secret_marker,
                                                 "widgets": ["table"]}})
    pair = make_pair()
    with caplog.at_level(logging.WARNING, logger="timetracker.flags"):
        pair.flags.refresh()
    config = pair.flags.evaluate(FeatureFlags.REPORTS_CONFIG)
    assert config.payload == pair.flags.registry.spec("reports-config").default_payload
    assert config.reason == "default"
    assert "schema" in config.note
    messages = [r.getMessage() for r in caplog.records if r.name == "timetracker.flags"]
    assert any("does not match its schema" in m for m in messages)
    assert not any(secret_marker in m for m in messages), "payload content is never logged"

    server.set(flag_payloads={"reports-config": {"default_range": "today",
                                                 "widgets": ["chart"]}})
    pair.flags.refresh()
    assert pair.flags.payload(FeatureFlags.REPORTS_CONFIG) == {
        "default_range": "today", "widgets": ["chart"]}


def test_undeclared_variant_is_ignored(make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "giant-clock", "reports-v2": False})
    pair = make_pair()
    pair.flags.refresh()
    timer = pair.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason) == ("classic", "default")
    reports = pair.flags.evaluate(FeatureFlags.REPORTS_V2)
    assert (reports.value, reports.note) == ("control", "not in the rollout")


def test_overrides_win_env_over_developer_over_remote(make_pair: PairFactory,
                                                      server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "classic", "export-enabled": True, "reports-v2": "control"})
    pair = make_pair(env={"TIMETRACKER_FLAGS": "timer-ui=compact, export-enabled=false"})
    pair.flags.refresh()
    timer = pair.flags.evaluate(FeatureFlags.TIMER_UI)
    assert (timer.value, timer.reason, timer.note) == ("compact", "override",
                                                       "TIMETRACKER_FLAGS")
    assert pair.flags.value(FeatureFlags.EXPORT_ENABLED) is False

    seen: list[list[FlagChange]] = []
    pair.flags.subscribe(seen.append)
    evaluation = pair.flags.set_override("reports-v2", "v2")
    assert (evaluation.value, evaluation.reason) == ("v2", "override")
    assert [(c.key, c.after.value) for c in seen[-1]] == [("reports-v2", "v2")]
    # The env wins over a developer override of the same flag.
    pair.flags.set_override("timer-ui", "classic")
    assert pair.flags.value(FeatureFlags.TIMER_UI) == "compact"
    # Developer overrides persist (a restart without the env var still has them).
    restarted = make_pair()
    assert restarted.flags.evaluate("reports-v2").reason == "override"
    assert restarted.flags.value("timer-ui") == "classic"
    assert restarted.flags.clear_override("reports-v2") is True
    restarted.flags.refresh()
    assert restarted.flags.evaluate("reports-v2").reason == "remote"


def test_bad_env_override_is_reported_and_ignored(make_pair: PairFactory) -> None:
    pair = make_pair(env={"TIMETRACKER_FLAGS": "timer-ui=huge,nope=1,export-enabled"})
    assert pair.flags.value(FeatureFlags.TIMER_UI) == "classic"
    assert pair.flags.problems == [
        "TIMETRACKER_FLAGS item 1: flag 'timer-ui': 'huge' is not a variant "
        "(use classic, compact)",
        "TIMETRACKER_FLAGS item 2: flag 'nope' is not declared",
        "TIMETRACKER_FLAGS item 3: expected key=value",
    ]


def test_ui_variants_kill_switch_resets_experiments(make_pair: PairFactory,
                                                    server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "ui-variants-enabled": True})
    pair = make_pair()
    pair.flags.refresh()
    assert pair.flags.value("timer-ui") == "compact"
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "ui-variants-enabled": False})
    result = pair.flags.refresh()
    assert set(result.changed) == {"timer-ui", "reports-v2", "ui-variants-enabled"}
    timer = pair.flags.evaluate("timer-ui")
    assert (timer.value, timer.note) == ("classic", "ui-variants-enabled is off")


def test_background_thread_delivers_a_live_change(make_pair: PairFactory,
                                                  server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "classic"})
    pair = make_pair()
    changed = threading.Event()
    seen: list[FlagChange] = []

    def observer(changes: list[FlagChange]) -> None:
        seen.extend(changes)
        if any(c.key == "timer-ui" and c.after.value == "compact" for c in changes):
            changed.set()

    pair.flags.subscribe(observer)
    pair.flags.start()
    server.wait_for_requests(1, timeout=5)
    server.set(flags={"timer-ui": "compact"})
    assert changed.wait(5), "the refresh thread picked up the new variant"
    assert pair.flags.running
    pair.flags.stop(1.0)
    assert not pair.flags.running
    requests_after_stop = len(flag_requests(server))
    time.sleep(0.4)
    assert len(flag_requests(server)) == requests_after_stop, "no request after stop"


def test_choosing_full_while_running_fetches_without_waiting_for_the_period(
        make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact"})
    settings = FlagSettings(refresh_every=3600, request_timeout=0.5, tick=0.05)
    pair = make_pair(level=None, settings=settings)
    arrived = threading.Event()
    pair.flags.subscribe(lambda changes: arrived.set())
    pair.flags.start()
    time.sleep(0.3)
    assert flag_requests(server) == []
    pair.telemetry.set_level("full")  # what the consent dialog does
    assert arrived.wait(5), "the thread noticed the new level within a tick"
    assert pair.flags.evaluate(FeatureFlags.TIMER_UI).reason == "remote"
    assert len(flag_requests(server)) == 1
    pair.telemetry.set_level("off")
    deadline = time.monotonic() + 5
    while pair.flags.value(FeatureFlags.TIMER_UI) != "classic" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pair.flags.evaluate(FeatureFlags.TIMER_UI).reason == "default"
