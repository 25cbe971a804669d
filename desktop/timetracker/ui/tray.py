"""The system tray icon: shows whether a timer runs; start/stop, continue, show, quit.

When the platform has no tray (:meth:`QSystemTrayIcon.isSystemTrayAvailable` is false) the
icon is not shown and closing the window quits as a normal window would; the menu and its
actions still exist, so the behaviour is the same wherever a tray exists.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from timetracker.core.entry_reads import EntryRow
from timetracker.ui.icons import tray_icon
from timetracker.ui.timer_bar import clock_text


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QSystemTrayIcon):
    def __init__(self, on_toggle: Callable[[], None], on_continue: Callable[[], None],
                 on_show: Callable[[], None], on_quit: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(tray_icon(False), parent)
        self.running: EntryRow | None = None
        self.menu = QMenu(parent)
        self.toggle_action = QAction("Start timer", self.menu)
        self.toggle_action.triggered.connect(on_toggle)
        self.continue_action = QAction("Continue last entry", self.menu)
        self.continue_action.triggered.connect(on_continue)
        self.show_action = QAction("Show TimeTracker", self.menu)
        self.show_action.triggered.connect(on_show)
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(on_quit)
        self.menu.addAction(self.toggle_action)
        self.menu.addAction(self.continue_action)
        self.menu.addSeparator()
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.quit_action)
        self.setContextMenu(self.menu)
        self._on_show = on_show
        self.activated.connect(self._activated)
        self.show_state(None, 0)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self._on_show()

    def show_state(self, running: EntryRow | None, elapsed: int) -> None:
        """Icon, tooltip and menu for the running entry (or none)."""
        changed = (running is None) != (self.running is None)
        self.running = running
        if changed or self.icon().isNull():
            self.setIcon(tray_icon(running is not None))
        self.toggle_action.setText("Stop timer" if running is not None else "Start timer")
        self.continue_action.setEnabled(running is None)
        self.setToolTip(self.tooltip(running, elapsed))

    @staticmethod
    def tooltip(running: EntryRow | None, elapsed: int) -> str:
        if running is None:
            return "TimeTracker — no timer running"
        what = running.project or "No project"
        if running.task:
            what += f" · {running.task}"
        return f"TimeTracker — {what} — {clock_text(elapsed)}"
