"""Help menu windows: the keyboard shortcuts table and the About box (built when opened)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from timetracker import build_info
from timetracker.ui.shortcuts import LIST_KEYS, SHORTCUTS, native_text


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """Help → Keyboard shortcuts: every shortcut with what it does (not shown yet)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(SHORTCUTS) + len(LIST_KEYS), 2)
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Keys", "Action"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    rows = [(native_text(s.key), f"{s.label} — {s.help}") for s in SHORTCUTS]
    rows += [(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) or k,
              f"In the entries list: {h}") for k, h in LIST_KEYS]
    for row, (keys, text) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(keys))
        table.setItem(row, 1, QTableWidgetItem(text))
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    dialog.resize(620, 560)
    return dialog


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About TimeTracker",
                      f"<b>{build_info.APP_NAME}</b> {build_info.VERSION}<br>"
                      "A privacy-first desktop time tracker.")
