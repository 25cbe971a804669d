"""Alembic environment: always run against the connection the app hands over."""

from __future__ import annotations

from alembic import context

from timetracker.core.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the app always passes a connection
    raise RuntimeError("timetracker migrations must be run through timetracker.core.db")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
