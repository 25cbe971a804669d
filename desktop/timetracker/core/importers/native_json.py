"""Our own JSON export (``timetracker export --format json``), read back losslessly.

The document (written by ``timetracker.core.export``)::

    {"format": "timetracker-export", "version": 1, "exported_at": …,
     "clients":  [{"id", "name", "archived", "created_at"}],
     "projects": [{"id", "name", "client", "color", "billable", "rate_cents", "currency",
                   "archived", "created_at"}],
     "tasks":    [{"id", "project", "name", "done", "created_at"}],
     "tags":     [{"id", "name", "archived", "created_at"}],
     "entries":  [{"id", "key", "start_utc", "end_utc", "tz", "description", "project",
                   "task", "tags", "billable", "created_at", "updated_at", …}]}

Records refer to each other by name (names are unique). Instants come from ``start_utc``/
``end_utc``; the local ``start``/``end`` strings are for people and are ignored. Each entry's
``key`` becomes its import key, so re-importing adds nothing and a database built from an
export exports the very same document again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from timetracker.core.errors import ImportFormatError, ValidationError
from timetracker.core.importers.rows import (
    ClientRecord,
    ImportRow,
    ParsedFile,
    ProjectRecord,
    RowProblems,
    TagRecord,
    TaskRecord,
    Tick,
    bool_field,
    check_order,
    check_timezone,
    color_field,
    currency_field,
    description_field,
    name_field,
    no_tick,
    optional_name,
    tag_names,
    timestamp_field,
)
from timetracker.core.importers.source import decode, json_object, read_bytes

FORMAT = "json"
DOCUMENT_FORMAT = "timetracker-export"
VERSION = 1


def parse(path: Path, tick: Tick = no_tick) -> ParsedFile:
    file = str(path)
    members = json_object(decode(read_bytes(path), file), file)
    line, kind = members.get("format", (1, None))
    if kind != DOCUMENT_FORMAT:
        raise ImportFormatError(file, line, "format",
                                f"expected \"{DOCUMENT_FORMAT}\"; this is not a TimeTracker export")
    line, version = members.get("version", (1, None))
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ImportFormatError(file, line, "version",
                                f"unsupported version {version!r} (this app reads up to {VERSION})")
    parsed = ParsedFile(FORMAT, file)
    problems = RowProblems()
    lists: tuple[tuple[str, list[Any], Callable[[dict[str, Any], str, int], Any]], ...] = (
        ("clients", parsed.clients, _client), ("projects", parsed.projects, _project),
        ("tasks", parsed.tasks, _task), ("tags", parsed.tags, _tag))
    for name, records, build in lists:
        for line, value in _items(members, name, file):
            with problems.row(file, line):
                records.append(build(_object(value, file, line, name), file, line))
    entries = _items(members, "entries", file)
    for index, (line, value) in enumerate(entries):
        with problems.row(file, line):
            parsed.rows.append(_entry(_object(value, file, line, "entries"), file, line))
        if index % 500 == 499:
            tick(index + 1, len(entries))
    problems.raise_if_any()
    tick(len(entries), len(entries))
    return parsed


def _client(item: dict[str, Any], file: str, line: int) -> ClientRecord:
    return ClientRecord(
        name=name_field("client", item.get("name"), file, line, "clients.name"),
        archived=_bool(item, "archived", False, file, line, "clients"),
        created_at=_ts(item, "created_at", file, line, "clients"))


def _project(item: dict[str, Any], file: str, line: int) -> ProjectRecord:
    return ProjectRecord(
        name=name_field("project", item.get("name"), file, line, "projects.name"),
        client=optional_name("client", item.get("client"), file, line, "projects.client"),
        color=(color_field(item["color"], file, line, "projects.color")
               if item.get("color") is not None else None),
        billable=_bool(item, "billable", False, file, line, "projects"),
        rate_cents=_cents(item.get("rate_cents", 0), file, line),
        currency=(currency_field(item["currency"], file, line, "projects.currency")
                  if item.get("currency") is not None else None),
        archived=_bool(item, "archived", False, file, line, "projects"),
        created_at=_ts(item, "created_at", file, line, "projects"))


def _task(item: dict[str, Any], file: str, line: int) -> TaskRecord:
    return TaskRecord(
        project=name_field("project", item.get("project"), file, line, "tasks.project"),
        name=name_field("task", item.get("name"), file, line, "tasks.name"),
        done=_bool(item, "done", False, file, line, "tasks"),
        created_at=_ts(item, "created_at", file, line, "tasks"))


def _tag(item: dict[str, Any], file: str, line: int) -> TagRecord:
    return TagRecord(
        name=name_field("tag", item.get("name"), file, line, "tags.name", max_length=100),
        archived=_bool(item, "archived", False, file, line, "tags"),
        created_at=_ts(item, "created_at", file, line, "tags"))


def _entry(item: dict[str, Any], file: str, line: int) -> ImportRow:
    key = item.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise ImportFormatError(file, line, "entries.key", "missing or not text (≤ 200 chars)")
    start = timestamp_field(item.get("start_utc"), file, line, "entries.start_utc")
    end_value = item.get("end_utc")
    end = None if end_value is None else timestamp_field(end_value, file, line, "entries.end_utc")
    check_order(start, end, file, line, "entries.end_utc")
    tz = item.get("tz", "UTC")
    if not isinstance(tz, str):
        raise ImportFormatError(file, line, "entries.tz", "expected an IANA zone name")
    try:
        check_timezone(tz)
    except ValidationError as exc:
        raise ImportFormatError(file, line, "entries.tz", str(exc)) from None
    project = optional_name("project", item.get("project"), file, line, "entries.project")
    task = optional_name("task", item.get("task"), file, line, "entries.task")
    if task and not project:
        raise ImportFormatError(file, line, "entries.task", "a task needs a project")
    billable = item.get("billable")
    return ImportRow(
        line=line, key=key.strip(), start=start, end=end, tz=tz,
        description=description_field(item.get("description", ""), file, line,
                                      "entries.description"),
        project=project, task=task,
        tags=tag_names(item.get("tags", []), file, line, "entries.tags"),
        billable=None if billable is None else bool_field(billable, file, line,
                                                          "entries.billable"),
        created_at=_ts(item, "created_at", file, line, "entries"),
        updated_at=_ts(item, "updated_at", file, line, "entries"))


def _items(members: dict[str, tuple[int, Any]], name: str,
           file: str) -> list[tuple[int, Any]]:
    """The (line, value) pairs of list ``name`` (each checked by :func:`_object`)."""
    line, value = members.get(name, (1, []))
    if not isinstance(value, list):
        raise ImportFormatError(file, line, name, "expected a list")
    return value


def _object(item: Any, file: str, line: int, name: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ImportFormatError(file, line, name, "expected an object {…}")
    return item


def _bool(item: dict[str, Any], key: str, default: bool, file: str, line: int,
          prefix: str) -> bool:
    return default if item.get(key) is None else bool_field(item[key], file, line,
                                                            f"{prefix}.{key}")


def _ts(item: dict[str, Any], key: str, file: str, line: int, prefix: str) -> int | None:
    value = item.get(key)
    return None if value is None else timestamp_field(value, file, line, f"{prefix}.{key}")


def _cents(value: object, file: str, line: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**11:
        raise ImportFormatError(file, line, "projects.rate_cents",
                                "expected a whole, non-negative number of cents")
    return value


def native_key(entry_id: int, created_at: int) -> str:
    """The key an export gives an entry that was created here (not imported)."""
    return f"tt:{created_at}:{entry_id}"


def parse_native_key(key: str) -> tuple[int, int] | None:
    """``tt:<created_at>:<id>`` → (created_at, id); None for other keys."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != "tt" or not all(
            p.isascii() and p.isdigit() for p in parts[1:]):
        return None
    if len(parts[1]) > 12 or len(parts[2]) > 18:
        return None
    return int(parts[1]), int(parts[2])
