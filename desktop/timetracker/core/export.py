"""Exporting time entries as CSV or JSON, streamed row by row.

API (``app.exporter`` is an ``ExportService``)::

    result = app.exporter.write(stream, "csv" | "json", start=None, end=None, progress=None)
    result = app.exporter.write_file(path, fmt, start=None, end=None, progress=None)  # atomic

``start``/``end`` (UTC seconds, half-open) keep the entries overlapping that range; deleted
entries are never exported. ``progress(done, total)`` is called every few hundred entries.
Entries are read from the database in chunks and written as they come, so an export of any
size needs little memory.

CSV: one row per entry with every field — local start/end in the entry's zone, the same in
UTC, the zone, duration, description, client, project, task, tags (joined with ", "),
billable, the project's rate/currency and the billable amount, created/updated times and the
entry's import key.

JSON: the whole catalog (clients; projects with colour, billable default, rate, currency,
archived; tasks; tags) and the entries — see ``timetracker.core.importers.native_json``.
Importing it restores everything; a database built from it exports the same document again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from timetracker.build_info import VERSION
from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.errors import ValidationError
from timetracker.core.hooks import EventSink, null_sink
from timetracker.core.importers.native_json import DOCUMENT_FORMAT, native_key
from timetracker.core.importers.native_json import VERSION as DOCUMENT_VERSION
from timetracker.core.models import Client, Project, Tag, Task, TimeEntry, entry_tags
from timetracker.core.naming import format_cents

EXPORT_FORMATS = ("csv", "json")
ExportProgress = Callable[[int, int], None]
CSV_COLUMNS = (
    "id", "start", "end", "start_utc", "end_utc", "tz", "duration_seconds", "duration",
    "running", "description", "client", "project", "task", "tags", "billable", "rate",
    "currency", "amount", "created_at", "updated_at", "import_key",
)
_CHUNK = 1000
_SEP = "\x1f"  # names cannot contain control characters, so this cannot occur in a tag


@dataclass(frozen=True)
class ExportResult:
    format: str
    rows: int
    duration_ms: int


@dataclass(frozen=True)
class _Row:
    id: int
    start: int
    end: int | None
    tz: str
    description: str
    client: str | None
    project: str | None
    task: str | None
    tags: tuple[str, ...]
    billable: bool
    rate_cents: int | None
    currency: str | None
    created_at: int
    updated_at: int
    key: str


class ExportService:
    def __init__(self, db: Database, clock: Clock, sink: EventSink = null_sink) -> None:
        self.db = db
        self.clock = clock
        self.sink = sink

    def count(self, start: int | None = None, end: int | None = None) -> int:
        with self.db.session() as s:
            query = select(func.count()).select_from(TimeEntry).where(*self._where(start, end))
            return int(s.scalar(query) or 0)

    def write_file(self, path: str | Path, fmt: str, start: int | None = None,
                   end: int | None = None, progress: ExportProgress | None = None) -> ExportResult:
        """Write to ``path`` through a temporary file: a failure leaves no half-written file."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                result = self.write(handle, fmt, start, end, progress)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return result

    def write(self, out: TextIO, fmt: str, start: int | None = None, end: int | None = None,
              progress: ExportProgress | None = None) -> ExportResult:
        if fmt not in EXPORT_FORMATS:
            raise ValidationError(f"Unknown export format '{fmt}'. Use csv or json.")
        began = time.monotonic()
        now = self.clock()
        with self.db.session() as s:
            total = int(s.scalar(select(func.count()).select_from(TimeEntry)
                                 .where(*self._where(start, end))) or 0)
            rows = self._rows(s, start, end, now)
            if fmt == "csv":
                count = _write_csv(out, rows, now, total, progress)
            else:
                count = _write_json(out, s, rows, now, total, progress)
        elapsed = int((time.monotonic() - began) * 1000)
        self.sink("export.completed", {"format": fmt, "rows": count, "duration_ms": elapsed})
        return ExportResult(fmt, count, elapsed)

    # -- reading -----------------------------------------------------------------------------
    def _where(self, start: int | None, end: int | None) -> list[Any]:
        clauses: list[Any] = [TimeEntry.deleted_at.is_(None)]
        if end is not None:
            clauses.append(TimeEntry.start < end)
        if start is not None:
            clauses.append(func.coalesce(TimeEntry.end, self.clock()) > start)
        return clauses

    def _rows(self, session: Session, start: int | None, end: int | None,
              now: int) -> Iterator[_Row]:
        tag_names = (
            select(func.group_concat(Tag.name, literal_column("char(31)")))
            .select_from(entry_tags.join(Tag, Tag.id == entry_tags.c.tag_id))
            .where(entry_tags.c.entry_id == TimeEntry.id)
            .scalar_subquery()
        )
        query = (
            select(TimeEntry.id, TimeEntry.start, TimeEntry.end, TimeEntry.tz,
                   TimeEntry.description, Client.name, Project.name, Task.name, tag_names,
                   TimeEntry.billable, Project.rate_cents, Project.currency,
                   TimeEntry.created_at, TimeEntry.updated_at, TimeEntry.import_key)
            .outerjoin(Project, Project.id == TimeEntry.project_id)
            .outerjoin(Client, Client.id == Project.client_id)
            .outerjoin(Task, Task.id == TimeEntry.task_id)
            .where(*self._where(start, end))
            .order_by(TimeEntry.start, TimeEntry.id)
            .execution_options(yield_per=_CHUNK)
        )
        for row in session.execute(query):
            (entry_id, begin, finish, tz, description, client, project, task, tags, billable,
             rate, currency, created, updated, key) = row
            yield _Row(
                id=entry_id, start=begin, end=finish, tz=tz, description=description,
                client=client, project=project, task=task,
                tags=tuple(sorted(tags.split(_SEP), key=str.lower)) if tags else (),
                billable=bool(billable), rate_cents=rate, currency=currency,
                created_at=created, updated_at=updated,
                key=key if key else native_key(entry_id, created),
            )


