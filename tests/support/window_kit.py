"""Helpers for the main window's tests (tests/ui/): waiting while Qt processes events, opening
a page."""

from __future__ import annotations

import time
from collections.abc import Callable

from timetracker.ui.main_window import MainWindow
from timetracker.ui.reports_view import ReportsView

#: The ``make_window`` fixture: ``make_window(app, tray_enabled=...) -> MainWindow``.
WindowFactory = Callable[..., MainWindow]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` while processing Qt events; fail after ``timeout`` seconds."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def open_reports(window: MainWindow) -> ReportsView:
    """Show the window's Reports page and wait until its report is built."""
    window.show_page("reports", "menu")
    view = window.pages["reports"]
    assert isinstance(view, ReportsView)
    wait_for(lambda: view.report() is not None and not view.is_busy())
    return view
