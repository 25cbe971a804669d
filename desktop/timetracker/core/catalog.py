"""Clients, projects, tasks and tags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.errors import NotFoundError, ValidationError
from timetracker.core.hooks import EventSink, null_sink
from timetracker.core.models import Client, Project, Tag, Task
from timetracker.core.naming import clean_color, clean_name, parse_rate_cents

#: Projects' colours: twelve hues far apart (the Projects view offers them; new projects get
#: them in turn).
PALETTE = ("#4F7DF3", "#E5484D", "#30A46C", "#F76B15", "#8E4EC6", "#E879F9", "#D6409F",
           "#FFB224", "#A18072", "#8DB600", "#0EA5E9", "#8E1538")
#: What the Projects view calls them.
PALETTE_NAMES = dict(zip(PALETTE, ("Blue", "Red", "Green", "Orange", "Purple", "Orchid",
                                   "Pink", "Amber", "Bronze", "Lime", "Sky", "Wine"),
                         strict=True))


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def color_distance(a: str, b: str) -> float:
    """How different two ``#rrggbb`` colours look (the "redmean" weighting of RGB distance)."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    mean = (r1 + r2) / 2
    return float(((2 + mean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2
                  + (2 + (255 - mean) / 256) * (b1 - b2) ** 2) ** 0.5)


def _next_color(session: Session) -> str:
    """A new project's colour: the palette's least used among the active projects, and of
    those the one least like any colour in use (a hand-picked colour too), so a new project
    does not look like an existing one."""
    in_use = [c.upper() for c in session.scalars(
        select(Project.color).where(Project.archived.is_(False))) if c]
    used = Counter(in_use)
    valid = [c for c in in_use if len(c) == 7]

    def nearest(color: str) -> float:
        return min((color_distance(color, other) for other in valid), default=0.0)

    return min(PALETTE, key=lambda color: (used[color.upper()], -nearest(color)))


@dataclass(frozen=True)
class ClientView:
    id: int
    name: str
    archived: bool


@dataclass(frozen=True)
class ProjectView:
    id: int
    name: str
    client_id: int | None
    client: str | None
    color: str
    billable: bool
    rate_cents: int
    currency: str
    archived: bool


@dataclass(frozen=True)
class TaskView:
    id: int
    project_id: int
    project: str
    name: str
    done: bool


@dataclass(frozen=True)
class TagView:
    id: int
    name: str
    archived: bool


def project_view(project: Project) -> ProjectView:
    return ProjectView(
        project.id, project.name, project.client_id,
        project.client.name if project.client else None, project.color, project.billable,
        project.rate_cents, project.currency, project.archived,
    )


Ref = int | str


class CatalogService:
    def __init__(self, db: Database, clock: Clock, sink: EventSink = null_sink,
                 default_currency: str = "EUR") -> None:
        self.db = db
        self.clock = clock
        self.sink = sink
        self.default_currency = default_currency

    # -- lookups shared with entries and importers (run inside the caller's session) ---------
    @staticmethod
    def _by_ref(session: Session, model: type, ref: Ref, kind: str) -> object:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            found = session.get(model, int(ref))
            if found is None:
                raise NotFoundError(f"No {kind} with id {ref}.")
            return found
        name = " ".join(str(ref).split())
        row = session.scalars(
            select(model).where(func.lower(model.name) == name.lower())  # type: ignore[attr-defined]
        ).first()
        if row is None:
            raise NotFoundError(f"No {kind} named '{name}'.")
        return row

    def find_client(self, session: Session, name: str) -> Client | None:
        return session.scalars(
            select(Client).where(func.lower(Client.name) == clean_name("client", name).lower())
        ).first()

    def ensure_client(self, session: Session, name: str) -> Client:
        existing = self.find_client(session, name)
        if existing is not None:
            return existing
        client = Client(name=clean_name("client", name), archived=False, created_at=self.clock())
        session.add(client)
        session.flush()
        self.sink("client.created", {})
        return client

    def find_project(self, session: Session, name: str) -> Project | None:
        return session.scalars(
            select(Project).where(func.lower(Project.name) == clean_name("project", name).lower())
        ).first()

    def ensure_project(self, session: Session, name: str, client: str | None = None,
                       billable: bool = False, rate_cents: int = 0,
                       currency: str | None = None) -> Project:
        existing = self.find_project(session, name)
        if existing is not None:
            return existing
        project = Project(
            name=clean_name("project", name),
            client=self.ensure_client(session, client) if client else None,
            color=_next_color(session), billable=billable, rate_cents=rate_cents,
            currency=(currency or self.default_currency).upper(), archived=False,
            created_at=self.clock(),
        )
        session.add(project)
        session.flush()
        self.sink("project.created", {"billable": billable, "has_client": client is not None})
        return project

    def ensure_task(self, session: Session, project: Project, name: str) -> Task:
        clean = clean_name("task", name)
        existing = session.scalars(
            select(Task).where(Task.project_id == project.id,
                               func.lower(Task.name) == clean.lower())
        ).first()
        if existing is not None:
            return existing
        task = Task(project_id=project.id, name=clean, done=False, created_at=self.clock())
        session.add(task)
        session.flush()
        self.sink("task.created", {})
        return task

    def ensure_tags(self, session: Session, names: Iterable[str]) -> list[Tag]:
        tags: dict[str, Tag] = {}
        for raw in names:
            clean = clean_name("tag", raw, max_length=100)
            if clean.lower() in tags:
                continue
            tag = session.scalars(select(Tag).where(func.lower(Tag.name) == clean.lower())).first()
            if tag is None:
                tag = Tag(name=clean, archived=False, created_at=self.clock())
                session.add(tag)
                session.flush()
                self.sink("tag.created", {})
            tags[clean.lower()] = tag
        return list(tags.values())

    def _unique(self, session: Session, model: type, name: str, kind: str,
                exclude_id: int | None = None) -> None:
        query = select(model.name).where(func.lower(model.name) == name.lower())  # type: ignore[attr-defined]
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)  # type: ignore[attr-defined]
        existing = session.scalar(query)
        if existing is not None:  # named as it is stored ('Client-Work' when 'client-work' is)
            same = "" if existing == name else " (capitals do not make another name)"
            raise ValidationError(f"A {kind} named '{existing}' already exists{same}.")

    # -- clients -----------------------------------------------------------------------------
    def clients(self, include_archived: bool = False) -> list[ClientView]:
        with self.db.session() as s:
            query = select(Client).order_by(func.lower(Client.name))
            if not include_archived:
                query = query.where(Client.archived.is_(False))
            return [ClientView(c.id, c.name, c.archived) for c in s.scalars(query)]

    def add_client(self, name: str) -> ClientView:
        with self.db.session() as s:
            clean = clean_name("client", name)
            self._unique(s, Client, clean, "client")
            client = self.ensure_client(s, clean)
            return ClientView(client.id, client.name, client.archived)

    def rename_client(self, ref: Ref, new_name: str) -> ClientView:
        with self.db.session() as s:
            client = self._by_ref(s, Client, ref, "client")
            assert isinstance(client, Client)
            clean = clean_name("client", new_name)
            self._unique(s, Client, clean, "client", exclude_id=client.id)
            client.name = clean
            self.sink("client.updated", {})
            return ClientView(client.id, client.name, client.archived)

    def archive_client(self, ref: Ref, archived: bool = True) -> ClientView:
        with self.db.session() as s:
            client = self._by_ref(s, Client, ref, "client")
            assert isinstance(client, Client)
            client.archived = archived
            self.sink("client.archived", {"archived": archived})
            return ClientView(client.id, client.name, client.archived)

    # -- projects ----------------------------------------------------------------------------
    def projects(self, include_archived: bool = False) -> list[ProjectView]:
        with self.db.session() as s:
            query = select(Project).order_by(func.lower(Project.name))
            if not include_archived:
                query = query.where(Project.archived.is_(False))
            return [project_view(p) for p in s.scalars(query)]

    def project(self, ref: Ref) -> ProjectView:
        with self.db.session() as s:
            project = self._by_ref(s, Project, ref, "project")
            assert isinstance(project, Project)
            return project_view(project)

    def add_project(self, name: str, client: str | None = None, color: str | None = None,
                    billable: bool = False, rate: str | None = None,
                    currency: str | None = None) -> ProjectView:
        with self.db.session() as s:
            clean = clean_name("project", name)
            self._unique(s, Project, clean, "project")
            project = self.ensure_project(
                s, clean, client=client, billable=billable,
                rate_cents=parse_rate_cents(rate) if rate is not None else 0,
                currency=_currency(currency) if currency else None,
            )
            if color:
                project.color = clean_color(color)
            return project_view(project)

    def update_project(self, ref: Ref, *, name: str | None = None,
                       client: str | None = None, clear_client: bool = False,
                       color: str | None = None, billable: bool | None = None,
                       rate: str | None = None, currency: str | None = None) -> ProjectView:
        with self.db.session() as s:
            project = self._by_ref(s, Project, ref, "project")
            assert isinstance(project, Project)
            if name is not None:
                clean = clean_name("project", name)
                self._unique(s, Project, clean, "project", exclude_id=project.id)
                project.name = clean
            if clear_client:
                project.client = None
            elif client is not None:
                project.client = self.ensure_client(s, client)
            if color is not None:
                project.color = clean_color(color)
            if billable is not None:
                project.billable = billable
            if rate is not None:
                project.rate_cents = parse_rate_cents(rate)
            if currency is not None:
                project.currency = _currency(currency)
            s.flush()
            self.sink("project.updated", {})
            return project_view(project)

    def archive_project(self, ref: Ref, archived: bool = True) -> ProjectView:
        with self.db.session() as s:
            project = self._by_ref(s, Project, ref, "project")
            assert isinstance(project, Project)
            project.archived = archived
            self.sink("project.archived", {"archived": archived})
            return project_view(project)

    # -- tasks -------------------------------------------------------------------------------
    def tasks(self, project: Ref | None = None, include_done: bool = True) -> list[TaskView]:
        with self.db.session() as s:
            query = select(Task, Project.name).join(Project).order_by(
                func.lower(Project.name), func.lower(Task.name))
            if project is not None:
                owner = self._by_ref(s, Project, project, "project")
                assert isinstance(owner, Project)
                query = query.where(Task.project_id == owner.id)
            if not include_done:
                query = query.where(Task.done.is_(False))
            return [TaskView(t.id, t.project_id, pname, t.name, t.done)
                    for t, pname in s.execute(query)]

    def add_task(self, project: Ref, name: str) -> TaskView:
        with self.db.session() as s:
            owner = self._by_ref(s, Project, project, "project")
            assert isinstance(owner, Project)
            clean = clean_name("task", name)
            if any(t.name.lower() == clean.lower() for t in owner.tasks):
                raise ValidationError(f"Project '{owner.name}' already has a task '{clean}'.")
            task = self.ensure_task(s, owner, clean)
            return TaskView(task.id, owner.id, owner.name, task.name, task.done)

    def update_task(self, task_id: int, *, name: str | None = None,
                    done: bool | None = None) -> TaskView:
        with self.db.session() as s:
            task = s.get(Task, task_id)
            if task is None:
                raise NotFoundError(f"No task with id {task_id}.")
            if name is not None:
                clean = clean_name("task", name)
                clash = s.scalar(select(Task.id).where(
                    Task.project_id == task.project_id, func.lower(Task.name) == clean.lower(),
                    Task.id != task.id))
                if clash is not None:
                    raise ValidationError(f"This project already has a task '{clean}'.")
                task.name = clean
            if done is not None:
                task.done = done
            self.sink("task.updated", {"done": task.done})
            return TaskView(task.id, task.project_id, task.project.name, task.name, task.done)

    # -- tags --------------------------------------------------------------------------------
    def tags(self, include_archived: bool = False) -> list[TagView]:
        with self.db.session() as s:
            query = select(Tag).order_by(func.lower(Tag.name))
            if not include_archived:
                query = query.where(Tag.archived.is_(False))
            return [TagView(t.id, t.name, t.archived) for t in s.scalars(query)]

    def add_tag(self, name: str) -> TagView:
        with self.db.session() as s:
            clean = clean_name("tag", name, max_length=100)
            self._unique(s, Tag, clean, "tag")
            tag = self.ensure_tags(s, [clean])[0]
            return TagView(tag.id, tag.name, tag.archived)

    def rename_tag(self, ref: Ref, new_name: str) -> TagView:
        with self.db.session() as s:
            tag = self._by_ref(s, Tag, ref, "tag")
            assert isinstance(tag, Tag)
            clean = clean_name("tag", new_name, max_length=100)
            self._unique(s, Tag, clean, "tag", exclude_id=tag.id)
            tag.name = clean
            self.sink("tag.updated", {})
            return TagView(tag.id, tag.name, tag.archived)

    def archive_tag(self, ref: Ref, archived: bool = True) -> TagView:
        with self.db.session() as s:
            tag = self._by_ref(s, Tag, ref, "tag")
            assert isinstance(tag, Tag)
            tag.archived = archived
            self.sink("tag.archived", {"archived": archived})
            return TagView(tag.id, tag.name, tag.archived)


def _currency(value: str) -> str:
    text = value.strip().upper()
    if len(text) != 3 or not text.isalpha():
        raise ValidationError(f"Currency '{value}' must be a three-letter code such as EUR.")
    return text

