"""Run a Python callable off the UI thread; results come back as signals on the UI thread.

The whole API::

    from timetracker.ui.background import run_in_background, run_controlled

    job = run_in_background(app.reports.report, rng, "project", owner=self)
    job.finished.connect(self._show)        # finished(result)       on the UI thread
    job.failed.connect(self._show_error)    # failed(exception)      on the UI thread

    def export(control: JobControl) -> int:   # long work that reports progress
        for done, total in ...:
            control.progress(done, total)      # throttled; delivered as progress(done, total)
            control.raise_if_cancelled()       # or check ``control.cancelled``
        return total

    job = run_controlled(export, owner=self)
    job.progress.connect(dialog.set_progress)
    dialog.canceled.connect(job.cancel)

* ``run_in_background(fn, *args, owner=None, **kwargs)`` calls ``fn(*args, **kwargs)``.
* ``run_controlled(fn, owner=None)`` calls ``fn(control)`` with a :class:`JobControl` that
  reports progress and tells the work whether it was cancelled.
* Exactly one of ``finished``/``failed``/``cancelled`` is emitted, then ``done`` (always last).
  A :class:`Cancelled` raised by the work (``raise_if_cancelled``) ends in ``cancelled``; any
  other exception in ``failed(exc)``. Work that ignores ``cancel()`` runs to its end, and its
  result is then dropped (``cancelled`` is emitted instead of ``finished``).
* ``owner``: a QObject (usually the widget that shows the result). When it is destroyed the job
  is cancelled and nothing more is delivered, so a closed view is never called back.
* Jobs run on a private :class:`QThreadPool`; :func:`wait_for_all` drains it (shutdown, tests).
  A job keeps itself alive until its last signal is delivered: callers need not keep a reference.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

__all__ = ["Cancelled", "Job", "JobControl", "active_jobs", "run_controlled", "run_in_background",
           "wait_for_all"]

#: Progress signals are sent at most this often (the last one, done == total, always goes).
PROGRESS_INTERVAL_S = 0.05

_LIVE: set[Job] = set()
_POOL: QThreadPool | None = None


def _pool() -> QThreadPool:
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(4)
        _POOL.setExpiryTimeout(30_000)
    return _POOL


class Cancelled(Exception):
    """Raised inside the work by :meth:`JobControl.raise_if_cancelled` once cancelled."""


class JobControl:
    """Handed to controlled work: report progress, ask whether the user cancelled."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._event = threading.Event()
        self._last_progress = 0.0

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` units (throttled; safe from the worker thread)."""
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self._job._progress_raw.emit(int(done), int(total))


class Job(QObject):
    """One piece of background work. Public signals are always emitted on the UI thread."""

    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progress = Signal(int, int)
    done = Signal()

    # Emitted from the worker thread; queued to the slots below on the UI thread.
    _result_raw = Signal(object)
    _error_raw = Signal(object)
    _progress_raw = Signal(int, int)

    def __init__(self, work: Callable[[JobControl], Any], owner: QObject | None = None) -> None:
        super().__init__()
        self.control = JobControl(self)
        self._work = work
        self._owner_gone = False
        self._finished = False
        self._result_raw.connect(self._deliver_result)
        self._error_raw.connect(self._deliver_error)
        self._progress_raw.connect(self._deliver_progress)
        if owner is not None:
            owner.destroyed.connect(self._on_owner_destroyed)

    # -- control from the UI thread ----------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop; no result will be delivered after this call."""
        self.control._event.set()

    @property
    def is_cancelled(self) -> bool:
        return self.control.cancelled

    @property
    def is_done(self) -> bool:
        return self._finished

    # -- the worker side ---------------------------------------------------------------------
    def _run(self) -> None:
        try:
            result = self._work(self.control)
        except BaseException as exc:  # every failure goes back to the UI, or the job never ends
            self._error_raw.emit(exc)
        else:
            self._result_raw.emit(result)

    # -- delivery on the UI thread -----------------------------------------------------------
    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        if self._owner_gone:
            pass
        elif self.control.cancelled:
            self.cancelled.emit()
        else:
            self.finished.emit(result)
        self._end()

    @Slot(object)
    def _deliver_error(self, error: object) -> None:
        if self._owner_gone:
            pass
        elif isinstance(error, Cancelled) or self.control.cancelled:
            self.cancelled.emit()
        else:
            self.failed.emit(error)
        self._end()

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if not self._owner_gone and not self.control.cancelled and not self._finished:
            self.progress.emit(done, total)

    def _on_owner_destroyed(self, *_args: object) -> None:
        self._owner_gone = True
        self.cancel()

    def _end(self) -> None:
        self._finished = True
        if not self._owner_gone:
            self.done.emit()
        _LIVE.discard(self)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job = job

    def run(self) -> None:
        self._job._run()


def run_controlled(work: Callable[[JobControl], Any], owner: QObject | None = None) -> Job:
    """Start ``work(control)`` on a worker thread; returns the :class:`Job` (already queued).

    Connect to the job's signals right after this call: nothing is delivered before the UI
    thread returns to its event loop, so no signal can be missed.
    """
    job = Job(work, owner)
    _LIVE.add(job)
    _pool().start(_Runnable(job))
    return job


def run_in_background(fn: Callable[..., Any], *args: Any, owner: QObject | None = None,
                      **kwargs: Any) -> Job:
    """Start ``fn(*args, **kwargs)`` on a worker thread; see :func:`run_controlled`."""
    return run_controlled(lambda _control: fn(*args, **kwargs), owner)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until every started job's work has returned (not its delivery). For shutdown/tests."""
    return _POOL.waitForDone(timeout_ms) if _POOL is not None else True


def active_jobs() -> int:
    """How many jobs have not delivered their last signal yet."""
    return len(_LIVE)
