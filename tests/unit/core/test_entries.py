from __future__ import annotations

import pytest
from sqlalchemy import text
from timetracker.app import App
from timetracker.core.errors import ConflictError, NotFoundError, ValidationError

from tests.unit.core.conftest import FakeClock


def test_start_stop_records_duration_and_events(app: App, clock: FakeClock,
                                                events: list[tuple[str, dict]]) -> None:
    result = app.entries.start("Acme", description="homepage", tags=["design", "Design"],
                               task="mockups")
    assert result.entry.running and result.stopped is None
    assert result.entry.tags == ("design",)  # same tag twice (any case) counts once
    clock.advance(1800)
    stopped = app.entries.stop()
    assert stopped.end == clock.now and stopped.duration(clock.now) == 1800
    assert app.entries.current() is None
    assert events[0] == ("backup.created", {"reason": "daily"})  # first open of the day
    names = [name for name, _ in events[1:]]
    assert names == ["project.created", "task.created", "tag.created", "timer.started",
                     "timer.stopped"]
    assert events[-1][1] == {"duration_seconds": 1800}
    # Only enums, booleans and numbers leave the domain: no names, no descriptions.
    for _name, props in events[1:]:
        assert all(isinstance(v, bool | int) for v in props.values())


def test_start_while_running_stops_at_the_same_instant(app: App, clock: FakeClock) -> None:
    first = app.entries.start("A").entry
    clock.advance(600)
    second = app.entries.start("B")
    assert second.stopped is not None and second.stopped.id == first.id
    assert second.stopped.end == second.entry.start == clock.now
    running = [e for e in app.entries.list() if e.running]
    assert [e.id for e in running] == [second.entry.id]


def test_start_before_running_start_is_rejected(app: App, clock: FakeClock) -> None:
    app.entries.start("A")
    with pytest.raises(ValidationError, match="before the running entry"):
        app.entries.start("B", at=clock.now - 60)


def test_continue_restarts_last_entry_template(app: App, clock: FakeClock) -> None:
    app.entries.start("Acme", description="review", tags=["qa"], task="t1", billable=True)
    clock.advance(100)
    app.entries.stop()
    clock.advance(100)
    again = app.entries.continue_last().entry
    assert (again.project, again.description, again.tags, again.task, again.billable) == (
        "Acme", "review", ("qa",), "t1", True)
    assert again.start == clock.now and again.running


def test_continue_with_nothing(app: App) -> None:
    with pytest.raises(ConflictError, match="no previous entry"):
        app.entries.continue_last()


def test_stop_without_timer(app: App) -> None:
    with pytest.raises(ConflictError, match="No timer is running"):
        app.entries.stop()


def test_manual_entry_validation_and_overlaps(app: App, clock: FakeClock) -> None:
    with pytest.raises(ValidationError, match="before the start"):
        app.entries.add(clock.now, clock.now - 1, "A")
    a = app.entries.add(clock.now - 7200, clock.now - 3600, "A").entry
    b = app.entries.add(clock.now - 4000, clock.now - 3000, "B")
    assert [o.id for o in b.overlaps] == [a.id]  # reported ...
    assert app.entries.get(a.id).end == clock.now - 3600  # ... never truncated
    assert app.entries.overlap_ids(clock.now - 86400, clock.now) == {a.id, b.entry.id}


def test_billable_defaults_from_project(app: App, clock: FakeClock) -> None:
    app.catalog.add_project("Paid", billable=True, rate="100")
    assert app.entries.add(clock.now - 60, clock.now, "Paid").entry.billable
    assert not app.entries.add(clock.now - 60, clock.now, "Paid", billable=False).entry.billable


def test_edit_changes_fields_and_counts_them(app: App, clock: FakeClock,
                                             events: list[tuple[str, dict]]) -> None:
    entry = app.entries.add(clock.now - 3600, clock.now, "A", "old", tags=["x"]).entry
    result = app.entries.edit(entry.id, description="new", project="B", tags=["y", "z"],
                              start=clock.now - 1800)
    assert (result.entry.description, result.entry.project, result.entry.tags,
            result.entry.start) == ("new", "B", ("y", "z"), clock.now - 1800)
    assert events[-1] == ("entry.edited", {"field_count": 4})
    with pytest.raises(ValidationError, match="before the start"):
        app.entries.edit(entry.id, end=clock.now - 7200)
    assert app.entries.get(entry.id).end == clock.now  # nothing half-written
    with pytest.raises(NotFoundError):
        app.entries.edit(999, description="x")


