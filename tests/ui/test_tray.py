"""The tray: its menu starts/stops and continues, its icon and tooltip follow the timer, and
closing the window keeps the app running only when a tray is shown and the setting is on."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.ui.tray import Tray


def test_tray_menu_starts_and_stops_and_the_tooltip_shows_project_and_time(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    seen: list[tuple[str, str]] = []
    live_app.add_sink(lambda event, _p: seen.append((event, live_app.event_source)))
    window = make_window(live_app, tray_enabled=False)
    tray = window.tray
    idle_icon = tray.icon().pixmap(32, 32).toImage()
    assert tray.toggle_action.text() == "Start timer"
    assert tray.toolTip() == "TimeTracker — no timer running"

    window.bar.project.set_choice("Support")
    tray.toggle_action.trigger()
    running = live_app.entries.current()
    assert running is not None and running.project == "Support"
    assert ("timer.started", "tray") in seen
    assert tray.toggle_action.text() == "Stop timer"
    assert not tray.continue_action.isEnabled()
    assert tray.toolTip().startswith("TimeTracker — Support — 0:00:0")
    assert tray.icon().pixmap(32, 32).toImage() != idle_icon
    qtbot.waitUntil(lambda: tray.toolTip() != "TimeTracker — Support — 0:00:00", timeout=3000)

    tray.toggle_action.trigger()
    assert live_app.entries.current() is None
    assert ("timer.stopped", "tray") in seen
    assert tray.toolTip() == "TimeTracker — no timer running"
    assert tray.icon().pixmap(32, 32).toImage() == idle_icon

    tray.continue_action.trigger()
    again = live_app.entries.current()
    assert again is not None and again.project == "Support"
    assert ("timer.continued", "tray") in seen


def test_tooltip_names_project_and_task() -> None:
    from timetracker.core.entry_reads import EntryRow

    row = EntryRow(1, 0, None, "UTC", "secret text", 1, "Web", None, "#123456", 2, "Backend",
                   (), False)
    assert Tray.tooltip(row, 3725) == "TimeTracker — Web · Backend — 1:02:05"
    assert "secret" not in Tray.tooltip(row, 1)


def test_closing_keeps_running_in_the_tray_when_the_setting_is_on(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app, tray_enabled=True)
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    window.close()
    assert not window.isVisible()
    assert quits == []
    window.tray.show_action.trigger()
    assert window.isVisible()

    live_app.config.set("close_to_tray", False)
    window.close()
    assert quits == [True]


def test_without_a_tray_closing_the_window_quits(
        live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app, tray_enabled=False)
    assert live_app.config.get("close_to_tray") is True
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    window.close()
    assert quits == [True]
    assert not window.tray.isVisible()
