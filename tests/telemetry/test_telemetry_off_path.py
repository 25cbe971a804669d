"""Consent off: events are validated and dropped without building the telemetry service —
unless something on disk needs the full service (leftovers to purge) or debug printing is on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.telemetry.off_path import OffSink
from timetracker.telemetry.registry import TelemetryValidationError

from tests.conftest import PYTHON


def _app(home: Path, server: CaptureServer, **extra: str) -> App:
    env = {"TIMETRACKER_POSTHOG_HOST": server.url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
           "TZ": "UTC", **extra}
    return App(paths=AppPaths.under(home), environ=env)


@pytest.mark.parametrize("extra", [{}, {"TIMETRACKER_TELEMETRY": "off"}, {"DO_NOT_TRACK": "1"}])
def test_off_drops_without_building_the_service(tmp_path: Path, server: CaptureServer,
                                                extra: dict[str, str]) -> None:
    app = _app(tmp_path, server, **extra)
    app.entries.start(project="P")
    app.entries.stop()
    assert "telemetry" not in app.__dict__
    assert app._off_sink is not None and app._off_sink.dropped["consent"] >= 2
    assert app._telemetry_stats()["dropped"] == {"consent": app._off_sink.dropped["consent"],
                                                 "invalid": 0}
    app.close()
    assert not app.paths.telemetry_dir.exists()
    assert server.requests() == []


def test_off_path_still_validates_in_strict_mode(tmp_path: Path,
                                                 server: CaptureServer) -> None:
    app = _app(tmp_path, server)
    with pytest.raises(TelemetryValidationError, match="not declared"):
        app.emit("no.such_event", {})
    with pytest.raises(TelemetryValidationError):
        app.emit("timer.stopped", {"duration_seconds": "long"})
    assert "telemetry" not in app.__dict__


def test_off_path_in_production_drops_and_counts_invalid_events() -> None:
    sink = OffSink({})
    sink.strict = False  # what a production build does (development builds are strict)
    sink.track("no.such_event", {})
    sink.track("timer.stopped", {"source": "cli", "duration_seconds": "long"})
    assert sink.dropped == {"consent": 0, "invalid": 2}


def test_leftovers_make_the_full_service_purge_them(tmp_path: Path,
                                                    server: CaptureServer) -> None:
    basic = _app(tmp_path, server)
    basic.telemetry.set_level("basic")  # creates the outbox and the identity
    basic.close()
    folder = basic.paths.telemetry_dir
    assert (folder / "outbox.sqlite3").exists() and (folder / "identity.json").exists()
    forced_off = _app(tmp_path, server, DO_NOT_TRACK="1")
    forced_off.entries.start(project="P")
    assert forced_off._off_sink is None and "telemetry" in forced_off.__dict__
    assert not (folder / "outbox.sqlite3").exists() and not (folder / "identity.json").exists()
    forced_off.close()


def test_debug_printing_uses_the_full_service(tmp_path: Path, server: CaptureServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    app = _app(tmp_path, server, TIMETRACKER_TELEMETRY_DEBUG="1")
    app.entries.start(project="P")
    assert "telemetry-debug" in capsys.readouterr().err
    assert app._off_sink is None
    app.close()
    assert server.requests() == []


def test_the_event_registry_does_not_need_jsonschema() -> None:
    """Flag keys/variants are enough for the event registry: the payload schemas are checked
    where payloads are used (the flag client), not on every CLI run."""
    code = ("import sys; from timetracker.telemetry.registry import load_registry; "
            "load_registry(); print('jsonschema' in sys.modules)")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
