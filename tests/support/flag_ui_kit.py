"""Helpers for the flag-driven UI tests (tests/ui/test_flag_variants.py, …): a real App at
telemetry level ``full`` talking to the loopback capture server, and flag refreshes made on a
background thread — the way the app's own refresh thread makes them."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.telemetry.flags import RefreshResult

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from support.view_data import NOW, TZ


def make_flag_app(home: Path, server: CaptureServer, level: str = "full",
                  extra_env: dict[str, str] | None = None) -> App:
    """An App on ``home`` (fixed clock, Berlin) whose analytics host is ``server``."""
    environ = {"TIMETRACKER_HOME": str(home), "TIMETRACKER_TELEMETRY": level,
               "TIMETRACKER_POSTHOG_HOST": server.url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
               **(extra_env or {})}
    app = App(paths=AppPaths.under(home), environ=environ, clock=lambda: NOW)
    app.config.set("timezone", TZ)
    return app


def refresh_in_background(app: App, timeout: float = 10.0) -> RefreshResult:
    """``app.flags.refresh()`` on a worker thread (its change notifications come from there);
    returns its result once done."""
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(app.flags.refresh()),
                              name="test-flags-refresh")
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), "the flag refresh did not finish"
    result = results[0]
    assert isinstance(result, RefreshResult)
    assert result.outcome == "fetched", result
    return result


def exposures(server: CaptureServer) -> list[tuple[str, object]]:
    """(flag, response) of every ``$feature_flag_called`` the server received."""
    return [(e["properties"]["$feature_flag"], e["properties"]["$feature_flag_response"])
            for e in server.events() if e["event"] == "$feature_flag_called"]
