"""Fixtures for the telemetry tests: a loopback capture server and Telemetry instances."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY, FAST, TelemetryFactory
from timetracker.telemetry.service import Telemetry, TelemetrySettings
from timetracker.telemetry.uploader import UploaderSettings

__all__ = ["API_KEY"]

@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as running:
        yield running


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


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    """A real keyring backend (keyrings.alt plaintext file) in a temporary folder."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
