"""Fixtures for the telemetry tests: a loopback capture server and Telemetry instances."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from support.capture_server import CaptureServer

from timetracker.telemetry.service import Telemetry, TelemetrySettings
from timetracker.telemetry.uploader import UploaderSettings

API_KEY = "phc_test_project_key"

#: Fast timings so fault tests finish in well under a second each.
FAST = UploaderSettings(batch_size=100, threshold=5, interval=0.2, request_timeout=2.0,
                        backoff_base=0.05, backoff_cap=0.3, retry_after_cap=2.0)

TIMER_STARTED = {"source": "cli", "stopped_running": False, "has_project": True,
                 "has_task": False, "tag_count": 2, "billable": False}


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as running:
        yield running


TelemetryFactory = Callable[..., Telemetry]


@pytest.fixture
def make_telemetry(tmp_path: Path, server: CaptureServer) -> Iterator[TelemetryFactory]:
    made: list[Telemetry] = []

    def make(level: str | None = "full", folder: Path | None = None,
             env: dict[str, str] | None = None, uploader: UploaderSettings = FAST,
             max_events: int = 10_000, max_bytes: int = 10 * 1024 * 1024,
             strict: bool = True, **kwargs: object) -> Telemetry:
        environ = {"TIMETRACKER_POSTHOG_HOST": server.url,
                   "TIMETRACKER_POSTHOG_API_KEY": API_KEY}
        if level is not None:
            environ["TIMETRACKER_TELEMETRY"] = level
        environ.update(env or {})
        tele = Telemetry(folder or tmp_path / "telemetry", environ, "test-session",
                         strict=strict,
                         settings=TelemetrySettings(max_events=max_events, max_bytes=max_bytes,
                                                    uploader=uploader), **kwargs)  # type: ignore[arg-type]
        made.append(tele)
        return tele

    yield make
    for tele in made:
        tele.uploader.stop(0.5)
        tele.outbox.close()


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


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    """A real keyring backend (keyrings.alt plaintext file) in a temporary folder."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
