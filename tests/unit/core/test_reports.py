from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from timetracker.app import App
from timetracker.core.errors import ValidationError
from timetracker.core.ranges import custom_range, named_range

from tests.unit.core.conftest import FakeClock

TZ = "Europe/Berlin"


def ts(*args: int, tz: str = TZ) -> int:
    return int(dt.datetime(*args, tzinfo=ZoneInfo(tz)).timestamp())  # type: ignore[misc]


def test_entry_crossing_midnight_splits_across_days(app: App) -> None:
    app.entries.add(ts(2026, 3, 10, 22, 0), ts(2026, 3, 11, 2, 30), "Night")
    rng = custom_range(dt.date(2026, 3, 10), dt.date(2026, 3, 11), TZ)
    report = app.reports.report(rng, "day", now=ts(2026, 3, 12, 0, 0))
    assert [(r.key, r.seconds) for r in report.rows] == [
        ("2026-03-10", 2 * 3600), ("2026-03-11", int(2.5 * 3600))]
    assert report.total_seconds == int(4.5 * 3600)


def test_dst_days_are_23_and_25_hours(app: App) -> None:
    # A timer running across whole DST-change days counts 23 h and 25 h on them.
    app.entries.add(ts(2026, 3, 29, 0, 0), ts(2026, 3, 30, 0, 0), "Spring")
    app.entries.add(ts(2026, 10, 25, 0, 0), ts(2026, 10, 26, 0, 0), "Autumn")
    spring = app.reports.report(custom_range(dt.date(2026, 3, 29), dt.date(2026, 3, 29), TZ),
                                "day", now=ts(2026, 12, 1, 0, 0))
    autumn = app.reports.report(custom_range(dt.date(2026, 10, 25), dt.date(2026, 10, 25), TZ),
                                "day", now=ts(2026, 12, 1, 0, 0))
    assert spring.total_seconds == 23 * 3600
    assert autumn.total_seconds == 25 * 3600


def test_same_data_in_another_zone_moves_day_boundaries(app: App) -> None:
    app.entries.add(ts(2026, 5, 1, 23, 0, tz="UTC"), ts(2026, 5, 2, 1, 0, tz="UTC"), "P")
    utc = app.reports.report(custom_range(dt.date(2026, 5, 1), dt.date(2026, 5, 2), "UTC"), "day",
                             now=ts(2026, 6, 1, 0, 0))
    berlin = app.reports.report(custom_range(dt.date(2026, 5, 1), dt.date(2026, 5, 2), TZ), "day",
                                now=ts(2026, 6, 1, 0, 0))
    assert [r.seconds for r in utc.rows] == [3600, 3600]
    assert [r.seconds for r in berlin.rows] == [0, 7200]  # 01:00-03:00 CEST on May 2nd


def test_running_entry_counts_up_to_now(app: App, clock: FakeClock) -> None:
    app.entries.start("Live", at=clock.now - 900)
    rng = named_range("today", clock.now, TZ)
    assert app.reports.report(rng, "project").total_seconds == 900
    clock.advance(100)
    assert app.reports.report(rng, "project").total_seconds == 1000


def test_range_clamps_entries_overlapping_its_edges(app: App) -> None:
    app.entries.add(ts(2026, 2, 28, 23, 0), ts(2026, 3, 1, 1, 0), "Edge")
    march = custom_range(dt.date(2026, 3, 1), dt.date(2026, 3, 31), TZ)
    report = app.reports.report(march, "project", now=ts(2026, 4, 1, 0, 0))
    assert report.total_seconds == 3600
    assert report.rows[0].seconds == 3600


def test_billable_amounts_per_currency(app: App) -> None:
    app.catalog.add_project("EuroCo", billable=True, rate="90", currency="EUR")
    app.catalog.add_project("DollarCo", billable=True, rate="120.50", currency="USD")
    app.catalog.add_project("Free")
    day = (2026, 6, 2)
    app.entries.add(ts(*day, 9, 0), ts(*day, 10, 30), "EuroCo")
    app.entries.add(ts(*day, 11, 0), ts(*day, 12, 0), "DollarCo")
    app.entries.add(ts(*day, 13, 0), ts(*day, 13, 20), "DollarCo", billable=False)
    app.entries.add(ts(*day, 14, 0), ts(*day, 15, 0), "Free")
    rng = custom_range(dt.date(*day), dt.date(*day), TZ)
    report = app.reports.report(rng, "project", now=ts(2026, 7, 1, 0, 0))
    assert report.amounts == {"EUR": 13500, "USD": 12050}
    assert report.billable_seconds == int(2.5 * 3600)
    by_label = {r.label: r for r in report.rows}
    assert by_label["DollarCo"].seconds == 3600 + 1200
    assert by_label["DollarCo"].billable_seconds == 3600
    assert by_label["Free"].amounts == {}
    assert [r.label for r in report.rows] == ["EuroCo", "DollarCo", "Free"]  # by time desc


def test_group_by_tag_client_task_and_empty_groups(app: App) -> None:
    app.catalog.add_project("Site", client="Acme")
    day = (2026, 6, 3)
    app.entries.add(ts(*day, 9, 0), ts(*day, 10, 0), "Site", tags=["a", "b"], task="build")
    app.entries.add(ts(*day, 10, 0), ts(*day, 10, 30), None)
    rng = custom_range(dt.date(*day), dt.date(*day), TZ)
    now = ts(2026, 7, 1, 0, 0)
    tags = {r.label: r.seconds for r in app.reports.report(rng, "tag", now=now).rows}
    assert tags == {"a": 3600, "b": 3600, "(no tag)": 1800}
    clients = {r.label: r.seconds for r in app.reports.report(rng, "client", now=now).rows}
    assert clients == {"Acme": 3600, "(no client)": 1800}
    tasks = {r.label: r.seconds for r in app.reports.report(rng, "task", now=now).rows}
    assert tasks == {"build · Site": 3600, "(no task)": 1800}


@pytest.mark.parametrize(("week_start", "first"), [("monday", dt.date(2026, 6, 1)),
                                                   ("sunday", dt.date(2026, 5, 31))])
def test_week_grouping_follows_week_start(app: App, week_start: str, first: dt.date) -> None:
    app.reports.week_start = week_start
    app.entries.add(ts(2026, 6, 1, 9, 0), ts(2026, 6, 1, 10, 0), "P")
    rng = custom_range(dt.date(2026, 5, 25), dt.date(2026, 6, 7), TZ)
    rows = app.reports.report(rng, "week", now=ts(2026, 7, 1, 0, 0)).rows
    hit = [r for r in rows if r.seconds]
    assert [r.key for r in hit] == [first.isoformat()]


def test_month_grouping_and_deleted_entries_ignored(app: App) -> None:
    keep = app.entries.add(ts(2026, 1, 31, 23, 30), ts(2026, 2, 1, 0, 30), "P").entry
    gone = app.entries.add(ts(2026, 2, 2, 9, 0), ts(2026, 2, 2, 10, 0), "P").entry
    app.entries.delete(gone.id)
    rng = custom_range(dt.date(2026, 1, 1), dt.date(2026, 2, 28), TZ)
    rows = app.reports.report(rng, "month", now=ts(2026, 3, 1, 0, 0)).rows
    assert [(r.label, r.seconds) for r in rows] == [("2026-01", 1800), ("2026-02", 1800)]
    assert keep.id


def test_unknown_grouping(app: App) -> None:
    with pytest.raises(ValidationError, match="group by 'colour'"):
        app.reports.report(named_range("today", 0, TZ), "colour")
