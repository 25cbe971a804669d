"""The window's ORM-free reads agree with EntryService (the ORM) on the same database."""

from __future__ import annotations

from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st
from timetracker.app import App
from timetracker.core.entry_reads import EntryReads, overlapping_ids

DAY = 86_400


def test_reads_match_the_entry_service(app: App) -> None:
    now = app.clock()
    lo, hi = now - 7 * DAY, now
    entries = app.entries
    app.catalog.add_project("Web", client="Acme")
    app.catalog.add_task("Web", "Backend")
    # one that started before the range and reaches into it, a long one from long ago,
    # an overlapping pair, a deleted one, and a running timer started 20 days ago
    entries.add(lo - 3600, lo + 3600, project="Web", description="across the edge",
                tags=["b", "a"], task="Backend", billable=True)
    entries.add(lo - 30 * DAY, lo + 60, description="very long")
    entries.add(lo + DAY, lo + DAY + 7200, project="Ops", description="first")
    entries.add(lo + DAY + 3600, lo + DAY + 9000, description="overlaps first")
    gone = entries.add(lo + 2 * DAY, lo + 2 * DAY + 60, description="deleted").entry
    entries.delete(gone.id)
    entries.add(lo - 3 * DAY, lo - 2 * DAY, description="before the range")
    entries.start(description="running", at=now - 20 * DAY)

    reads = EntryReads(app.db, app.clock)
    expected = entries.list(lo, hi)
    assert [asdict(r) for r in reads.between(lo, hi)] == [asdict(e) for e in expected]
    assert {r.description for r in reads.between(lo, hi)} == {
        "across the edge", "very long", "first", "overlaps first", "running"}
    assert reads.overlap_ids(lo, hi) == entries.overlap_ids(lo, hi)
    current = entries.current()
    assert current is not None and reads.current() == type(reads.current())(**asdict(current))
    last = entries.last()
    assert last is not None and asdict(reads.last()) == asdict(last)  # type: ignore[arg-type]
    projects = reads.projects()
    assert [(p.name, p.client, p.tasks) for p in projects] == [
        ("Ops", None, ()), ("Web", "Acme", ("Backend",))]
    assert reads.tags() == ["a", "b"]


def test_data_version_moves_when_another_connection_commits(app: App) -> None:
    reads = EntryReads(app.db, app.clock)
    before = reads.data_version()
    assert reads.data_version() == before
    app.entries.add(app.clock() - 60, app.clock(), description="x")  # the ORM's connection
    assert reads.data_version() != before


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(-3, 15)), max_size=30))
def test_the_overlap_sweep_finds_exactly_the_pairs_that_overlap(
        spans: list[tuple[int, int]]) -> None:
    intervals = sorted(((i, start, start + length) for i, (start, length) in enumerate(spans)),
                       key=lambda interval: interval[1])
    brute = {a for a, a_start, a_stop in intervals for b, b_start, b_stop in intervals
             if a != b and b_start < a_stop and b_stop > a_start}  # the SQL's definition
    assert overlapping_ids(intervals) == brute
