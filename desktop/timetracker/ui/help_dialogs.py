"""Help menu windows: the keyboard shortcuts list and the About box (built when opened)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from timetracker import build_info
from timetracker.ui.shortcuts import LIST_KEYS, SHORTCUTS, native_text

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
    rows = [(title, native_text(key), f"{by_key[key].label} — {by_key[key].help}")
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


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About TimeTracker",
                      f"<b>{build_info.APP_NAME}</b> {build_info.VERSION}<br>"
                      "A privacy-first desktop time tracker.")
