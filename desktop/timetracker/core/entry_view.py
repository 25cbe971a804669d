"""The read-only picture of a time entry that services, the CLI and the window pass around.

Kept free of SQLAlchemy so the window can build it from plain sqlite3 reads (entry_reads.py)
as cheaply as the services build it from ORM rows (entries.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class EntryView:
    id: int
    start: int
    end: int | None
    tz: str
    description: str
    project_id: int | None
    project: str | None
    client: str | None
    color: str | None
    task_id: int | None
    task: str | None
    tags: tuple[str, ...]
    billable: bool

    @property
    def running(self) -> bool:
        return self.end is None

    def duration(self, now: int) -> int:
        return (now if self.end is None else self.end) - self.start

    def local_start(self) -> datetime:
        return datetime.fromtimestamp(self.start, ZoneInfo(self.tz))

    def local_end(self) -> datetime | None:
        return None if self.end is None else datetime.fromtimestamp(self.end, ZoneInfo(self.tz))
