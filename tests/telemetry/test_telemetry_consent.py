"""Consent levels, environment overrides, since-gating, identity and lifecycle pings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import TIMER_STARTED, TelemetryFactory
from timetracker.telemetry.registry import TelemetryValidationError, load_registry
from timetracker.telemetry.service import HEALTH_EVERY, PREVIEW_ID


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_default_is_off_and_creates_nothing(make_telemetry: TelemetryFactory,
                                            server: CaptureServer, tmp_path: Path) -> None:
    tele = make_telemetry(level=None)
    assert tele.level == "off"
    assert tele.track("timer.started", **TIMER_STARTED) is None
    tele.start()
    assert not tele.uploader.running, "no thread when off"
    assert tele.flush(1.0)
    tele.shutdown(1.0)
    assert not (tmp_path / "telemetry").exists(), "no folder, no file"
    assert server.requests() == []
    assert tele.stats()["dropped"]["consent"] == 1
    assert tele.needs_prompt(), "an undecided user is asked"


def test_off_still_validates_in_strict_mode(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(level=None)
    with pytest.raises(TelemetryValidationError):
        tele.track("timer.started", source="cli")


def test_production_drops_and_counts_invalid_events(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(strict=False)
    assert tele.track("no.such_event") is None
    assert tele.track("timer.stopped", source="cli", duration_seconds="long") is None
    assert tele.stats()["dropped"]["invalid"] == 2
    assert tele.queued() == []


def test_opt_in_creates_id_and_sends_install_once(make_telemetry: TelemetryFactory,
                                                  server: CaptureServer) -> None:
    tele = make_telemetry(level=None)
    tele.set_level("basic")
    state = tele.identity.load()
    assert state.install_id and state.install_sent_for == state.install_id
    names = [q.event for q in tele.queued()]
    assert names.count("telemetry.install") == 1
    assert names.count("$groupidentify") == 2
    assert "consent.changed" in names and "telemetry.health" in names
    tele.run_lifecycle()
    again = make_telemetry(level=None, folder=tele.folder)
    again.run_lifecycle()
    assert [q.event for q in again.queued()].count("telemetry.install") == 1

    install = next(json.loads(q.json) for q in tele.queued() if q.event == "telemetry.install")
    props = install["properties"]
    assert install["distinct_id"] == state.install_id
    assert set(props["$set"]) == {"current_version", "platform", "os_version", "environment",
                                  "deployment_method", "timezone", "locale"}
    assert set(props["$set_once"]) == {"first_seen_version", "first_seen_platform",
                                       "first_seen_python_version"}
    assert props["$geoip_disable"] is True and "$ip" not in props
    assert props["$groups"] == {"version": props["app_version"],
                                "platform": props["$set"]["platform"]}
    groups = [json.loads(q.json)["properties"] for q in tele.queued()
              if q.event == "$groupidentify"]
    assert {g["$group_type"] for g in groups} == {"version", "platform"}


def test_basic_drops_full_events_and_full_sends_them(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(level=None)
    tele.set_level("basic")
    assert tele.track("timer.started", **TIMER_STARTED) is None
    assert tele.stats()["dropped"]["level"] == 1
    tele.set_level("full")
    assert tele.track("timer.started", **TIMER_STARTED) is not None


def test_lowering_to_basic_removes_queued_full_events(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(level=None)
    tele.set_level("full")
    tele.track("timer.started", **TIMER_STARTED)
    assert any(q.level == "full" for q in tele.queued())
    tele.set_level("basic")
    assert [q for q in tele.queued() if q.level == "full"] == []
    change = [json.loads(q.json) for q in tele.queued() if q.event == "consent.changed"][-1]
    assert change["properties"]["from_level"] == "full"
    assert change["properties"]["to_level"] == "basic"


def test_opting_out_deletes_outbox_and_id_and_sends_nothing(
        make_telemetry: TelemetryFactory, server: CaptureServer) -> None:
    tele = make_telemetry(level=None)
    tele.set_level("full")
    tele.start()
    tele.track("timer.started", **TIMER_STARTED)
    tele.uploader.stop(2.0)
    requests_before = len(server.requests())
    tele.set_level("off")
    assert _files(tele.folder) == ["consent.json"]
    assert not tele.uploader.running
    assert tele.track("timer.started", **TIMER_STARTED) is None
    tele.flush(1.0)
    tele.shutdown(1.0)
    assert len(server.requests()) == requests_before
    assert _files(tele.folder) == ["consent.json"]
    assert not tele.needs_prompt(), "someone who said no is not asked again"


@pytest.mark.parametrize("env", [{"DO_NOT_TRACK": "1"}, {"TIMETRACKER_TELEMETRY": "off"},
                                 {"DO_NOT_TRACK": "1", "TIMETRACKER_TELEMETRY": "full"},
                                 {"TIMETRACKER_TELEMETRY": "maybe"}])
def test_environment_forces_off_and_purges(make_telemetry: TelemetryFactory,
                                           server: CaptureServer,
                                           env: dict[str, str]) -> None:
    first = make_telemetry(level=None)
    first.set_level("full")
    first.track("timer.started", **TIMER_STARTED)
    first.shutdown(0.0)
    assert "outbox.sqlite3" in _files(first.folder)
    requests_before = len(server.requests())

    forced = make_telemetry(level=None, folder=first.folder, env=env)
    assert forced.level == "off"
    assert forced.status().level_source in ("DO_NOT_TRACK", "TIMETRACKER_TELEMETRY")
    assert _files(first.folder) == ["consent.json"], "outbox emptied, install id deleted"
    forced.start()
    forced.track("timer.started", **TIMER_STARTED)
    forced.shutdown(1.0)
    assert len(server.requests()) == requests_before
    assert not forced.needs_prompt()


def test_another_process_turning_off_stops_this_one(make_telemetry: TelemetryFactory,
                                                    server: CaptureServer) -> None:
    gui = make_telemetry(level=None)
    gui.set_level("full")
    gui.track("timer.started", **TIMER_STARTED)
    cli = make_telemetry(level=None, folder=gui.folder)
    cli.set_level("off")
    # The running app notices before its next send: nothing goes out, nothing is recreated.
    assert gui.uploader.drain(force=True).stopped_because == "local_only"
    assert server.requests() == []
    assert _files(gui.folder) == ["consent.json"]
    assert gui.level == "off"


def test_events_newer_than_the_accepted_schema_wait_for_reconsent(
        make_telemetry: TelemetryFactory, tmp_path: Path) -> None:
    source = load_registry().path
    assert source is not None
    current = load_registry().schema_version
    following = current + 1
    text = source.read_text(encoding="utf-8")
    assert f"\nschema_version: {current}\n" in text
    text = text.replace(f"\nschema_version: {current}\n", f"\nschema_version: {following}\n")
    text = text.replace("""  timer.continued:
    level: full
    since: 1""", f"""  timer.continued:
    level: full
    since: {following}""")
    newer = tmp_path / "events-next.yaml"
    newer.write_text(text, encoding="utf-8")
    from timetracker.telemetry.registry import load_registry as load

    v1 = make_telemetry(level=None)
    v1.set_level("full")
    v2 = make_telemetry(level=None, folder=v1.folder, registry=load(newer))
    assert v2.needs_prompt(), "new events: the user is asked again"
    assert v2.track("timer.continued", source="cli") is None
    assert v2.stats()["dropped"]["gated"] == 1
    assert v2.track("timer.started", **TIMER_STARTED) is not None, "older events still flow"
    v2.mark_prompt_seen()
    assert not v2.needs_prompt(), "asked once, not again"
    assert v2.track("timer.continued", source="cli") is None
    v2.set_level("full")  # accepts the following schema
    assert v2.consent.load().accepted_schema == following
    assert v2.track("timer.continued", source="cli") is not None


def _accepted_schema_1(folder: Path) -> None:
    """consent.json as a user who chose full under schema 1 left it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "consent.json").write_text(json.dumps(
        {"level": "full", "decided": True, "accepted_schema": 1, "last_seen_schema": 1,
         "changed_at": 1.0}), encoding="utf-8")


