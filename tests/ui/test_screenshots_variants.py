"""Screenshots of the flag-driven variants, light and dark: the timer (classic bar and compact
focus mode, a timer running) and the reports view (control and v2 layouts).

The variants are switched the way a developer does it — a flag override — in one running
window. The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the path is printed (run
with ``-s``). Each image must hold real content: many colours, the theme's window colour, and
the colour that proves the variant is drawn (the red stop button, the accent of v2's headline
card).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from support.screenshots import has_color, save_png
from support.window_kit import WindowFactory, open_reports, wait_for
from timetracker.app import App
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui import theme
from timetracker.ui.main_window import MainWindow
from timetracker.ui.self_test import distinct_colors


def _save(widget: QWidget, folder: Path, name: str, colors: theme.Theme) -> QImage:
    image = save_png(widget, folder, name, min_bytes=5_000)
    assert distinct_colors(image) >= 40, f"{name} looks blank"
    assert has_color(image, colors.window), f"{name}: the theme's background is missing"
    return image


def _window(make_window: WindowFactory, app: App) -> MainWindow:
    window = make_window(app, size=(1280, 800), tray_enabled=False)
    window.attach_flags()  # as the launcher does once telemetry started
    return window


def _settle(qtbot: QtBot) -> None:
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(10)


def test_timer_variants(qtbot: QtBot, running_week_app: App, themed: theme.Theme, shots: Path,
                        make_window: WindowFactory) -> None:
    app = running_week_app
    window = _window(make_window, app)
    host = window.timer_host
    assert host.variant == "classic"
    classic = _save(window, shots, f"timer-classic-{themed.name}", themed)
    assert has_color(classic, themed.danger), "the running timer's stop button"

    app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
    wait_for(lambda: host.variant == "compact")
    _settle(qtbot)
    focus = host.focus_timer
    assert focus is not None and focus.isVisible()
    compact = _save(window, shots, f"timer-compact-{themed.name}", themed)
    region = compact.copy(QRect(focus.mapTo(window, QPoint(0, 0)), focus.size()))
    assert distinct_colors(region, step=2) >= 20, "the focus mode area is blank"
    assert has_color(region, themed.danger), "the stop button in the focus mode"
    # the clock is large: its glyphs are much taller than the classic bar's clock
    assert focus.clock.sizeHint().height() > 2 * window.bar.elapsed.sizeHint().height()
    assert focus.height() > window.bar.height()


def test_reports_layouts(qtbot: QtBot, running_week_app: App, themed: theme.Theme,
                         shots: Path, make_window: WindowFactory) -> None:
    app = running_week_app
    window = _window(make_window, app)
    view = open_reports(window)
    _settle(qtbot)
    control = _save(window, shots, f"reports-control-{themed.name}", themed)
    assert has_color(control, themed.accent, 30), "the bars of hours per day"

    app.flags.set_override(FeatureFlags.REPORTS_V2, "v2")
    wait_for(lambda: view.layout_host.variant == "v2")
    _settle(qtbot)
    v2 = _save(window, shots, f"reports-v2-{themed.name}", themed)
    assert has_color(v2, themed.accent, 30), "the headline card and the bars"
    assert v2 != control, "the layout changed"
