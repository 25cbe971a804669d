"""Reports: totals by day/week/month or by project/client/task/tag, with billable amounts.

The heavy lifting is SQL: durations are clamped to the range (or to each local day) and summed
by SQLite, so a year over 100,000 entries never loads the entries into Python. Day buckets are
the user's local days (23/25 h on DST changes); an entry crossing midnight is split across the
days it touches; a running entry counts up to now. The queries run on the database's plain
sqlite3 connection (``Database.read``), so a report never imports SQLAlchemy; see
tests/benchmarks/bench_cli_report.py for the figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.errors import ValidationError
from timetracker.core.ranges import DateRange, local_midnight, month_start_of, week_start_of

GROUPINGS = ("day", "week", "month", "project", "client", "task", "tag")
TIME_GROUPINGS = ("day", "week", "month")
NONE_LABEL = {"project": "(no project)", "client": "(no client)", "task": "(no task)",
              "tag": "(no tag)"}


@dataclass
class ReportRow:
    key: str
    label: str
    seconds: int = 0
    billable_seconds: int = 0
    #: currency -> amount in cents
    amounts: dict[str, int] = field(default_factory=dict)
    color: str | None = None


@dataclass
class Report:
    range: DateRange
    group_by: str
    rows: list[ReportRow]
    total_seconds: int
    billable_seconds: int
    amounts: dict[str, int]
    #: Seconds per local day for every day of the range (zero days included), for charts.
    daily: list[tuple[dt.date, int]] = field(default_factory=list)


_ENTRY_FILTER = """
    e.deleted_at IS NULL
    AND e.start >= :lo AND e.start < :hi
    AND COALESCE(e."end", :now) > :range_start
"""

# The longest live entry (a running one counts up to now). Both halves are answered from the
# ix_entries_span expression index (migration 0002) without scanning the table.
_SPAN_SQL = """
SELECT MAX(span) FROM (
    SELECT MAX("end" - start) AS span FROM time_entries WHERE deleted_at IS NULL
    UNION ALL
    SELECT :now - MIN(start) FROM time_entries
    WHERE deleted_at IS NULL AND ("end" - start) IS NULL)
"""

# MATERIALIZED: the day bounds are parsed from JSON once, not again for every joined entry.
_DAY_SQL = """
WITH days(idx, d_start, d_end) AS MATERIALIZED (SELECT value ->> 0, value ->> 1, value ->> 2
                                                FROM json_each(:days))
SELECT days.idx AS idx, COALESCE(p.currency, '') AS currency,
       SUM(MIN(COALESCE(e."end", :now), days.d_end) - MAX(e.start, days.d_start)) AS secs,
       SUM(CASE WHEN e.billable THEN
           MIN(COALESCE(e."end", :now), days.d_end) - MAX(e.start, days.d_start) END) AS bill,
       SUM(CASE WHEN e.billable THEN
           (MIN(COALESCE(e."end", :now), days.d_end) - MAX(e.start, days.d_start))
           * p.rate_cents END) AS money
FROM days CROSS JOIN time_entries e LEFT JOIN projects p ON p.id = e.project_id
WHERE e.deleted_at IS NULL
  AND e.start >= days.d_start - :span AND e.start < days.d_end
  AND COALESCE(e."end", :now) > days.d_start
GROUP BY days.idx, currency
"""

# Per grouping: key, label, colour, the entry-level sub-key and its join, the label's join.
# Entries are summed per (project, sub-key) first; only those few rows are then joined to
# their labels and rates (a project's rate is constant, so rate × billable seconds is exact).
_GROUP_SQL = {
    "project": ("a.pid", "p.name", "p.color", "NULL", "", ""),
    "client": ("p.client_id", "c.name", "NULL", "NULL", "", ""),
    "task": ("a.sub", "t.name || ' · ' || p.name", "p.color", "e.task_id", "",
             "LEFT JOIN tasks t ON t.id = a.sub"),
    "tag": ("a.sub", "g.name", "NULL", "et.tag_id",
            "LEFT JOIN entry_tags et ON et.entry_id = e.id",
            "LEFT JOIN tags g ON g.id = a.sub"),
}


def _group_sql(group_by: str) -> str:
    key, label, color, sub, entry_join, label_join = _GROUP_SQL[group_by]
    clamp = 'MIN(COALESCE(e."end", :now), :range_end) - MAX(e.start, :range_start)'
    return f"""
WITH a AS MATERIALIZED (
    SELECT e.project_id AS pid, {sub} AS sub,
           SUM({clamp}) AS secs,
           SUM(CASE WHEN e.billable THEN {clamp} END) AS bill
    FROM time_entries e
    {entry_join}
    WHERE {_ENTRY_FILTER}
    GROUP BY pid, sub)
SELECT {key} AS k, {label} AS label, {color} AS color, COALESCE(p.currency, '') AS currency,
       SUM(a.secs) AS secs, SUM(a.bill) AS bill, SUM(a.bill * p.rate_cents) AS money
