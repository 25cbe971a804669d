"""Property tests of the timer invariants over random sequences of user actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from timetracker.app import App
from timetracker.core.errors import TimeTrackerError
from timetracker.core.paths import AppPaths
from timetracker.core.ranges import custom_range, local_date

from tests.unit.core.conftest import FakeClock

TZ = "Europe/Berlin"
# Start just before the spring DST change so sequences cross it, and midnights.
BASE = int(dt.datetime(2026, 3, 28, 20, 0, tzinfo=ZoneInfo(TZ)).timestamp())

actions = st.lists(
    st.one_of(
        st.tuples(st.just("start"), st.sampled_from(["A", "B", None]),
                  st.integers(0, 7200)),
        st.tuples(st.just("stop"), st.none(), st.integers(0, 7200)),
        st.tuples(st.just("continue"), st.none(), st.integers(0, 7200)),
        st.tuples(st.just("add"), st.sampled_from(["A", "C"]), st.integers(1, 30000)),
        st.tuples(st.just("delete"), st.none(), st.integers(0, 5)),
        st.tuples(st.just("undo"), st.none(), st.integers(0, 60)),
        st.tuples(st.just("wait"), st.none(), st.integers(60, 40000)),
    ),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_invariants_hold_for_any_action_sequence(tmp_path_factory: object, steps: list) -> None:
    home = tmp_path_factory.mktemp("prop")  # type: ignore[attr-defined]
    clock = FakeClock(BASE)
    app = App(paths=AppPaths.under(Path(home)), environ={}, clock=clock)
    app.config.values["timezone"] = TZ
    try:
        for kind, project, amount in steps:
            try:
                if kind == "start":
                    app.entries.start(project)
                elif kind == "stop":
                    app.entries.stop()
                elif kind == "continue":
                    app.entries.continue_last()
                elif kind == "add":
                    app.entries.add(clock.now - amount, clock.now, project)
                elif kind == "delete":
                    entries = app.entries.list()
                    if entries:
                        app.entries.delete(entries[amount % len(entries)].id)
                elif kind == "undo":
                    app.entries.undo()
            except TimeTrackerError:
                pass  # a refused action must leave the invariants intact too
            clock.advance(amount if kind == "wait" else 1)
            _check_invariants(app, clock.now)
    finally:
        app.close()


def _check_invariants(app: App, now: int) -> None:
    with app.db.engine.connect() as con:
        running = con.execute(text(
            'SELECT count(*) FROM time_entries WHERE "end" IS NULL AND deleted_at IS NULL'
        )).scalar()
        negative = con.execute(text(
            'SELECT count(*) FROM time_entries WHERE "end" < start')).scalar()
    assert running in (0, 1), "never two timers running"
    assert negative == 0, "durations are never negative"
    entries = app.entries.list()
    expected = sum(e.duration(now) for e in entries)
    if entries:
        first = local_date(min(e.start for e in entries), TZ)
        rng = custom_range(first, local_date(now, TZ), TZ)
        report = app.reports.report(rng, "day", now=now)
        assert report.total_seconds == expected
        assert sum(r.seconds for r in report.rows) == expected
        assert sum(s for _d, s in report.daily) == expected
        by_project = app.reports.report(rng, "project", now=now)
        assert sum(r.seconds for r in by_project.rows) == expected
