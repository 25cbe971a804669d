"""The import runner: parse the whole file, then write it in one transaction.

See the package docstring (``timetracker.core.importers``) for the API and the rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timetracker.core.backup import BackupManager
from timetracker.core.catalog import CatalogService
from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.errors import (
    ConflictError,
    ImportFormatError,
    TimeTrackerError,
    ValidationError,
)
from timetracker.core.hooks import EventSink, null_sink
from timetracker.core.importers import native_json, timew_json, timewarrior, toggl, watson
from timetracker.core.importers.rows import ImportRow, ParsedFile, Tick, check_timezone
from timetracker.core.importers.source import ImportFileError
from timetracker.core.models import Client, Project, Tag, Task, TimeEntry, entry_tags

#: Formats in telemetry/API spelling; the CLI also accepts ``timew-json``.
FORMATS = ("toggl", "watson", "timewarrior", "timew_json", "json")
TAGS_MODES = timewarrior.TAGS_MODES
#: ``progress(phase, done, total)``; phase is "read" (parsing) or "write" (storing).
Progress = Callable[[str, int, int], None]
_BATCH = 500


@dataclass(frozen=True)
class FormatInfo:
    """How a front end presents a format (file dialog filter, which options apply)."""

    name: str
    label: str
    file_filter: str
    #: True: the file holds local times read in the chosen zone (else the zone is display only)
    local_times: bool
    #: True: a folder (the tool's data folder) may be given instead of a file
    accepts_folder: bool
    #: True: the Timewarrior tag mapping option applies
    tags_mode: bool = False


FORMAT_INFO = {
    "toggl": FormatInfo("toggl", "Toggl Track (detailed CSV)", "*.csv", True, False),
    "watson": FormatInfo("watson", "Watson (frames)", "frames *.json", False, True),
    "timewarrior": FormatInfo("timewarrior", "Timewarrior (data files)", "*.data", False, True,
                              tags_mode=True),
    "timew_json": FormatInfo("timew_json", "Timewarrior (timew export JSON)", "*.json", False,
                             False, tags_mode=True),
    "json": FormatInfo("json", "TimeTracker (JSON export)", "*.json", False, False),
}


class ImportCancelled(TimeTrackerError):
    """Raised from a progress callback to abandon an import; nothing is written."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was written.")


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    format: str
    file: str
    dry_run: bool
    #: rows read from the file
    total: int
    #: entries added (would be added)
    new: int
    #: rows already imported before, or repeated within the file
    duplicates: int
    #: running entries closed because the file shows them finished
    closed: int
    #: 1 when an open interval became (would become) the running entry
    running: int
    #: open intervals not imported because a timer already runs here
    skipped_running: int
    new_clients: tuple[str, ...]
    new_projects: tuple[str, ...]
    new_tasks: tuple[str, ...]
    new_tags: tuple[str, ...]
    first_start: int | None
    last_end: int | None
    #: the first new rows, in file order (for a preview)
    sample: tuple[ImportRow, ...]
    warnings: tuple[str, ...]
    #: name of the pre-import backup (real imports that wrote something)
    backup: str | None = None
    duration_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sample"] = [asdict(row) for row in self.sample]
        for key in ("new_clients", "new_projects", "new_tasks", "new_tags", "warnings"):
            data[key] = list(data[key])
        for row in data["sample"]:
            row["tags"] = list(row["tags"])
        return data


@dataclass
class _Plan:
    new_rows: list[ImportRow] = field(default_factory=list)
    duplicates: int = 0
    #: (entry id, end) of running entries the file shows finished
    closes: list[tuple[int, int]] = field(default_factory=list)
    running_row: ImportRow | None = None
    skipped_running: int = 0
    warnings: list[str] = field(default_factory=list)
    new_clients: dict[str, str] = field(default_factory=dict)
    new_projects: dict[str, str] = field(default_factory=dict)
    new_tasks: dict[str, str] = field(default_factory=dict)
    new_tags: dict[str, str] = field(default_factory=dict)

    @property
    def has_work(self) -> bool:
        return bool(self.new_rows or self.closes)


