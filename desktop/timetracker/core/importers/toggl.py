"""Toggl Track "detailed" CSV export.

Header (UTF-8, usually with a BOM)::

    User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,
    End time,Duration,Tags,Amount (EUR)

Mapping: Client → the project's client, Project/Task/Description as they are, Billable
``Yes``/``No``, Tags split on commas. Dates and times are local times of the Toggl profile's
zone, which the user chooses (``tz``); they are converted to UTC with that zone (an ambiguous
time in a DST fall-back hour takes its first occurrence). The currency in the ``Amount (XXX)``
header becomes the currency of projects the import creates; User, Email, Duration and Amount
are not stored. ``Stop date``/``Stop time`` and ``Member`` are accepted as aliases.

Import key: Toggl exports carry no ids, so the key is a hash of the row's raw fields plus its
occurrence number among identical rows of the same file — re-importing the file (in any zone)
adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from timetracker.core.errors import ImportFormatError
from timetracker.core.importers.rows import (
    ImportRow,
    ParsedFile,
    RowProblems,
    Tick,
    check_order,
    description_field,
    digest,
    name_field,
    no_tick,
    optional_name,
)
from timetracker.core.importers.source import decode, read_bytes

FORMAT = "toggl"
_ALIASES = {
    "user": "user", "member": "user", "email": "email", "client": "client",
    "project": "project", "task": "task", "description": "description",
    "billable": "billable", "start date": "start date", "start time": "start time",
    "end date": "end date", "end time": "end time", "stop date": "end date",
    "stop time": "end time", "duration": "duration", "tags": "tags",
}
_REQUIRED = ("project", "description", "start date", "start time", "end date", "end time")
_AMOUNT = re.compile(r"^amount\s*\(\s*([A-Za-z]{3})?\s*\)$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def parse(path: Path, tz: str, tick: Tick = no_tick) -> ParsedFile:
    file = str(path)
    text = decode(read_bytes(path), file)
    parsed = ParsedFile(FORMAT, file)
    total_lines = text.count("\n") + 1
    zone = ZoneInfo(tz)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = _header(next(reader, None), file, parsed)
        seen: dict[str, int] = {}
        problems = RowProblems()
        last_line = reader.line_num
        for fields in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not fields or fields == [""]:
                continue
            with problems.row(file, line):
                if len(fields) != len(columns):
                    raise ImportFormatError(
                        file, line, None, f"expected {len(columns)} fields, found {len(fields)}")
                raw = dict(zip(columns, fields, strict=True))
                parsed.rows.append(_row(raw, fields, line, file, zone, tz, seen))
            if line % 500 == 0:
                tick(line, total_lines)
    except csv.Error as exc:
        raise ImportFormatError(file, reader.line_num, None, f"is not valid CSV ({exc})") from None
    problems.raise_if_any()
    tick(total_lines, total_lines)
    return parsed


def _header(fields: list[str] | None, file: str, parsed: ParsedFile) -> list[str]:
    if not fields:
        raise ImportFormatError(file, 1, None, "is empty; expected the Toggl CSV header")
    columns = []
    for position, name in enumerate(fields):
        key = name.strip().lower()
        amount = _AMOUNT.match(name.strip())
        if amount:
            columns.append("amount")
            if amount.group(1):
                parsed.currency = amount.group(1).upper()
        elif key in _ALIASES:
            columns.append(_ALIASES[key])
        else:
            columns.append(f"_extra{position}")
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise ImportFormatError(
            file, 1, missing[0].capitalize(),
            "missing from the header; this does not look like a Toggl detailed CSV export "
            f"(missing: {', '.join(m.capitalize() for m in missing)})")
    return columns


def _row(raw: dict[str, str], fields: list[str], line: int, file: str, zone: ZoneInfo,
         tz: str, seen: dict[str, int]) -> ImportRow:
    start = _moment(raw["start date"], raw["start time"], zone, file, line, "Start")
    end = _moment(raw["end date"], raw["end time"], zone, file, line, "End")
    check_order(start, end, file, line, "End time")
    project = optional_name("project", raw["project"], file, line, "Project")
    client = optional_name("client", raw.get("client", ""), file, line, "Client")
    task = optional_name("task", raw.get("task", ""), file, line, "Task")
    if task and not project:
        raise ImportFormatError(file, line, "Task", "a task needs a project")
    if client and not project:
        client = None  # Toggl allows a client without a project; we keep clients on projects.
    tags = tuple(dict.fromkeys(
        name_field("tag", t, file, line, "Tags", max_length=100)
        for t in raw.get("tags", "").split(",") if t.strip()))
    billable_text = raw.get("billable", "").strip().lower()
    if billable_text and billable_text not in _YES:
        raise ImportFormatError(file, line, "Billable",
                                f"expected Yes or No, got '{billable_text[:40]}'")
    fingerprint = digest(*(f.strip() for f in fields))
    seen[fingerprint] = seen.get(fingerprint, 0) + 1
    return ImportRow(
        line=line, key=f"toggl:{fingerprint}:{seen[fingerprint]}", start=start, end=end, tz=tz,
        description=description_field(raw["description"], file, line, "Description"),
        project=project, client=client, task=task, tags=tags,
        billable=_YES[billable_text] if billable_text else None,
    )


def _moment(date_text: str, time_text: str, zone: ZoneInfo, file: str, line: int,
            which: str) -> int:
    date_match = _DATE.match(date_text.strip())
    if not date_match:
        raise ImportFormatError(file, line, f"{which} date",
                                f"expected YYYY-MM-DD, got '{date_text.strip()[:40]}'")
    time_match = _TIME.match(time_text.strip())
    if not time_match:
        raise ImportFormatError(file, line, f"{which} time",
                                f"expected HH:MM:SS, got '{time_text.strip()[:40]}'")
    try:
        day = dt.date(int(date_match[1]), int(date_match[2]), int(date_match[3]))
    except ValueError as exc:
        raise ImportFormatError(file, line, f"{which} date", f"is not a date ({exc})") from None
    try:
        clock = dt.time(int(time_match[1]), int(time_match[2]), int(time_match[3] or 0))
    except ValueError as exc:
        raise ImportFormatError(file, line, f"{which} time", f"is not a time ({exc})") from None
    try:
        return int(dt.datetime.combine(day, clock, zone).timestamp())
    except (OverflowError, ValueError) as exc:
        raise ImportFormatError(file, line, f"{which} date", f"is out of range ({exc})") from None
