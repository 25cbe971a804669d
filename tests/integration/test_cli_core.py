"""The real ``timetracker`` CLI in subprocesses against a temporary data folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from support.cli_kit import run_cli

from tests.conftest import PYTHON


def tt(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_cli(env, *args, check=check)


def test_track_report_and_json(cli_env: dict[str, str]) -> None:
    started = json.loads(tt(cli_env, "start", "Acme", "-d", "homepage", "-t", "web",
                            "--at=-90m", "--json").stdout)
    assert started["entry"]["running"] and started["entry"]["project"] == "Acme"
    status = json.loads(tt(cli_env, "status", "--json").stdout)
    assert status["running"]["id"] == started["entry"]["id"]
    stopped = json.loads(tt(cli_env, "stop", "--json").stdout)
    assert 5390 <= stopped["duration_seconds"] <= 5410
    tt(cli_env, "add", "Internal", "--start", "-5h", "--end", "-4h", "-d", "standup")
    log = json.loads(tt(cli_env, "log", "--json").stdout)
    assert {e["project"] for e in log} == {"Acme", "Internal"}
    report = json.loads(tt(cli_env, "report", "--range", "today", "--json").stdout)
    labels = {r["label"]: r["seconds"] for r in report["rows"]}
    assert 5390 <= labels["Acme"] <= 5410
    human = tt(cli_env, "report", "--range", "today").stdout
    assert "Acme" in human and "Total" in human


def test_errors_are_one_clear_line_and_nonzero(cli_env: dict[str, str]) -> None:
    proc = tt(cli_env, "stop", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "timetracker: error: No timer is running."
    proc = tt(cli_env, "add", "X", "--start", "10:00", "--end", "9:00", check=False)
    assert proc.returncode == 1 and "is before the start" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = tt(cli_env, "config", "set", "theme", "purple", check=False)
    assert proc.returncode == 1 and "setting 'theme'" in proc.stderr


def test_delete_undo_and_backup_commands(cli_env: dict[str, str]) -> None:
    entry = json.loads(tt(cli_env, "add", "P", "--start", "-2h", "--end", "-1h",
                          "--json").stdout)["entry"]
    tt(cli_env, "delete", str(entry["id"]))
    assert json.loads(tt(cli_env, "log", "--json").stdout) == []
    assert "Restored" in tt(cli_env, "undo").stdout
    assert len(json.loads(tt(cli_env, "log", "--json").stdout)) == 1
    tt(cli_env, "backup", "create")
    backups = json.loads(tt(cli_env, "backup", "list", "--json").stdout)
    manual = [b for b in backups if b["reason"] == "manual"]
    assert manual
    tt(cli_env, "delete", str(entry["id"]))
    tt(cli_env, "backup", "restore", manual[0]["name"])
    assert len(json.loads(tt(cli_env, "log", "--json").stdout)) == 1


def test_config_round_trip(cli_env: dict[str, str], home: Path) -> None:
    tt(cli_env, "config", "set", "week_start", "sunday")
    assert tt(cli_env, "config", "get", "week_start").stdout.strip() == "sunday"
    assert "week_start" in (home / "config" / "settings.toml").read_text(encoding="utf-8")
    listing = json.loads(tt(cli_env, "config", "list", "--json").stdout)
    assert listing["week_start"] == {"value": "sunday", "source": "file",
                                     "help": listing["week_start"]["help"]}


def test_running_timer_survives_kill_9(cli_env: dict[str, str]) -> None:
    script = textwrap.dedent("""
        import sys, time
        from timetracker.app import App
        app = App()
        app.entries.start("Crash", description="in flight")
        print("started", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([PYTHON, "-c", script], env=cli_env, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    status = json.loads(tt(cli_env, "status", "--json").stdout)
    assert status["running"]["project"] == "Crash"
    assert status["running"]["description"] == "in flight"


def test_two_processes_use_the_database_at_once(cli_env: dict[str, str]) -> None:
    """CLI and GUI share the DB: concurrent writers and readers never see 'database is locked'."""
    worker = textwrap.dedent("""
        import sys
        from timetracker.app import App
        from timetracker.core.ranges import named_range
        app = App()
        name = sys.argv[1]
        for i in range(40):
            now = app.clock()
            app.entries.add(now - 3600 + i, now - 3000 + i, name, tags=[name])
            app.reports.report(named_range("this_year", now, "UTC"), "project")
            if i % 10 == 0:
                app.entries.start(name)
        print("ok", flush=True)
    """)
    procs = [subprocess.Popen([PYTHON, "-c", worker, f"w{i}"], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(3)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "locked" not in err and out.strip() == "ok"
    log = json.loads(tt(cli_env, "log", "--from", "2000-01-01", "--json").stdout)
    assert len(log) == 3 * 40 + 3 * 4
    assert sum(1 for e in log if e["running"]) == 1


def test_help_lists_every_contract_command(cli_env: dict[str, str]) -> None:
    out = tt(cli_env, "--help").stdout
    for command in ("start", "stop", "continue", "status", "add", "edit", "delete", "undo",
                    "log", "report", "projects", "clients", "tags", "config", "backup"):
        assert command in out
    assert sys.executable


def test_clients_tags_and_projects_commands(cli_env: dict[str, str]) -> None:
    for kind in ("clients", "tags"):
        added = json.loads(tt(cli_env, kind, "add", "Alpha", "--json").stdout)
        assert added["name"] == "Alpha"
        tt(cli_env, kind, "rename", "Alpha", "Beta")
        tt(cli_env, kind, "archive", "Beta")
        assert json.loads(tt(cli_env, kind, "list", "--json").stdout) == []
        everything = json.loads(tt(cli_env, kind, "list", "--all", "--json").stdout)
        assert [(r["name"], r["archived"]) for r in everything] == [("Beta", True)]
        assert "Beta" in tt(cli_env, kind, "list", "--all").stdout
        duplicate = tt(cli_env, kind, "add", "beta", check=False)
        assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    project = json.loads(tt(cli_env, "projects", "add", "Site", "--client", "Acme",
                            "--billable", "--rate", "85.5", "--currency", "usd",
                            "--json").stdout)
    assert (project["client"], project["rate_cents"], project["currency"]) == (
        "Acme", 8550, "USD")
    tt(cli_env, "projects", "add-task", "Site", "Homepage")
    tasks = json.loads(tt(cli_env, "projects", "tasks", "Site", "--json").stdout)
    assert [t["name"] for t in tasks] == ["Homepage"]
    done = json.loads(tt(cli_env, "projects", "task-done", str(tasks[0]["id"]),
                         "--json").stdout)
    assert done["done"] is True
    bad = tt(cli_env, "projects", "set", "Site", "--rate", "-3", check=False)
    assert bad.returncode == 1 and "Rate '-3'" in bad.stderr