def normalise_format(fmt: str) -> str:
    name = fmt.strip().lower().replace("-", "_")
    if name not in FORMATS:
        raise ValidationError(
            f"Unknown import format '{fmt}'. Use one of: toggl, watson, timewarrior, "
            "timew-json, json.")
    return name


class ImportService:
    def __init__(self, db: Database, catalog: CatalogService, backups: BackupManager,
                 clock: Clock, sink: EventSink = null_sink, timezone: str = "UTC") -> None:
        self.db = db
        self.catalog = catalog
        self.backups = backups
        self.clock = clock
        self.sink = sink
        self.timezone = timezone

    # -- public API --------------------------------------------------------------------------
    def preview(self, path: str | Path, fmt: str, tz: str | None = None, *,
                tags_mode: str = "project", sample_size: int = 20,
                progress: Progress | None = None) -> ImportSummary:
        """What ``run`` would do, without writing anything (a dry run)."""
        return self.run(path, fmt, tz, tags_mode=tags_mode, progress=progress, dry_run=True,
                        sample_size=sample_size)

    def run(self, path: str | Path, fmt: str, tz: str | None = None, *,
            tags_mode: str = "project", progress: Progress | None = None,
            dry_run: bool = False, sample_size: int = 20) -> ImportSummary:
        """Import ``path`` (all or nothing). Raises ImportFormatError naming file/line/field."""
        began = time.monotonic()
        name = normalise_format(fmt)
        try:
            parsed = self.parse(path, name, tz, tags_mode=tags_mode, progress=progress)
            summary = self._store(parsed, dry_run, progress, sample_size)
        except ImportCancelled:
            raise
        except ImportFormatError:
            self.sink("import.failed", {"format": name, "kind": "format_error"})
            raise
        except ImportFileError:
            self.sink("import.failed", {"format": name, "kind": "io_error"})
            raise
        except IntegrityError as exc:
            self.sink("import.failed", {"format": name, "kind": "duplicate"})
            raise ConflictError(
                "The database changed during the import (another import of the same data?); "
                "nothing was written. Run the import again.") from exc
        except ValidationError:
            raise
        except Exception:
            self.sink("import.failed", {"format": name, "kind": "other"})
            raise
        elapsed = int((time.monotonic() - began) * 1000)
        summary = _with_duration(summary, elapsed)
        self.sink("import.completed", {"format": name, "rows": summary.new,
                                       "duration_ms": elapsed, "dry_run": dry_run})
        return summary

    def parse(self, path: str | Path, fmt: str, tz: str | None = None, *,
              tags_mode: str = "project", progress: Progress | None = None) -> ParsedFile:
        """Read and validate a whole file; touches no database."""
        name = normalise_format(fmt)
        zone = check_timezone(tz or self.timezone)
        if tags_mode not in TAGS_MODES:
            raise ValidationError(f"Unknown tag mapping '{tags_mode}'. Use project or tags.")
        tick: Tick = (lambda done, total: progress("read", done, total)) if progress else \
            (lambda done, total: None)
        source = Path(path)
        try:
            if name == "toggl":
                return toggl.parse(source, zone, tick)
            if name == "watson":
                return watson.parse(source, zone, tick)
            if name == "timewarrior":
                return timewarrior.parse(source, zone, tags_mode, tick)
            if name == "timew_json":
                return timew_json.parse(source, zone, tags_mode, tick)
            return native_json.parse(source, tick)
        except (ImportFormatError, ImportFileError, ImportCancelled):
            raise
        except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
            # A safety net: a parser should have named the field; never show a traceback.
            raise ImportFormatError(str(source), None, None,
                                    f"cannot be read ({type(exc).__name__})") from None

    # -- planning and writing ----------------------------------------------------------------
    def _store(self, parsed: ParsedFile, dry_run: bool, progress: Progress | None,
               sample_size: int) -> ImportSummary:
        with self.db.session() as session:
            plan = self._plan(session, parsed)
        backup = None
        if not dry_run and plan.has_work:
            made = self.backups.create("pre-import")
            backup = made.name if made else None
            with self.db.session() as session:
                plan = self._plan(session, parsed)  # again, inside the writing transaction
                self._write(session, parsed, plan, progress)
        return _summary(parsed, plan, dry_run, backup, sample_size)

    def _plan(self, session: Session, parsed: ParsedFile) -> _Plan:
        plan = _Plan()
        rows = parsed.rows
        existing = _existing_keys(session, [row.key for row in rows])
        running_by_key = _running_keys(session, [row.key for row in rows if row.end is not None])
        seen: set[str] = set()
        open_rows: list[ImportRow] = []
        for row in rows:
            if row.key in seen or row.key in existing:
                plan.duplicates += 1
                entry_id = running_by_key.get(row.key)
                if entry_id is not None and row.end is not None:
                    plan.closes.append((entry_id, row.end))
                    running_by_key.pop(row.key)
            elif row.end is None:
                open_rows.append(row)
            else:
                plan.new_rows.append(row)
            seen.add(row.key)
        if open_rows:
            self._plan_running(session, plan, open_rows, {c[0] for c in plan.closes})
        plan.new_rows.sort(key=lambda r: r.line)
        self._plan_catalog(session, parsed, plan)
        return plan

    def _plan_running(self, session: Session, plan: _Plan, open_rows: list[ImportRow],
                      closing: set[int]) -> None:
        latest = max(open_rows, key=lambda r: (r.start, r.line))
        running = session.scalars(
            select(TimeEntry.id).where(TimeEntry.running_marker.is_not(None))).first()
        if running is not None and running not in closing:
            plan.skipped_running = len(open_rows)
            plan.warnings.append(
                f"{len(open_rows)} open interval(s) not imported: a timer is already running "
                "here. Stop it and import again to add them.")
            return
        plan.running_row = latest
        plan.new_rows.append(latest)
        others = [r for r in open_rows if r is not latest]
        if others:
            plan.skipped_running = len(others)
            plan.warnings.append(
                f"{len(others)} older open interval(s) not imported: only one entry can run.")

    def _plan_catalog(self, session: Session, parsed: ParsedFile, plan: _Plan) -> None:
        known: dict[tuple[str, str], bool] = {}

        def missing(kind: str, name: str, model: type) -> bool:
            # The same comparison CatalogService's find-or-create uses.
            key = (kind, name.lower())
            if key not in known:
                column = model.name  # type: ignore[attr-defined]
                known[key] = session.scalar(
                    select(model.id).where(func.lower(column) == name.lower())  # type: ignore[attr-defined]
                ) is None
            return known[key]

        def project_missing(name: str) -> bool:
            return missing("project", name, Project)

        clients = [c.name for c in parsed.clients]
        clients += [p.client for p in parsed.projects if p.client]
        clients += [r.client for r in plan.new_rows if r.client and r.project]
        projects = [p.name for p in parsed.projects] + [t.project for t in parsed.tasks]
        projects += [r.project for r in plan.new_rows if r.project]
        tags = [t.name for t in parsed.tags] + [t for r in plan.new_rows for t in r.tags]
        for name in clients:
            if missing("client", name, Client):
                plan.new_clients.setdefault(name.lower(), name)
        for name in projects:
            if project_missing(name):
                plan.new_projects.setdefault(name.lower(), name)
        for name in tags:
            if missing("tag", name, Tag):
                plan.new_tags.setdefault(name.lower(), name)
        pairs = [(t.project, t.name) for t in parsed.tasks]
        pairs += [(r.project, r.task) for r in plan.new_rows if r.project and r.task]
        for project, task in pairs:
            label = f"{project} / {task}"
            if label.lower() in plan.new_tasks:
                continue
            if project_missing(project) or session.scalar(
                    select(Task.id).join(Project).where(
                        func.lower(Project.name) == project.lower(),
                        func.lower(Task.name) == task.lower())) is None:
                plan.new_tasks[label.lower()] = label

    def _write(self, session: Session, parsed: ParsedFile, plan: _Plan,
               progress: Progress | None) -> None:
        now = self.clock()
        for entry_id, end in plan.closes:
            entry = session.get(TimeEntry, entry_id)
            assert entry is not None
            entry.end, entry.running_marker, entry.updated_at = end, None, now
        session.flush()
        catalog = _CatalogCache(self.catalog, session, parsed.currency)
        catalog.load_records(parsed)
        total = len(plan.new_rows)
        done = 0
        if progress:
            progress("write", 0, total)
        for batch in _batches(plan.new_rows, _BATCH):
            values = []
            for row in batch:
                project = catalog.project(row.project, row.client)
                task = catalog.task(project, row.task) if project and row.task else None
                values.append({
                    "start": row.start, "end": row.end, "tz": row.tz,
                    "description": row.description,
                    "project_id": project.id if project else None,
                    "task_id": task.id if task else None,
                    "billable": (row.billable if row.billable is not None
                                 else bool(project and project.billable)),
                    "running_marker": 1 if row is plan.running_row else None,
                    "import_key": row.key,
                    "created_at": row.created_at if row.created_at is not None else now,
                    "updated_at": row.updated_at if row.updated_at is not None else now,
                    "deleted_at": None,
                })
            ids = session.scalars(
                insert(TimeEntry).returning(TimeEntry.id, sort_by_parameter_order=True),
                values).all()
            links = [{"entry_id": entry_id, "tag_id": tag.id}
                     for entry_id, row in zip(ids, batch, strict=True)
                     for tag in catalog.tags(row.tags)]
            if links:
                session.execute(insert(entry_tags), links)
            done += len(batch)
            if progress:
                progress("write", done, total)