def test_schema_2_additions_wait_for_users_who_accepted_schema_1(
        make_telemetry: TelemetryFactory, tmp_path: Path) -> None:
    registry = load_registry()
    assert registry.schema_version == 2
    assert [e.name for e in registry.events_since(1)] == ["$feature_flag_called"]
    assert registry.events["report.generated"].property_since == {"range_kind": 2}
    assert [f.since for f in registry.families] == [2]

    _accepted_schema_1(tmp_path / "telemetry")
    tele = make_telemetry(level=None)
    tele.add_property_provider(lambda: {"$feature/timer-ui": "compact"})
    assert (tele.level, tele.status().accepted_schema) == ("full", 1)
    assert tele.needs_prompt(), "schema 2 added events: the user is asked again"

    exposure = {"$feature_flag": "timer-ui", "$feature_flag_response": "compact"}
    assert tele.track("$feature_flag_called", **exposure) is None
    assert tele.stats()["dropped"]["gated"] == 1
    report = {"source": "cli", "group_by": "project", "range_kind": "this_week",
              "range_days": 7, "format": "table"}
    assert tele.track("report.generated", **report) is not None, "a schema-1 event flows"
    sent = json.loads(tele.queued()[-1].json)["properties"]
    assert "range_kind" not in sent, "a property added in schema 2 is left out"
    assert "$feature/timer-ui" not in sent, "the $feature family came with schema 2"
    assert sent["range_days"] == "2-7" and sent["group_by"] == "project"

    tele.set_level("full")  # the user accepts schema 2
    assert tele.track("$feature_flag_called", **exposure) is not None
    assert tele.track("report.generated", **report) is not None
    called, later = (json.loads(q.json)["properties"] for q in tele.queued()[-2:])
    assert called["$feature_flag"] == "timer-ui"
    assert called["$feature_flag_response"] == "compact"
    assert later["range_kind"] == "this_week" and later["$feature/timer-ui"] == "compact"


