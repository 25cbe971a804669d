"""Exposure: ``$feature_flag_called`` once per flag per app session, only when the UI reports
the variant as shown, and ``$feature/<key>`` on every later event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import TIMER_STARTED, drain_until_empty
from timetracker.telemetry.flag_keys import FeatureFlags

from tests.flags.conftest import PairFactory


def _called(server: CaptureServer) -> list[dict[str, object]]:
    return [e for e in server.events() if e["event"] == "$feature_flag_called"]


def test_exposure_once_per_session_and_feature_property_on_later_events(
        make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2"})
    pair = make_pair()
    pair.flags.refresh()
    before = pair.telemetry.track("timer.started", **TIMER_STARTED)
    assert before
    # Evaluating is not showing: nothing is recorded.
    assert pair.flags.value(FeatureFlags.TIMER_UI) == "compact"
    assert pair.telemetry.outbox.depth()[0] == 1

    assert pair.flags.exposed(FeatureFlags.TIMER_UI) is True
    assert pair.flags.exposed(FeatureFlags.TIMER_UI) is False
    assert pair.flags.exposed(FeatureFlags.TIMER_UI) is False
    pair.telemetry.track("timer.stopped", source="bar", duration_seconds=120)
    drain_until_empty(pair.telemetry)

    events = server.events()
    assert [e["event"] for e in events] == ["timer.started", "$feature_flag_called",
                                            "timer.stopped"]
    started, called, stopped = events
    assert "$feature/timer-ui" not in started["properties"], "only after exposure"
    assert called["properties"]["$feature_flag"] == "timer-ui"
    assert called["properties"]["$feature_flag_response"] == "compact"
    assert called["distinct_id"] == pair.telemetry.identity.load().install_id
    assert stopped["properties"]["$feature/timer-ui"] == "compact"
    assert "$feature/reports-v2" not in stopped["properties"], "reports-v2 was never shown"


def test_a_new_session_reports_exposure_again(make_pair: PairFactory,
                                              server: CaptureServer) -> None:
    server.set(flags={"reports-v2": "v2"})
    first = make_pair()
    first.flags.refresh()
    assert first.flags.exposed(FeatureFlags.REPORTS_V2)
    drain_until_empty(first.telemetry)
    first.flags.stop()
    first.telemetry.outbox.close()

    second = make_pair()  # the next run of the app, same data folder
    assert second.flags.evaluate(FeatureFlags.REPORTS_V2).reason == "cached"
    assert second.flags.exposed(FeatureFlags.REPORTS_V2)
    assert not second.flags.exposed(FeatureFlags.REPORTS_V2)
    drain_until_empty(second.telemetry)
    assert [e["properties"]["$feature_flag_response"] for e in _called(server)] == ["v2", "v2"]


def test_no_exposure_for_defaults_overrides_or_below_full(make_pair: PairFactory,
                                                          server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact"})
    overridden = make_pair(env={"TIMETRACKER_FLAGS": "timer-ui=compact"})
    overridden.flags.refresh()
    assert overridden.flags.exposed(FeatureFlags.TIMER_UI) is False, \
        "a developer override must not count in an experiment"
    never_fetched = make_pair()
    assert never_fetched.flags.exposed(FeatureFlags.REPORTS_V2) is False
    basic = make_pair(level="basic")
    assert basic.flags.exposed(FeatureFlags.TIMER_UI) is False
    basic.telemetry.track("telemetry.health", consent_level="basic", uptime_hours=1,
                          queued=0, dropped=0)
    drain_until_empty(basic.telemetry)
    assert _called(server) == []
    assert all(not k.startswith("$feature/") for e in server.events()
               for k in e["properties"])


def test_exposure_and_feature_properties_wait_for_consent_to_schema_2(
        make_pair: PairFactory, server: CaptureServer, tmp_path: Path) -> None:
    # consent.json as left by a user who chose full under schema 1 (before exposure events)
    folder = tmp_path / "telemetry"
    folder.mkdir(parents=True)
    (folder / "consent.json").write_text(json.dumps(
        {"level": "full", "decided": True, "accepted_schema": 1, "last_seen_schema": 1}))
    server.set(flags={"timer-ui": "compact"})
    pair = make_pair(level=None)
    pair.flags.refresh()
    assert pair.flags.exposed(FeatureFlags.TIMER_UI) is True
    pair.telemetry.track("timer.stopped", source="bar", duration_seconds=5)
    assert pair.telemetry.stats()["dropped"]["gated"] == 1
    drain_until_empty(pair.telemetry)
    assert [e["event"] for e in server.events()] == ["timer.stopped"]
    assert not any(k.startswith("$feature/") for k in server.events()[0]["properties"])

    pair.telemetry.set_level("full")  # the user accepts schema 2
    pair.telemetry.track("timer.stopped", source="bar", duration_seconds=5)
    drain_until_empty(pair.telemetry)
    assert server.events()[-1]["properties"]["$feature/timer-ui"] == "compact"


def test_debug_mode_prints_the_exposure_and_queues_nothing(
        make_pair: PairFactory, server: CaptureServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.set(flags={"reports-v2": "v2"})
    make_pair().flags.refresh()  # an earlier run cached PostHog's answer
    debug = make_pair(env={"TIMETRACKER_TELEMETRY_DEBUG": "1"})
    capsys.readouterr()
    assert debug.flags.exposed(FeatureFlags.REPORTS_V2)
    printed = [json.loads(line.split(" ", 1)[1]) for line in
               capsys.readouterr().err.splitlines() if line.startswith("telemetry-debug ")]
    assert [p["message"]["event"] for p in printed] == ["$feature_flag_called"]
    assert printed[0]["message"]["properties"]["$feature_flag_response"] == "v2"
    assert printed[0]["debug"] == {"sent": False, "allowed_by_consent": True}
    assert not debug.telemetry.outbox.exists() or debug.telemetry.outbox.depth()[0] == 0
