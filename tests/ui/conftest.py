"""Fixtures for the window's tests: real App, real temporary database, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.flag_ui_kit import make_flag_app
from support.screenshots import THEMES, screenshot_folder, seed_running_week
from support.view_data import make_app, seed_week
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.ui import theme
from timetracker.ui.main_window import MainWindow


@pytest.fixture
def live_app(home: Path) -> Iterator[App]:
    """An App on the temporary home with the real clock (for the timer)."""
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"})
    app.config.set("timezone", "UTC")
    yield app
    app.close()


@pytest.fixture
def week_app(home: Path) -> Iterator[App]:
    """An App whose clock stands still on Friday 17 May 2024, 18:00 Berlin, with a week seeded."""
    app = make_app(home)
    seed_week(app)
    yield app
    app.close()


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    """The loopback capture server standing in for PostHog."""
    with CaptureServer() as running:
        yield running


@pytest.fixture
def full_app(home: Path, server: CaptureServer) -> Iterator[App]:
    """Telemetry level full against the capture server, fixed clock, a week of data."""
    app = make_flag_app(home, server)
    seed_week(app)
    yield app
    app.close()


@pytest.fixture
def running_week_app(home: Path) -> Iterator[App]:
    """Like ``week_app``, plus a Friday meeting and a timer running for 45 minutes."""
    app = make_app(home)
    seed_running_week(app)
    yield app
    app.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshot tests save their PNGs: ``$SCREENSHOT_DIR`` or a temporary folder."""
    return screenshot_folder(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[theme.Theme]:
    """The test runs once per theme, applied to the application; the previous style, palette
    and style sheet are restored afterwards."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield theme.apply(qapp, str(request.param))
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    """Build a shown MainWindow for an App (``size=(w, h)`` resizes it before it is shown);
    stopped and closed after the test."""
    made: list[MainWindow] = []

    def build(app: App, size: tuple[int, int] | None = None, **kwargs: object) -> MainWindow:
        window = MainWindow(app, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield build
    for window in made:
        window.watcher.stop()
        window.quitting = True
        window.tray.hide()