def test_update_ping_on_version_change_and_health_once_a_day(
        make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry()
    first = tele.run_lifecycle(now=1_000_000.0)
    assert first == ["telemetry.install", "telemetry.health"]
    assert tele.run_lifecycle(now=1_000_000.0 + HEALTH_EVERY / 2) == []
    state = tele.identity.load()
    state.last_version = "0.0.9"
    tele.identity.save(state)
    assert tele.run_lifecycle(now=1_000_000.0 + HEALTH_EVERY) == [
        "telemetry.update", "telemetry.health"]
    update = next(json.loads(q.json) for q in tele.queued() if q.event == "telemetry.update")
    assert update["properties"]["old_version"] == "0.0.9"
    assert update["properties"]["new_version"] == tele.facts.app_version


def test_reset_id_makes_a_new_random_id_and_a_new_install(
        make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry()
    tele.run_lifecycle()
    old = tele.identity.load().install_id
    new = tele.reset_id()
    assert new and new != old
    installs = [json.loads(q.json) for q in tele.queued() if q.event == "telemetry.install"]
    assert [i["distinct_id"] for i in installs] == [old, new]
    tele.track("timer.started", **TIMER_STARTED)
    assert json.loads(tele.queued()[-1].json)["distinct_id"] == new


def test_debug_mode_prints_json_and_sends_nothing(make_telemetry: TelemetryFactory,
                                                  server: CaptureServer) -> None:
    stream = io.StringIO()
    tele = make_telemetry(env={"TIMETRACKER_TELEMETRY_DEBUG": "1"}, stderr=stream)
    tele.start()
    tele.track("timer.started", **TIMER_STARTED)
    tele.flush(1.0)
    tele.shutdown(1.0)
    lines = [line for line in stream.getvalue().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("telemetry-debug ")
    shown = json.loads(lines[0].removeprefix("telemetry-debug "))
    assert shown["debug"]["sent"] is False
    assert shown["message"]["event"] == "timer.started"
    assert shown["message"]["properties"]["tag_count"] == "2"
    assert server.requests() == []
    assert not tele.folder.exists()


def test_preview_is_the_exact_pipeline_output(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(level=None)
    preview = tele.preview("full")
    assert [m["event"] for m in preview] == ["consent.changed", "telemetry.install",
                                             "$groupidentify", "$groupidentify",
                                             "telemetry.health", "timer.started"]
    assert {m["distinct_id"] for m in preview} == {PREVIEW_ID}
    assert not tele.folder.exists(), "preview stores nothing"
    tele.set_level("full")
    queued = {q.event: json.loads(q.json) for q in tele.queued()}
    for message in tele.preview("full"):
        if message["event"] in queued:
            real = queued[message["event"]]
            assert set(real) == set(message)
            assert set(real["properties"]) == set(message["properties"])
    assert [m["event"] for m in tele.preview("basic")][-1] == "telemetry.health"


def test_report_error_sends_only_a_declared_class_name(make_telemetry: TelemetryFactory) -> None:
    from timetracker.core.errors import ImportFormatError

    tele = make_telemetry(level="basic")
    tele.report_error(ImportFormatError("/home/alice/secret.csv", 3, "start", "bad date"))
    tele.report_error(ZeroDivisionError("x"))
    tele.report_error(FileNotFoundError("/home/alice/x"))
    errors = [json.loads(q.json)["properties"] for q in tele.queued()
              if q.event == "error.occurred"]
    assert [e["exception_type"] for e in errors] == ["ImportFormatError", "other",
                                                     "FileNotFoundError"]
    assert "alice" not in json.dumps([q.json for q in tele.queued()])


def test_queue_inspection_and_deletion(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry()
    ids = [tele.track("timer.started", **TIMER_STARTED) for _ in range(3)]
    assert [q.uuid for q in tele.queued()] == ids
    assert tele.delete_queued([str(ids[1])]) == 1
    assert [q.uuid for q in tele.queued()] == [ids[0], ids[2]]
    assert tele.delete_queued() == 2
    assert tele.queued() == []


def test_read_apis_report_sent_counts_and_batches(make_telemetry: TelemetryFactory,
                                                  server: CaptureServer) -> None:
    tele = make_telemetry()
    for _ in range(3):
        tele.track("timer.started", **TIMER_STARTED)
    assert tele.flush(5.0)
    info = {e.name: e for e in tele.events()}
    assert info["timer.started"].sent_count == 3 and info["timer.started"].last_sent
    assert info["timer.stopped"].sent_count == 0
    assert {p.name for p in info["timer.started"].properties} == set(TIMER_STARTED)
    batches = tele.sent_batches()
    assert batches[0].status == 200 and batches[0].count == 3
    assert json.loads(batches[0].json)["batch"] == server.batches()[0].events
    stats = tele.stats()
    assert stats["captured"]["full"] == 3 and stats["events_sent"] == 3
    assert stats["batches"] == {"success": 1} and stats["outbox_depth"] == 0
    assert stats["send_duration_seconds"]["count"] == 1


def test_running_uploader_stops_when_consent_goes_off_elsewhere(
        make_telemetry: TelemetryFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture) -> None:
    import logging
    import time

    caplog.set_level(logging.DEBUG, logger="timetracker.telemetry")
    from timetracker.telemetry.uploader import UploaderSettings

    gui = make_telemetry(level=None, uploader=UploaderSettings(interval=0.1, threshold=1000))
    gui.set_level("full")
    gui.start()
    cli = make_telemetry(level=None, folder=gui.folder)
    cli.set_level("off")
    before = len(server.requests())
    deadline = time.monotonic() + 5
    while gui.uploader.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not gui.uploader.running, "the uploader noticed and ended itself"
    assert gui.level == "off"
    time.sleep(0.3)
    assert len(server.requests()) == before
    assert _files(gui.folder) == ["consent.json"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == [], "a clean stop"
