"""A realistic week of data for the UI view tests and screenshots (real services, real DB)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from timetracker.app import App
from timetracker.core.paths import AppPaths

TZ = "Europe/Berlin"
#: "Now" for the views: Friday 2024-05-17 18:00 in Berlin (the week starts Monday 13 May).
NOW = int(dt.datetime(2024, 5, 17, 18, 0, tzinfo=ZoneInfo(TZ)).timestamp())
MONDAY = dt.date(2024, 5, 13)


def make_app(home: Path, now: int = NOW) -> App:
    """An App on ``home`` with a fixed clock and the Berlin time zone."""
    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home),
                                                   "TIMETRACKER_TELEMETRY": "off"},
              clock=lambda: now)
    app.config.set("timezone", TZ)
    return app


def at(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo(TZ)).timestamp())


def seed_week(app: App) -> None:
    """Clients, projects (billable in EUR and USD), tasks, tags and ~35 h of entries.

    Includes an entry crossing midnight (Tue 22:30 → Wed 01:30) and work on the previous
    Sunday night into Monday, so per-day sums must split entries at local midnight.
    """
    cat = app.catalog
    cat.add_client("Acme Corp")
    cat.add_client("Globex")
    cat.add_project("Website relaunch", client="Acme Corp", color="#4F7DF3", billable=True,
                    rate="85", currency="EUR")
    cat.add_project("Mobile app", client="Globex", color="#30A46C", billable=True,
                    rate="120.50", currency="USD")
    cat.add_project("Internal", color="#F76B15")
    cat.add_project("Research", color="#8E4EC6")
    cat.add_task("Website relaunch", "Design")
    cat.add_task("Website relaunch", "Backend")
    cat.add_task("Mobile app", "Release 2.0")
    entries = app.entries
    d = MONDAY
    day = dt.timedelta(days=1)
    plan = [
        # (day offset, start h, start m, end offset days, end h, end m, project, task, tags)
        (-1, 22, 0, 0, 1, 0, "Research", None, ["reading"]),
        (0, 9, 0, 0, 12, 30, "Website relaunch", "Design", ["client-work"]),
        (0, 13, 30, 0, 17, 45, "Mobile app", "Release 2.0", ["client-work"]),
        (1, 8, 45, 1, 12, 0, "Website relaunch", "Backend", ["client-work"]),
        (1, 13, 0, 1, 15, 30, "Internal", None, ["meeting"]),
        (1, 22, 30, 2, 1, 30, "Mobile app", "Release 2.0", ["client-work", "overtime"]),
        (2, 10, 0, 2, 16, 15, "Website relaunch", "Design", []),
        (3, 9, 0, 3, 11, 0, "Internal", None, ["meeting"]),
        (3, 11, 15, 3, 17, 0, "Research", None, ["reading"]),
        (4, 8, 30, 4, 12, 30, "Mobile app", None, ["client-work"]),
        (4, 13, 0, 4, 16, 40, "Website relaunch", "Backend", []),
    ]
    for off, sh, sm, eoff, eh, em, project, task, tags in plan:
        entries.add(at(d + day * off, sh, sm), at(d + day * eoff, eh, em), project=project,
                    description="Work", tags=tags, task=task)


def bulk_entries(app: App, count: int, first_day: dt.date = MONDAY) -> None:
    """``count`` one-hour entries, one every 2 hours from ``first_day`` (fast: one INSERT)."""
    from sqlalchemy import insert
    from timetracker.core.models import TimeEntry

    start = at(first_day, 0)
    rows = [{"start": start + i * 7200, "end": start + i * 7200 + 3600, "tz": TZ,
             "description": "bulk", "billable": False, "created_at": NOW, "updated_at": NOW}
            for i in range(count)]
    with app.db.session() as session:
        session.execute(insert(TimeEntry), rows)
