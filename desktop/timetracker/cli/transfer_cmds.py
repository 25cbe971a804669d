"""export and import.

``timetracker export [--format csv|json] [--from DATE] [--to DATE] [-o FILE]`` writes to stdout
when no file is given. ``timetracker import --from FORMAT FILE [--tz ZONE] [--dry-run]
[--json]`` reads a whole file, then writes it in one transaction; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

from timetracker.app import App
from timetracker.cli.output import local, print_json
from timetracker.core.durations import clock_time as duration
from timetracker.core.importers import TAGS_MODES, ImportSummary
from timetracker.core.ranges import local_midnight
from timetracker.core.timeparse import parse_date

IMPORT_CHOICES = ("toggl", "watson", "timewarrior", "timew-json", "json")
#: Imports and exports smaller than this print no progress.
PROGRESS_FROM = 1000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export entries as CSV or JSON")
    p.add_argument("--format", choices=("csv", "json"), default=None,
                   help="default: from the -o file's suffix, else csv")
    p.add_argument("--from", dest="first", help="first day (YYYY-MM-DD, today, …)")
    p.add_argument("--to", dest="last", help="last day, inclusive")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--no-progress", action="store_true", help="print no progress on stderr")
    p.set_defaults(handler=export)

    p = sub.add_parser("import", help="import entries from Toggl, Watson, Timewarrior or JSON")
    p.add_argument("--from", dest="source_format", required=True, choices=IMPORT_CHOICES,
                   help="the format of FILE")
    p.add_argument("file", help="the file (for watson/timewarrior also their data folder)")
    p.add_argument("--tz", help="time zone of the file's local times / of the new entries "
                                "(default: your time zone)")
    p.add_argument("--timew-tags", choices=TAGS_MODES, default="project",
                   help="timewarrior: 'project' = first tag is the project (default), "
                        "'tags' = keep all tags, no project")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="print no progress on stderr")
    p.set_defaults(handler=import_)


class _ProgressPrinter:
    """Progress lines on stderr: rewritten in place on a terminal, every 10 % otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_step: tuple[str, int] = ("", -1)
        self.last_time = 0.0
        self.printed = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        percent = min(100, done * 100 // max(total, 1))
        if self.tty:
            now = time.monotonic()
            if now - self.last_time < 0.1 and done < total:
                return
            self.last_time = now
            sys.stderr.write(f"\r{self.label}: {phase} {done}/{total} ({percent}%)  ")
            self.printed = True
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        step = (phase, percent // 10)
        if step == self.last_step:
            return
        self.last_step = step
        print(f"{self.label}: {phase} {done}/{total} ({percent}%)", file=sys.stderr, flush=True)


def _silent(phase: str, done: int, total: int) -> None:
    """Used with --no-progress."""


def _range(app: App, args: argparse.Namespace) -> tuple[int | None, int | None]:
    now, tz = app.clock(), app.timezone
    start = local_midnight(parse_date(args.first, now, tz), tz) if args.first else None
    end = (local_midnight(parse_date(args.last, now, tz) + dt.timedelta(days=1), tz)
           if args.last else None)
    if start is not None and end is not None and end <= start:
        from timetracker.core.errors import ValidationError

        raise ValidationError(f"--to {args.last} is before --from {args.first}.")
    return start, end


def export(app: App, args: argparse.Namespace) -> int:
    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = "json" if suffix == ".json" else "csv"
    start, end = _range(app, args)
    printer = _silent if args.no_progress else _ProgressPrinter("export")

    def progress(done: int, total: int) -> None:
        printer("writing", done, total)

    if args.output:
        result = app.exporter.write_file(args.output, fmt, start, end, progress)
        print(f"Exported {result.rows} entries to {args.output} ({fmt}).", file=sys.stderr)
    else:
        if fmt == "csv" and hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(newline="")  # CSV rows end in \r\n on every platform
        app.exporter.write(sys.stdout, fmt, start, end, progress)
        sys.stdout.flush()
    return 0


def import_(app: App, args: argparse.Namespace) -> int:
    fmt = args.source_format.replace("-", "_")
    progress: Callable[[str, int, int], None] = (
        _silent if args.no_progress else _ProgressPrinter("import"))
    summary = app.importer.run(args.file, fmt, args.tz, tags_mode=args.timew_tags,
                               progress=progress, dry_run=args.dry_run)
    if args.json:
        print_json(summary.to_dict())
        return 0
    _print_summary(summary)
    return 0


def _print_summary(summary: ImportSummary) -> None:
    verb = "Would import" if summary.dry_run else "Imported"
    print(f"{verb} {summary.new} of {summary.total} entries from {summary.file} "
          f"({summary.format}).")
    if summary.dry_run:
        print("Dry run: nothing was written.")
    if summary.duplicates:
        print(f"Already imported (skipped): {summary.duplicates}")
    if summary.closed:
        print(f"Running entries now finished: {summary.closed}")
    if summary.running:
        print("The open interval " + ("would become" if summary.dry_run else "is now")
              + " the running timer.")
    created = [(label, names) for label, names in (
        ("clients", summary.new_clients), ("projects", summary.new_projects),
        ("tasks", summary.new_tasks), ("tags", summary.new_tags)) if names]
    for label, names in created:
        shown = ", ".join(names[:10]) + (f", … (+{len(names) - 10})" if len(names) > 10 else "")
        print(f"New {label} ({len(names)}): {shown}")
    if summary.first_start is not None:
        tz = summary.sample[0].tz if summary.sample else "UTC"
        print(f"Range: {local(summary.first_start, tz)} – {local(summary.last_end, tz)} ({tz})")
    if summary.dry_run and summary.sample:
        print("First entries:")
        for row in summary.sample[:10]:
            what = row.project or "(no project)"
            if row.task:
                what += f" / {row.task}"
            span = (duration(row.end - row.start) if row.end is not None else "running")
            parts = [f"  line {row.line}", local(row.start, row.tz), span, what]
            if row.description:
                parts.append(f"“{row.description}”")
            if row.tags:
                parts.append(" ".join(f"+{t}" for t in row.tags))
            print("  ".join(parts))
    if summary.backup:
        print(f"Backup made first: {summary.backup} (restore it to undo this import).")
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
