"""The background runner: work runs on another thread, results arrive on the UI thread."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from timetracker.ui.background import (
    Cancelled,
    JobControl,
    active_jobs,
    run_controlled,
    run_in_background,
    wait_for_all,
)


def test_result_is_computed_off_the_ui_thread_and_delivered_on_it(qtbot: QtBot) -> None:
    ui_thread = QThread.currentThread()
    seen: dict[str, object] = {}

    def work(a: int, b: int) -> int:
        seen["worker"] = threading.get_ident()
        return a * b

    delivered: list[tuple[object, bool]] = []
    job = run_in_background(work, 6, b=7)
    job.finished.connect(lambda r: delivered.append((r, QThread.currentThread() is ui_thread)))
    with qtbot.waitSignal(job.done, timeout=5000):
        pass
    assert delivered == [(42, True)]
    assert seen["worker"] != threading.get_ident()
    assert job.is_done


def test_exception_arrives_as_failed(qtbot: QtBot) -> None:
    def work() -> None:
        raise ValueError("bad field 'start'")

    job = run_in_background(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    error = blocker.args[0]
    assert isinstance(error, ValueError)
    assert "bad field" in str(error)


def test_progress_is_reported_and_last_step_always_arrives(qtbot: QtBot) -> None:
    def work(control: JobControl) -> str:
        for i in range(1, 201):
            control.progress(i, 200)
        return "ok"

    steps: list[tuple[int, int]] = []
    job = run_controlled(work)
    job.progress.connect(lambda d, t: steps.append((d, t)))
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["ok"]
    assert steps[-1] == (200, 200)
    # Throttled: far fewer deliveries than calls, never out of order.
    assert 1 <= len(steps) < 200
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_cancel_stops_cooperative_work_and_drops_result(qtbot: QtBot) -> None:
    started = threading.Event()
    iterations: list[int] = []

    def work(control: JobControl) -> str:
        started.set()
        for i in range(10_000):
            iterations.append(i)
            control.raise_if_cancelled()
            time.sleep(0.001)
        return "finished anyway"

    job = run_controlled(work)
    results: list[object] = []
    job.finished.connect(results.append)
    assert started.wait(5)
    job.cancel()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert results == []
    assert len(iterations) < 10_000


def test_result_of_uncooperative_work_is_dropped_after_cancel(qtbot: QtBot) -> None:
    gate = threading.Event()
    job = run_in_background(lambda: gate.wait(5) and "value")
    results: list[object] = []
    job.finished.connect(results.append)
    job.cancel()
    gate.set()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert results == []


def test_owner_destroyed_means_nothing_is_delivered(qtbot: QtBot) -> None:
    gate = threading.Event()
    owner = QWidget()
    job = run_in_background(lambda: gate.wait(5), owner=owner)
    calls: list[object] = []
    job.finished.connect(calls.append)
    job.failed.connect(calls.append)
    job.done.connect(lambda: calls.append("done"))
    owner.deleteLater()
    qtbot.waitUntil(lambda: job.is_cancelled, timeout=5000)
    gate.set()
    assert wait_for_all(5000)
    qtbot.waitUntil(lambda: job.is_done, timeout=5000)
    assert calls == []


def test_jobs_run_concurrently_and_ui_stays_free(qtbot: QtBot) -> None:
    barrier = threading.Barrier(3, timeout=5)
    jobs = [run_in_background(barrier.wait) for _ in range(3)]
    # The barrier only opens when all three run at the same time.
    qtbot.waitUntil(lambda: all(j.is_done for j in jobs), timeout=8000)
    assert barrier.broken is False
    qtbot.waitUntil(lambda: active_jobs() == 0, timeout=5000)


def test_work_raising_cancelled_ends_in_cancelled_not_failed(qtbot: QtBot) -> None:
    def work() -> None:
        raise Cancelled()

    job = run_in_background(work)
    failures: list[object] = []
    job.failed.connect(failures.append)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert failures == []
