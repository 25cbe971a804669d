"""Baseline schema: clients, projects, tasks, tags, time entries, journal.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Integer, nullable=False),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="SET NULL")),
        sa.Column("color", sa.String(7), nullable=False, server_default="#4F7DF3"),
        sa.Column("billable", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("rate_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.CheckConstraint("rate_cents >= 0", name="ck_projects_rate"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer,
                  sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_tasks_project_name"),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Integer, nullable=False),
    )
    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer),
        sa.Column("tz", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="SET NULL")),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="SET NULL")),
        sa.Column("billable", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("running_marker", sa.Integer),
        sa.Column("import_key", sa.String(200), unique=True),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Integer, nullable=False),
        sa.Column("deleted_at", sa.Integer),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="ck_entries_order"),
    )
    op.create_index("ix_entries_start", "time_entries", ["start"])
    op.create_index("ix_entries_project_start", "time_entries", ["project_id", "start"])
    op.create_index(
        "uq_entries_one_running", "time_entries", ["running_marker"], unique=True,
        sqlite_where=sa.text("running_marker IS NOT NULL"),
    )
    op.create_table(
        "entry_tags",
        sa.Column("entry_id", sa.Integer,
                  sa.ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.Integer,
                  sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_entry_tags_tag", "entry_tags", ["tag_id"])
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("undone", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("journal")
    op.drop_index("ix_entry_tags_tag", table_name="entry_tags")
    op.drop_table("entry_tags")
    op.drop_index("uq_entries_one_running", table_name="time_entries")
    op.drop_index("ix_entries_project_start", table_name="time_entries")
    op.drop_index("ix_entries_start", table_name="time_entries")
    op.drop_table("time_entries")
    op.drop_table("tags")
    op.drop_table("tasks")
    op.drop_table("projects")
    op.drop_table("clients")
