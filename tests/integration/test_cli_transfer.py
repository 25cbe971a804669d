"""``timetracker export`` and ``timetracker import`` as real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from support.cli_kit import run_cli

from tests.conftest import REPO, require_tool

DATA = REPO / "tests" / "data" / "import"


def tt(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_cli(env, *args, check=check, timeout=120)


def _database(home: Path) -> Path:
    found = sorted(home.rglob("*.sqlite3"))
    return next(p for p in found if "backups" not in p.parts)


def _count(home: Path) -> int:
    with sqlite3.connect(_database(home)) as connection:
        return int(connection.execute("SELECT count(*) FROM time_entries").fetchone()[0])


def test_dry_run_then_import_then_reimport(cli_env: dict[str, str], home: Path) -> None:
    toggl = str(DATA / "toggl_detailed.csv")
    dry = tt(cli_env, "import", "--from", "toggl", toggl, "--tz", "Europe/Berlin", "--dry-run")
    assert "Would import 8 of 8 entries" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert "New projects (3): Internal, Support Contract, Website Relaunch" in dry.stdout
    assert "line 2" in dry.stdout and "Homepage mockups" in dry.stdout
    assert _count(home) == 0

    done = json.loads(tt(cli_env, "import", "--from", "toggl", toggl, "--tz", "Europe/Berlin",
                         "--json").stdout)
    assert (done["new"], done["dry_run"], done["format"]) == (8, False, "toggl")
    assert done["backup"].endswith("-pre-import.sqlite3")
    assert _count(home) == 8
    again = tt(cli_env, "import", "--from", "toggl", toggl, "--tz", "Europe/Berlin")
    assert "Imported 0 of 8 entries" in again.stdout and "Already imported (skipped): 8" in \
        again.stdout
    assert _count(home) == 8
    report = json.loads(tt(cli_env, "report", "--from", "2024-03-04", "--to", "2024-03-04",
                           "--json").stdout)
    assert report["total_seconds"] == 90 * 60 + 105 * 60


def test_bad_file_is_one_line_naming_file_line_field(cli_env: dict[str, str], home: Path,
                                                     tmp_path: Path) -> None:
    bad = tmp_path / "frames"
    bad.write_text('[\n [1709539200, 1709544600, "ok", "a", []],\n'
                   ' [1709539200, 1709530000, "p", "b", []]\n]\n')
    proc = tt(cli_env, "import", "--from", "watson", str(bad), check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"timetracker: error: {bad}:3: field 'stop': the end is before the start")
    tt(cli_env, "status")
    assert _count(home) == 0
    missing = tt(cli_env, "import", "--from", "json", str(tmp_path / "nope.json"), check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    # several bad frames: still one line, the first named, the others counted with their lines
    bad.write_text('[\n [1709539200, 1709530000, "p", "b", []],\n [1, 2, "ok", "c", []],\n'
                   ' [1709539200, "later", "p", "d", []],\n [5, 4, "p", "e", []]\n]\n')
    proc = tt(cli_env, "import", "--from", "watson", str(bad), check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"timetracker: error: {bad}:2: field 'stop': the end is before the start"
        " — and 2 more problems, on lines 4 and 5")
    assert _count(home) == 0


def test_export_csv_and_json_round_trip(cli_env: dict[str, str], tmp_path: Path) -> None:
    tt(cli_env, "import", "--from", "watson", str(DATA / "watson_frames.json"))
    tt(cli_env, "add", "Website", "--start", "2024-03-07 09:00", "--end", "2024-03-07 10:00",
       "-d", "Mit Kunde, \"Pläne\"", "-t", "meeting")
    out = tt(cli_env, "export").stdout  # CSV on stdout by default
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6
    mine = next(r for r in rows if r["description"])
    assert (mine["description"], mine["project"], mine["tags"]) == (
        'Mit Kunde, "Pläne"', "website", "meeting")
    ranged = list(csv.DictReader(io.StringIO(
        tt(cli_env, "export", "--from", "2024-03-05", "--to", "2024-03-05").stdout)))
    assert {r["start_utc"] for r in ranged} == {"2024-03-05T07:45:00Z", "2024-03-05T22:30:00Z"}

    target = tmp_path / "backup.json"
    written = tt(cli_env, "export", "-o", str(target))  # format from the suffix
    assert "Exported 6 entries" in written.stderr
    document = json.loads(target.read_text())
    assert document["format"] == "timetracker-export" and len(document["entries"]) == 6

    fresh = dict(cli_env, TIMETRACKER_HOME=str(tmp_path / "fresh"))
    os.makedirs(fresh["TIMETRACKER_HOME"])
    tt(fresh, "import", "--from", "json", str(target))
    again = tmp_path / "again.json"
    tt(fresh, "export", "--format", "json", "-o", str(again))
    first, second = json.loads(target.read_text()), json.loads(again.read_text())
    for doc in (first, second):
        doc.pop("exported_at")
        for entry in doc["entries"]:
            entry.pop("id")
            entry.pop("duration_seconds")
    assert first["entries"] == second["entries"]
    assert [p["name"] for p in first["projects"]] == [p["name"] for p in second["projects"]]


def test_large_import_prints_progress(cli_env: dict[str, str], tmp_path: Path,
                                      home: Path) -> None:
    frames = [[1_600_000_000 + i * 1000, 1_600_000_000 + i * 1000 + 600, f"p{i % 9}",
               f"id{i:05d}", [f"t{i % 4}"], 1_600_000_000] for i in range(3000)]
    path = tmp_path / "frames"
    path.write_text(json.dumps(frames))
    proc = tt(cli_env, "import", "--from", "watson", str(path))
    assert "Imported 3000 of 3000 entries" in proc.stdout
    progress = [line for line in proc.stderr.splitlines() if line.startswith("import: ")]
    assert "import: read 3000/3000 (100%)" in progress
    assert "import: write 3000/3000 (100%)" in progress
    assert len([p for p in progress if " write " in p]) >= 5
    assert _count(home) == 3000
    quiet = tt(cli_env, "import", "--from", "watson", str(path), "--no-progress")
    assert quiet.stderr == ""


def test_real_timewarrior_end_to_end(cli_env: dict[str, str], tmp_path: Path,
                                     home: Path) -> None:
    require_tool("timew")
    timew_env = dict(os.environ, TIMEWARRIORDB=str(tmp_path / "tw"), TZ="UTC")
    os.makedirs(timew_env["TIMEWARRIORDB"])
    for args in (["track", "2024-05-06T08:00:00Z", "-", "2024-05-06T10:00:00Z", "Client", "call"],
                 ["track", "2024-05-06T11:00:00Z", "-", "2024-05-06T11:30:00Z", "Client",
                  "email"]):
        subprocess.run(["timew", *args, ":yes"], env=timew_env, check=True,
                       capture_output=True, timeout=60)
    exported = tmp_path / "timew.json"
    exported.write_text(subprocess.run(["timew", "export"], env=timew_env, check=True,
                                       capture_output=True, text=True, timeout=60).stdout)
    result = json.loads(tt(cli_env, "import", "--from", "timewarrior",
                           timew_env["TIMEWARRIORDB"], "--timew-tags", "tags", "--json").stdout)
    assert result["new"] == 2 and result["new_projects"] == []
    assert result["new_tags"] == ["call", "Client", "email"]
    again = json.loads(tt(cli_env, "import", "--from", "timew-json", str(exported),
                          "--json").stdout)
    assert (again["new"], again["duplicates"]) == (0, 2)
    assert _count(home) == 2
