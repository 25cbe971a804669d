"""start, stop, continue, status."""

from __future__ import annotations

import argparse

from timetracker.app import App
from timetracker.cli.entry_format import entry_json, entry_line, show_change, show_entry
from timetracker.cli.output import print_json
from timetracker.core.durations import clock_time as duration
from timetracker.core.timeparse import parse_time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("start", help="start a timer (stops the running one)")
    p.add_argument("project", nargs="?", help="project name (created if new)")
    p.add_argument("-d", "--description", default="", help="what you are working on")
    p.add_argument("-t", "--tag", action="append", default=[], dest="tags", help="tag (repeat)")
    p.add_argument("--task", help="task within the project (created if new)")
    p.add_argument("--billable", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--at", help="start time, e.g. 9:30, '-15m', 'yesterday 17:00'")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=start)

    p = sub.add_parser("stop", help="stop the running timer")
    p.add_argument("--at", help="stop time, e.g. 17:45 or '-10m'")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=stop)

    p = sub.add_parser("continue", help="start again what you did last")
    p.add_argument("--at", help="start time")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=continue_)

    p = sub.add_parser("status", help="show the running timer and today's total")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=status)


def _at(app: App, args: argparse.Namespace) -> int | None:
    return parse_time(args.at, app.clock(), app.timezone) if args.at else None


def start(app: App, args: argparse.Namespace) -> int:
    result = app.entries.start(project=args.project, description=args.description,
                               tags=args.tags, task=args.task, billable=args.billable,
                               at=_at(app, args))
    show_change(result, app.clock(), "Started", args.json)
    return 0


def stop(app: App, args: argparse.Namespace) -> int:
    entry = app.entries.stop(at=_at(app, args))
    show_entry(entry, app.clock(), "Stopped", args.json)
    return 0


def continue_(app: App, args: argparse.Namespace) -> int:
    result = app.entries.continue_last(at=_at(app, args))
    show_change(result, app.clock(), "Continued", args.json)
    return 0


def status(app: App, args: argparse.Namespace) -> int:
    from timetracker.core.ranges import named_range

    now = app.clock()
    running = app.entries.current()
    today = app.reports.daily(named_range("today", now, app.timezone), now=now)
    today_seconds = sum(seconds for _day, seconds in today)
    if args.json:
        print_json({"running": entry_json(running, now) if running else None,
                    "today_seconds": today_seconds})
        return 0
    if running:
        print(f"Running: {entry_line(running, now)}")
    else:
        print("No timer is running.")
    print(f"Today: {duration(today_seconds)}")
    return 0
