"""Helpers shared by the import/export tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from timetracker.app import App

DATA = Path(__file__).resolve().parents[2] / "data" / "import"
TABLES = ("clients", "projects", "tasks", "tags", "time_entries", "entry_tags", "journal")


def row_counts(app: App) -> dict[str, int]:
    """How many rows each table of the time-data database holds."""
    with app.db.session() as s:
        return {name: int(s.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
                for name in TABLES}


def entries_by_start(app: App) -> list[tuple[int, int | None, str | None, str, tuple[str, ...]]]:
    """(start, end, project, description, tags) of every live entry, oldest first."""
    return sorted((e.start, e.end, e.project, e.description, e.tags)
                  for e in app.entries.list())
