"""Benchmark: a one-year report over 100,000 entries — TimeTracker vs Timewarrior vs Watson.

Run with ``make bench`` or ``.venv/bin/python tests/benchmarks/bench_cli_report.py``.

The same generated intervals (see ``dataset.py``) are written to TimeTracker's SQLite database,
a Timewarrior database and a Watson frames file; the stores are cached under ``.bench/`` (keyed
by the generator's source and parameters) and copied to a scratch folder for every run, so each
run starts from identical data. The script then measures, in one run:

* whole-process wall time of a one-year report — ``timetracker report --by project`` vs
  ``timew summary`` (goal ≤ 0.6×) and vs ``watson report`` (goal ≤ 0.06×): one warm-up run of
  each, then ``--runs`` rounds in which the three commands take turns; the median is reported;
* in-process time of ``ReportService.report()`` for that year (goal ≤ 30 ms; median).

Python byte-code caching is allowed for the child processes (``PYTHONDONTWRITEBYTECODE`` is
removed) so both Python tools start as installed software does; the warm-up run writes it.
Every tool runs with ``TZ=UTC`` and a scratch ``HOME``. The totals each tool reports are
printed too, proving the three measure the same work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "desktop"))

import dataset  # noqa: E402 - the sibling module, found through the path set above

VENV_BIN = Path(sys.executable).parent
CACHE = REPO / ".bench"
TIMEW_GOAL = 0.6
WATSON_GOAL = 0.06
QUERY_GOAL_MS = 30.0


#: Diagnostics only (no goal): the same command with the telemetry sink (consent off, the
#: default), then also the CLI's observability start-up, then also the start-up integrity check
#: (PRAGMA quick_check) replaced by no-ops, to show what each layer costs.
NO_TELEMETRY = ("import sys; from timetracker.app import App; "
                "App._telemetry_sink = lambda self, event, properties: None; "
                "from timetracker.cli import run; sys.exit(run(sys.argv[1:]))")
CORE_ONLY = NO_TELEMETRY.replace(
    "from timetracker.cli", "App.start_observability = lambda self, *a, **k: None; "
    "from timetracker.cli")
NO_CHECK = CORE_ONLY.replace(
    "from timetracker.cli import run; ",
    "import timetracker.cli as cli, timetracker.core.db as db; "
    "cli._start_integrity_check = lambda command, factory: None; "
    "db.check_integrity = lambda path: None; run = cli.run; ")


@dataclass
class Measured:
    label: str
    display: str
    command: list[str]
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def cache_key(n: int, years: int, seed: int) -> str:
    source = (HERE / "dataset.py").read_bytes()
    digest = hashlib.sha256(source + f"{n}/{years}/{seed}".encode()).hexdigest()[:12]
    return f"report-n{n}-y{years}-s{seed}-{digest}"


def cached_stores(n: int, years: int, seed: int, refresh: bool) -> tuple[Path, dataset.Dataset]:
    """The three stores for these parameters, built once and kept under .bench/."""
    folder = CACHE / cache_key(n, years, seed)
    data = dataset.generate(n, years, seed)
    if refresh and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "complete").exists():
        prefix = folder.name.rsplit("-", 1)[0] + "-"
        for stale in CACHE.glob(f"{prefix}*"):  # older generator versions, same parameters
            shutil.rmtree(stale)
        started = time.perf_counter()
        print(f"building the data set in {folder} …", flush=True)
        dataset.write_all(data, folder / "stores", seed)
        (folder / "complete").write_text("ok\n", encoding="utf-8")
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return folder / "stores", data


def child_env(scratch: Path, stores: dataset.Stores) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TIMETRACKER_", "TIMEWARRIOR", "WATSON_"))
           and key not in ("PYTHONDONTWRITEBYTECODE", "DO_NOT_TRACK", "PYTHONPATH")}
    env.update({
        "HOME": str(scratch / "home"),
        "TZ": "UTC",
        "TIMETRACKER_HOME": str(stores.timetracker_home),
        "TIMEWARRIORDB": str(stores.timewarrior_db),
        "WATSON_DIR": str(stores.watson_dir),
    })
    (scratch / "home").mkdir(exist_ok=True)
    return env


def run_quiet(command: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace').strip()}")
    return elapsed


def output(command: Sequence[str], env: dict[str, str]) -> str:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def totals(year: int, env: dict[str, str],
           tools: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """The year total each tool reports, as H:MM:SS."""
    found: dict[str, str] = {}
    first, last = f"{year}-01-01", f"{year}-12-31"
    report = json.loads(output([*tools["timetracker"][1], "--json"], env))
    found["timetracker"] = hms(report["total_seconds"])
    if "timew" in tools:
        lines = [line.strip() for line in output(tools["timew"][1], env).splitlines()
                 if re.fullmatch(r"\s*\d+:\d\d:\d\d\s*", line)]
        found["timew"] = lines[-1] if lines else "?"
    if "watson" in tools:
        data = json.loads(output([str(VENV_BIN / "watson"), "report", "--json",
                                  "--from", first, "--to", last], env))
        found["watson"] = hms(data["time"])
    return found


def measure(tools: dict[str, tuple[str, list[str]]], env: dict[str, str],
            runs: int) -> list[Measured]:
    results = [Measured(name, display, command, [])
               for name, (display, command) in tools.items()]
    for item in results:  # warm-up: page cache, byte-code cache, TimeTracker's daily backup
        run_quiet(item.command, env)
    for _ in range(runs):
        for item in results:
            item.times.append(run_quiet(item.command, env))
    return results


def query_times(home: Path, year: int, repeats: int) -> dict[str, float]:
    """Median milliseconds of ReportService.report() for the year, per grouping."""
    from timetracker.app import App
    from timetracker.core.paths import AppPaths
    from timetracker.core.ranges import custom_range

    app = App(paths=AppPaths.under(home), environ={"TZ": "UTC"})
    try:
        rng = custom_range(dt.date(year, 1, 1), dt.date(year, 12, 31), "UTC")
        now = int(time.time())
        found: dict[str, float] = {}
        for group_by in ("project", "day", "month", "client", "task", "tag"):
            app.reports.report(rng, group_by, now=now)  # warm-up
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                app.reports.report(rng, group_by, now=now)
                samples.append((time.perf_counter() - started) * 1000)
            found[group_by] = statistics.median(samples)
        return found
    finally:
        app.close()


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--seed", type=int, default=dataset.SEED)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--repeats", type=int, default=21, help="in-process query repeats")
    parser.add_argument("--refresh", action="store_true", help="rebuild the cached data set")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--no-diagnose", dest="diagnose", action="store_false",
                        help="skip the diagnostic run without the telemetry sink")
    args = parser.parse_args(argv)

    cached, data = cached_stores(args.entries, args.years, args.seed, args.refresh)
    year = data.last_day.year
    with tempfile.TemporaryDirectory(prefix="tt-bench-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(cached, scratch / "stores")
        root = scratch / "stores"
        stores = dataset.Stores(root / "timetracker", root / "timewarrior", root / "watson")
        env = child_env(scratch, stores)
        report_args = ["report", "--from", f"{year}-01-01", "--to", f"{year}-12-31",
                       "--by", "project"]
        tools: dict[str, tuple[str, list[str]]] = {
            "timetracker": ("timetracker report --by project",
                            [str(VENV_BIN / "timetracker"), *report_args])}
        missing = []
        if shutil.which("timew"):
            tools["timew"] = ("timew summary", ["timew", "summary", f"{year}-01-01", "-",
                                                f"{year + 1}-01-01"])
        else:
            missing.append("timew (apt-get install timewarrior)")
        if (VENV_BIN / "watson").exists():
            tools["watson"] = ("watson report", [
                str(VENV_BIN / "watson"), "report", "--from", f"{year}-01-01",
                "--to", f"{year}-12-31"])
        else:
            missing.append("watson (pip install td-watson)")
        if args.diagnose:
            tools["no-telemetry"] = ("  diagnostic: same, telemetry sink no-op",
                                     [sys.executable, "-c", NO_TELEMETRY, *report_args])
            tools["core-only"] = ("  diagnostic: also observability start no-op",
                                  [sys.executable, "-c", CORE_ONLY, *report_args])
            tools["no-check"] = ("  diagnostic: also no integrity check",
                                 [sys.executable, "-c", NO_CHECK, *report_args])
        measured = measure(tools, env, args.runs)
        year_totals = totals(year, env, tools)
        queries = query_times(stores.timetracker_home, year, args.repeats)

    ours = measured[0].median
    print()
    print(f"One-year report ({year}-01-01 … {year}-12-31) over {len(data.intervals):,} entries "
          f"({args.years} years, {len(data.projects)} projects, {len(data.tags)} tags)")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          f"median of {args.runs} runs after 1 warm-up")
    print("Year total reported: " + " · ".join(f"{k} {v}" for k, v in year_totals.items()))
    print()
    header = f"{'whole process':<44} {'median s':>9} {'min s':>7} {'ratio':>8} {'goal':>8}  met"
    print(header)
    print("-" * len(header))
    goals = {"timew": TIMEW_GOAL, "watson": WATSON_GOAL}
    met_all = True
    peers = {m.label: m.median for m in measured}
    for item in measured:
        line = f"{item.display:<44} {item.median:>9.3f} {min(item.times):>7.3f}"
        if item.label in goals:
            ratio = ours / item.median
            ok = ratio <= goals[item.label]
            met_all &= ok
            line += f" {ratio:>7.3f}× {'≤ ' + str(goals[item.label]) + '×':>8}  {verdict(ok)}"
        elif item.label in ("no-telemetry", "core-only", "no-check") and "timew" in peers:
            line += f" {item.median / peers['timew']:>7.3f}×  (vs timew, no goal)"
        print(line)
    for name, command in (("timew", "timew summary"), ("watson", "watson report")):
        if name in goals and not any(m.label == name for m in measured):
            print(f"{command:<44} not measured: not installed")
    print()
    header = f"{'in-process ReportService.report(year, …)':<44} {'median ms':>9} {'goal':>8}  met"
    print(header)
    print("-" * len(header))
    for group_by, ms in queries.items():
        line = f"{'  by ' + group_by:<44} {ms:>9.2f}"
        if group_by == "project":
            ok = ms <= QUERY_GOAL_MS
            met_all &= ok
            line += f" {'≤ 30 ms':>8}  {verdict(ok)}"
        print(line)
    if missing:
        print("\nnot installed: " + ", ".join(missing))
    print("\nall goals met" if met_all and not missing else "\nsome goals NOT met")
    return 1 if args.strict and (not met_all or missing) else 0


if __name__ == "__main__":
    sys.exit(main())
