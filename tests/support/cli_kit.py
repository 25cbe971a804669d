"""Running the real ``timetracker`` CLI in a subprocess, as a user's shell does."""

from __future__ import annotations

import subprocess
import sys

from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY


def run_cli(env: dict[str, str], *args: str, check: bool = False,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m timetracker ARGS`` with ``env``; with ``check`` it must exit 0."""
    proc = subprocess.run([sys.executable, "-m", "timetracker", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def sending_env(cli_env: dict[str, str], server: CaptureServer) -> dict[str, str]:
    """``cli_env`` at telemetry level full, sending to (and taking flags from) ``server``."""
    return {**cli_env, "TIMETRACKER_POSTHOG_HOST": server.url,
            "TIMETRACKER_POSTHOG_API_KEY": API_KEY, "TIMETRACKER_TELEMETRY": "full"}
