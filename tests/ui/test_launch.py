"""Starting the window in a real process: what happens before it is shown and idle, and what
follows on a worker thread (the daily backup)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.core.ranges import named_range
from timetracker.ui import theme
from timetracker.ui.launch import _warm_up

from tests.conftest import PYTHON


def _launch(env: dict[str, str], exit_when: str) -> str:
    done = subprocess.run([PYTHON, "-m", "timetracker"],
                          env={**env, "QT_QPA_PLATFORM": "offscreen",
                               "TIMETRACKER_TELEMETRY": "off",
                               "TIMETRACKER_GUI_EXIT_WHEN_IDLE": exit_when},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_daily_backup_is_made_after_the_window_is_shown_not_before(
        home: Path, cli_env: dict[str, str]) -> None:
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"})
    app.daily_backup_on_open = False
    app.entries.add(app.clock() - 3600, app.clock() - 60, description="x")
    backups = app.backups
    app.close()
    assert backups.list() == []

    # shown and idle, then quit at once: the window did not wait for a backup
    assert _launch(cli_env, "1").startswith("gui-idle ")
    assert backups.list() == []

    # the warm-up after the first idle makes it, once a day
    assert _launch(cli_env, "warm").startswith("gui-warm ")
    assert [b.reason for b in backups.list()] == ["daily"]
    _launch(cli_env, "warm")
    assert [b.reason for b in backups.list()] == ["daily"]


def test_the_automatic_backup_is_reported_as_the_apps_own_doing(
        home: Path, server: CaptureServer) -> None:
    app = App(paths=AppPaths.under(home), environ={
        "TIMETRACKER_HOME": str(home), "TIMETRACKER_POSTHOG_HOST": server.url,
        "TIMETRACKER_POSTHOG_API_KEY": API_KEY})
    app.daily_backup_on_open = False
    app.telemetry.set_level("full")
    app.entries.add(app.clock() - 3600, app.clock() - 60, description="x")
    app.event_source = "menu"  # what the UI thread last did
    worker = threading.Thread(target=_warm_up, args=(app,), name="warm-up")
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert app.event_source == "menu"  # the UI thread's source is its own
    app.close()
    backups = [e["properties"] for e in server.events() if e["event"] == "backup.created"]
    assert backups == [{**backups[0], "reason": "daily", "source": "app"}]


# Run like `timetracker`, then say whether PySide6 created the Qt namespace's enums.
_REPORT_QT_NAMESPACE = """
import sys
from timetracker.__main__ import main
code = main([])
import PySide6.QtCore
from PySide6.QtWidgets import QApplication
print("qt-namespace", "Qt" in vars(PySide6.QtCore))
print("window-icon", not QApplication.windowIcon().isNull())
sys.exit(code)
"""


def _week_with_a_running_timer(home: Path) -> None:
    """Everything a row and the bar can show: a project colour, tags, billable, an overlap,
    and a timer running on a project."""
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"})
    now = app.clock()
    week = named_range("this_week", now, app.timezone, str(app.config.get("week_start")))
    since = max(week.start, now - 3 * 3600)
    app.catalog.add_project("Website", color="#E5484D", billable=True)
    span = (now - since) // 6
    app.entries.add(since, since + 2 * span, project="Website", description="Layout",
                    tags=["design", "client-visible"], billable=True)
    app.entries.add(since + span, since + 3 * span, description="Overlapping call")
    app.entries.start(project="Website", description="Review", tags=["design"],
                      at=since + 4 * span)
    app.close()


# Run like `timetracker`; then, for the timer bar's widgets that the style sheet selects by
# state (running, chosen project, billable), whether they look the same once every widget of
# the window is styled again from scratch — they must have been styled with their state.
_REPORT_BAR_STYLES = """
import sys
from timetracker.__main__ import main
code = main([])
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow))
bar = window.findChild(QWidget, "timerBar")
parts = [bar.findChild(QWidget, name) for name in ("startStop", "billableButton")]
parts.append(bar.project)
before = [part.grab().toImage() for part in parts]
stop = before[0]
print("stop", stop.pixelColor(stop.width() // 2, 4).name())
for widget in [window, *window.findChildren(QWidget)]:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
QApplication.processEvents()
after = [part.grab().toImage() for part in parts]
print("restyled-equal", [a == b for a, b in zip(before, after)])
sys.exit(code)
"""


def test_a_timer_running_at_start_is_styled_as_running(home: Path,
                                                        cli_env: dict[str, str]) -> None:
    # start-up styles a widget once, when it is first shown (theme.set_style_property): the
    # bar must be filled by then — it showed the Start button's colour on a running timer
    _week_with_a_running_timer(home)
    done = subprocess.run([PYTHON, "-c", _REPORT_BAR_STYLES],
                          env={**cli_env, "QT_QPA_PLATFORM": "offscreen",
                               "TIMETRACKER_TELEMETRY": "off",
                               "TIMETRACKER_GUI_EXIT_WHEN_IDLE": "1"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("gui-idle ")
    danger = theme.THEMES[theme.resolve("system").name].danger.lower()
    assert lines[1] == f"stop {danger}"
    assert lines[2] == "restyled-equal [True, True, True]"


def test_the_qt_namespace_and_the_window_icon_come_after_the_window_is_idle(
        home: Path, cli_env: dict[str, str]) -> None:
    # PySide6 makes ~90 Python enums the first time anything names `Qt` (~14 ms, the biggest
    # single start-up cost; ui/qt_names.py): a week with everything a row can show, a running
    # timer in the bar, still opens without it
    _week_with_a_running_timer(home)

    def qt_namespace_and_icon_after(exit_when: str) -> tuple[bool, bool]:
        done = subprocess.run([PYTHON, "-c", _REPORT_QT_NAMESPACE],
                              env={**cli_env, "QT_QPA_PLATFORM": "offscreen",
                                   "TIMETRACKER_TELEMETRY": "off",
                                   "TIMETRACKER_GUI_EXIT_WHEN_IDLE": exit_when},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        first, namespace, icon = done.stdout.splitlines()
        assert first.startswith(f"gui-{'idle' if exit_when == '1' else 'warm'} ")
        return namespace == "qt-namespace True", icon == "window-icon True"

    # shown, rows painted, idle: neither the namespace nor the window icon's sizes yet …
    assert qt_namespace_and_icon_after("1") == (False, False)
    # … both right after (before a key press could need the namespace)
    assert qt_namespace_and_icon_after("warm") == (True, True)
