"""A deterministic benchmark data set, written to TimeTracker, Timewarrior and Watson alike.

``generate()`` makes N time entries over Y years ending on ``last_day`` (default 100,000 over
8 years, 40 projects, 15 tags): work days with a morning start and a run of back-to-back
entries, quiet weekends, a few evening sessions that cross midnight, and a handful of billable
projects with hourly rates in several currencies. The same intervals are then written to

* our SQLite database, created through the real migrations (``App(...).db``) and filled with
  ``executemany`` in one transaction;
* a Timewarrior database (``data/YYYY-MM.data`` files of ``inc … # tags`` lines, the format
  timew itself writes, plus ``timewarrior.cfg``); the project is the first tag;
* a Watson ``frames`` file (``[start, stop, project, id, [tags], updated_at]``).

All times are whole UTC seconds; entries carry the zone ``UTC`` so the three tools agree when
run with ``TZ=UTC``. Intervals never overlap, so every tool sums them the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20_251_231
LAST_DAY = dt.date(2025, 12, 31)
DAY = 86_400

CURRENCIES = ("EUR", "USD", "GBP")
_WORDS = ("api", "backend", "billing", "cloud", "data", "design", "docs", "infra", "mobile",
          "portal", "research", "search", "shop", "support", "web")
_TAG_NAMES = ("meeting", "review", "coding", "email", "planning", "testing", "deploy", "call",
              "writing", "research-tag", "admin", "travel", "debugging", "pairing", "ops",
              "hiring", "training", "design-tag", "support-tag", "sales")
_DESCRIPTIONS = ("Daily stand-up", "Code review", "Fix failing build", "Write report",
                 "Customer call", "Sprint planning", "Refactor module", "Answer email",
                 "Prepare invoice", "Update documentation", "Pair programming", "")


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    client: int | None  # index into Dataset.clients
    billable: bool
    rate_cents: int
    currency: str
    color: str


@dataclass(frozen=True)
class Interval:
    start: int
    end: int
    project: int  # index into Dataset.projects
    task: int | None  # index into Dataset.tasks
    tags: tuple[int, ...]  # indexes into Dataset.tags
    billable: bool
    description: str


@dataclass(frozen=True)
class Dataset:
    clients: list[str]
    projects: list[ProjectSpec]
    tasks: list[tuple[int, str]]  # (project index, name)
    tags: list[str]
    intervals: list[Interval]
    first_day: dt.date
    last_day: dt.date

    @property
    def total_seconds(self) -> int:
        return sum(i.end - i.start for i in self.intervals)


def _midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _days(years: int, last_day: dt.date) -> list[dt.date]:
    first = last_day.replace(year=last_day.year - years) + dt.timedelta(days=1)
    return [first + dt.timedelta(days=i) for i in range((last_day - first).days + 1)]


def _counts(n: int, days: Sequence[dt.date], rng: random.Random) -> list[int]:
    """Entries per day: work days busy, weekends quiet; exactly ``n`` in total."""
    weights = [(0.15 if day.weekday() >= 5 else 1.0) * rng.uniform(0.6, 1.4) for day in days]
    scale = n / sum(weights)
    counts, carry = [], 0.0
    for weight in weights:
        carry += weight * scale
        whole = int(carry)
        counts.append(whole)
        carry -= whole
    counts[-1] += n - sum(counts)
    return counts


def _catalog(rng: random.Random, n_projects: int, n_tags: int
             ) -> tuple[list[str], list[ProjectSpec], list[tuple[int, str]], list[str]]:
    clients = [f"Client {chr(65 + i)}" for i in range(8)]
    projects = []
    billable_slots = set(rng.sample(range(n_projects), min(6, n_projects)))
    for i in range(n_projects):
        name = f"{_WORDS[i % len(_WORDS)]}-{i + 1:02d}"
        billable = i in billable_slots
        projects.append(ProjectSpec(
            name=name,
            client=rng.randrange(len(clients)) if rng.random() < 0.75 else None,
            billable=billable,
            rate_cents=rng.choice((6_000, 8_500, 9_000, 12_000, 15_000)) if billable else 0,
            currency=CURRENCIES[i % len(CURRENCIES)] if billable else "EUR",
            color=f"#{rng.randrange(0x1000000):06X}",
        ))
    tasks = [(p, f"task {t + 1}") for p in range(n_projects) for t in range(rng.randrange(5))]
    if n_tags > len(_TAG_NAMES):
        raise ValueError(f"at most {len(_TAG_NAMES)} tags are supported, got {n_tags}")
    return clients, projects, tasks, list(_TAG_NAMES[:n_tags])


def generate(n: int = 100_000, years: int = 8, seed: int = SEED, *, projects: int = 40,
             tags: int = 15, last_day: dt.date = LAST_DAY) -> Dataset:
    """The data set for these parameters; the same parameters always give the same data."""
    if n < 1 or years < 1 or projects < 1:
        raise ValueError("n, years and projects must be positive")
    rng = random.Random(seed)
    clients, project_specs, task_list, tag_names = _catalog(rng, projects, tags)
    tasks_of: dict[int, list[int]] = {}
    for index, (project, _name) in enumerate(task_list):
        tasks_of.setdefault(project, []).append(index)
    # A few projects take most of the time, as in real life.
    project_weights = [1 / (i + 1) ** 0.8 for i in range(projects)]
    rng.shuffle(project_weights)
    project_ids = list(range(projects))

    days = _days(years, last_day)
    intervals: list[Interval] = []
    for day, count in zip(days, _counts(n, days, rng), strict=True):
        if not count:
            continue
        midnight = _midnight(day)
        cursor = midnight + rng.randrange(7 * 3600 + 1800, 9 * 3600 + 1800)
        crosses = count > 1 and day.weekday() < 5 and rng.random() < 0.03
        daytime = count - 1 if crosses else count
        hours = rng.uniform(1.0, 4.0) if day.weekday() >= 5 else rng.uniform(6.0, 9.5)
        work = max(hours * 3600, daytime * 240)
        shares = [rng.expovariate(1.0) + 0.25 for _ in range(daytime)]
        total_share = sum(shares)
        chosen = rng.choices(project_ids, project_weights, k=count)
        spans: list[tuple[int, int]] = []
        for share in shares:
            length = max(60, int(work * share / total_share))
            spans.append((cursor, cursor + length))
            cursor += length + rng.randrange(0, 240)
        if crosses:  # a late session that runs past midnight into the next day
            late = midnight + 23 * 3600 + rng.randrange(0, 3000)
            spans.append((late, late + rng.randrange(1800, 2 * 3600)))
        for (start, end), project in zip(spans, chosen, strict=True):
            own_tasks = tasks_of.get(project)
            intervals.append(Interval(
                start=start,
                end=end,
                project=project,
                task=rng.choice(own_tasks) if own_tasks and rng.random() < 0.7 else None,
                tags=tuple(sorted(rng.sample(range(len(tag_names)),
                                             rng.choice((0, 1, 1, 2))))) if tag_names else (),
                billable=project_specs[project].billable and rng.random() < 0.9,
                description=rng.choice(_DESCRIPTIONS),
            ))
    return Dataset(clients, project_specs, task_list, tag_names, intervals, days[0], days[-1])


# -- TimeTracker ------------------------------------------------------------------------------

def write_timetracker(dataset: Dataset, home: Path) -> Path:
    """Create TimeTracker's database under ``home`` (a new folder) via the real migrations, then
    bulk-load it in one transaction; returns the database file."""
    from timetracker.app import App
    from timetracker.core.paths import AppPaths

    app = App(paths=AppPaths.under(home), environ={"TZ": "UTC"})
    try:
        path = app.db.path  # opening runs the migrations
    finally:
        app.close()
    created = _midnight(dataset.first_day)
    con = sqlite3.connect(path)
    try:
        if con.execute("SELECT count(*) FROM time_entries").fetchone()[0]:
            raise ValueError(f"{path} already holds entries: use an empty TIMETRACKER_HOME")
        with con:
            con.executemany(
                "INSERT INTO clients (id, name, archived, created_at) VALUES (?, ?, 0, ?)",
                [(i + 1, name, created) for i, name in enumerate(dataset.clients)])
            con.executemany(
                "INSERT INTO projects (id, name, client_id, color, billable, rate_cents, "
                "currency, archived, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                [(i + 1, p.name, None if p.client is None else p.client + 1, p.color,
                  int(p.billable), p.rate_cents, p.currency, created)
                 for i, p in enumerate(dataset.projects)])
            con.executemany(
                "INSERT INTO tasks (id, project_id, name, done, created_at) VALUES (?, ?, ?, 0, ?)",
                [(i + 1, project + 1, name, created)
                 for i, (project, name) in enumerate(dataset.tasks)])
            con.executemany(
                "INSERT INTO tags (id, name, archived, created_at) VALUES (?, ?, 0, ?)",
                [(i + 1, name, created) for i, name in enumerate(dataset.tags)])
            con.executemany(
                'INSERT INTO time_entries (id, start, "end", tz, description, project_id, '
                "task_id, billable, running_marker, import_key, created_at, updated_at, "
                "deleted_at) VALUES (?, ?, ?, 'UTC', ?, ?, ?, ?, NULL, NULL, ?, ?, NULL)",
                [(i + 1, e.start, e.end, e.description, e.project + 1,
                  None if e.task is None else e.task + 1, int(e.billable), e.end, e.end)
                 for i, e in enumerate(dataset.intervals)])
            con.executemany(
                "INSERT INTO entry_tags (entry_id, tag_id) VALUES (?, ?)",
                [(i + 1, tag + 1) for i, e in enumerate(dataset.intervals) for tag in e.tags])
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return path


def build_timetracker_db(home: Path, n: int = 100_000, years: int = 8,
                         seed: int = SEED) -> Path:
    """A TimeTracker home at ``home`` holding the generated data; returns the database path."""
    return write_timetracker(generate(n, years, seed), Path(home))


# -- Timewarrior ------------------------------------------------------------------------------

def _timew_stamp(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def timew_tags(dataset: Dataset, interval: Interval) -> list[str]:
    """The Timewarrior tags of an interval: its project first, then its tags."""
    return [dataset.projects[interval.project].name, *(dataset.tags[t] for t in interval.tags)]


def write_timewarrior(dataset: Dataset, folder: Path) -> Path:
    """A Timewarrior database (use as ``TIMEWARRIORDB``) holding the intervals."""
    data = Path(folder) / "data"
    data.mkdir(parents=True, exist_ok=True)
    (Path(folder) / "timewarrior.cfg").write_text("verbose = off\n", encoding="utf-8")
    months: dict[str, list[str]] = {}
    for interval in dataset.intervals:
        month = dt.datetime.fromtimestamp(interval.start, dt.UTC).strftime("%Y-%m")
        months.setdefault(month, []).append(
            f"inc {_timew_stamp(interval.start)} - {_timew_stamp(interval.end)}"
            f" # {' '.join(timew_tags(dataset, interval))}\n")
    for month, lines in months.items():
        (data / f"{month}.data").write_text("".join(lines), encoding="utf-8")
    names = {name for i in dataset.intervals for name in timew_tags(dataset, i)}
    (data / "tags.data").write_text(
        json.dumps({name: {"count": 1} for name in sorted(names)}), encoding="utf-8")
    return Path(folder)


# -- Watson -----------------------------------------------------------------------------------

def write_watson(dataset: Dataset, folder: Path, seed: int = SEED) -> Path:
    """A Watson folder (use as ``WATSON_DIR``) whose ``frames`` file holds the intervals."""
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = [[i.start, i.end, dataset.projects[i.project].name, f"{rng.getrandbits(128):032x}",
               [dataset.tags[t] for t in i.tags], i.end] for i in dataset.intervals]
    (folder / "frames").write_text(json.dumps(frames), encoding="utf-8")
    return folder


# -- all three --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stores:
    timetracker_home: Path
    timewarrior_db: Path
    watson_dir: Path


def write_all(dataset: Dataset, root: Path, seed: int = SEED) -> Stores:
    root = Path(root)
    return Stores(
        timetracker_home=write_timetracker(dataset, root / "timetracker").parent.parent,
        timewarrior_db=write_timewarrior(dataset, root / "timewarrior"),
        watson_dir=write_watson(dataset, root / "watson", seed),
    )


def sum_seconds(intervals: Iterable[Interval], lo: int, hi: int) -> int:
    """Seconds of ``intervals`` inside [lo, hi) — the figure every tool should report."""
    return sum(max(0, min(i.end, hi) - max(i.start, lo)) for i in intervals)
