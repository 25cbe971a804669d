"""The window follows what the real CLI does while it is open (a separate process)."""

from __future__ import annotations

import subprocess

from support.window_kit import WindowFactory, wait_for
from timetracker.app import App

from tests.conftest import PYTHON


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "timetracker", *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_timer_started_in_the_terminal_shows_up_within_seconds(
        live_app: App, make_window: WindowFactory, cli_env: dict[str, str]) -> None:
    window = make_window(live_app)
    assert window.bar.running is None
    cli(cli_env, "start", "Ops", "-d", "Deploy from the terminal", "-t", "release")

    wait_for(lambda: window.bar.running is not None, timeout=5.0)
    assert window.bar.description.text() == "Deploy from the terminal"
    assert window.bar.project.project == "Ops"
    rows = window.entries.rows()
    assert rows and rows[0].entry.description == "Deploy from the terminal"
    assert rows[0].end_edit.text() == "now"

    cli(cli_env, "stop")
    wait_for(lambda: window.bar.running is None, timeout=5.0)
    assert window.entries.rows()[0].end_edit.text() != "now"
