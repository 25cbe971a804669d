"""The GUI part of ``timetracker --self-test``: build the main window offscreen and render it.

:func:`run_self_test` opens (and migrates) a database in a temporary folder unless
TIMETRACKER_HOME already points at a throwaway one, builds the real main window with a
running timer, renders it to an image and checks the image is not blank.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from timetracker.app import App


def render_main_window_offscreen(app: App, theme_name: str = "light",
                                 size: tuple[int, int] = (1180, 760)) -> QImage:
    """The main window for ``app`` rendered to an image (no screen needed)."""
    from PySide6.QtWidgets import QApplication

    from timetracker.ui import theme
    from timetracker.ui.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    theme.apply(qt_app, theme_name)
    window = MainWindow(app, tray_enabled=False)
    try:
        window.resize(*size)
        window.show()
        for _ in range(3):
            qt_app.processEvents()
        return window.grab().toImage()
    finally:
        window.watcher.stop()
        window.quitting = True
        window.close()
        window.deleteLater()


def distinct_colors(image: QImage, step: int = 7) -> int:
    """How many different colours a sample grid of the image holds (1 = blank)."""
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def run_self_test() -> int:
    """0 when the window builds, renders, and shows real content; prints what it checked."""
    if "DISPLAY" not in os.environ and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from timetracker.app import App
    from timetracker.core.paths import AppPaths

    with tempfile.TemporaryDirectory(prefix="timetracker-gui-self-test-") as folder:
        home = Path(folder)
        app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                       "TIMETRACKER_TELEMETRY": "off"})
        try:
            app.entries.start(project="Self-test", description="Rendering check")
            image = render_main_window_offscreen(app)
        finally:
            app.close()
    colors = distinct_colors(image)
    if image.isNull() or image.width() < 400 or colors < 8:
        print(f"GUI self-test: the main window rendered blank ({image.width()}x"
              f"{image.height()}, {colors} colours)", file=sys.stderr)
        return 1
    print(f"GUI self-test: main window rendered {image.width()}x{image.height()}, "
          f"{colors} colours")
    return 0
