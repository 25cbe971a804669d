"""Screenshots of the main window (timer bar + a week of entries) in light and dark.

The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the path is printed (run with
``-s``). Each image must hold real content: many colours, the theme's window colour and the
running timer's red stop button.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from support.view_data import at, make_app, seed_week
from timetracker.app import App
from timetracker.ui import theme
from timetracker.ui.entry_dialog import EntryDialog
from timetracker.ui.main_window import MainWindow
from timetracker.ui.self_test import distinct_colors


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nmain window screenshots: {folder}")
    return folder


@pytest.fixture
def app(home: Path) -> Iterator[App]:
    application = make_app(home)
    seed_week(application)
    now = application.clock()
    application.entries.start(project="Website relaunch", task="Design",
                              description="Landing page polish", tags=["client-work"],
                              at=now - 2710)
    application.entries.add(at(__import__("datetime").date(2024, 5, 17), 16, 30), now - 3000,
                            project="Internal", description="Sprint review", tags=["meeting"])
    yield application
    application.close()


def has_color(image: QImage, color: str, tolerance: int = 6) -> bool:
    want = QColor(color)
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            got = image.pixelColor(x, y)
            if (abs(got.red() - want.red()) <= tolerance
                    and abs(got.green() - want.green()) <= tolerance
                    and abs(got.blue() - want.blue()) <= tolerance):
                return True
    return False


@pytest.mark.parametrize("name", ["light", "dark"])
def test_main_window_screenshot(qtbot: QtBot, qapp: QApplication, app: App, shots: Path,
                                name: str) -> None:
    previous = (qapp.style().name(), qapp.palette(), qapp.styleSheet())
    try:
        app.config.set("theme", name)
        colors = theme.apply(qapp, name)
        window = MainWindow(app, tray_enabled=False)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        image = window.grab().toImage()
        path = shots / f"main-window-{name}.png"
        assert image.save(str(path))
        print(f"  {path}")
        assert distinct_colors(image) >= 40
        assert has_color(image, colors.window)
        assert has_color(image, colors.danger)  # the stop button of the running timer

        dialog = EntryDialog(app, window.reads, window.dispatcher, None, window)
        qtbot.addWidget(dialog)
        dialog.description.setText("Client workshop")
        dialog.start.setText("14:00")
        dialog.end.setText("15:30")
        dialog.save()  # (no project chosen: fine) — then show a validation message
        dialog = EntryDialog(app, window.reads, window.dispatcher, None, window)
        qtbot.addWidget(dialog)
        dialog.description.setText("Client workshop")
        dialog.start.setText("14:00")
        dialog.end.setText("25:00")
        dialog.save()
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog_image = dialog.grab().toImage()
        dialog_path = shots / f"entry-dialog-{name}.png"
        assert dialog_image.save(str(dialog_path))
        assert distinct_colors(dialog_image, step=3) >= 10
        assert has_color(dialog_image, colors.danger, tolerance=40)  # the error message
        window.watcher.stop()
        window.quitting = True
    finally:
        qapp.setStyleSheet(previous[2])
        qapp.setPalette(previous[1])
        qapp.setStyle(previous[0])