FROM a
LEFT JOIN projects p ON p.id = a.pid
LEFT JOIN clients c ON c.id = p.client_id
{label_join}
GROUP BY k, currency
"""


def _cents(money_seconds: int | None) -> int:
    """Seconds × cents-per-hour → cents, rounded half up."""
    return 0 if not money_seconds else (int(money_seconds) + 1800) // 3600


class ReportService:
    def __init__(self, db: Database, clock: Clock, timezone: str = "UTC",
                 week_start: str = "monday") -> None:
        self.db = db
        self.clock = clock
        self.timezone = timezone
        self.week_start = week_start

    def _max_span(self, now: int) -> int:
        """Longest live entry in seconds: how far before a range an overlapping entry starts."""
        span = self.db.read(_SPAN_SQL, {"now": now})[0][0]
        return int(span or 0)

    def daily(self, rng: DateRange, now: int | None = None) -> list[tuple[dt.date, int]]:
        return self._days(rng, self.clock() if now is None else now)[0]

    def _days(self, rng: DateRange, now: int, span: int | None = None
              ) -> tuple[list[tuple[dt.date, int]], dict[tuple[int, str], tuple[int, int, int]]]:
        dates = rng.dates()
        bounds = [local_midnight(d, rng.tz) for d in dates]
        bounds.append(rng.end)
        days = json.dumps([[i, bounds[i], bounds[i + 1]] for i in range(len(dates))])
        params = {"days": days, "now": now,
                  "span": self._max_span(now) if span is None else span}
        cells: dict[tuple[int, str], tuple[int, int, int]] = {}
        for idx, currency, secs, bill, money in self.db.read(_DAY_SQL, params):
            cells[(int(idx), currency)] = (int(secs or 0), int(bill or 0), int(money or 0))
        per_day = [0] * len(dates)
        for (idx, _currency), (secs, _bill, _money) in cells.items():
            per_day[idx] += secs
        return list(zip(dates, per_day, strict=True)), cells

    def report(self, rng: DateRange, group_by: str = "day", now: int | None = None, *,
               daily: bool = True) -> Report:
        """Totals over ``rng`` grouped by ``group_by``.

        ``daily=False`` skips the per-day split (``Report.daily`` is then empty) for callers
        that show only rows and totals, such as the CLI; rows and totals are the same.
        """
        if group_by not in GROUPINGS:
            raise ValidationError(f"Cannot group by '{group_by}'. Use one of: "
                                  f"{', '.join(GROUPINGS)}.")
        moment = self.clock() if now is None else now
        span = self._max_span(moment)
        per_day: list[tuple[dt.date, int]] = []
        totals = ReportRow("total", "Total")
        if daily or group_by in TIME_GROUPINGS:
            per_day, cells = self._days(rng, moment, span)
            for (_idx, currency), (secs, bill, money) in cells.items():
                _add(totals, currency, secs, bill, money)
        if group_by in TIME_GROUPINGS:
            rows = self._time_rows(rng, group_by, cells)
            if not daily:
                per_day = []
        else:
            grouped = self._group_query(rng, group_by, moment, span)
            rows = self._group_rows(group_by, grouped)
            if not daily:
                # Projects, clients and tasks each split the entries exactly once (an entry
                # has one project/task): their raw sums are the totals. Tags do not.
                partition = (grouped if group_by in ("project", "client", "task")
                             else self._group_query(rng, "project", moment, span))
                for _key, _label, _color, currency, secs, bill, money in partition:
                    _add(totals, currency, int(secs or 0), int(bill or 0), int(money or 0))
        return Report(rng, group_by, rows, totals.seconds, totals.billable_seconds,
                      {c: _cents(m) for c, m in totals.amounts.items() if m},
                      per_day)

    def _time_rows(self, rng: DateRange, group_by: str,
                   cells: dict[tuple[int, str], tuple[int, int, int]]) -> list[ReportRow]:
        dates = rng.dates()
        rows: dict[dt.date, ReportRow] = {}
        for day in dates:
            key = self._time_key(day, group_by)
            if key not in rows:
                label = (key.isoformat() if group_by == "day"
                         else f"Week of {key.isoformat()}" if group_by == "week"
                         else key.strftime("%Y-%m"))
                rows[key] = ReportRow(key.isoformat(), label)
        for (idx, currency), (secs, bill, money) in cells.items():
            _add(rows[self._time_key(dates[idx], group_by)], currency, secs, bill, money)
        result = list(rows.values())
        for row in result:
            row.amounts = {c: _cents(m) for c, m in row.amounts.items() if m}
        return result

    def _time_key(self, day: dt.date, group_by: str) -> dt.date:
        if group_by == "week":
            return week_start_of(day, self.week_start)
        if group_by == "month":
            return month_start_of(day)
        return day

    def _group_query(self, rng: DateRange, group_by: str, now: int,
                     span: int) -> list[tuple[Any, ...]]:
        params = {"now": now, "range_start": rng.start, "range_end": rng.end,
                  "lo": rng.start - span, "hi": rng.end}
        return self.db.read(_group_sql(group_by), params)

    def _group_rows(self, group_by: str, grouped: list[tuple[Any, ...]]) -> list[ReportRow]:
        rows: dict[object, ReportRow] = {}
        for key, label, color, currency, secs, bill, money in grouped:
            row = rows.get(key)
            if row is None:
                row = rows[key] = ReportRow(
                    "" if key is None else str(key),
                    label if key is not None else NONE_LABEL[group_by], color=color)
            _add(row, currency, int(secs or 0), int(bill or 0), int(money or 0))
        result = sorted(rows.values(), key=lambda r: (-r.seconds, r.label.lower()))
        for row in result:
            row.amounts = {c: _cents(m) for c, m in row.amounts.items() if m}
        return [r for r in result if r.seconds > 0]


def _add(row: ReportRow, currency: str, secs: int, bill: int, money: int) -> None:
    row.seconds += secs
    row.billable_seconds += bill
    if money:
        row.amounts[currency] = row.amounts.get(currency, 0) + money

