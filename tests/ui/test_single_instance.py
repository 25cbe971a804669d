"""Single instance, with real processes: a second launch raises the first and exits; the CLI
still runs alongside; a lock left by a killed window does not block the next launch."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import PYTHON


def gui_env(cli_env: dict[str, str]) -> dict[str, str]:
    env = dict(cli_env)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["TIMETRACKER_TELEMETRY"] = "off"
    return env


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_second_launch_raises_the_first_and_exits(home: Path, cli_env: dict[str, str]) -> None:
    env = gui_env(cli_env)
    log = home / "logs" / "timetracker.log"
    first = subprocess.Popen([PYTHON, "-m", "timetracker"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # ready once it holds the lock and has written its first log line (after its window)
        wait_until(lambda: (home / "data" / "window.lock").exists() and log.exists()
                   and log.stat().st_size > 0, 60, "the first window to start")
        assert first.poll() is None

        second = subprocess.run([PYTHON, "-m", "timetracker"], env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        wait_until(lambda: "window raised by a second launch" in log.read_text(), 10,
                   "the first window to be raised")

        # the CLI is not held off by the window
        status = subprocess.run([PYTHON, "-m", "timetracker", "start", "Ops"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL if os.name != "nt" else signal.SIGTERM)
        first.wait(30)

    # killed without cleaning up: its lock is stale and the next launch takes over
    third = subprocess.run([PYTHON, "-m", "timetracker"],
                           env={**env, "TIMETRACKER_GUI_EXIT_WHEN_IDLE": "1"},
                           capture_output=True, text=True, timeout=60)
    assert third.returncode == 0, third.stderr
    assert third.stdout.startswith("gui-idle ")
