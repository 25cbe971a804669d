"""The service's extension hooks: property providers and the send gate (used by the flags)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import TIMER_STARTED, TelemetryFactory, drain_until_empty
from timetracker.telemetry.registry import TelemetryValidationError


def _last_properties(tele: object) -> dict[str, object]:
    queued = tele.queued()  # type: ignore[attr-defined]
    return dict(json.loads(queued[-1].json)["properties"])


def test_provider_properties_are_validated_and_added_to_every_event(
        make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry()
    shown: dict[str, object] = {}
    remove = tele.add_property_provider(lambda: shown)
    tele.track("timer.started", **TIMER_STARTED)
    assert not any(k.startswith("$feature/") for k in _last_properties(tele))

    shown.update({"$feature/timer-ui": "compact", "$feature/export-enabled": True})
    tele.track("timer.stopped", source="bar", duration_seconds=61)
    props = _last_properties(tele)
    assert props["$feature/timer-ui"] == "compact"
    assert props["$feature/export-enabled"] is True
    assert props["duration_seconds"] == "60-299", "the event's own properties are intact"

    remove()
    tele.track("timer.continued", source="cli")
    assert not any(k.startswith("$feature/") for k in _last_properties(tele))


@pytest.mark.parametrize("extra", [
    {"$feature/timer-ui": "giant"},            # not a declared variant
    {"$feature/timer-ui": True},               # a multivariate flag is never a boolean
    {"$feature/no-such-flag": True},           # not a declared flag
    {"project_name": "Secret client"},         # not in a property family at all
])
def test_an_undeclared_provided_property_raises_in_strict_mode(
        make_telemetry: TelemetryFactory, extra: dict[str, object]) -> None:
    tele = make_telemetry(strict=True)
    tele.add_property_provider(lambda: extra)
    with pytest.raises(TelemetryValidationError, match="not declared"):
        tele.track("timer.continued", source="cli")


def test_production_leaves_bad_provided_properties_out_and_keeps_the_event(
        make_telemetry: TelemetryFactory, caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry(strict=False)
    tele.add_property_provider(lambda: {"$feature/timer-ui": "Secret client",
                                        "$feature/reports-v2": "v2"})

    def broken() -> dict[str, object]:
        raise RuntimeError("provider bug")

    tele.add_property_provider(broken)
    with caplog.at_level(logging.WARNING, logger="timetracker.telemetry"):
        assert tele.track("timer.continued", source="cli") is not None
    props = _last_properties(tele)
    assert props["$feature/reports-v2"] == "v2"
    assert "$feature/timer-ui" not in props
    assert "Secret client" not in caplog.text, "a rejected value is never logged"
    assert "provider failed" in caplog.text


def test_debug_mode_prints_provided_properties(make_telemetry: TelemetryFactory) -> None:
    out = io.StringIO()
    tele = make_telemetry(env={"TIMETRACKER_TELEMETRY_DEBUG": "1"}, stderr=out)
    tele.add_property_provider(lambda: {"$feature/reports-v2": "control"})
    assert tele.track("timer.continued", source="cli") is None
    printed = json.loads(out.getvalue().split(" ", 1)[1])
    assert printed["message"]["properties"]["$feature/reports-v2"] == "control"
    assert printed["debug"]["sent"] is False


def test_a_closed_send_gate_keeps_events_queued_until_it_opens(
        make_telemetry: TelemetryFactory, server: CaptureServer) -> None:
    tele = make_telemetry()
    is_open = False
    tele.set_send_gate(lambda: is_open, "paused remotely for a test")
    for _ in range(3):
        tele.track("timer.started", **TIMER_STARTED)
    assert tele.uploader.drain(force=True).stopped_because == "local_only"
    assert tele.flush(1.0)
    assert server.batches() == [] and tele.outbox.depth()[0] == 3, "nothing sent or lost"
    status = tele.status()
    assert status.sending is False
    assert status.endpoint == "not sending: paused remotely for a test"

    is_open = True
    assert tele.status().sending is True
    drain_until_empty(tele)
    assert [e["event"] for e in server.events()] == ["timer.started"] * 3
    assert tele.outbox.depth()[0] == 0


def test_a_failing_gate_counts_as_open_and_none_removes_it(
        make_telemetry: TelemetryFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry()

    def broken() -> bool:
        raise RuntimeError("gate bug")

    tele.set_send_gate(broken)
    tele.track("timer.started", **TIMER_STARTED)
    with caplog.at_level(logging.ERROR, logger="timetracker.telemetry"):
        drain_until_empty(tele)
    assert len(server.events()) == 1
    assert "send gate failed" in caplog.text

    tele.set_send_gate(lambda: False)
    tele.track("timer.started", **TIMER_STARTED)
    assert tele.uploader.drain().stopped_because == "local_only"
    tele.set_send_gate(None)
    drain_until_empty(tele)
    assert len(server.events()) == 2
