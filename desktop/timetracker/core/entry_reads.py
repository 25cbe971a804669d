"""Read-only entry queries for the window, over plain sqlite3 (no SQLAlchemy, no ORM).

The window must open fast, also on a 100,000-entry database: importing SQLAlchemy's ORM costs
more than starting Qt itself. So what the window *shows* — this week's entries, the running
timer, overlaps, the project list for the picker — is read here through
:meth:`Database.read`, and only *changes* go through :class:`EntryService` (which loads the
ORM on first use). The rows read here are the same :class:`EntryView` the services return.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from timetracker.core.clock import Clock
from timetracker.core.db import Database
from timetracker.core.entry_view import EntryView

#: The window's rows are the services' EntryView (one definition of an entry's fields).
EntryRow = EntryView


class PickerProject(NamedTuple):
    """A project with its open tasks, for the project/task picker."""

    id: int
    name: str
    client: str | None
    color: str
    billable: bool
    tasks: tuple[str, ...]


_COLUMNS = """
SELECT e.id, e.start, e."end", e.tz, e.description, e.project_id, p.name, c.name, p.color,
       e.task_id, t.name, e.billable,
       (SELECT group_concat(name, char(31)) FROM (
            SELECT g.name FROM entry_tags et JOIN tags g ON g.id = et.tag_id
            WHERE et.entry_id = e.id ORDER BY lower(g.name)))
FROM time_entries e
LEFT JOIN projects p ON p.id = e.project_id
LEFT JOIN clients c ON c.id = p.client_id
LEFT JOIN tasks t ON t.id = e.task_id
"""

# The longest finished entry, from the ix_entries_span index (no table scan).
_SPAN_SQL = """SELECT MAX("end" - start) FROM time_entries WHERE deleted_at IS NULL"""

_RANGE_SQL = _COLUMNS + """
WHERE e.deleted_at IS NULL AND e.start < :hi
  AND ((e.start >= :lo - :span AND COALESCE(e."end", :now) > :lo) OR e.running_marker = 1)
ORDER BY e.start DESC, e.id DESC
"""

_RUNNING_SQL = _COLUMNS + "WHERE e.running_marker = 1 AND e.deleted_at IS NULL LIMIT 1"

_LAST_SQL = _COLUMNS + """
WHERE e.deleted_at IS NULL ORDER BY e.start DESC, e.id DESC LIMIT 1
"""

# Every live entry that could overlap one in [lo, hi): those starting up to one longest entry
# before it (and the running one), in start order for the sweep in overlapping_ids().
_NEAR_SQL = """
SELECT id, start, COALESCE("end", :now) FROM time_entries
WHERE deleted_at IS NULL AND start < :hi + :span
  AND (start >= :lo - 2 * :span OR running_marker = 1)
ORDER BY start
"""

_PROJECTS_SQL = """
SELECT p.id, p.name, c.name, p.color, p.billable,
       (SELECT group_concat(name, char(31)) FROM (
            SELECT t.name FROM tasks t WHERE t.project_id = p.id AND NOT t.done
            ORDER BY lower(t.name)))
FROM projects p LEFT JOIN clients c ON c.id = p.client_id
WHERE NOT p.archived
ORDER BY lower(p.name)
"""

_TAGS_SQL = "SELECT name FROM tags WHERE NOT archived ORDER BY lower(name)"


def overlapping_ids(intervals: Iterable[tuple[int, int, int]]) -> set[int]:
    """Ids of the ``(id, start, stop)`` intervals, sorted by start, that overlap another one
    (sharing only an end point is no overlap). A sweep: O(n log n), not every pair."""
    found: set[int] = set()
    active: list[tuple[int, int, int]] = []  # (stop, start, id) of those still open: a heap
    for id_, start, stop in intervals:
        while active and active[0][0] <= start:  # ended: can overlap nothing from here on
            heapq.heappop(active)
        hits = [other for _stop, other_start, other in active if other_start < stop]
        if hits:
            found.add(id_)
            found.update(hits)
        if stop > start:  # an empty interval overlaps nothing that starts after it
            heapq.heappush(active, (stop, start, id_))
    return found


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split("\x1f")) if joined else ()


def _row(values: Sequence[object]) -> EntryRow:
    (id_, start, end, tz, description, project_id, project, client, color, task_id, task,
     billable, tags) = values
    return EntryRow(int(id_), int(start), None if end is None else int(end),  # type: ignore[call-overload]
                    str(tz), str(description or ""),
                    None if project_id is None else int(project_id),  # type: ignore[call-overload]
                    None if project is None else str(project),
                    None if client is None else str(client),
                    None if color is None else str(color),
                    None if task_id is None else int(task_id),  # type: ignore[call-overload]
                    None if task is None else str(task),
                    _split(tags), bool(billable))  # type: ignore[arg-type]


class EntryReads:
    """What the window shows, read without the ORM. Safe to call from any thread."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _span(self) -> int:
        return int(self.db.read(_SPAN_SQL)[0][0] or 0)

    def between(self, lo: int, hi: int) -> list[EntryRow]:
        """Live entries overlapping [lo, hi) (a running one counts up to now), newest first."""
        params = {"lo": lo, "hi": hi, "now": self.clock(), "span": self._span()}
        return [_row(r) for r in self.db.read(_RANGE_SQL, params)]

    def current(self) -> EntryRow | None:
        rows = self.db.read(_RUNNING_SQL)
        return _row(rows[0]) if rows else None

    def last(self) -> EntryRow | None:
        rows = self.db.read(_LAST_SQL)
        return _row(rows[0]) if rows else None

    def overlap_ids(self, lo: int, hi: int) -> set[int]:
        """Ids of live entries overlapping [lo, hi) that overlap another live entry."""
        now = self.clock()
        params = {"lo": lo, "hi": hi, "now": now, "span": self._span()}
        near = [(int(i), int(s), int(e)) for i, s, e in self.db.read(_NEAR_SQL, params)]
        in_range = {i for i, s, e in near if s < hi and e > lo}
        return overlapping_ids(near) & in_range

    def projects(self) -> list[PickerProject]:
        """Active projects with their open tasks, by name."""
        return [PickerProject(int(i), str(n), None if c is None else str(c), str(col),
                              bool(b), _split(t))
                for i, n, c, col, b, t in self.db.read(_PROJECTS_SQL)]

    def tags(self) -> list[str]:
        return [str(r[0]) for r in self.db.read(_TAGS_SQL)]

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, or the window's own writer) commits."""
        return int(self.db.read("PRAGMA data_version")[0][0])
