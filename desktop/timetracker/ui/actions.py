"""The one path every user action takes: :class:`ActionDispatcher`.

Each button, menu item, shortcut, tray item and dialog calls::

    dispatcher.run("timer.start", "bar", lambda: app.entries.start(...))

or, for work done off the UI thread (imports, exports, backups)::

    job = dispatcher.run_job("export.run", "dialog", work, owner=self)

The action name must be declared in :mod:`timetracker.ui.action_catalog` with the telemetry
events it produces; an undeclared name raises :class:`UnknownAction`. The dispatcher then, in
this order: binds ``app.event_source`` to where the action came from on the thread doing the
work (so the domain's events, emitted through ``app.emit``, carry the right ``source``), runs
the work, puts ``event_source`` back, emits the action's GUI-only event if it declares one
(``report.generated``, ``settings.changed``), then emits ``performed(name, source)``; a
data-changing action also emits ``data_changed``. A :class:`TimeTrackerError` (a message meant
for the user) is not raised but emitted as ``failed(name, message)`` for the window to show, and
its class is reported as ``error.occurred`` (never the message). Telemetry of UI actions happens
in this one place — no widget knows about it.

A domain event that an action running on the UI thread produces without declaring it is
recorded in :attr:`ActionDispatcher.undeclared` (the tests require it to stay empty, so the
catalog stays true).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from PySide6.QtCore import QObject, Signal

from timetracker.core.errors import TimeTrackerError
from timetracker.ui.action_catalog import ACTIONS, Action, UnknownAction, action

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.ui.background import Job, JobControl

__all__ = ["ACTIONS", "SOURCES", "ActionDispatcher", "Source", "UnknownAction", "dispatcher_for"]

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
        self._running: list[tuple[str, Source]] = []
        #: (action, event): domain events an action produced without declaring them.
        self.undeclared: list[tuple[str, str]] = []
        self._ui_thread = threading.get_ident()
        self._emitting = False
        app.add_sink(self._watch)

    @property
    def active_source(self) -> Source | None:
        """The source of the action running on the UI thread now (None between actions)."""
        return self._running[-1][1] if self._running else None

    def run(self, name: str, source: Source, work: Callable[[], T],
            changes_data: bool | None = None) -> T | None:
        """Run ``work`` as the user action ``name`` from ``source``; None if it was refused.

        ``changes_data`` overrides the action's declared default.
        """
        spec = self._check(name, source)
        previous = self.app.event_source
        self.app.event_source = source
        self._running.append((name, source))
        try:
            result = work()
        except TimeTrackerError as error:
            self._refused(name, error)
            return None
        finally:
            self._running.pop()
            self.app.event_source = previous
        self._succeeded(name, source, spec, result, changes_data)
        return result

    def run_job(self, name: str, source: Source, work: Callable[[JobControl], Any],
                owner: QObject | None = None, changes_data: bool | None = None) -> Job:
        """Run ``work(control)`` off the UI thread as the user action ``name``.

        The source holds on the worker thread while the work runs. The returned job's
        signals are those of :func:`timetracker.ui.background.run_controlled`; the dispatcher
        connects first, so ``performed``/``data_changed``/``failed`` come before the caller's
        slots. A refused job (:class:`TimeTrackerError`) and an unexpected failure are reported
        as ``error.occurred``; a cancelled one is not an error.
        """
        spec = self._check(name, source)
        app = self.app

        def bound(control: JobControl) -> Any:
            previous = app.event_source
            app.event_source = source
            try:
                return work(control)
            finally:
                app.event_source = previous

        from timetracker.ui.background import run_controlled  # (its thread pool: when needed)

        job = run_controlled(bound, owner=owner)
        job.finished.connect(
            lambda result: self._succeeded(name, source, spec, result, changes_data))
        job.failed.connect(lambda error: self._job_failed(name, source, error))
        return job

    # -- inside ------------------------------------------------------------------------------
    @staticmethod
    def _check(name: str, source: str) -> Action:
        if source not in SOURCES:
            raise ValueError(f"unknown action source {source!r}")
        return action(name)

    def _succeeded(self, name: str, source: str, spec: Action, result: object,
                   changes_data: bool | None) -> None:
        self.last_error = None
        if spec.emits is not None and spec.properties is not None:
            self._emit(source, spec.emits, dict(spec.properties(result)))
        self.history.append((name, source))
        del self.history[:-50]
        self.performed.emit(name, source)
        if spec.changes_data if changes_data is None else changes_data:
            self.data_changed.emit()

    def _refused(self, name: str, error: TimeTrackerError) -> None:
        self.last_error = str(error)
        self.app.report_error(error)  # the class name only (error.occurred), when allowed
        self.failed.emit(name, str(error))

    def _job_failed(self, name: str, source: Source, error: object) -> None:
        if isinstance(error, TimeTrackerError):
            previous = self.app.event_source
            self.app.event_source = source
            try:
                self._refused(name, error)
            finally:
                self.app.event_source = previous
        elif isinstance(error, BaseException):
            self.report_error(error, source)

    def report_error(self, error: BaseException, source: Source) -> None:
        """An unexpected failure a widget caught and showed: ``error.occurred`` with its
        class only (never the message), stamped with ``source``."""
        previous = self.app.event_source
        self.app.event_source = source
        try:
            self.app.report_error(error)
        finally:
            self.app.event_source = previous

    def _emit(self, source: str, event: str, properties: dict[str, object]) -> None:
        previous = self.app.event_source
        self.app.event_source = source
        self._emitting = True
        try:
            self.app.emit(event, properties)
        finally:
            self._emitting = False
            self.app.event_source = previous

    def _watch(self, event: str, _properties: Mapping[str, object]) -> None:
        """The app's sink: checks what a running UI-thread action produces (see module doc)."""
        if not self._running or self._emitting or threading.get_ident() != self._ui_thread:
            return
        name = self._running[-1][0]
        if event not in ACTIONS[name].domain:
            self.undeclared.append((name, event))


def dispatcher_for(widget: QObject, app: App) -> ActionDispatcher:
    """The dispatcher of the window ``widget`` lives in; a widget used on its own (tests, a
    dialog opened without a window) gets one of its own, so no action ever bypasses one."""
    node: QObject | None = widget
    while node is not None:
        found = getattr(node, "dispatcher", None)
        if isinstance(found, ActionDispatcher):
            return found
        node = node.parent()
    own = getattr(widget, "_own_dispatcher", None)
    if not isinstance(own, ActionDispatcher):
        own = ActionDispatcher(app, widget)
        widget._own_dispatcher = own  # type: ignore[attr-defined]
    return own
