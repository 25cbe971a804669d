"""``timew export`` JSON: ``[{"id": 1, "start": "20240304T080000Z", "end": "…", "tags": […],
"annotation": "…"}, …]``. An interval without ``end`` is open.

Same mapping and import keys as the data files (see ``timewarrior``); ``id`` is Timewarrior's
display number, which changes as intervals are added, so it is not used.
"""

from __future__ import annotations

from pathlib import Path

from timetracker.core.errors import ImportFormatError
from timetracker.core.importers.rows import ImportRow, ParsedFile, RowProblems, Tick, no_tick
from timetracker.core.importers.source import decode, json_array, read_bytes
from timetracker.core.importers.timewarrior import make_row, stamp

FORMAT = "timew_json"


def parse(path: Path, tz: str, tags_mode: str = "project", tick: Tick = no_tick) -> ParsedFile:
    file = str(path)
    items = json_array(decode(read_bytes(path), file), file)
    parsed = ParsedFile(FORMAT, file)
    problems = RowProblems()
    for index, (line, item) in enumerate(items):
        with problems.row(file, line):
            parsed.rows.append(_interval(item, file, line, tz, tags_mode))
        if index % 500 == 499:
            tick(index + 1, len(items))
    problems.raise_if_any()
    tick(len(items), len(items))
    return parsed


def _interval(item: object, file: str, line: int, tz: str, tags_mode: str) -> ImportRow:
    if not isinstance(item, dict):
        raise ImportFormatError(file, line, None, "expected an interval object {…}")
    raw_start = item.get("start")
    if not isinstance(raw_start, str):
        raise ImportFormatError(file, line, "start", "missing or not a time text")
    start = stamp(raw_start, file, line, "start")
    raw_end = item.get("end")
    if raw_end is not None and not isinstance(raw_end, str):
        raise ImportFormatError(file, line, "end", "not a time text")
    end = stamp(raw_end, file, line, "end") if raw_end is not None else None
    return make_row(file, line, tz, tags_mode, start, end, item.get("tags", []),
                    item.get("annotation", ""))
