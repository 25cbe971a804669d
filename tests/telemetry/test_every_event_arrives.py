"""Every event declared in resources/telemetry/events.yaml is produced by the real app — the GUI
through its real widgets (pytest-qt) or the CLI in a subprocess — and arrives at the loopback
capture server with exactly its declared properties, allowed values, the common properties and
no ``$ip``. An event with no driver here fails the test."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.feature_tour import cli, cli_tour, gui_tour
from support.telemetry_kit import API_KEY
from support.window_kit import wait_for
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.telemetry.registry import (
    PLATFORMS,
    PropertyType,
    Registry,
    TelemetryValidationError,
    load_registry,
)
from timetracker.ui import background
from timetracker.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]

#: How each declared event is brought into existence (GUI unless it says CLI).
DRIVERS: dict[str, str] = {
    "telemetry.install": "GUI start (lifecycle) and CLI opt-in",
    "telemetry.update": "CLI run after identity.json records an older version",
    "telemetry.health": "GUI start (lifecycle)",
    "consent.changed": "CLI telemetry enable basic, then full",
    "error.occurred": "GUI: a refused currency, a broken import file; CLI refusals",
    "timer.started": "GUI timer bar Start button; CLI start",
    "timer.stopped": "GUI toggle shortcut and Timer menu; CLI stop",
    "timer.continued": "GUI tray Continue; CLI continue",
    "entry.created": "GUI File › New entry dialog and row Duplicate; CLI add",
    "entry.edited": "GUI bar description and row description; CLI edit",
    "entry.deleted": "GUI row menu Delete; CLI delete",
    "entry.undone": "GUI Edit › Undo; CLI undo",
    "project.created": "GUI timer bar picker and Projects view; CLI projects add",
    "project.updated": "GUI Projects table rename; CLI projects rename",
    "project.archived": "GUI Projects Archive button",
    "client.created": "GUI Projects › Clients; CLI clients add",
    "client.updated": "GUI client rename; CLI clients rename",
    "client.archived": "GUI client Archive button",
    "task.created": "GUI Projects new task",
    "task.updated": "GUI task done checkbox and rename",
    "tag.created": "GUI tag picker; CLI tags add",
    "tag.updated": "CLI tags rename (the GUI has no tag editor)",
    "tag.archived": "CLI tags archive (the GUI has no tag editor)",
    "import.completed": "GUI Import dialog preview and import, every format; CLI import",
    "import.failed": "GUI Import dialog with a broken file; CLI import of it",
    "export.completed": "GUI Reports › Export; CLI export",
    "backup.created": "GUI Settings › Back up now, before import/restore; CLI backup create",
    "backup.restored": "GUI Settings › Restore",
    "report.generated": "GUI Reports page (menu) and its grouping; CLI report",
    "settings.changed": "GUI Settings dialog; CLI config set",
    "$feature_flag_called": "GUI: the server assigns timer-ui=compact, the window swaps to it",
}

#: (event, source) pairs that prove the source is stamped by the action that caused them.
EXPECTED_SOURCES = {
    ("timer.started", "bar"), ("timer.stopped", "shortcut"), ("timer.continued", "tray"),
    ("timer.stopped", "menu"), ("entry.created", "dialog"), ("entry.created", "menu"),
    ("entry.edited", "bar"), ("entry.edited", "menu"), ("entry.deleted", "menu"),
    ("entry.undone", "menu"), ("project.created", "bar"), ("project.created", "dialog"),
    ("report.generated", "menu"), ("report.generated", "dialog"),
    ("settings.changed", "dialog"), ("export.completed", "dialog"),
    ("import.completed", "dialog"), ("import.failed", "dialog"), ("backup.created", "dialog"),
    ("backup.restored", "dialog"), ("error.occurred", "dialog"),
    ("timer.started", "cli"), ("tag.updated", "cli"), ("report.generated", "cli"),
    ("settings.changed", "cli"), ("import.completed", "cli"), ("export.completed", "cli"),
    ("import.failed", "cli"), ("error.occurred", "cli"),
}
PERSON_EVENTS = ("telemetry.install", "telemetry.update", "telemetry.health")
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,3}([.+-]?[A-Za-z0-9]+){0,4}$")


def plain(kind: str) -> str:
    """What a user types, for this test (the privacy test uses markers instead)."""
    return {"zone": "Mars/Olympus_Mons", "currency": "E1", "date": "not a date",
            "email": "someone"}.get(kind, f"{kind} {next(_counter)}")


def _numbers() -> Iterator[int]:
    n = 0
    while True:
        n += 1
        yield n


_counter = _numbers()


def allowed(ptype: PropertyType, value: object) -> bool:
    if ptype.kind == "enum":
        return value in ptype.values
    if ptype.kind == "bucket":
        return value in ptype.labels
    if ptype.kind == "boolean":
        return isinstance(value, bool)
    if ptype.kind == "version":
        return isinstance(value, str) and bool(_VERSION.match(value))
    if ptype.kind == "platform":
        return value in PLATFORMS
    try:  # kinds derived from flags.yaml (flag_key, flag_value): the registry's own check
        return bool(ptype.convert(value) == value)
    except TelemetryValidationError:
        return False


def contract_problems(message: dict[str, Any], registry: Registry) -> list[str]:
    """Everything about one arrived message that differs from the registry."""
    name = str(message.get("event"))
    props: dict[str, Any] = message.get("properties", {})
    problems = []
    if "$ip" in props or "$ip" in message:
        problems.append(f"{name}: carries $ip")
    missing_common = set(registry.common_properties) - set(props)
    if missing_common:
        problems.append(f"{name}: common properties missing: {sorted(missing_common)}")
    if props.get("telemetry_schema") != registry.schema_version:
        problems.append(f"{name}: telemetry_schema {props.get('telemetry_schema')}")
    if name == "$groupidentify":
        own = set(props) - set(registry.common_properties)
        if own != {"$group_type", "$group_key", "$group_set"}:
            problems.append(f"$groupidentify: unexpected properties {sorted(own)}")
        return problems
    spec = registry.events.get(name)
    if spec is None:
        return [*problems, f"{name}: not declared in the registry"]
    family = {key for key in props if key.startswith("$feature/")}
    for key in family:  # declared under property_families, with allowed values
        try:
            registry.provided(key, props[key])
        except TelemetryValidationError as exc:
            problems.append(f"{name}: {exc}")
    expected = set(registry.common_properties) | set(spec.properties) | family
    if name in PERSON_EVENTS:
        expected |= {"$set", "$set_once"}
        if set(props.get("$set", {})) != set(registry.person_properties["set"]):
            problems.append(f"{name}: $set keys {sorted(props.get('$set', {}))}")
        if set(props.get("$set_once", {})) != set(registry.person_properties["set_once"]):
            problems.append(f"{name}: $set_once keys {sorted(props.get('$set_once', {}))}")
    if set(props) != expected:
        problems.append(f"{name}: properties differ: extra {sorted(set(props) - expected)}, "
                        f"missing {sorted(expected - set(props))}")
    for key, ptype in spec.properties.items():
        if key in props and not allowed(ptype, props[key]):
            problems.append(f"{name}: {key}={props[key]!r} is not an allowed value")
    return problems


def _cli_env(home: Path, server: CaptureServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TIMETRACKER_") and k != "DO_NOT_TRACK"}
    env.update({"TIMETRACKER_HOME": str(home), "PYTHONPATH": str(REPO / "desktop"),
                "TZ": "UTC", "TIMETRACKER_POSTHOG_HOST": server.url,
                "TIMETRACKER_POSTHOG_API_KEY": API_KEY, **extra})
    return env


def run_gui(qtbot: QtBot, folder: Path, server: CaptureServer) -> None:
    home = folder / "gui-home"
    app = App(paths=AppPaths.under(home), environ={
        "TIMETRACKER_HOME": str(home), "TIMETRACKER_POSTHOG_HOST": server.url,
        "TIMETRACKER_POSTHOG_API_KEY": API_KEY, "TIMETRACKER_TELEMETRY": "full"})
    app.config.set("timezone", "UTC")
    window: MainWindow | None = None
    try:
        app.start_telemetry()  # telemetry.install, telemetry.health (+ $groupidentify)
        window = MainWindow(app, tray_enabled=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        gui_tour(qtbot, window, app, folder / "gui-files", plain)
        # An experiment: the server assigns the compact timer; the window swaps to it live
        # and reports the exposure ($feature_flag_called); later events carry $feature/….
        server.set(flags={FeatureFlags.TIMER_UI: "compact"})
        app.flags.refresh(5.0)
        wait_for(lambda: window.timer_host.focus_timer is not None)
        window.actions_by_key["toggle_timer"].trigger()
        window.actions_by_key["toggle_timer"].trigger()
        assert background.wait_for_all(15_000)
        assert window.dispatcher.undeclared == [], str(window.dispatcher.undeclared)
        assert app.telemetry.flush(15.0), "the GUI's events were not all sent"
    finally:
        if window is not None:
            window.watcher.stop()
            window.quitting = True
        app.close()


def run_cli(folder: Path, server: CaptureServer) -> None:
    home = folder / "cli-home"
    env = _cli_env(home, server)  # consent is the user's stored choice here
    cli(env, "telemetry", "enable", "basic")  # consent.changed off → basic
    cli(env, "telemetry", "enable", "full")  # consent.changed basic → full
    identity = AppPaths.under(home).telemetry_dir / "identity.json"
    state = json.loads(identity.read_text())
    state["last_version"] = "0.0.1"  # as if the previous run was an older version
    identity.write_text(json.dumps(state))
    cli(env, "status")  # telemetry.update
    cli_tour(env, folder / "cli-files", plain)


def test_every_declared_event_arrives_with_exactly_its_properties(
        qtbot: QtBot, tmp_path: Path, server: CaptureServer) -> None:
    registry = load_registry()
    undriven = sorted(set(registry.events) - set(DRIVERS))
    assert not undriven, f"declared events without a driver in this test: {undriven}"
    assert not set(DRIVERS) - set(registry.events), "drivers for events no longer declared"

    run_gui(qtbot, tmp_path, server)
    run_cli(tmp_path, server)

    messages = server.events()
    arrived: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in messages:
        arrived[str(message["event"])].append(message)
    missing = sorted(set(registry.events) - set(arrived))
    assert not missing, f"declared events that never arrived: {missing}"
    problems = [p for message in messages for p in contract_problems(message, registry)]
    assert not problems, "\n".join(problems)
    sources = {(name, m["properties"].get("source")) for name, ms in arrived.items()
               for m in ms}
    assert sources >= EXPECTED_SOURCES, sorted(EXPECTED_SOURCES - sources)
    # The GUI's report views carry the range kind and format gui.
    gui_reports = [m["properties"] for m in arrived["report.generated"]
                   if m["properties"]["format"] == "gui"]
    assert {(p["range_kind"], p["group_by"]) for p in gui_reports} >= {
        ("this_week", "project"), ("this_week", "tag")}
    cli_reports = [m["properties"] for m in arrived["report.generated"]
                   if m["properties"]["source"] == "cli"]
    assert ("last_month", "tag", "table") in {
        (p["range_kind"], p["group_by"], p["format"]) for p in cli_reports}
    consent = {(m["properties"]["from_level"], m["properties"]["to_level"])
               for m in arrived["consent.changed"]}
    assert consent == {("off", "basic"), ("basic", "full")}
    assert {m["properties"]["key"] for m in arrived["settings.changed"]} >= {
        "theme", "close_to_tray"}
    assert {m["properties"]["reason"] for m in arrived["backup.created"]} >= {
        "manual", "pre-import", "pre-restore"}
    assert {m["properties"]["format"] for m in arrived["import.completed"]} == {
        "toggl", "watson", "timewarrior", "timew_json", "json"}
    assert {m["properties"]["exception_type"] for m in arrived["error.occurred"]} >= {
        "ValidationError", "ImportFormatError"}
    exposures = [m["properties"] for m in arrived["$feature_flag_called"]]
    assert [(p["$feature_flag"], p["$feature_flag_response"]) for p in exposures] == [
        ("timer-ui", "compact")]
    assert any(m["properties"].get("$feature/timer-ui") == "compact"
               for m in arrived["timer.started"])
    uuids = [m["uuid"] for m in messages]
    assert len(uuids) == len(set(uuids)), "an event arrived twice"


def test_a_property_outside_the_registry_is_caught(tmp_path: Path) -> None:
    """The contract check itself fails on an extra property, a bad value and $ip."""
    registry = load_registry()
    common = dict.fromkeys(registry.common_properties, "x")
    common["telemetry_schema"] = registry.schema_version
    good = {"event": "timer.continued", "properties": {**common, "source": "bar"}}
    assert contract_problems(good, registry) == []
    for bad in ({**common, "source": "bar", "description": "Secret"},
                {**common, "source": "somewhere"},
                {**common, "source": "bar", "$ip": "10.0.0.1"},
                {"source": "bar"}):
        assert contract_problems({"event": "timer.continued", "properties": bad}, registry)


@pytest.fixture(autouse=True)
def _no_leftover_jobs() -> Iterator[None]:
    yield
    background.wait_for_all(15_000)
