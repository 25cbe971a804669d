"""One mechanism: every GUI action runs through the ActionDispatcher, whose action catalog names
the telemetry events each action produces. Real window, real widgets, real database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu
from pytestqt.qtbot import QtBot
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.core.ranges import RANGE_KINDS, named_range
from timetracker.core.reports import Report
from timetracker.telemetry.registry import load_registry
from timetracker.ui.action_catalog import ACTIONS, UnknownAction, events_produced
from timetracker.ui.actions import ActionDispatcher, dispatcher_for
from timetracker.ui.main_window import MainWindow

UI = Path(__file__).resolve().parents[2] / "desktop" / "timetracker" / "ui"

#: Registry events no GUI action produces, and who does.
NOT_FROM_ACTIONS = {
    "telemetry.install": "the telemetry engine (lifecycle)",
    "telemetry.update": "the telemetry engine (lifecycle)",
    "telemetry.health": "the telemetry engine (lifecycle)",
    "consent.changed": "the telemetry engine (Telemetry.set_level), whoever changes the level",
    "error.occurred": "App.report_error (the dispatcher, the GUI's excepthook, the CLI)",
    "$feature_flag_called": "the flag client, when a variant is shown",
}


def test_the_catalog_names_only_registry_events_and_covers_all_of_them() -> None:
    registry = load_registry()
    produced = events_produced()
    assert produced <= set(registry.events), sorted(produced - set(registry.events))
    unaccounted = set(registry.events) - produced - set(NOT_FROM_ACTIONS)
    assert not unaccounted, f"events no action declares: {sorted(unaccounted)}"
    assert not produced & set(NOT_FROM_ACTIONS)


def test_dispatcher_emitted_events_validate_against_the_registry(tmp_path: Path) -> None:
    registry = load_registry()
    rng = named_range("last_month", 1_716_000_000, "UTC")
    report = Report(rng, "tag", [], 0, 0, {})
    samples: dict[str, object] = {"report.view": report, "settings.change": "theme"}
    for name, spec in ACTIONS.items():
        if spec.emits is None:
            continue
        assert spec.properties is not None, name
        properties = dict(spec.properties(samples[name]))
        registry.validate(spec.emits, {**properties, "source": "dialog"})  # raises if wrong
    assert set(registry.events["report.generated"].properties["range_kind"].values) == \
        set(RANGE_KINDS)


def test_an_undeclared_action_is_refused(qtbot: QtBot, live_app: App) -> None:
    dispatcher = ActionDispatcher(live_app)
    ran: list[bool] = []
    with pytest.raises(UnknownAction, match="not declared"):
        dispatcher.run("frobnicate.everything", "menu", lambda: ran.append(True))
    assert ran == [] and dispatcher.history == []


def test_the_ui_has_no_other_path_to_telemetry() -> None:
    """Only the dispatcher sets the event source or emits events; widgets never track."""
    pattern = re.compile(
        r"event_source\s*=|\.emit\(\"[a-z_]+\.[a-z_]+\"|\.track\(|app\.report_error\(")
    offenders = []
    for path in UI.rglob("*.py"):
        if path.name in ("actions.py", "launch.py"):  # launch: the GUI's excepthook
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_a_widget_outside_a_window_gets_its_own_dispatcher(qtbot: QtBot, live_app: App,
                                                          make_window: WindowFactory) -> None:
    from timetracker.ui.settings_dialog import SettingsDialog

    window = make_window(live_app, tray_enabled=False)
    inside = SettingsDialog(live_app, window)
    assert dispatcher_for(inside, live_app) is window.dispatcher
    alone = SettingsDialog(live_app)
    own = dispatcher_for(alone, live_app)
    assert own is not window.dispatcher and dispatcher_for(alone, live_app) is own
    changed: list[str] = []
    own.performed.connect(lambda name, source: changed.append(f"{name}/{source}"))
    alone.week_start.setCurrentIndex(alone.week_start.findData("sunday"))
    assert changed == ["settings.change/dialog"]
    assert live_app.config.get("week_start") == "sunday"


class _ModalCloser:
    """Rejects every modal dialog that opens while triggered actions run."""

    def __init__(self) -> None:
        self.closed: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._close)
        self.timer.start()

    def _close(self) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            self.closed.append(type(dialog).__name__)
            dialog.reject()


@pytest.fixture
def seeded(home: Path) -> Iterator[App]:
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"})
    app.config.set("timezone", "UTC")
    now = app.clock()
    app.entries.add(now - 7200, now - 3600, project="Seeded", description="seeded")
    yield app
    app.close()


def _menu_actions(window: MainWindow) -> list[QAction]:
    found: list[QAction] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        found += [a for a in menu.actions() if not a.isSeparator() and a.menu() is None]
    return found


def find_unrouted(window: MainWindow, app: App) -> tuple[list[str], list[str]]:
    """Trigger every menu item, rail button, shortcut, tray item and entry-row action of
    ``window``; returns (the ones that did not run through its dispatcher with the expected
    source, the modal dialogs that opened and were closed)."""
    ran: list[tuple[str, str]] = []
    window.dispatcher.performed.connect(lambda name, source: ran.append((name, source)))
    window.dispatcher.failed.connect(lambda name, _message: ran.append((name, "refused")))
    closer = _ModalCloser()
    closing = {window.actions_by_key["quit"], window.actions_by_key["close_window"],
               window.tray.quit_action}
    unrouted: list[str] = []

    def check(label: str, source: str, trigger: object) -> None:
        before = len(ran)
        trigger()  # type: ignore[operator]
        QApplication.processEvents()
        if len(ran) == before:
            unrouted.append(label)
        elif not any(s in (source, "refused") for _n, s in ran[before:]):
            unrouted.append(f"{label} (ran as {ran[before:]})")

    def stop_timer() -> None:
        if app.entries.current() is not None:
            window.bar.stop("bar")
        window.refresh_all()

    menu_items = [a for a in _menu_actions(window) if a not in closing]
    assert len(menu_items) >= 15
    for item in menu_items:
        check(f"menu {item.text()!r}", "menu", item.trigger)
    for key, button in window.nav_buttons.items():
        check(f"rail {key}", "menu", button.click)
    check("rail settings", "menu", window.settings_button.click)
    for key, shortcut in window.shortcuts.items():
        if key not in ("quit", "close_window"):
            check(f"shortcut {key}", "shortcut", shortcut.activated.emit)
    stop_timer()  # Continue and Duplicate are offered only while nothing runs
    for item in window.tray.menu.actions():
        if not item.isSeparator() and item not in closing:
            if not item.isEnabled():
                stop_timer()
            assert item.isEnabled(), item.text()
            check(f"tray {item.text()!r}", "tray", item.trigger)
    window.show_page("timer")
    stop_timer()
    rows = window.entries.rows()
    assert rows, "an entry is listed"
    for item in rows[0].build_menu().actions():  # Delete comes last
        if not item.isSeparator():
            check(f"entry row {item.text()!r}", "menu", item.trigger)
            stop_timer()
    for item in (window.actions_by_key["close_window"], window.actions_by_key["quit"]):
        check(f"menu {item.text()!r}", "menu", item.trigger)
    closer.timer.stop()
    return unrouted, closer.closed


def test_every_menu_item_shortcut_tray_item_and_row_action_goes_through_the_dispatcher(
        qtbot: QtBot, seeded: App, make_window: WindowFactory) -> None:
    window = make_window(seeded, tray_enabled=False)
    unrouted, closed = find_unrouted(window, seeded)
    assert not unrouted, "actions that bypass the dispatcher:\n" + "\n".join(unrouted)
    assert {"EntryDialog", "SettingsDialog"} <= set(closed)
    assert seeded.event_source == "cli"  # every action put the source back
    assert window.dispatcher.undeclared == [], str(window.dispatcher.undeclared)


def test_a_menu_item_that_bypasses_the_dispatcher_is_found(
        qtbot: QtBot, seeded: App, make_window: WindowFactory) -> None:
    window = make_window(seeded, tray_enabled=False)
    help_menu = window.menuBar().actions()[-1].menu()
    assert isinstance(help_menu, QMenu)
    bypass: list[bool] = []
    help_menu.addAction("Rogue item", lambda: bypass.append(True))  # calls its work directly
    unrouted, _closed = find_unrouted(window, seeded)
    assert unrouted == ["menu 'Rogue item'"] and bypass == [True]


def test_an_event_the_action_does_not_declare_is_caught(qtbot: QtBot, live_app: App) -> None:
    live_app.entries.count()  # open the database first (its daily backup is not an action)
    dispatcher = ActionDispatcher(live_app)
    dispatcher.run("view.refresh", "menu", lambda: live_app.entries.start(description="x"))
    assert dispatcher.undeclared == [("view.refresh", "timer.started")]
    dispatcher.run("timer.stop", "menu", live_app.entries.stop)
    assert dispatcher.undeclared == [("view.refresh", "timer.started")]  # declared: no more
