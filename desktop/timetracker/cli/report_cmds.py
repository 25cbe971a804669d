"""report: totals by day/week/month/project/client/task/tag, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import sys

from timetracker.app import App
from timetracker.cli.output import hours, print_json, table
from timetracker.core.naming import format_cents
from timetracker.core.ranges import RANGE_KINDS, DateRange, custom_range, local_date, named_range
from timetracker.core.reports import GROUPINGS, Report
from timetracker.core.timeparse import parse_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="totals over a range")
    p.add_argument("--from", dest="first", help="first day (default: start of this week)")
    p.add_argument("--to", dest="last", help="last day, inclusive (default: today)")
    p.add_argument("--range", choices=RANGE_KINDS[:-1], help="a named range instead of dates")
    p.add_argument("--by", choices=GROUPINGS, default="project")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.set_defaults(handler=report)


def resolve_range(app: App, args: argparse.Namespace) -> DateRange:
    now, tz = app.clock(), app.timezone
    week_start = str(app.config.get("week_start"))
    if args.range:
        return named_range(args.range, now, tz, week_start)
    if not args.first and not args.last:
        return named_range("this_week", now, tz, week_start)
    first = (parse_date(args.first, now, tz) if args.first
             else named_range("this_week", now, tz, week_start).first)
    last = parse_date(args.last, now, tz) if args.last else local_date(now, tz)
    return custom_range(first, last, tz)


def _money(amounts: dict[str, int]) -> str:
    return ", ".join(f"{format_cents(v)} {c}" for c, v in sorted(amounts.items()))


def report_json(result: Report) -> dict[str, object]:
    return {
        "from": result.range.first.isoformat(), "to": result.range.last.isoformat(),
        "timezone": result.range.tz, "group_by": result.group_by,
        "total_seconds": result.total_seconds, "billable_seconds": result.billable_seconds,
        "amounts": {c: format_cents(v) for c, v in result.amounts.items()},
        "rows": [{"key": r.key, "label": r.label, "seconds": r.seconds,
                  "billable_seconds": r.billable_seconds,
                  "amounts": {c: format_cents(v) for c, v in r.amounts.items()}}
                 for r in result.rows],
    }


def report(app: App, args: argparse.Namespace) -> int:
    rng = resolve_range(app, args)
    result = app.reports.report(rng, args.by, daily=False)  # the CLI shows no per-day chart
    fmt = "json" if args.json else args.format
    app.emit("report.generated", {"group_by": args.by, "range_kind": rng.kind,
                                  "range_days": rng.days, "format": fmt})
    if fmt == "json":
        print_json(report_json(result))
        return 0
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow([args.by, "seconds", "hours", "billable_seconds", "amounts"])
        for row in result.rows:
            writer.writerow([row.label, row.seconds, f"{row.seconds / 3600:.2f}",
                             row.billable_seconds, _money(row.amounts)])
        writer.writerow(["Total", result.total_seconds, f"{result.total_seconds / 3600:.2f}",
                         result.billable_seconds, _money(result.amounts)])
        return 0
    print(f"Report {rng.first} – {rng.last} ({rng.tz}), by {args.by}")
    rows = [[r.label, hours(r.seconds), hours(r.billable_seconds), _money(r.amounts)]
            for r in result.rows if r.seconds or args.by == "day"]
    rows.append(["Total", hours(result.total_seconds), hours(result.billable_seconds),
                 _money(result.amounts)])
    print(table([args.by.capitalize(), "Time", "Billable", "Amount"], rows, align_right=(1, 2)))
    return 0
