"""Help menu windows: the keyboard shortcuts list and the About box (built when opened)."""

from __future__ import annotations

import html
import platform
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from timetracker import build_info
from timetracker.ui.icons import app_icon
from timetracker.ui.shortcuts import LIST_KEYS, SHORTCUTS, native_text
from timetracker.ui.tables import TEXT_ALIGNMENT

if TYPE_CHECKING:
    from timetracker.core.paths import AppPaths

#: The sections of the shortcuts list, in order: title and the shortcut keys in it.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Timer", ("toggle_timer", "continue_last", "focus_bar")),
    ("Entries", ("new_entry", "find", "undo")),
    ("Views", ("view_timer", "view_projects", "view_reports", "prev_week", "next_week",
               "this_week", "refresh")),
    ("App", ("import", "settings", "shortcuts_help", "close_window", "quit")),
)


def _rows() -> list[tuple[str, str, str]]:
    """(section, keys, what it does) for every shortcut, grouped by section."""
    by_key = {s.key: s for s in SHORTCUTS}
    rows = [(title, native_text(key), by_key[key].help)  # (its menu name is on the menu)
            for title, keys in SECTIONS for key in keys]
    rows += [("In the entries list",
              QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys,
              text) for keys, text in LIST_KEYS]
    return rows


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """Help → Keyboard shortcuts: every shortcut by section, with what it does (not shown)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    rows = _rows()
    sections = list(dict.fromkeys(section for section, _keys, _text in rows))
    table = QTableWidget(len(rows) + len(sections), 2)
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Keys", "What it does"])
    for column in range(2):  # titles aligned like the text under them
        title_item = table.horizontalHeaderItem(column)
        if title_item is not None:
            title_item.setTextAlignment(TEXT_ALIGNMENT)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setShowGrid(False)
    table.setWordWrap(True)
    bold = QFont(table.font())
    bold.setBold(True)
    line = 0
    for section in sections:
        title = QTableWidgetItem(section)
        title.setFont(bold)
        table.setItem(line, 0, title)
        table.setSpan(line, 0, 1, 2)
        line += 1
        for _section, keys, text in (r for r in rows if r[0] == section):
            table.setItem(line, 0, QTableWidgetItem(keys))
            table.setItem(line, 1, QTableWidgetItem(text))
            line += 1
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(640, 600)
    buttons.button(QDialogButtonBox.StandardButton.Close).setFocus(
        Qt.FocusReason.OtherFocusReason)
    return dialog


def about_text(paths: AppPaths | None) -> str:
    """The About box's text: version, build, licence and where the data lives."""
    rows = [f"<p><b style='font-size:14pt'>{build_info.APP_NAME}</b> {build_info.VERSION}<br>"
            "A privacy-first desktop time tracker.</p>",
            f"<p>Build: {html.escape(build_info.DEPLOYMENT_METHOD)} · "
            f"{html.escape(build_info.ENVIRONMENT)} · Python {platform.python_version()} · "
            f"Qt {qVersion()}<br>Licence: MIT</p>"]
    if paths is not None:
        def link(folder: Path) -> str:
            return f"<a href='{folder.as_uri()}'>{html.escape(str(folder))}</a>"

        rows.append(f"<p>Your data: {link(paths.data_dir)}<br>"
                    f"Settings: {link(paths.config_dir)}<br>"
                    f"Logs: {link(paths.log_dir)}</p>")
    rows.append("<p>Nothing leaves this computer unless you allow it: see Settings → "
                "Privacy &amp; Telemetry.</p>")
    return "".join(rows)


def show_about(parent: QWidget, paths: AppPaths | None = None) -> QMessageBox:
    """Help → About: opened, not waited for (its folder links open the file manager)."""
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {build_info.APP_NAME}")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(paths))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label = box.findChild(QLabel, "qt_msgbox_label")
    if label is not None:
        label.setOpenExternalLinks(True)
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.open()
    return box
