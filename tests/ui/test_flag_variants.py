"""Flag-driven UI variants in a running window: ``timer-ui`` (classic bar ↔ compact focus
mode), ``reports-v2`` (control ↔ v2 layout), the ``ui-variants-enabled`` kill switch and the
``reports-config`` remote config — switched live by real flag changes (developer overrides,
or refreshes from the loopback capture server made on a background thread), with exposure
events sent once per session when a variant is really shown."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.flag_ui_kit import exposures, refresh_in_background
from support.telemetry_kit import drain_until_empty
from support.window_kit import WindowFactory, open_reports, wait_for
from timetracker.app import App
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui.main_window import MainWindow
from timetracker.ui.timer_bar import clock_text
from timetracker.ui.variants.focus_timer import FocusTimer

from tests.conftest import PYTHON


@pytest.fixture
def app(week_app: App) -> App:
    """Telemetry off (flags evaluate to defaults unless overridden), a week of data."""
    return week_app


def _inside(widget: QWidget, name: str) -> bool:
    """Whether ``widget`` sits (at any depth) in a widget called ``name``."""
    node = widget.parentWidget()
    while node is not None:
        if node.objectName() == name:
            return True
        node = node.parentWidget()
    return False


# -- timer-ui -----------------------------------------------------------------------------------

def test_flipping_timer_ui_swaps_the_widget_in_a_running_window(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    window = make_window(app, tray_enabled=False)
    window.attach_flags()  # as the launcher does once telemetry started
    host = window.timer_host
    assert host.variant == "classic"
    assert host.current() is window.bar and window.bar.isVisible()
    assert host.focus_timer is None, "the focus mode is only built when first needed"

    window.bar.description.setText("Deep")  # typed into the classic bar, not started yet
    app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    wait_for(lambda: host.variant == "compact")
    focus = host.focus_timer
    assert isinstance(focus, FocusTimer)
    assert focus.isVisible() and not window.bar.isVisible()
    assert host.current() is focus
    assert focus.description_edit.text() == "Deep", "what was typed carries over"

    # The focus mode works: start from it, it shows the running entry with a large clock.
    focus.description_edit.end(False)
    qtbot.keyClicks(focus.description_edit, " work")
    qtbot.mouseClick(focus.start_stop, Qt.MouseButton.LeftButton)
    running = app.entries.current()
    assert running is not None and running.description == "Deep work"
    assert window.dispatcher.history[-1] == ("timer.start", "focus")
    assert focus.description_label.isVisible() and focus.description_label.text() == "Deep work"
    assert focus.start_stop.accessibleName() == "Stop timer"
    assert focus.clock.text() == clock_text(0)
    assert focus.clock.font().pointSizeF() >= 3 * window.bar.elapsed.font().pointSizeF() / 2
    qtbot.mouseClick(focus.start_stop, Qt.MouseButton.LeftButton)
    assert app.entries.current() is None
    assert focus.continue_button.isVisible()

    # Back to classic, live; the same bar (its state intact) is shown again.
    app.flags.clear_override(FeatureFlags.TIMER_UI)
    wait_for(lambda: host.variant == "classic")
    assert host.current() is window.bar and window.bar.isVisible()
    assert not focus.isVisible()
    assert host.swaps == 2


def test_focus_mode_picks_a_project_and_continues_through_the_bar(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    window = make_window(app, tray_enabled=False)
    focus = window.timer_host.focus_timer
    assert focus is not None and focus.isVisible()
    last = app.entries.last()
    assert last is not None and focus.continue_button.isVisible()
    assert last.description in focus.continue_button.toolTip()

    popup = focus.picker.open_popup()
    qtbot.keyClicks(popup.search, "mobile")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert window.bar.project.project == "Mobile app", "the choice goes to the (hidden) bar"
    qtbot.keyClicks(focus.description_edit, "Release notes")
    qtbot.keyClick(focus.description_edit, Qt.Key.Key_Return)
    running = app.entries.current()
    assert running is not None
    assert (running.project, running.description) == ("Mobile app", "Release notes")
    assert focus.project_label.isVisible() and "Mobile app" in focus.project_label.text()

    focus.toggle()
    assert app.entries.current() is None
    qtbot.mouseClick(focus.continue_button, Qt.MouseButton.LeftButton)
    again = app.entries.current()
    assert again is not None and again.description == "Release notes"
    assert window.dispatcher.history[-1] == ("timer.continue", "focus")


def test_a_remote_change_from_the_refresh_thread_swaps_on_the_ui_thread(
        qtbot: QtBot, full_app: App, server: CaptureServer,
        make_window: WindowFactory) -> None:
    server.set(flags={"timer-ui": "classic"})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    host = window.timer_host
    assert host.variant == "classic"
    swapped_on: list[bool] = []
    host.swapped.connect(
        lambda _v: swapped_on.append(threading.current_thread() is threading.main_thread()))

    server.set(flags={"timer-ui": "compact"})
    result = refresh_in_background(full_app)
    assert result.changed == ("timer-ui",)
    wait_for(lambda: host.variant == "compact")
    assert swapped_on == [True], "the swap must happen on the UI thread"
    assert isinstance(host.current(), FocusTimer) and host.current().isVisible()
    assert full_app.flags.evaluate(FeatureFlags.TIMER_UI).reason == "remote"


def test_exposure_once_per_session_only_when_a_variant_is_shown(
        qtbot: QtBot, full_app: App, server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2"})
    refresh_in_background(full_app)
    window = MainWindow(full_app, tray_enabled=False)  # built, not shown yet
    qtbot.addWidget(window)
    try:
        assert window.timer_host.variant == "compact"
        assert full_app.flags.variant(FeatureFlags.REPORTS_V2) == "v2"  # evaluated only
        drain_until_empty(full_app.telemetry)
        assert exposures(server) == [], "built or evaluated is not shown"

        window.show()
        qtbot.waitExposed(window)
        drain_until_empty(full_app.telemetry)
        assert exposures(server) == [("timer-ui", "compact")]

        # Swapping away and back, and showing again, is the same session: no second event.
        server.set(flags={"timer-ui": "classic", "reports-v2": "v2"})
        refresh_in_background(full_app)
        wait_for(lambda: window.timer_host.variant == "classic")
        server.set(flags={"timer-ui": "compact", "reports-v2": "v2"})
        refresh_in_background(full_app)
        wait_for(lambda: window.timer_host.variant == "compact")
        window.hide()
        window.show()
        qtbot.waitExposed(window)
        drain_until_empty(full_app.telemetry)
        assert exposures(server) == [("timer-ui", "compact")]

        # The reports layout counts when the Reports page is opened — once.
        view = open_reports(window)
        assert view.layout_host.variant == "v2"
        window.show_page("timer", "menu")
        window.show_page("reports", "menu")
        full_app.telemetry.track("timer.stopped", source="bar", duration_seconds=60)
        drain_until_empty(full_app.telemetry)
        assert exposures(server) == [("timer-ui", "compact"), ("reports-v2", "v2")]
        later = [e for e in server.events() if e["event"] == "timer.stopped"][-1]
        assert later["properties"]["$feature/timer-ui"] == "compact"
        assert later["properties"]["$feature/reports-v2"] == "v2"
    finally:
        window.watcher.stop()
        window.quitting = True


def test_overrides_swap_but_are_never_reported_as_exposure(
        qtbot: QtBot, full_app: App, server: CaptureServer,
        make_window: WindowFactory) -> None:
    server.set(flags={"timer-ui": "classic"})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    full_app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    wait_for(lambda: window.timer_host.variant == "compact")
    drain_until_empty(full_app.telemetry)
    assert exposures(server) == [("timer-ui", "classic")], \
        "the remote classic was shown; the overridden compact must not count"


def test_the_window_starts_without_the_flag_client_and_follows_it_once_attached(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    """Start-up never waits for the telemetry modules: the window shows the defaults, and
    the launcher attaches the flag client once it has started telemetry."""
    window = make_window(app, tray_enabled=False)
    assert not window.timer_host.attached
    view = open_reports(window)  # opened before the flags are there: detached as well
    assert not view.layout_host.attached
    assert (window.timer_host.variant, view.layout_host.variant) == ("classic", "control")

    app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    app.flags.set_override(FeatureFlags.REPORTS_V2, "v2")
    app.flags.set_override(FeatureFlags.IMPORT_ENABLED, "false")
    for _ in range(10):
        qtbot.wait(5)
    assert window.timer_host.variant == "classic", "not attached yet"
    assert window.actions_by_key["import"].isEnabled()

    window.attach_flags()
    assert (window.timer_host.variant, view.layout_host.variant) == ("compact", "v2")
    assert not window.actions_by_key["import"].isEnabled()
    window.attach_flags()  # idempotent
    app.flags.clear_override(FeatureFlags.TIMER_UI)
    wait_for(lambda: window.timer_host.variant == "classic")
    assert window.timer_host.swaps == 2


def test_the_window_module_does_not_import_the_flag_client() -> None:
    code = ("import sys, timetracker.ui.main_window, timetracker.ui.reports_view; "
            "print(sorted(m for m in ('timetracker.telemetry.flags', 'yaml', 'jsonschema', "
            "'timetracker.telemetry.service') if m in sys.modules))")
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# -- reports-v2 ---------------------------------------------------------------------------------

def test_reports_v2_swaps_the_layout_live_and_keeps_the_report(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    window = make_window(app, tray_enabled=False)
    window.attach_flags()
    view = open_reports(window)
    host = view.layout_host
    assert host.variant == "control"
    assert _inside(view.total_figure, "reportsControl")
    total = view.total_figure.value.text()
    rows = view.table.rowCount()
    assert rows > 1 and total != "—"

    app.flags.set_override(FeatureFlags.REPORTS_V2, "v2")
    wait_for(lambda: host.variant == "v2")
    assert _inside(view.total_figure, "reportsV2") and _inside(view.daily_chart, "reportsV2")
    assert view.total_figure.property("headline") is True
    assert view.total_figure.isVisible() and view.table.isVisible()
    assert view.daily_chart.isVisible() and view.breakdown_chart.isVisible()
    # chart first: the cards sit beside the chart, above the table
    assert view.daily_chart.mapTo(view, view.daily_chart.rect().topLeft()).y() < \
        view.table.mapTo(view, view.table.rect().topLeft()).y()
    assert view.total_figure.value.text() == total and view.table.rowCount() == rows

    app.flags.clear_override(FeatureFlags.REPORTS_V2)
    wait_for(lambda: host.variant == "control")
    assert _inside(view.table, "reportsControl") and view.table.isVisible()
    assert view.total_figure.property("headline") is False
    assert host.swaps == 2


# -- ui-variants-enabled ------------------------------------------------------------------------

def test_ui_variants_kill_switch_sends_everyone_back_to_classic_live(
        qtbot: QtBot, full_app: App, server: CaptureServer,
        make_window: WindowFactory) -> None:
    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "ui-variants-enabled": True})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    view = open_reports(window)
    assert (window.timer_host.variant, view.layout_host.variant) == ("compact", "v2")

    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "ui-variants-enabled": False})
    refresh_in_background(full_app)
    wait_for(lambda: (window.timer_host.variant, view.layout_host.variant)
             == ("classic", "control"))
    assert window.bar.isVisible()

    server.set(flags={"timer-ui": "compact", "reports-v2": "v2", "ui-variants-enabled": True})
    refresh_in_background(full_app)
    wait_for(lambda: (window.timer_host.variant, view.layout_host.variant)
             == ("compact", "v2"))


def test_ui_variants_off_wins_over_a_developer_override(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    window = make_window(app, tray_enabled=False)
    assert window.timer_host.variant == "compact"
    app.flags.set_override(FeatureFlags.UI_VARIANTS_ENABLED, "false")
    wait_for(lambda: window.timer_host.variant == "classic")
    app.flags.clear_override(FeatureFlags.UI_VARIANTS_ENABLED)
    wait_for(lambda: window.timer_host.variant == "compact")


# -- reports-config -----------------------------------------------------------------------------

def test_reports_config_sets_the_opening_range_and_widgets_live(
        qtbot: QtBot, app: App, make_window: WindowFactory) -> None:
    app.flags.set_override(FeatureFlags.REPORTS_CONFIG,
                           '{"default_range": "last_month", "widgets": ["chart", "by_tag"]}')
    window = make_window(app, tray_enabled=False)
    view = open_reports(window)
    assert view.range_kind() == "last_month" and view.group_by() == "tag"
    report = view.report()
    assert report is not None and report.range.kind == "last_month"
    assert not view.total_figure.isVisible(), "summary is not listed"
    assert view.daily_chart.isVisible() and view.breakdown_chart.isVisible()

    # A new payload while the view is open: widgets follow; so does the range, because the
    # user has not picked another one.
    app.flags.set_override(FeatureFlags.REPORTS_CONFIG,
                           '{"default_range": "this_week", "widgets": ["summary", "table"]}')
    wait_for(lambda: view.range_kind() == "this_week" and view.total_figure.isVisible())
    assert not view.daily_chart.isVisible()
    assert view.table.isVisible() and view.group_by() == "project"
    wait_for(lambda: (r := view.report()) is not None and r.range.kind == "this_week")

    # A range the user chose is kept when the default changes again.
    view.set_range_kind("last_week")
    app.flags.set_override(FeatureFlags.REPORTS_CONFIG,
                           '{"default_range": "this_month", "widgets": ["summary", "chart"]}')
    wait_for(lambda: view.daily_chart.isVisible())
    assert view.range_kind() == "last_week"


def test_an_invalid_remote_payload_is_ignored_and_the_default_applies(
        qtbot: QtBot, full_app: App, server: CaptureServer,
        make_window: WindowFactory) -> None:
    server.set(flags={"reports-config": True},
               flag_payloads={"reports-config": {"default_range": "someday",
                                                 "widgets": ["summary", "secret-widget"]}})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    view = open_reports(window)
    assert view.range_kind() == "this_week"
    assert view.total_figure.isVisible() and view.daily_chart.isVisible()
    assert view.table.isVisible()

    # The same flag with a valid payload, fetched while the view is open, applies live.
    server.set(flags={"reports-config": True},
               flag_payloads={"reports-config": {"default_range": "today",
                                                 "widgets": ["summary"]}})
    refresh_in_background(full_app)
    wait_for(lambda: view.range_kind() == "today" and not view.table.isVisible())
    assert not view.daily_chart.isVisible() and view.total_figure.isVisible()
