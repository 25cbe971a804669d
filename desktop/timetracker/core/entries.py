"""Time entries: the timer (start/stop/continue), manual entries, edit, delete and undo.

Rules:
- At most one entry runs; starting while one runs stops it at the same instant. The database
  enforces it too (a unique partial index), so two processes cannot both start a timer.
- A running entry's start is committed the moment it starts (WAL + synchronous=FULL).
- End before start is rejected with a clear message; overlaps are reported, never truncated.
- Deleting only marks the row; every create/update/delete is journaled, so ``undo`` can revert it.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from timetracker.core.catalog import CatalogService
from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.entry_view import EntryView
from timetracker.core.errors import ConflictError, NotFoundError, ValidationError
from timetracker.core.hooks import EventSink, null_sink
from timetracker.core.models import JournalRecord, Tag, Task, TimeEntry

FUTURE_TOLERANCE = 60  # seconds a timer may start "in the future" (clock skew)
MAX_DESCRIPTION = 5000
_UNSET: object = object()


@dataclass(frozen=True)
class ChangeResult:
    """The entry after a change, plus what else the change did or found."""

    entry: EntryView
    stopped: EntryView | None = None
    overlaps: tuple[EntryView, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class UndoResult:
    action: str  # which change was undone: create | update | delete
    entry: EntryView


def entry_view(entry: TimeEntry) -> EntryView:
    return EntryView(
        id=entry.id, start=entry.start, end=entry.end, tz=entry.tz,
        description=entry.description, project_id=entry.project_id,
        project=entry.project.name if entry.project else None,
        client=entry.project.client.name if entry.project and entry.project.client else None,
        color=entry.project.color if entry.project else None,
        task_id=entry.task_id, task=entry.task.name if entry.task else None,
        tags=tuple(t.name for t in entry.tags), billable=entry.billable,
    )


def _snapshot(entry: TimeEntry) -> str:
    return json.dumps({
        "start": entry.start, "end": entry.end, "tz": entry.tz,
        "description": entry.description, "project_id": entry.project_id,
        "task_id": entry.task_id, "billable": entry.billable,
        "tag_ids": sorted(t.id for t in entry.tags), "deleted_at": entry.deleted_at,
    })


def _clean_description(text: str) -> str:
    cleaned = " ".join(str(text).split())
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationError(f"A description can be at most {MAX_DESCRIPTION} characters long.")
    return cleaned


def _fmt(ts: int, tz: str) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S %Z")


class EntryService:
    def __init__(self, db: Database, catalog: CatalogService, clock: Clock,
                 sink: EventSink = null_sink, timezone: str = "UTC") -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.sink = sink
        self.timezone = timezone

    # -- queries -----------------------------------------------------------------------------
    @staticmethod
    def _live() -> object:
        return TimeEntry.deleted_at.is_(None)

    def _load(self, session: Session, entry_id: int, include_deleted: bool = False) -> TimeEntry:
        entry = session.get(TimeEntry, entry_id)
        if entry is None or (entry.deleted_at is not None and not include_deleted):
            raise NotFoundError(f"No time entry with id {entry_id}.")
        return entry

    def get(self, entry_id: int) -> EntryView:
        with self.db.session() as s:
            return entry_view(self._load(s, entry_id))

    def current(self) -> EntryView | None:
        with self.db.session() as s:
            entry = self._running(s)
            return entry_view(entry) if entry else None

    @staticmethod
    def _running(session: Session) -> TimeEntry | None:
        return session.scalars(
            select(TimeEntry).where(TimeEntry.running_marker.is_not(None))
        ).first()

    def last(self) -> EntryView | None:
        with self.db.session() as s:
            entry = s.scalars(
                select(TimeEntry).where(TimeEntry.deleted_at.is_(None))
                .order_by(TimeEntry.start.desc(), TimeEntry.id.desc()).limit(1)
            ).first()
            return entry_view(entry) if entry else None

    def list(self, start: int | None = None, end: int | None = None,
             project_id: int | None = None, limit: int | None = None) -> list[EntryView]:
        """Live entries overlapping [start, end), newest first."""
        now = self.clock()
        with self.db.session() as s:
            query = (select(TimeEntry).where(TimeEntry.deleted_at.is_(None))
                     .options(selectinload(TimeEntry.tags))
                     .order_by(TimeEntry.start.desc(), TimeEntry.id.desc()))
            if end is not None:
                query = query.where(TimeEntry.start < end)
            if start is not None:
                query = query.where(func.coalesce(TimeEntry.end, now) > start)
            if project_id is not None:
                query = query.where(TimeEntry.project_id == project_id)
            if limit is not None:
                query = query.limit(limit)
            return [entry_view(e) for e in s.scalars(query)]

    def overlapping(self, start: int, end: int | None,
                    exclude_id: int | None = None) -> builtins.list[EntryView]:
        with self.db.session() as s:
            return [entry_view(e) for e in self._overlapping(s, start, end, exclude_id)]

    def _overlapping(self, session: Session, start: int, end: int | None,
                     exclude_id: int | None) -> Sequence[TimeEntry]:
        now = self.clock()
        stop = now if end is None else end
        query = select(TimeEntry).where(
            TimeEntry.deleted_at.is_(None),
            TimeEntry.start < stop,
            func.coalesce(TimeEntry.end, now) > start,
        )
        if exclude_id is not None:
            query = query.where(TimeEntry.id != exclude_id)
        return session.scalars(query.order_by(TimeEntry.start)).all()

    def overlap_ids(self, start: int, end: int) -> set[int]:
        """Ids of live entries in [start, end) that overlap another live entry."""
        now = self.clock()
        with self.db.session() as s:
            a = TimeEntry.__table__.alias("a")
            b = TimeEntry.__table__.alias("b")
            query = select(a.c.id).distinct().join(b, and_(
                a.c.id != b.c.id, b.c.deleted_at.is_(None),
                b.c.start < func.coalesce(a.c.end, now),
                func.coalesce(b.c.end, now) > a.c.start,
            )).where(a.c.deleted_at.is_(None), a.c.start < end,
                     func.coalesce(a.c.end, now) > start)
            return set(s.scalars(query))

    # -- the timer ---------------------------------------------------------------------------
    def start(self, project: str | None = None, description: str = "",
              tags: Sequence[str] = (), task: str | None = None,
              billable: bool | None = None, at: int | None = None) -> ChangeResult:
        with self.db.session() as s:
            stopped = None
            running = self._running(s)  # takes the write lock: "now" is read after it
            now = self.clock()
            begin = now if at is None else at
            if begin > now + FUTURE_TOLERANCE:
                raise ValidationError(
                    f"A timer cannot start in the future ({_fmt(begin, self.timezone)}).")
            if running is not None:
                if begin < running.start:
                    raise ValidationError(
                        f"The new start {_fmt(begin, self.timezone)} is before the running "
                        f"entry's start {_fmt(running.start, running.tz)}.")
                stopped = self._finish(s, running, begin)
            entry = self._new_entry(s, begin, None, project, description, tags, task, billable)
            result = ChangeResult(entry_view(entry), stopped,
                                  tuple(entry_view(e) for e in
                                        self._overlapping(s, begin, None, entry.id)))
        self.sink("timer.started", {
            "stopped_running": stopped is not None, "has_project": project is not None,
            "has_task": task is not None, "tag_count": len(result.entry.tags),
            "billable": result.entry.billable,
        })
        return result

    def stop(self, at: int | None = None) -> EntryView:
        with self.db.session() as s:
            running = self._running(s)  # takes the write lock: "now" is read after it
            now = self.clock()
            end = now if at is None else at
            if running is None:
                raise ConflictError("No timer is running.")
            if end < running.start:
                raise ValidationError(
                    f"The end {_fmt(end, running.tz)} is before the start "
                    f"{_fmt(running.start, running.tz)}.")
            if end > now + FUTURE_TOLERANCE:
                raise ValidationError(
                    f"A timer cannot stop in the future ({_fmt(end, running.tz)}).")
            stopped = self._finish(s, running, end)
        self.sink("timer.stopped", {"duration_seconds": stopped.duration(end)})
        return stopped

    def continue_last(self, at: int | None = None) -> ChangeResult:
        with self.db.session() as s:
            last = s.scalars(
                select(TimeEntry).where(TimeEntry.deleted_at.is_(None))
                .order_by(TimeEntry.start.desc(), TimeEntry.id.desc()).limit(1)
            ).first()
            if last is None:
                raise ConflictError("There is no previous entry to continue.")
            template = entry_view(last)
        result = self.start(project=template.project, description=template.description,
                            tags=template.tags, task=template.task,
                            billable=template.billable, at=at)
        self.sink("timer.continued", {})
        return result

    def _finish(self, session: Session, entry: TimeEntry, end: int) -> EntryView:
        before = _snapshot(entry)
        entry.end = end
        entry.running_marker = None
        entry.updated_at = self.clock()
        session.flush()
        self._journal(session, "update", entry, before)
        return entry_view(entry)

    # -- manual entries, edit, delete, undo --------------------------------------------------
    def add(self, start: int, end: int, project: str | None = None, description: str = "",
            tags: Sequence[str] = (), task: str | None = None,
            billable: bool | None = None) -> ChangeResult:
        if end < start:
            raise ValidationError(f"The end {_fmt(end, self.timezone)} is before the start "
                                  f"{_fmt(start, self.timezone)}.")
        with self.db.session() as s:
            entry = self._new_entry(s, start, end, project, description, tags, task, billable)
            result = ChangeResult(entry_view(entry), None, tuple(
                entry_view(e) for e in self._overlapping(s, start, end, entry.id)))
        self.sink("entry.created", {"duration_seconds": end - start,
                                    "has_project": project is not None,
                                    "tag_count": len(result.entry.tags)})
        return result

    def _new_entry(self, session: Session, start: int, end: int | None, project: str | None,
                   description: str, tags: Sequence[str], task: str | None,
                   billable: bool | None) -> TimeEntry:
        owner = self.catalog.ensure_project(session, project) if project else None
        if task and owner is None:
            raise ValidationError("A task needs a project.")
        now = self.clock()
        entry = TimeEntry(
            start=start, end=end, tz=self.timezone, description=_clean_description(description),
            project=owner, task=self.catalog.ensure_task(session, owner, task) if task and owner
            else None,
            tags=self.catalog.ensure_tags(session, tags),
            billable=owner.billable if billable is None and owner else bool(billable),
            running_marker=1 if end is None else None,
            created_at=now, updated_at=now,
        )
        session.add(entry)
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError("Another timer was started at the same moment; try again.") from exc
        self._journal(session, "create", entry, None)
        return entry

    def edit(self, entry_id: int, *, start: int | None = None, end: int | object | None = _UNSET,
             project: str | object | None = _UNSET, description: str | None = None,
             tags: Sequence[str] | None = None, task: str | object | None = _UNSET,
             billable: bool | None = None) -> ChangeResult:
        """Change the given fields of an entry; ``end=None`` makes it run again."""
        with self.db.session() as s:
            entry = self._load(s, entry_id)
            before = _snapshot(entry)
            changed = 0
            if start is not None and start != entry.start:
                entry.start, changed = start, changed + 1
            if end is not _UNSET and end != entry.end:
                if end is None:
                    other = self._running(s)
                    if other is not None and other.id != entry.id:
                        raise ConflictError(f"Entry {other.id} is running; stop it first.")
                entry.end = end if end is None else int(end)  # type: ignore[call-overload]
                changed += 1
            if entry.end is not None and entry.end < entry.start:
                raise ValidationError(f"The end {_fmt(entry.end, entry.tz)} is before the start "
                                      f"{_fmt(entry.start, entry.tz)}.")
            if project is not _UNSET:
                owner = self.catalog.ensure_project(s, str(project)) if project else None
                if owner is None or owner.id != entry.project_id:
                    entry.project, entry.task, changed = owner, None, changed + 1
            if task is not _UNSET:
                if task and entry.project is None:
                    raise ValidationError("A task needs a project.")
                new_task: Task | None = (self.catalog.ensure_task(s, entry.project, str(task))
                                         if task and entry.project else None)
                if (new_task.id if new_task else None) != entry.task_id:
                    entry.task, changed = new_task, changed + 1
            if description is not None:
                clean = _clean_description(description)
                if clean != entry.description:
                    entry.description, changed = clean, changed + 1
            if tags is not None:
                new_tags: list[Tag] = self.catalog.ensure_tags(s, tags)
                if sorted(t.id for t in new_tags) != sorted(t.id for t in entry.tags):
                    entry.tags, changed = new_tags, changed + 1
            if billable is not None and billable != entry.billable:
                entry.billable, changed = billable, changed + 1
            entry.running_marker = 1 if entry.end is None else None
            if changed:
                entry.updated_at = self.clock()
                s.flush()
                self._journal(s, "update", entry, before)
            result = ChangeResult(entry_view(entry), None, tuple(
                entry_view(e) for e in self._overlapping(s, entry.start, entry.end, entry.id)))
        if changed:
            self.sink("entry.edited", {"field_count": changed})
        return result

    def delete(self, entry_id: int) -> EntryView:
        with self.db.session() as s:
            entry = self._load(s, entry_id)
            before = _snapshot(entry)
            entry.deleted_at = self.clock()
            entry.running_marker = None
            s.flush()
            self._journal(s, "delete", entry, before)
            view = entry_view(entry)
        self.sink("entry.deleted", {})
        return view

    def next_undo(self) -> str | None:
        """What :meth:`undo` would revert now: create | update | delete, or None."""
        with self.db.session() as s:
            return s.scalars(
                select(JournalRecord.action).where(JournalRecord.undone.is_(False))
                .order_by(JournalRecord.id.desc()).limit(1)
            ).first()

    def undo(self) -> UndoResult:
        """Revert the most recent change not yet undone."""
        with self.db.session() as s:
            record = s.scalars(
                select(JournalRecord).where(JournalRecord.undone.is_(False))
                .order_by(JournalRecord.id.desc()).limit(1)
            ).first()
            if record is None:
                raise ConflictError("Nothing to undo.")
            entry = self._load(s, record.entry_id, include_deleted=True)
            if record.action == "create":
                entry.deleted_at = self.clock()
                entry.running_marker = None
            else:
                assert record.before is not None
                self._restore(s, entry, json.loads(record.before))
            entry.updated_at = self.clock()
            record.undone = True
            stopped = self._stopped_by(s, record)
            try:
                s.flush()
                if stopped is not None:  # the start stopped that timer: it runs again
                    assert stopped.before is not None
                    again = self._load(s, stopped.entry_id, include_deleted=True)
                    self._restore(s, again, json.loads(stopped.before))
                    again.updated_at = self.clock()
                    stopped.undone = True
                    s.flush()
            except IntegrityError as exc:
                raise ConflictError(
                    "Undoing this would leave two timers running; stop the running one first."
                ) from exc
            result = UndoResult(record.action, entry_view(entry))
        self.sink("entry.undone", {"action": result.action})
        return result

    @staticmethod
    def _stopped_by(session: Session, record: JournalRecord) -> JournalRecord | None:
        """When ``record`` created a timer that stopped the running one (start, continue),
        the record of that stop: undoing the start undoes both, as the user did one thing."""
        created = json.loads(record.after or "{}")
        if record.action != "create" or created.get("end") is not None:
            return None
        previous = session.scalars(
            select(JournalRecord).where(JournalRecord.id < record.id,
                                        JournalRecord.undone.is_(False))
            .order_by(JournalRecord.id.desc()).limit(1)).first()
        if previous is None or previous.action != "update" or previous.at != record.at \
                or previous.before is None or previous.after is None:
            return None
        before, after = json.loads(previous.before), json.loads(previous.after)
        if before.get("end") is None and after.get("end") == created.get("start"):
            return previous
        return None

    def _restore(self, session: Session, entry: TimeEntry, state: dict[str, object]) -> None:
        entry.start = int(state["start"])  # type: ignore[call-overload]
        entry.end = state["end"]  # type: ignore[assignment]
        entry.tz = str(state["tz"])
        entry.description = str(state["description"])
        entry.project_id = state["project_id"]  # type: ignore[assignment]
        entry.task_id = state["task_id"]  # type: ignore[assignment]
        entry.billable = bool(state["billable"])
        tag_ids = list(state["tag_ids"])  # type: ignore[call-overload]
        entry.tags = (list(session.scalars(select(Tag).where(Tag.id.in_(tag_ids))))
                      if tag_ids else [])
        entry.deleted_at = state["deleted_at"]  # type: ignore[assignment]
        entry.running_marker = 1 if entry.end is None and entry.deleted_at is None else None
        session.expire(entry, ["project", "task"])

    def _journal(self, session: Session, action: str, entry: TimeEntry,
                 before: str | None) -> None:
        session.add(JournalRecord(at=self.clock(), action=action, entry_id=entry.id,
                                  before=before, after=_snapshot(entry), undone=False))

    def count(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(TimeEntry)
                                .where(TimeEntry.deleted_at.is_(None))) or 0)