# -- CSV ---------------------------------------------------------------------------------------

def _local(ts: int | None, tz: str) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def _utc(ts: int | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _amount(row: _Row, seconds: int) -> str:
    if not row.billable or not row.rate_cents:
        return ""
    return format_cents(round(row.rate_cents * seconds / 3600))


def _write_csv(out: TextIO, rows: Iterator[_Row], now: int, total: int,
               progress: ExportProgress | None) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        seconds = max(0, (now if row.end is None else row.end) - row.start)
        writer.writerow([
            row.id, _local(row.start, row.tz), _local(row.end, row.tz), _utc(row.start),
            _utc(row.end), row.tz, seconds, _clock(seconds), str(row.end is None).lower(),
            row.description, row.client or "", row.project or "", row.task or "",
            ", ".join(row.tags), str(row.billable).lower(),
            format_cents(row.rate_cents) if row.rate_cents else "", row.currency or "",
            _amount(row, seconds), _utc(row.created_at), _utc(row.updated_at), row.key,
        ])
        count += 1
        if count % _CHUNK == 0:
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(count, total)
    out.write(buffer.getvalue())
    if progress:
        progress(count, total)
    return count


# -- JSON --------------------------------------------------------------------------------------

def _iso(ts: int | None, tz: str) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, ZoneInfo(tz)).isoformat()


def _catalog(session: Session) -> dict[str, list[dict[str, Any]]]:
    clients = [{"id": c.id, "name": c.name, "archived": c.archived, "created_at": c.created_at}
               for c in session.scalars(select(Client).order_by(Client.id))]
    projects = [{
        "id": p.id, "name": p.name, "client": p.client.name if p.client else None,
        "color": p.color, "billable": p.billable, "rate_cents": p.rate_cents,
        "rate": format_cents(p.rate_cents), "currency": p.currency, "archived": p.archived,
        "created_at": p.created_at,
    } for p in session.scalars(select(Project).order_by(Project.id))]
    tasks = [{"id": t.id, "project": t.project.name, "name": t.name, "done": t.done,
              "created_at": t.created_at}
             for t in session.scalars(select(Task).order_by(Task.id))]
    tags = [{"id": t.id, "name": t.name, "archived": t.archived, "created_at": t.created_at}
            for t in session.scalars(select(Tag).order_by(Tag.id))]
    return {"clients": clients, "projects": projects, "tasks": tasks, "tags": tags}


def _entry_json(row: _Row, now: int) -> dict[str, Any]:
    seconds = max(0, (now if row.end is None else row.end) - row.start)
    return {
        "id": row.id, "key": row.key, "start": _iso(row.start, row.tz),
        "end": _iso(row.end, row.tz), "start_utc": row.start, "end_utc": row.end,
        "tz": row.tz, "duration_seconds": seconds, "running": row.end is None,
        "description": row.description, "client": row.client, "project": row.project,
        "task": row.task, "tags": list(row.tags), "billable": row.billable,
        "created_at": row.created_at, "updated_at": row.updated_at,
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _write_json(out: TextIO, session: Session, rows: Iterator[_Row], now: int, total: int,
                progress: ExportProgress | None) -> int:
    catalog = _catalog(session)
    out.write("{\n")
    out.write(f'  "format": {_dumps(DOCUMENT_FORMAT)},\n')
    out.write(f'  "version": {DOCUMENT_VERSION},\n')
    out.write(f'  "app_version": {_dumps(VERSION)},\n')
    out.write(f'  "exported_at": {_dumps(_utc(now))},\n')
    for name, items in catalog.items():
        out.write(f'  "{name}": [')
        out.write(",".join(f"\n    {_dumps(item)}" for item in items))
        out.write("\n  ],\n" if items else "],\n")
    out.write('  "entries": [')
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n    " + _dumps(_entry_json(row, now)))
        count += 1
        if progress and count % _CHUNK == 0:
            progress(count, total)
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    if progress:
        progress(count, total)
    return count