class _CatalogCache:
    """Find-or-create through CatalogService, remembered for the length of one import."""

    def __init__(self, catalog: CatalogService, session: Session, currency: str | None) -> None:
        self.catalog = catalog
        self.session = session
        self.currency = currency
        self._projects: dict[str, Project] = {}
        self._tasks: dict[tuple[int, str], Task] = {}
        self._tags: dict[str, Tag] = {}

    def load_records(self, parsed: ParsedFile) -> None:
        """Our own JSON: create clients/projects/tasks/tags with every attribute they had.
        Records that already exist here keep their current settings."""
        s = self.session
        for c in parsed.clients:
            if self.catalog.find_client(s, c.name) is None:
                client = self.catalog.ensure_client(s, c.name)
                client.archived = c.archived
                client.created_at = c.created_at if c.created_at is not None else client.created_at
        for p in parsed.projects:
            if self.catalog.find_project(s, p.name) is None:
                project = self.catalog.ensure_project(
                    s, p.name, client=p.client, billable=p.billable, rate_cents=p.rate_cents,
                    currency=p.currency)
                if p.color:
                    project.color = p.color
                project.archived = p.archived
                project.created_at = p.created_at if p.created_at is not None \
                    else project.created_at
        for t in parsed.tasks:
            owner = self.project(t.project, None)
            assert owner is not None
            exists = s.scalar(select(Task.id).where(
                Task.project_id == owner.id, func.lower(Task.name) == t.name.lower()))
            task = self.task(owner, t.name)
            if exists is None:
                task.done = t.done
                task.created_at = t.created_at if t.created_at is not None else task.created_at
        for g in parsed.tags:
            exists = s.scalar(select(Tag.id).where(func.lower(Tag.name) == g.name.lower()))
            tag = self.tags([g.name])[0]
            if exists is None:
                tag.archived = g.archived
                tag.created_at = g.created_at if g.created_at is not None else tag.created_at
        s.flush()

    def project(self, name: str | None, client: str | None) -> Project | None:
        if not name:
            return None
        key = name.lower()
        if key not in self._projects:
            self._projects[key] = self.catalog.ensure_project(
                self.session, name, client=client, currency=self.currency)
        return self._projects[key]

    def task(self, project: Project, name: str) -> Task:
        key = (project.id, name.lower())
        if key not in self._tasks:
            self._tasks[key] = self.catalog.ensure_task(self.session, project, name)
        return self._tasks[key]

    def tags(self, names: Iterable[str]) -> list[Tag]:
        found = []
        for name in names:
            key = name.lower()
            if key not in self._tags:
                self._tags[key] = self.catalog.ensure_tags(self.session, [name])[0]
            found.append(self._tags[key])
        return found


