"""Whole CLI sessions in subprocesses against the loopback capture server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY

REPO = Path(__file__).resolve().parents[2]

#: A session touching most features (each step is one process, like a user at a shell).
SESSION: list[list[str]] = [
    ["start", "Website", "-d", "private words", "-t", "alpha", "-t", "beta"],
    ["stop"],
    ["continue"],
    ["stop"],
    ["add", "Website", "--start", "08:00", "--end", "08:30", "-d", "more private words"],
    ["edit", "1", "-d", "zebra-note"],
    ["delete", "1"],
    ["undo"],
    ["report", "--by", "project"],
    ["export", "--format", "json", "--no-progress"],
    ["config", "set", "default_currency", "CHF"],
    ["backup", "create"],
    ["status"],
    ["log"],
]


def _run(env: dict[str, str], *args: str, check: bool = True,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "timetracker", *args], env=env,
                            capture_output=True, text=True, timeout=60, input=stdin)
    if check and result.returncode != 0:
        raise AssertionError(f"timetracker {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def env(cli_env: dict[str, str], server: CaptureServer) -> dict[str, str]:
    cli_env.update({"TIMETRACKER_POSTHOG_HOST": server.url,
                    "TIMETRACKER_POSTHOG_API_KEY": API_KEY})
    return cli_env


def test_off_by_default_means_zero_requests_over_a_whole_session(
        env: dict[str, str], server: CaptureServer, home: Path) -> None:
    for step in SESSION:
        _run(env, *step)
    for step in (["telemetry", "status"], ["telemetry", "preview"], ["telemetry", "queue"],
                 ["telemetry", "flush"], ["telemetry", "events"]):
        _run(env, *step)
    assert server.requests() == []
    assert not (home / "data" / "telemetry").exists(), "nothing created while undecided"


@pytest.mark.parametrize("force", [{"DO_NOT_TRACK": "1"}, {"TIMETRACKER_TELEMETRY": "off"}])
def test_forced_off_wins_over_an_opt_in(env: dict[str, str], server: CaptureServer,
                                        home: Path, force: dict[str, str]) -> None:
    _run(env, "telemetry", "enable", "full")  # the user opted in earlier
    server_before = len(server.requests())
    forced = {**env, **force}
    for step in SESSION[:2]:
        _run(forced, *step)
    _run(forced, "telemetry", "flush")
    status = json.loads(_run(forced, "telemetry", "status", "--json").stdout)
    assert status["level"] == "off" and status["queued"] == 0
    assert len(server.requests()) == server_before
    assert sorted(p.name for p in (home / "data" / "telemetry").iterdir()) == ["consent.json"]


def test_opted_in_session_delivers_every_domain_event(env: dict[str, str],
                                                      server: CaptureServer) -> None:
    _run(env, "telemetry", "enable", "full")
    for step in SESSION:
        _run(env, *step)
    _run(env, "telemetry", "flush")
    names = {e["event"] for e in server.events()}
    assert {"telemetry.install", "consent.changed", "timer.started", "timer.stopped",
            "timer.continued", "entry.created", "entry.edited", "entry.deleted",
            "entry.undone", "report.generated", "export.completed", "settings.changed",
            "backup.created", "project.created", "tag.created"} <= names
    assert all(e["properties"]["source"] == "cli" for e in server.events()
               if e["event"].split(".")[0] in ("timer", "entry", "report"))
    body = json.dumps(server.events())
    for secret in ("Website", "private words", "alpha", "zebra-note", "CHF", str(Path.home()),
                   os.uname().nodename):
        assert secret not in body, f"{secret!r} leaked into telemetry"
    ids = [e["uuid"] for e in server.events()]
    assert len(ids) == len(set(ids))
    queue = json.loads(_run(env, "telemetry", "queue", "--json").stdout)
    assert queue == []


def test_level_changes_take_effect_immediately(env: dict[str, str],
                                               server: CaptureServer) -> None:
    _run(env, "telemetry", "enable", "basic")
    _run(env, "start", "X")
    _run(env, "telemetry", "flush")
    assert "timer.started" not in {e["event"] for e in server.events()}
    _run(env, "telemetry", "enable", "full")
    _run(env, "stop")
    _run(env, "telemetry", "flush")
    assert "timer.stopped" in {e["event"] for e in server.events()}
    _run(env, "telemetry", "disable")
    before = len(server.requests())
    _run(env, "start", "X")
    _run(env, "stop")
    _run(env, "telemetry", "flush")
    assert len(server.requests()) == before


def test_cli_inspection_commands(env: dict[str, str], server: CaptureServer) -> None:
    preview = json.loads(_run(env, "telemetry", "preview", "--level", "full").stdout)
    assert preview[-1]["event"] == "timer.started"
    events = json.loads(_run(env, "telemetry", "events", "--json").stdout)
    assert {e["name"] for e in events} >= {"timer.started", "telemetry.install"}
    env_local = {**env, "TIMETRACKER_POSTHOG_HOST": "", "TIMETRACKER_POSTHOG_API_KEY": ""}
    _run(env_local, "telemetry", "enable", "basic")
    queued = json.loads(_run(env_local, "telemetry", "queue", "--json").stdout)
    assert "telemetry.install" in {q["event"] for q in queued}
    status = _run(env_local, "telemetry", "status").stdout
    assert "stay in the local outbox" in status
    old = json.loads(_run(env_local, "telemetry", "status", "--json").stdout)["install_id"]
    _run(env_local, "telemetry", "reset-id")
    new = json.loads(_run(env_local, "telemetry", "status", "--json").stdout)["install_id"]
    assert old and new and old != new
    _run(env_local, "telemetry", "queue", "--clear")
    assert json.loads(_run(env_local, "telemetry", "queue", "--json").stdout) == []
    _run(env, "telemetry", "flush")
    batches = json.loads(_run(env, "telemetry", "batches", "--json").stdout)
    assert batches == [] or batches[0]["status"] == 200
    bad = _run(env, "telemetry", "endpoint", "set", "http://analytics.example.org",
               "--key-stdin", stdin="phc_x\n", check=False)
    assert bad.returncode == 1 and "https" in bad.stderr
    assert server.requests() == [] or all(r.path == "/batch/" for r in server.requests())


def test_debug_env_prints_and_sends_nothing(env: dict[str, str], server: CaptureServer) -> None:
    _run(env, "telemetry", "enable", "full")
    requests_before = len(server.requests())
    debug = {**env, "TIMETRACKER_TELEMETRY_DEBUG": "1"}
    result = _run(debug, "start", "Secret project")
    lines = [json.loads(line.removeprefix("telemetry-debug "))
             for line in result.stderr.splitlines() if line.startswith("telemetry-debug ")]
    events = [m["message"]["event"] for m in lines]
    assert [e for e in events if e != "backup.created"] == ["project.created", "timer.started"]
    assert all(m["debug"]["sent"] is False for m in lines)
    assert "Secret" not in json.dumps(lines)
    _run(debug, "telemetry", "flush")
    assert len(server.requests()) == requests_before
