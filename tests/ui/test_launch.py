"""Starting the window in a real process: what happens before it is shown and idle, and what
follows on a worker thread (the daily backup)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.ui.launch import _warm_up

from tests.conftest import PYTHON


def _launch(env: dict[str, str], exit_when: str) -> str:
    done = subprocess.run([PYTHON, "-m", "timetracker"],
                          env={**env, "QT_QPA_PLATFORM": "offscreen",
                               "TIMETRACKER_TELEMETRY": "off",
                               "TIMETRACKER_GUI_EXIT_WHEN_IDLE": exit_when},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_daily_backup_is_made_after_the_window_is_shown_not_before(
        home: Path, cli_env: dict[str, str]) -> None:
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"})
    app.daily_backup_on_open = False
    app.entries.add(app.clock() - 3600, app.clock() - 60, description="x")
    backups = app.backups
    app.close()
    assert backups.list() == []

    # shown and idle, then quit at once: the window did not wait for a backup
    assert _launch(cli_env, "1").startswith("gui-idle ")
    assert backups.list() == []

    # the warm-up after the first idle makes it, once a day
    assert _launch(cli_env, "warm").startswith("gui-warm ")
    assert [b.reason for b in backups.list()] == ["daily"]
    _launch(cli_env, "warm")
    assert [b.reason for b in backups.list()] == ["daily"]


def test_the_automatic_backup_is_reported_as_the_apps_own_doing(
        home: Path, server: CaptureServer) -> None:
    app = App(paths=AppPaths.under(home), environ={
        "TIMETRACKER_HOME": str(home), "TIMETRACKER_POSTHOG_HOST": server.url,
        "TIMETRACKER_POSTHOG_API_KEY": API_KEY})
    app.daily_backup_on_open = False
    app.telemetry.set_level("full")
    app.entries.add(app.clock() - 3600, app.clock() - 60, description="x")
    app.event_source = "menu"  # what the UI thread last did
    worker = threading.Thread(target=_warm_up, args=(app,), name="warm-up")
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert app.event_source == "menu"  # the UI thread's source is its own
    app.close()
    backups = [e["properties"] for e in server.events() if e["event"] == "backup.created"]
    assert backups == [{**backups[0], "reason": "daily", "source": "app"}]
