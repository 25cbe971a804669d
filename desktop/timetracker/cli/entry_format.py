"""How the CLI shows time entries, as text and as JSON."""

from __future__ import annotations

from typing import Any

from timetracker.cli.output import iso, local, print_json, warn
from timetracker.core.durations import clock_time as duration
from timetracker.core.entries import ChangeResult, EntryView


def entry_json(entry: EntryView, now: int) -> dict[str, Any]:
    return {
        "id": entry.id, "start": iso(entry.start, entry.tz), "end": iso(entry.end, entry.tz),
        "start_utc": entry.start, "end_utc": entry.end, "tz": entry.tz,
        "duration_seconds": entry.duration(now), "running": entry.running,
        "description": entry.description, "project": entry.project, "client": entry.client,
        "task": entry.task, "tags": list(entry.tags), "billable": entry.billable,
    }


def entry_line(entry: EntryView, now: int) -> str:
    what = entry.project or "(no project)"
    if entry.task:
        what += f" / {entry.task}"
    parts = [f"#{entry.id}", f"{local(entry.start, entry.tz)} – "
             f"{local(entry.end, entry.tz, with_date=False)}",
             duration(entry.duration(now)), what]
    if entry.description:
        parts.append(f"“{entry.description}”")
    if entry.tags:
        parts.append(" ".join(f"+{t}" for t in entry.tags))
    if entry.billable:
        parts.append("$")
    return "  ".join(parts)


def change_json(result: ChangeResult, now: int) -> dict[str, Any]:
    return {
        "entry": entry_json(result.entry, now),
        "stopped": entry_json(result.stopped, now) if result.stopped else None,
        "overlaps": [o.id for o in result.overlaps],
    }


def report_overlaps(result: ChangeResult) -> None:
    for other in result.overlaps:
        warn(f"entry #{result.entry.id} overlaps entry #{other.id} "
             f"({local(other.start, other.tz)} – {local(other.end, other.tz, with_date=False)}); "
             "both are kept.")


def show_change(result: ChangeResult, now: int, verb: str, as_json: bool) -> None:
    """Print what a change did: its JSON, or "Stopped: …" (when it stopped the running
    entry) and "<verb>: …" lines with a warning for each overlap."""
    if as_json:
        print_json(change_json(result, now))
        return
    if result.stopped:
        print(f"Stopped: {entry_line(result.stopped, now)}")
    print(f"{verb}: {entry_line(result.entry, now)}")
    report_overlaps(result)


def show_entry(entry: EntryView, now: int, verb: str, as_json: bool, note: str = "") -> None:
    """Print one entry an action touched: its JSON, or "<verb>: …" (and ``note``)."""
    if as_json:
        print_json(entry_json(entry, now))
    else:
        print(f"{verb}: {entry_line(entry, now)}{note}")
