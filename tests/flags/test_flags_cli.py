"""``timetracker flags …`` in real subprocesses, and the App wiring (thread start/stop)."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths

from tests.conftest import PYTHON


def _tt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "timetracker", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_list_get_override_and_clear(cli_env: dict[str, str], home: Path) -> None:
    listed = json.loads(_tt(cli_env, "flags", "list", "--json").stdout)
    by_key = {row["key"]: row for row in listed}
    assert by_key["timer-ui"]["value"] == "classic"
    assert by_key["timer-ui"]["reason"] == "default"
    assert by_key["export-enabled"]["kind"] == "kill-switch"
    assert by_key["reports-config"]["payload"]["default_range"] == "this_week"

    proc = _tt(cli_env, "flags", "override", "timer-ui", "compact")
    assert proc.returncode == 0 and "compact" in proc.stdout
    got = json.loads(_tt(cli_env, "flags", "get", "timer-ui", "--json").stdout)
    assert (got["value"], got["reason"], got["note"]) == ("compact", "override",
                                                          "developer override")
    stored = json.loads((home / "config" / "flag-overrides.json").read_text())
    assert stored == {"timer-ui": "compact"}

    payload = '{"default_range": "today", "widgets": ["table"]}'
    assert _tt(cli_env, "flags", "override", "reports-config", payload).returncode == 0
    got = json.loads(_tt(cli_env, "flags", "get", "reports-config", "--json").stdout)
    assert got["payload"] == {"default_range": "today", "widgets": ["table"]}

    human = _tt(cli_env, "flags", "list").stdout
    assert "timer-ui" in human and "override" in human

    assert "removed" in _tt(cli_env, "flags", "clear-override", "timer-ui").stdout
    got = json.loads(_tt(cli_env, "flags", "get", "timer-ui", "--json").stdout)
    assert (got["value"], got["reason"]) == ("classic", "default")


def test_bad_overrides_are_one_clear_line(cli_env: dict[str, str], home: Path) -> None:
    proc = _tt(cli_env, "flags", "override", "timer-ui", "huge")
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("timetracker: error: flag 'timer-ui': 'huge' is not a "
                                   "variant (use classic, compact)")
    proc = _tt(cli_env, "flags", "override", "reports-config", '{"default_range": "custom"}')
    assert proc.returncode == 1
    assert "does not match the declared schema" in proc.stderr
    proc = _tt(cli_env, "flags", "get", "no-such-flag")
    assert proc.returncode == 1 and "not declared" in proc.stderr
    assert not (home / "config" / "flag-overrides.json").exists(), "nothing half-written"


def test_refresh_reports_consent_and_result(cli_env: dict[str, str],
                                            server: CaptureServer) -> None:
    env = dict(cli_env, TIMETRACKER_POSTHOG_HOST=server.url,
               TIMETRACKER_POSTHOG_API_KEY=API_KEY)
    proc = _tt(env, "flags", "refresh")
    assert proc.returncode == 0 and proc.stdout.startswith("skipped")
    assert server.requests("/flags/") == []
    server.set(flags={"timer-ui": "compact"})
    env["TIMETRACKER_TELEMETRY"] = "full"
    result = json.loads(_tt(env, "flags", "refresh", "--json").stdout)
    assert result == {"outcome": "fetched", "detail": "", "changed": ["timer-ui"]}
    server.set(flags_status=503)
    proc = _tt(env, "flags", "refresh")
    assert proc.returncode == 1 and "HTTP 503" in proc.stdout


def test_app_starts_and_stops_the_refresh_thread(tmp_path: Path,
                                                 server: CaptureServer) -> None:
    server.set(flags={"reports-v2": "v2"})
    app = App(AppPaths.under(tmp_path / "home"),
              {"TIMETRACKER_POSTHOG_HOST": server.url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
               "TIMETRACKER_TELEMETRY": "full"})
    arrived = threading.Event()
    app.flags.subscribe(lambda changes: arrived.set())
    app.start_telemetry()
    try:
        assert app.flags.running
        assert arrived.wait(5), "a refresh at start, on the background thread"
        assert server.requests("/flags/")
        assert app.flags.evaluate("reports-v2").value == "v2"
        # The metrics exporter's view of the telemetry pipeline includes flag fetches.
        assert app._telemetry_stats()["flags_fetches"] == {"success": 1, "failure": 0}
    finally:
        app.close()
    assert not app.flags.running


def test_an_override_from_another_process_reaches_a_running_app(cli_env: dict[str, str],
                                                                home: Path) -> None:
    app = App(AppPaths.under(home), {"TIMETRACKER_HOME": str(home)})
    try:
        assert app.flags.value("timer-ui") == "classic"
        seen: list[tuple[str, object]] = []
        app.flags.subscribe(lambda changes: seen.extend((c.key, c.after.value)
                                                        for c in changes))
        assert _tt(cli_env, "flags", "override", "timer-ui", "compact").returncode == 0
        app.flags.recheck()  # what the refresh thread does every tick
        assert seen == [("timer-ui", "compact")]
        assert app.flags.evaluate("timer-ui").reason == "override"
    finally:
        app.close()
