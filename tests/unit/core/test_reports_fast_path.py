"""Report speed-ups keep the figures: ``daily=False`` and the pre-aggregated SQL give the same
rows and totals as the per-day path, over generated data with a running entry, deleted entries,
multi-tag entries, billable work in several currencies and a DST zone."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sqlite3
import sys
from collections.abc import Iterator

import pytest
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.core.ranges import custom_range
from timetracker.core.reports import GROUPINGS

from tests.conftest import REPO

_spec = importlib.util.spec_from_file_location("bench_dataset_reports",
                                               REPO / "tests" / "benchmarks" / "dataset.py")
assert _spec is not None and _spec.loader is not None
dataset = importlib.util.module_from_spec(_spec)
sys.modules["bench_dataset_reports"] = dataset
_spec.loader.exec_module(dataset)

NOW = int(dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC).timestamp())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    home = tmp_path_factory.mktemp("reports-home")
    path = dataset.build_timetracker_db(home, n=4000, years=1, seed=9)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE time_entries SET deleted_at = 1 WHERE id % 17 = 0")
        con.execute("INSERT INTO time_entries (start, tz, description, project_id, billable, "
                    "running_marker, created_at, updated_at) "
                    "VALUES (?, 'UTC', 'running', 1, 1, 1, ?, ?)",
                    (NOW - 5 * 3600, NOW - 5 * 3600, NOW - 5 * 3600))
    con.close()
    application = App(paths=AppPaths.under(home), environ={"TZ": "UTC"})
    yield application
    application.close()


@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin"])
@pytest.mark.parametrize("first,last", [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                                        (dt.date(2025, 3, 30), dt.date(2025, 3, 30)),
                                        (dt.date(2025, 10, 20), dt.date(2025, 11, 2)),
                                        (dt.date(2025, 12, 31), dt.date(2026, 1, 2))])
def test_without_the_daily_split_rows_and_totals_are_the_same(
        app: App, tz: str, first: dt.date, last: dt.date) -> None:
    rng = custom_range(first, last, tz)
    for group_by in GROUPINGS:
        full = app.reports.report(rng, group_by, now=NOW)
        quick = app.reports.report(rng, group_by, now=NOW, daily=False)
        assert full.total_seconds > 0
        assert quick.daily == [] and len(full.daily) == rng.days
        assert sum(seconds for _day, seconds in full.daily) == full.total_seconds
        assert (quick.total_seconds, quick.billable_seconds, quick.amounts) == (
            full.total_seconds, full.billable_seconds, full.amounts), group_by
        assert [(r.key, r.label, r.seconds, r.billable_seconds, r.amounts) for r in quick.rows] \
            == [(r.key, r.label, r.seconds, r.billable_seconds, r.amounts) for r in full.rows]


def test_grouped_rows_add_up_to_the_total(app: App) -> None:
    rng = custom_range(dt.date(2025, 1, 1), dt.date(2025, 12, 31), "Europe/Berlin")
    for group_by in ("project", "client", "task"):
        report = app.reports.report(rng, group_by, now=NOW)
        assert sum(r.seconds for r in report.rows) == report.total_seconds
        assert sum(r.billable_seconds for r in report.rows) == report.billable_seconds
        money: dict[str, int] = {}
        for row in report.rows:
            for currency, cents in row.amounts.items():
                money[currency] = money.get(currency, 0) + cents
        for currency, cents in report.amounts.items():  # rows round per row: within a cent each
            assert abs(money[currency] - cents) <= len(report.rows)
    tags = app.reports.report(rng, "tag", now=NOW)
    assert sum(r.seconds for r in tags.rows) > tags.total_seconds  # multi-tag entries count twice
