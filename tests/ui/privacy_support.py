"""Helpers for the consent-dialog and privacy-pane tests: a real App whose telemetry talks to
the loopback capture server, a registry with a newer schema (for re-consent), and a way to
answer a modal dialog that ``exec()`` is blocking on.

The fixture ``make_app`` is used by importing ``make_app_fixture`` into a test module (the
capture ``server`` it sends to is a fixture of tests/ui/conftest.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.telemetry.registry import Registry, default_registry_path, parse_registry
from timetracker.telemetry.service import Telemetry

W = TypeVar("W", bound=QWidget)

#: The new events of the "next release" registry (see :func:`grown_registry`).
NEW_BASIC = "telemetry.example_basic"
NEW_FULL = "timer.example_full"
#: The property the "next release" adds to the older full event ``timer.continued``.
NEW_PROPERTY = "example_new_prop"
#: Message fields that differ between two builds of the same message.
VOLATILE = ("uuid", "timestamp", "distinct_id")

AppFactory = Callable[..., App]


@pytest.fixture(name="make_app")
def make_app_fixture(home: Path, server: CaptureServer) -> Iterator[AppFactory]:
    """``make_app(registry=None, **env)``: a real App on ``home`` sending to the capture
    server. A second call is a restart of the program on the same data folder."""
    made: list[App] = []

    def build(registry: Registry | None = None, **env: str) -> App:
        environ = {"TIMETRACKER_HOME": str(home), "TIMETRACKER_POSTHOG_HOST": server.url,
                   "TIMETRACKER_POSTHOG_API_KEY": API_KEY, **env}
        app = App(paths=AppPaths.under(home), environ=environ)
        if registry is not None:
            # The registry of a newer release: the real Telemetry, built on another file.
            app.__dict__["telemetry"] = Telemetry(app.paths.telemetry_dir, app.environ,
                                                  app.session_id, registry=registry)
        made.append(app)
        return app

    yield build
    for app in made:
        app.close()


def grown_registry(with_basic: bool = True) -> Registry:
    """The real registry as the next release would ship it: schema + 1, one new basic and
    one new full event, and a new property on ``timer.continued`` (given that ``since``)."""
    data: dict[str, Any] = yaml.safe_load(default_registry_path().read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    version = int(data["schema_version"]) + 1
    data["schema_version"] = version
    if with_basic:
        data["events"][NEW_BASIC] = {
            "level": "basic", "since": version, "owner": "telemetry",
            "description": "A new basic event that a later release declares (test).",
            "properties": {"consent_level": "enabled_level"}}
    data["events"]["timer.continued"]["properties"][NEW_PROPERTY] = {
        "type": "boolean", "since": version,
        "description": "A property a later release adds to an older event (test)."}
    data["events"][NEW_FULL] = {
        "level": "full", "since": version, "owner": "core",
        "description": "A new full event that a later release declares (test).",
        "properties": {"source": "source", "billable": "boolean"}}
    return parse_registry(yaml.safe_dump(data, sort_keys=False), "grown-events.yaml")


def answer_modal(kind: type[W], act: Callable[[W], None], tries: int = 250) -> list[W]:
    """Call ``act(dialog)`` once a modal ``kind`` is active (e.g. while ``exec()`` blocks).
    Returns the list the dialog is appended to (empty if none appeared)."""
    seen: list[W] = []

    def poll(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            seen.append(widget)
            act(widget)
        elif left > 0:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return seen


def watch_modals(tries: int = 25) -> list[QWidget]:
    """Record (and close) any modal widget that appears in the next ``tries`` × 20 ms."""
    seen: list[QWidget] = []

    def poll(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None:
            seen.append(widget)
            widget.close()
        elif left > 0:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return seen


def stable(message: dict[str, Any]) -> dict[str, Any]:
    """A message without the fields that differ between two builds of it."""
    return {key: value for key, value in message.items() if key not in VOLATILE}