def test_edit_to_running_refuses_second_timer(app: App, clock: FakeClock) -> None:
    done = app.entries.add(clock.now - 600, clock.now - 300, "A").entry
    app.entries.start("B")
    with pytest.raises(ConflictError, match="running"):
        app.entries.edit(done.id, end=None)


def test_delete_and_undo_restore_everything(app: App, clock: FakeClock) -> None:
    entry = app.entries.add(clock.now - 600, clock.now, "A", "keep me", tags=["t"]).entry
    app.entries.delete(entry.id)
    assert app.entries.list() == []
    with pytest.raises(NotFoundError):
        app.entries.get(entry.id)
    undone = app.entries.undo()
    assert undone.action == "delete"
    restored = app.entries.get(entry.id)
    assert (restored.description, restored.tags, restored.project) == ("keep me", ("t",), "A")


def test_undo_walks_back_through_history(app: App, clock: FakeClock) -> None:
    entry = app.entries.add(clock.now - 600, clock.now, "A", "v1").entry
    app.entries.edit(entry.id, description="v2")
    app.entries.edit(entry.id, description="v3", project="B")
    assert app.entries.undo().entry.description == "v2"
    back = app.entries.undo().entry
    assert (back.description, back.project) == ("v1", "A")
    assert app.entries.undo().action == "create"
    assert app.entries.list() == []
    with pytest.raises(ConflictError, match="Nothing to undo"):
        app.entries.undo()


def test_undo_of_stop_resumes_the_timer(app: App, clock: FakeClock) -> None:
    app.entries.start("A")
    clock.advance(60)
    app.entries.stop()
    assert app.entries.undo().action == "update"
    current = app.entries.current()
    assert current is not None and current.project == "A"


def test_undo_of_a_start_that_stopped_a_timer_brings_that_timer_back(
        app: App, clock: FakeClock) -> None:
    first = app.entries.start("A", "writing").entry
    clock.advance(600)
    second = app.entries.start("B", "call")  # stops A, starts B: one thing the user did
    assert second.stopped is not None and second.stopped.id == first.id
    undone = app.entries.undo()
    assert (undone.action, undone.entry.id) == ("create", second.entry.id)
    current = app.entries.current()
    assert current is not None and current.id == first.id  # A runs again, as before
    assert [e.id for e in app.entries.list()] == [first.id]  # and B is gone
    # the next undo goes on with what came before: A's start
    assert app.entries.undo().action == "create"
    assert app.entries.list() == [] and app.entries.current() is None
    # a start with no timer running is one step as before
    app.entries.start("C")
    clock.advance(60)
    app.entries.stop()
    app.entries.add(clock.now - 30, clock.now - 10, "D")
    app.entries.undo()  # the added D only
    assert [e.project for e in app.entries.list()] == ["C"]


def test_deleted_rows_stay_in_the_database(app: App, clock: FakeClock) -> None:
    entry = app.entries.add(clock.now - 600, clock.now, "A").entry
    app.entries.delete(entry.id)
    with app.db.engine.connect() as con:
        assert con.execute(text("SELECT deleted_at FROM time_entries WHERE id = :i"),
                           {"i": entry.id}).scalar() == clock.now


def test_future_start_rejected(app: App, clock: FakeClock) -> None:
    with pytest.raises(ValidationError, match="future"):
        app.entries.start("A", at=clock.now + 3600)


def test_task_needs_project(app: App, clock: FakeClock) -> None:
    with pytest.raises(ValidationError, match="task needs a project"):
        app.entries.add(clock.now - 60, clock.now, None, task="orphan")


def test_names_match_case_insensitively_in_every_alphabet(app: App, clock: FakeClock) -> None:
    app.entries.add(clock.now - 600, clock.now - 300, "Über", tags=["Ärger"])
    again = app.entries.add(clock.now - 300, clock.now, "über", tags=["ärger"]).entry
    assert (again.project, again.tags) == ("Über", ("Ärger",))
    assert [p.name for p in app.catalog.projects()] == ["Über"]
