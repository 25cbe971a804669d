"""The benchmark's data generator writes the same intervals to TimeTracker, Timewarrior and
Watson — checked by reading them back with the real tools."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from timetracker.core.db import known_head

from tests.conftest import REPO, require_tool

DATASET_PY = REPO / "tests" / "benchmarks" / "dataset.py"


def _load_dataset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dataset", DATASET_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dataset"] = module
    spec.loader.exec_module(module)
    return module


ds = _load_dataset_module()


@pytest.fixture(scope="module")
def small() -> Any:
    return ds.generate(n=400, years=1, seed=11)


def _env(tmp_path: Path, stores: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TIMETRACKER_", "TIMEWARRIOR", "WATSON_"))}
    home = tmp_path / "user-home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), TZ="UTC", PYTHONPATH=str(REPO / "desktop"),
               TIMETRACKER_HOME=str(stores.timetracker_home),
               TIMEWARRIORDB=str(stores.timewarrior_db),
               WATSON_DIR=str(stores.watson_dir))
    return env


def test_generation_is_deterministic_and_realistic() -> None:
    data = ds.generate(n=6000, years=1, seed=3)
    again = ds.generate(n=6000, years=1, seed=3)
    other = ds.generate(n=6000, years=1, seed=4)
    assert data.intervals == again.intervals
    assert data.intervals != other.intervals
    assert len(data.intervals) == 6000
    assert len(data.projects) == 40 and len(data.tags) == 15
    ordered = sorted(data.intervals, key=lambda i: i.start)
    assert all(i.end > i.start for i in ordered)
    assert all(a.end <= b.start for a, b in itertools.pairwise(ordered)), "overlap"
    crossing = [i for i in ordered if i.start // 86_400 != (i.end - 1) // 86_400]
    assert crossing, "some entries cross midnight"
    weekday = Counter(dt.datetime.fromtimestamp(i.start, dt.UTC).weekday() < 5 for i in ordered)
    assert weekday[True] > 4 * weekday[False], "work days are busier than weekends"
    billable = {data.projects[i.project].currency for i in ordered if i.billable}
    assert len(billable) >= 2, "billable work in several currencies"
    assert all(data.projects[i.project].billable for i in ordered if i.billable)


def test_the_three_stores_hold_the_same_intervals(tmp_path: Path, small: Any) -> None:
    timew = require_tool("timew")
    stores = ds.write_all(small, tmp_path / "stores")
    env = _env(tmp_path, stores)
    first = small.first_day.isoformat()
    after = (small.last_day + dt.timedelta(days=2)).isoformat()
    expected = small.total_seconds
    intervals = small.intervals

    # TimeTracker, through the real CLI: same total, same per-project split.
    done = subprocess.run([sys.executable, "-m", "timetracker", "report", "--from", first,
                           "--to", after, "--by", "project", "--json"],
                          env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["total_seconds"] == expected
    per_project = Counter[str]()
    for i in intervals:
        per_project[small.projects[i.project].name] += i.end - i.start
    assert {r["label"]: r["seconds"] for r in report["rows"]} == dict(per_project)

    # Timewarrior reads back every interval with its tags (project first).
    done = subprocess.run([timew, "export", first, "-", after], env=env,
                          capture_output=True, text=True, check=True)
    exported = json.loads(done.stdout)
    stamp = "%Y%m%dT%H%M%SZ"
    got = sorted((int(dt.datetime.strptime(e["start"], stamp).replace(tzinfo=dt.UTC).timestamp()),
                  int(dt.datetime.strptime(e["end"], stamp).replace(tzinfo=dt.UTC).timestamp()),
                  tuple(sorted(e["tags"]))) for e in exported)
    want = sorted((i.start, i.end, tuple(sorted(ds.timew_tags(small, i)))) for i in intervals)
    assert got == want

    # Watson: the same total and the same per-project times.
    watson = Path(sys.executable).parent / "watson"
    if not watson.exists():
        pytest.fail("td-watson is a test dependency; reinstall the venv from requirements.lock")
    done = subprocess.run([str(watson), "report", "--json", "--from", first, "--to", after],
                          env=env, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout)
    assert summary["time"] == expected
    assert {p["name"]: p["time"] for p in summary["projects"]} == dict(per_project)


def test_build_timetracker_db_makes_a_migrated_database(tmp_path: Path) -> None:
    path = ds.build_timetracker_db(tmp_path / "home", n=50, years=1, seed=5)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM time_entries").fetchone() == (50,)
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (known_head(),)]
    finally:
        con.close()
