"""The one path every user action takes: :class:`ActionDispatcher`.

Each button, menu item, shortcut, tray item and dialog calls::

    dispatcher.run("timer.start", "bar", lambda: app.entries.start(...))

which, in this order: sets ``app.event_source`` to where the action came from (so the domain's
events carry the right ``source``), runs the work, puts ``event_source`` back, then emits
``performed(name, source)``; a data-changing action also emits ``data_changed``. A
:class:`TimeTrackerError` (a message meant for the user) is not raised but emitted as
``failed(name, message)`` for the window to show. Telemetry of UI actions hooks into this one
place (``performed``) — no widget needs to know about it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from PySide6.QtCore import QObject, Signal

from timetracker.core.errors import TimeTrackerError

if TYPE_CHECKING:
    from timetracker.app import App

#: Where an action came from; the values of the ``source`` enum in events.yaml.
Source = Literal["bar", "tray", "shortcut", "menu", "dialog", "focus"]
SOURCES: tuple[str, ...] = ("bar", "tray", "shortcut", "menu", "dialog", "focus")

T = TypeVar("T")


class ActionDispatcher(QObject):
    """Runs user actions, stamps their source, reports success, failure and data changes."""

    #: (action name, source) after an action ran without error.
    performed = Signal(str, str)
    #: (action name, user-ready message) when an action was refused.
    failed = Signal(str, str)
    #: After any action that changed time data, so views refresh.
    data_changed = Signal()

    def __init__(self, app: App, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.history: list[tuple[str, str]] = []
        #: The message of the last refused action (dialogs show it next to their fields).
        self.last_error: str | None = None

    def run(self, name: str, source: Source, work: Callable[[], T],
            changes_data: bool = True) -> T | None:
        """Run ``work`` as the user action ``name`` from ``source``; None if it was refused."""
        if source not in SOURCES:
            raise ValueError(f"unknown action source {source!r}")
        previous = self.app.event_source
        self.app.event_source = source
        try:
            result = work()
        except TimeTrackerError as error:
            self.last_error = str(error)
            self.failed.emit(name, str(error))
            return None
        finally:
            self.app.event_source = previous
        self.last_error = None
        self.history.append((name, source))
        del self.history[:-50]
        self.performed.emit(name, source)
        if changes_data:
            self.data_changed.emit()
        return result
