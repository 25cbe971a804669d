"""Shared fixtures.

System tools (promtool, timew, xvfb-run, dpkg-deb, …) are looked up with ``require_tool``: when
one is missing the test is skipped on a developer machine but FAILS when
``TIMETRACKER_REQUIRE_TOOLS=1`` (set by .ci/run), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# No test may ever talk to a real analytics host or pick up a developer's settings.
for _name in list(os.environ):
    if _name.startswith("TIMETRACKER_") and _name != "TIMETRACKER_REQUIRE_TOOLS":
        del os.environ[_name]
os.environ.pop("DO_NOT_TRACK", None)


def require_tool(name: str) -> str:
    """Path of the executable ``name``; skip (or fail in CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = f"system tool '{name}' is not installed (see .ci/run for the apt packages)"
        if os.environ.get("TIMETRACKER_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh TIMETRACKER_HOME for the test, also set in the environment for subprocesses."""
    folder = tmp_path / "tt-home"
    folder.mkdir()
    monkeypatch.setenv("TIMETRACKER_HOME", str(folder))
    yield folder


@pytest.fixture
def cli_env(home: Path) -> dict[str, str]:
    """Environment for running the real ``timetracker`` CLI in a subprocess."""
    env = dict(os.environ)
    env["TIMETRACKER_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO / "desktop")
    env.setdefault("TZ", "UTC")
    return env


PYTHON = sys.executable
