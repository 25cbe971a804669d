"""SQLAlchemy models of the time data.

Times are stored as whole Unix seconds in UTC (``start``/``end``) with the IANA time zone the
entry was recorded in (``tz``), so reports are right in any zone and SQL can sum durations.
Rows are never hard-deleted by the user's actions: ``deleted_at`` marks them, and the journal
lets ``undo`` restore them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


entry_tags = Table(
    "entry_tags",
    Base.metadata,
    Column("entry_id", ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_entry_tags_tag", "tag_id"),
)


class Client(Base):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(Integer)

    projects: Mapped[list[Project]] = relationship(back_populates="client")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("rate_cents >= 0", name="ck_projects_rate"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    color: Mapped[str] = mapped_column(String(7), default="#4F7DF3")
    billable: Mapped[bool] = mapped_column(Boolean, default=False)
    rate_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(Integer)

    client: Mapped[Client | None] = relationship(back_populates="projects")
    tasks: Mapped[list[Task]] = relationship(back_populates="project")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_tasks_project_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(Integer)

    project: Mapped[Project] = relationship(back_populates="tasks")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(Integer)


class TimeEntry(Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint('"end" IS NULL OR "end" >= start', name="ck_entries_order"),
        Index("ix_entries_start", "start"),
        Index("ix_entries_project_start", "project_id", "start"),
        # Entry lengths, so reports find the longest entry without a scan (migration 0002).
        Index("ix_entries_span", text('("end" - start)'), sqlite_where=text("deleted_at IS NULL")),
        # At most one running (end IS NULL) live entry: enforced by the database itself.
        Index(
            "uq_entries_one_running",
            "running_marker",
            unique=True,
            sqlite_where=Column("running_marker").isnot(None),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    description: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    billable: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 1 while the entry runs and is not deleted, else NULL (see the unique index above).
    running_marker: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Stable key of an imported entry (source + id/hash): re-imports do not duplicate.
    import_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    created_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[int | None] = mapped_column(Integer, nullable=True)

    project: Mapped[Project | None] = relationship()
    task: Mapped[Task | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=entry_tags, order_by="Tag.name")


class JournalRecord(Base):
    """One undoable change: what an entry looked like before and after."""

    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete
    entry_id: Mapped[int] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
