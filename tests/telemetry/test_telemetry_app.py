"""The composition root wires domain events into telemetry with the front end's source."""

from __future__ import annotations

from pathlib import Path

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths


def _app(home: Path, server: CaptureServer, **extra: str) -> App:
    env = {"TIMETRACKER_POSTHOG_HOST": server.url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
           "TZ": "UTC", **extra}
    return App(paths=AppPaths.under(home), environ=env)


def test_domain_events_reach_the_server_with_the_source(tmp_path: Path,
                                                        server: CaptureServer) -> None:
    app = _app(tmp_path, server)
    app.telemetry.set_level("full")
    app.event_source = "tray"
    app.entries.start(project="Secret client work", tags=["a", "b", "c"])
    app.event_source = "shortcut"
    app.entries.stop()
    app.close()  # the CLI's end of command: one bounded flush
    started = [e for e in server.events() if e["event"] == "timer.started"]
    stopped = [e for e in server.events() if e["event"] == "timer.stopped"]
    assert started[0]["properties"]["source"] == "tray"
    assert started[0]["properties"]["tag_count"] == "3-4"
    assert stopped[0]["properties"]["source"] == "shortcut"
    assert "Secret" not in str(server.events())


def test_off_app_builds_nothing(tmp_path: Path, server: CaptureServer) -> None:
    app = _app(tmp_path, server)
    app.start_telemetry()
    app.entries.start(project="P")
    app.entries.stop()
    app.report_error(OSError("disk full at /home/x"))
    assert not app.telemetry.uploader.running
    app.close()
    assert not app.paths.telemetry_dir.exists()
    assert server.requests() == []


def test_gui_lifecycle_start_and_stop(tmp_path: Path, server: CaptureServer) -> None:
    app = _app(tmp_path, server, TIMETRACKER_TELEMETRY="basic")
    app.start_telemetry()
    assert app.telemetry.uploader.running
    app.report_error(PermissionError("x"))
    app.stop_telemetry(1.0)
    assert not app.telemetry.uploader.running
    names = [e["event"] for e in server.events()]
    assert "telemetry.install" in names and "error.occurred" in names
    app.close()


def test_outbox_is_its_own_file_not_the_time_database(tmp_path: Path,
                                                      server: CaptureServer) -> None:
    import sqlite3

    app = _app(tmp_path, server, TIMETRACKER_TELEMETRY="full")
    app.entries.start(project="P")
    outbox = app.telemetry.outbox.path
    assert outbox.parent == app.paths.telemetry_dir and outbox != app.paths.database
    with sqlite3.connect(app.paths.database) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "events" not in tables
    with sqlite3.connect(outbox) as db:
        assert db.execute("SELECT count(*) FROM events WHERE event = 'timer.started'"
                          ).fetchone()[0] == 1
    app.close()
