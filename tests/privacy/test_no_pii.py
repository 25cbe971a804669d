"""No user text leaves the machine or lands in logs and metrics.

Random markers (``pii-<kind>-<random>``) are typed into every text input the app has — the
timer bar, its project and tag pickers, the entry dialog, the entry rows, the search field, the
Projects view (projects, clients, tasks, currencies), the import dialog (files of every format
full of markers, named after markers, a marker as time zone), export file names — and given to
every CLI command that takes text, including settings that accept text. Telemetry is at
``full``, pointed at the real loopback capture server; the Prometheus exporter is on; the JSON
file logs are at DEBUG. Then no marker, no home path, no hostname and no user name may appear in
any request body the server received (decompressed), in any log line, or in /metrics.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
import sqlite3
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.feature_tour import cli, cli_tour, gui_tour
from support.telemetry_kit import API_KEY
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.ui import background
from timetracker.ui.launch import report_unexpected_errors
from timetracker.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]


class Markers:
    """``markers(kind)`` → a new unique marker; remembers every one it made."""

    def __init__(self) -> None:
        self.made: dict[str, str] = {}

    def __call__(self, kind: str) -> str:
        marker = f"pii-{kind}-{uuid.uuid4().hex[:12]}"
        self.made[marker] = kind
        return marker

    def found_in(self, text: str) -> list[str]:
        """Markers in ``text`` — also when only their random part survived a transformation."""
        lowered = text.lower()
        return sorted(m for m in self.made if m in text or m.rsplit("-", 1)[1] in lowered)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _machine_strings(*homes: Path) -> dict[str, re.Pattern[str]]:
    """What identifies this computer or person: never in anything that leaves or is logged."""
    strings = {"home folder": re.escape(str(Path.home())) + r"(?=[/\\\"']|$)",
               "hostname": r"\b" + re.escape(socket.gethostname()) + r"\b",
               "user name": r"(?<![\w.-])" + re.escape(getpass.getuser()) + r"(?![\w.-])"}
    for home in homes:
        strings[f"data folder {home.name}"] = re.escape(str(home))
    return {name: re.compile(pattern) for name, pattern in strings.items()}


def _logs(*homes: Path) -> list[tuple[str, str]]:
    """(file:line, text) of every log line written under the homes' log folders."""
    lines = []
    for home in homes:
        for path in sorted(AppPaths.under(home).log_dir.rglob("*")):
            if path.is_file():
                for number, line in enumerate(
                        path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    lines.append((f"{path.name}:{number}", line))
    return lines


@pytest.fixture
def markers() -> Markers:
    return Markers()


@pytest.fixture(autouse=True)
def _no_leftover_jobs() -> Iterator[None]:
    yield
    background.wait_for_all(15_000)


def run_gui(qtbot: QtBot, home: Path, files: Path, server: CaptureServer, markers: Markers,
            monkeypatch: pytest.MonkeyPatch) -> str:
    """The whole GUI tour with markers; returns the /metrics text scraped during it."""
    port = _free_port()
    app = App(paths=AppPaths.under(home), environ={
        "TIMETRACKER_HOME": str(home), "TIMETRACKER_POSTHOG_HOST": server.url,
        "TIMETRACKER_POSTHOG_API_KEY": API_KEY, "TIMETRACKER_TELEMETRY": "full",
        "TIMETRACKER_METRICS_PORT": str(port), "TIMETRACKER_LOG_LEVEL": "DEBUG"})
    app.config.set("timezone", "UTC")
    window: MainWindow | None = None
    scraped = []
    try:
        observability = app.start_observability("gui")
        assert observability.exporter is not None, "the exporter must run for this test"
        app.start_telemetry()
        window = MainWindow(app, tray_enabled=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        scraped.append(_scrape(port))
        gui_tour(qtbot, window, app, files, markers)
        # An unexpected exception whose message holds user text reaches the GUI's excepthook.
        printed: list[object] = []
        monkeypatch.setattr(sys, "excepthook", lambda *args: printed.append(args))
        report_unexpected_errors(app)
        error = RuntimeError(f"cannot save {markers('error')} in {home}")
        sys.excepthook(RuntimeError, error, None)
        assert printed, "the previous hook still prints the error"
        assert background.wait_for_all(15_000)
        scraped.append(_scrape(port))
        assert app.telemetry.flush(15.0), "the GUI's events were not all sent"
        scraped.append(_scrape(port))
    finally:
        if window is not None:
            window.watcher.stop()
            window.quitting = True
        app.close()
    return "\n".join(scraped)


def run_cli(home: Path, files: Path, server: CaptureServer, markers: Markers) -> str:
    """The CLI tour with markers; returns ``metrics show`` output."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TIMETRACKER_") and k != "DO_NOT_TRACK"}
    env.update({"TIMETRACKER_HOME": str(home), "PYTHONPATH": str(REPO / "desktop"), "TZ": "UTC",
                "TIMETRACKER_POSTHOG_HOST": server.url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
                "TIMETRACKER_TELEMETRY": "full", "TIMETRACKER_LOG_LEVEL": "DEBUG"})
    cli_tour(env, files, markers)
    return cli(env, "metrics", "show").stdout


def test_no_user_text_in_any_request_log_line_or_metric(
        qtbot: QtBot, tmp_path: Path, server: CaptureServer, markers: Markers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    gui_home, cli_home = tmp_path / "gui-home", tmp_path / "cli-home"
    metrics = run_gui(qtbot, gui_home, tmp_path / "gui-files", server, markers, monkeypatch)
    metrics += "\n" + run_cli(cli_home, tmp_path / "cli-files", server, markers)

    # The markers really went in: the databases hold them (so the checks below mean something).
    stored = ""
    for home in (gui_home, cli_home):
        with sqlite3.connect(AppPaths.under(home).database) as db:
            for table in ("projects", "clients", "tasks", "tags", "time_entries"):
                stored += json.dumps(db.execute(f"SELECT * FROM {table}").fetchall())
    kinds_stored = {markers.made[m] for m in markers.found_in(stored)}
    assert {"description", "project", "client", "task", "tag"} <= kinds_stored
    assert len(markers.made) >= 60

    bodies = [(f"{r.path} #{i}", json.dumps(r.payload)) for i, r in enumerate(server.requests())]
    events = server.events()
    assert len(events) >= 60, "telemetry at full sent the tour's events"
    assert {"timer.started", "import.completed", "import.failed", "error.occurred",
            "report.generated", "export.completed"} <= {e["event"] for e in events}
    assert "RuntimeError" in {e["properties"].get("exception_type") for e in events}
    logs = _logs(gui_home, cli_home)
    assert len(logs) >= 20, "the JSON logs were written"
    assert all(line.startswith("{") for _where, line in logs), "file logs are JSON lines"
    assert "timetracker_" in metrics, "the exporter served the app's metrics"

    leaks = []
    patterns = _machine_strings(gui_home, cli_home, tmp_path)
    for where, text in [*bodies, *logs, ("/metrics", metrics)]:
        for marker in markers.found_in(text):
            leaks.append(f"{where}: marker {marker} ({markers.made[marker]})")
        for name, pattern in patterns.items():
            if pattern.search(text):
                leaks.append(f"{where}: {name}")
    assert not leaks, "user or machine data left the app:\n" + "\n".join(sorted(set(leaks)))


def test_the_leak_search_finds_what_it_looks_for(markers: Markers, tmp_path: Path) -> None:
    """The checks above can fail: a marker, its random part alone, the data folder."""
    marker = markers("project")
    assert markers.found_in(json.dumps({"name": marker})) == [marker]
    assert markers.found_in("PROJECT " + marker.rsplit("-", 1)[1].upper()) == [marker]
    assert markers.found_in("nothing here") == []
    patterns = _machine_strings(tmp_path)
    assert patterns[f"data folder {tmp_path.name}"].search(f"opened {tmp_path}/x.db")
    assert patterns["hostname"].search(f"host={socket.gethostname()}")
