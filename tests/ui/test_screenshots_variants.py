"""Screenshots of the flag-driven variants, light and dark: the timer (classic bar and compact
focus mode, a timer running) and the reports view (control and v2 layouts).

The variants are switched the way a developer does it — a flag override — in one running
window. The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the path is printed (run
with ``-s``). Each image must hold real content: many colours, the theme's window colour, and
the colour that proves the variant is drawn (the red stop button, the accent of v2's headline
card).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from support.view_data import at, make_app, seed_week
from support.window_kit import wait_for
from timetracker.app import App
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui import theme
from timetracker.ui.main_window import MainWindow
from timetracker.ui.reports_view import ReportsView
from timetracker.ui.self_test import distinct_colors


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nvariant screenshots: {folder}")
    return folder


@pytest.fixture
def app(home: Path) -> Iterator[App]:
    application = make_app(home)
    seed_week(application)
    now = application.clock()
    application.entries.add(at(dt.date(2024, 5, 17), 16, 45), now - 3000, project="Internal",
                            description="Sprint review", tags=["meeting"])
    application.entries.start(project="Website relaunch", task="Design",
                              description="Landing page polish", tags=["client-work"],
                              at=now - 2710)
    yield application
    application.close()


@pytest.fixture(params=["light", "dark"])
def themed(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[theme.Theme]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield theme.apply(qapp, str(request.param))
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def _has(image: QImage, color: str, tolerance: int = 8) -> bool:
    want = QColor(color)
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            got = image.pixelColor(x, y)
            if (abs(got.red() - want.red()) <= tolerance
                    and abs(got.green() - want.green()) <= tolerance
                    and abs(got.blue() - want.blue()) <= tolerance):
                return True
    return False


def _save(widget: QWidget, folder: Path, name: str, colors: theme.Theme) -> QImage:
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path))
    print(f"  {path}")
    assert path.stat().st_size > 5_000
    assert distinct_colors(image) >= 40, f"{name} looks blank"
    assert _has(image, colors.window), f"{name}: the theme's background is missing"
    return image


def _window(qtbot: QtBot, app: App) -> MainWindow:
    window = MainWindow(app, tray_enabled=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.attach_flags()  # as the launcher does once telemetry started
    return window


def _settle(qtbot: QtBot) -> None:
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(10)


def test_timer_variants(qtbot: QtBot, app: App, themed: theme.Theme, shots: Path) -> None:
    window = _window(qtbot, app)
    try:
        host = window.timer_host
        assert host.variant == "classic"
        classic = _save(window, shots, f"timer-classic-{themed.name}", themed)
        assert _has(classic, themed.danger), "the running timer's stop button"

        app.flags.set_override(FeatureFlags.TIMER_UI, "compact")
        wait_for(lambda: host.variant == "compact")
        _settle(qtbot)
        focus = host.focus_timer
        assert focus is not None and focus.isVisible()
        compact = _save(window, shots, f"timer-compact-{themed.name}", themed)
        region = compact.copy(QRect(focus.mapTo(window, QPoint(0, 0)), focus.size()))
        assert distinct_colors(region, step=2) >= 20, "the focus mode area is blank"
        assert _has(region, themed.danger), "the stop button in the focus mode"
        # the clock is large: its glyphs are much taller than the classic bar's clock
        assert focus.clock.sizeHint().height() > 2 * window.bar.elapsed.sizeHint().height()
        assert focus.height() > window.bar.height()
    finally:
        window.watcher.stop()
        window.quitting = True


def test_reports_layouts(qtbot: QtBot, app: App, themed: theme.Theme, shots: Path) -> None:
    window = _window(qtbot, app)
    try:
        window.show_page("reports", "menu")
        view = window.pages["reports"]
        assert isinstance(view, ReportsView)
        wait_for(lambda: view.report() is not None and not view.is_busy())
        _settle(qtbot)
        control = _save(window, shots, f"reports-control-{themed.name}", themed)
        assert _has(control, themed.accent, 30), "the bars of hours per day"

        app.flags.set_override(FeatureFlags.REPORTS_V2, "v2")
        wait_for(lambda: view.layout_host.variant == "v2")
        _settle(qtbot)
        v2 = _save(window, shots, f"reports-v2-{themed.name}", themed)
        assert _has(v2, themed.accent, 30), "the headline card and the bars"
        assert v2 != control, "the layout changed"
    finally:
        window.watcher.stop()
        window.quitting = True