def _batches(rows: Sequence[ImportRow], size: int) -> Iterable[Sequence[ImportRow]]:
    for begin in range(0, len(rows), size):
        yield rows[begin:begin + size]


def _existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Keys already in the database, including deleted entries (a deleted import stays
    deleted) and TimeTracker-native entries named ``tt:<created_at>:<id>`` by an export."""
    found: set[str] = set()
    unique = list(dict.fromkeys(keys))
    for begin in range(0, len(unique), _BATCH):
        chunk = unique[begin:begin + _BATCH]
        found.update(session.scalars(
            select(TimeEntry.import_key).where(TimeEntry.import_key.in_(chunk))))
    native: dict[int, tuple[int, str]] = {}
    for key in unique:
        parsed = native_json.parse_native_key(key)
        if parsed is not None and key not in found:
            native[parsed[1]] = (parsed[0], key)
    ids = list(native)
    for begin in range(0, len(ids), _BATCH):
        for entry_id, created_at in session.execute(
                select(TimeEntry.id, TimeEntry.created_at).where(
                    TimeEntry.id.in_(ids[begin:begin + _BATCH]),
                    TimeEntry.import_key.is_(None))):
            if native[entry_id][0] == created_at:
                found.add(native[entry_id][1])
    return found


def _running_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(keys))
    for begin in range(0, len(unique), _BATCH):
        for entry_id, key in session.execute(
                select(TimeEntry.id, TimeEntry.import_key).where(
                    TimeEntry.import_key.in_(unique[begin:begin + _BATCH]),
                    TimeEntry.running_marker.is_not(None))):
            found[str(key)] = entry_id
    return found


def _summary(parsed: ParsedFile, plan: _Plan, dry_run: bool, backup: str | None,
             sample_size: int) -> ImportSummary:
    rows = plan.new_rows
    ends = [r.end for r in rows if r.end is not None]
    return ImportSummary(
        format=parsed.format, file=parsed.file, dry_run=dry_run, total=len(parsed.rows),
        new=len(rows), duplicates=plan.duplicates, closed=len(plan.closes),
        running=1 if plan.running_row else 0, skipped_running=plan.skipped_running,
        new_clients=tuple(sorted(plan.new_clients.values(), key=str.lower)),
        new_projects=tuple(sorted(plan.new_projects.values(), key=str.lower)),
        new_tasks=tuple(sorted(plan.new_tasks.values(), key=str.lower)),
        new_tags=tuple(sorted(plan.new_tags.values(), key=str.lower)),
        first_start=min((r.start for r in rows), default=None),
        last_end=max(ends, default=None),
        sample=tuple(rows[:sample_size]), warnings=tuple(parsed.warnings + plan.warnings),
        backup=backup,
    )


def _with_duration(summary: ImportSummary, elapsed_ms: int) -> ImportSummary:
    from dataclasses import replace

    return replace(summary, duration_ms=elapsed_ms)
