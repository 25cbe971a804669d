"""Helpers for the main window's tests (tests/ui/): waiting while Qt processes events."""

from __future__ import annotations

import time
from collections.abc import Callable

from timetracker.ui.main_window import MainWindow

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
