"""add, edit, delete, undo, log."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from timetracker.app import App
from timetracker.cli.entry_format import entry_json, entry_line, show_change, show_entry
from timetracker.cli.output import print_json
from timetracker.core.durations import clock_time as duration
from timetracker.core.errors import ValidationError
from timetracker.core.ranges import custom_range, local_date
from timetracker.core.timeparse import parse_date, parse_time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("add", help="add a finished entry by hand")
    p.add_argument("project", nargs="?", help="project name (created if new)")
    p.add_argument("--start", "--from", dest="start", required=True, help="e.g. '9:00'")
    p.add_argument("--end", "--to", dest="end", required=True, help="e.g. '12:30'")
    p.add_argument("-d", "--description", default="")
    p.add_argument("-t", "--tag", action="append", default=[], dest="tags")
    p.add_argument("--task")
    p.add_argument("--billable", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=add)

    p = sub.add_parser("edit", help="change an entry")
    p.add_argument("id", type=int)
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--running", action="store_true", help="make the entry run again")
    p.add_argument("--project")
    p.add_argument("--no-project", action="store_true")
    p.add_argument("-d", "--description")
    p.add_argument("-t", "--tag", action="append", dest="tags", help="replaces all tags")
    p.add_argument("--clear-tags", action="store_true")
    p.add_argument("--task")
    p.add_argument("--no-task", action="store_true")
    p.add_argument("--billable", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=edit)

    p = sub.add_parser("delete", help="delete an entry (undo brings it back)")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=delete)

    p = sub.add_parser("undo", help="undo the last change to an entry")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=undo)

    p = sub.add_parser("log", help="list entries (this week by default)")
    p.add_argument("--from", dest="first", help="first day, e.g. 2026-11-01 or monday")
    p.add_argument("--to", dest="last", help="last day (inclusive)")
    p.add_argument("--project")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=log)


def add(app: App, args: argparse.Namespace) -> int:
    now = app.clock()
    start = parse_time(args.start, now, app.timezone)
    end = parse_time(args.end, now, app.timezone)
    result = app.entries.add(start, end, project=args.project, description=args.description,
                             tags=args.tags, task=args.task, billable=args.billable)
    show_change(result, now, "Added", args.json)
    return 0


def edit(app: App, args: argparse.Namespace) -> int:
    now = app.clock()
    changes: dict[str, Any] = {}
    if args.start:
        changes["start"] = parse_time(args.start, now, app.timezone)
    if args.running and args.end:
        raise ValidationError("Give either --end or --running, not both.")
    if args.end:
        changes["end"] = parse_time(args.end, now, app.timezone)
    if args.running:
        changes["end"] = None
    if args.project and args.no_project:
        raise ValidationError("Give either --project or --no-project, not both.")
    if args.project or args.no_project:
        changes["project"] = None if args.no_project else args.project
    if args.task or args.no_task:
        changes["task"] = None if args.no_task else args.task
    if args.description is not None:
        changes["description"] = args.description
    if args.tags is not None or args.clear_tags:
        changes["tags"] = [] if args.clear_tags else args.tags
    if args.billable is not None:
        changes["billable"] = args.billable
    if not changes:
        raise ValidationError("Nothing to change: give at least one option (see --help).")
    result = app.entries.edit(args.id, **changes)
    show_change(result, now, "Edited", args.json)
    return 0


def delete(app: App, args: argparse.Namespace) -> int:
    entry = app.entries.delete(args.id)
    show_entry(entry, app.clock(), "Deleted", args.json,
               note="  ('timetracker undo' restores it)")
    return 0


def undo(app: App, args: argparse.Namespace) -> int:
    result = app.entries.undo()
    now = app.clock()
    if args.json:
        print_json({"undone": result.action, "entry": entry_json(result.entry, now)})
    else:
        verb = {"create": "Removed the new", "update": "Reverted the change to",
                "delete": "Restored the deleted"}[result.action]
        print(f"{verb} entry: {entry_line(result.entry, now)}")
    return 0


def log(app: App, args: argparse.Namespace) -> int:
    from timetracker.core.ranges import named_range

    now = app.clock()
    tz = app.timezone
    if args.first or args.last:
        first = parse_date(args.first, now, tz) if args.first else dt.date(1970, 1, 1)
        last = parse_date(args.last, now, tz) if args.last else local_date(now, tz)
        rng = custom_range(first, last, tz)
    else:
        rng = named_range("this_week", now, tz, str(app.config.get("week_start")))
    project_id = app.catalog.project(args.project).id if args.project else None
    entries = app.entries.list(rng.start, rng.end, project_id=project_id, limit=args.limit)
    if args.json:
        print_json([entry_json(e, now) for e in entries])
        return 0
    if not entries:
        print(f"No entries from {rng.first} to {rng.last}.")
        return 0
    overlapping = app.entries.overlap_ids(rng.start, rng.end)
    current_day = None
    day_total = 0
    lines: list[str] = []
    for entry in sorted(entries, key=lambda e: (e.start, e.id)):
        day = local_date(entry.start, tz)
        if day != current_day:
            if current_day is not None:
                lines.append(f"  total {duration(day_total)}")
            lines.append(f"{day:%A %Y-%m-%d}")
            current_day, day_total = day, 0
        day_total += entry.duration(now)
        mark = "  ! overlaps another entry" if entry.id in overlapping else ""
        lines.append(f"  {entry_line(entry, now)}{mark}")
    lines.append(f"  total {duration(day_total)}")
    print("\n".join(lines))
    return 0
