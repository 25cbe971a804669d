"""Screenshots of the main window (timer bar + a week of entries) in light and dark.

The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the path is printed (run with
``-s``). Each image must hold real content: many colours, the theme's window colour and the
running timer's red stop button.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from support.screenshots import has_color, save_png
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.ui import theme
from timetracker.ui.entry_dialog import EntryDialog
from timetracker.ui.self_test import distinct_colors


def test_main_window_screenshot(qtbot: QtBot, running_week_app: App, themed: theme.Theme,
                                shots: Path, make_window: WindowFactory) -> None:
    app, colors, name = running_week_app, themed, themed.name
    app.config.set("theme", name)
    window = make_window(app, size=(1280, 800), tray_enabled=False)
    image = save_png(window, shots, f"main-window-{name}")
    assert distinct_colors(image) >= 40
    assert has_color(image, colors.window, tolerance=6)
    assert has_color(image, colors.danger, tolerance=6)  # the stop button of the running timer

    def filled_dialog(end: str) -> EntryDialog:
        dialog = EntryDialog(app, window.reads, window.dispatcher, None, window)
        qtbot.addWidget(dialog)
        dialog.description.setText("Client workshop")
        dialog.start.setText("14:00")
        dialog.end.setText(end)
        dialog.save()
        return dialog

    filled_dialog("15:30")  # (no project chosen: fine) — then show a validation message
    dialog = filled_dialog("25:00")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog_image = save_png(dialog, shots, f"entry-dialog-{name}")
    assert distinct_colors(dialog_image, step=3) >= 10
    assert has_color(dialog_image, colors.danger, tolerance=40)  # the error message
