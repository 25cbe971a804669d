"""Fixtures for the window's tests: real App, real temporary database, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from support.view_data import make_app, seed_week
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.core.paths import AppPaths
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
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    """Build a shown MainWindow for an App; stopped and closed after the test."""
    made: list[MainWindow] = []

    def build(app: App, **kwargs: object) -> MainWindow:
        window = MainWindow(app, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield build
    for window in made:
        window.watcher.stop()
        window.quitting = True
        window.tray.hide()

