"""Shared helpers for tests that drive the real telemetry pipeline."""

from __future__ import annotations

import time
from collections.abc import Callable

from timetracker.telemetry.service import Telemetry
from timetracker.telemetry.uploader import UploaderSettings

API_KEY = "phc_test_project_key"

#: Fast timings so fault tests finish in well under a second each.
FAST = UploaderSettings(batch_size=100, threshold=5, interval=0.2, request_timeout=2.0,
                        backoff_base=0.05, backoff_cap=0.3, retry_after_cap=2.0)

TIMER_STARTED = {"source": "cli", "stopped_running": False, "has_project": True,
                 "has_task": False, "tag_count": 2, "billable": False}

TelemetryFactory = Callable[..., Telemetry]


def drain_until_empty(tele: Telemetry, limit: float = 10.0) -> int:
    """Drive the real uploader (honouring its backoff) until the outbox is empty; returns
    the number of drain rounds."""
    deadline = time.monotonic() + limit
    rounds = 0
    while tele.outbox.depth()[0] and time.monotonic() < deadline:
        rounds += 1
        report = tele.uploader.drain()
        if report.stopped_because in ("backing_off", "failed"):
            wait = float(tele.outbox.get_state("backoff_until", "0") or 0) - time.time()
            time.sleep(max(0.0, min(wait, 2.5)) + 0.01)
        elif report.stopped_because == "paused":
            break
    return rounds
