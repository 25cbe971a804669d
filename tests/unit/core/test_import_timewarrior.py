"""Timewarrior data files and ``timew export`` JSON, from samples and from the real ``timew``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from timetracker.app import App
from timetracker.core.errors import ImportFormatError
from timetracker.core.importers import timew_json, timewarrior
from transfer_support import DATA, row_counts

from tests.conftest import require_tool

DATA_DIR = DATA / "timewarrior" / "data"


def test_parses_lines_with_quotes_escapes_and_open_intervals() -> None:
    parsed = timewarrior.parse(DATA / "timewarrior", "Europe/Berlin")
    assert len(parsed.rows) == 7  # both month files, tags.data skipped
    review = parsed.rows[1]
    assert (review.project, review.tags, review.description) == (
        "ProjectX", ("code review", "dev"), "Reviewed PR #42")
    assert parsed.rows[2].project is None and parsed.rows[2].tags == ()
    assert parsed.rows[3].description == 'Lunch "meeting" with team'
    offsite = parsed.rows[4]
    assert (offsite.project, offsite.tags, offsite.description) == (
        "Client Work", ("café visit",), 'Offsite "kickoff"')
    assert parsed.rows[-1].end is None
    assert parsed.rows[-1].line == 3


def test_tags_mode_keeps_every_tag() -> None:
    rows = timewarrior.parse(DATA_DIR / "2024-02.data", "UTC", tags_mode="tags").rows
    assert rows[1].project is None
    assert rows[1].tags == ("ProjectX", "code review", "dev")


def test_data_files_and_export_json_share_keys() -> None:
    from_files = timewarrior.parse(DATA_DIR, "UTC").rows
    from_json = timew_json.parse(DATA / "timew_export.json", "UTC").rows
    assert [r.key for r in from_files] == [r.key for r in from_json]
    assert [(r.start, r.end, r.project, r.tags, r.description) for r in from_files] == \
        [(r.start, r.end, r.project, r.tags, r.description) for r in from_json]


def test_open_interval_becomes_the_running_entry(app: App) -> None:
    summary = app.importer.run(DATA / "timewarrior", "timewarrior")
    assert (summary.new, summary.running) == (7, 1)
    current = app.entries.current()
    assert current is not None and current.start == 1709542800
    assert current.project == "ProjectX"
    # The same intervals from `timew export` add nothing.
    again = app.importer.run(DATA / "timew_export.json", "timew-json")
    assert (again.new, again.duplicates) == (0, 7)


def test_open_interval_is_skipped_while_a_timer_runs(app: App) -> None:
    app.entries.start(project="Here")
    summary = app.importer.run(DATA_DIR / "2024-03.data", "timewarrior")
    assert (summary.new, summary.running, summary.skipped_running) == (2, 0, 1)
    assert "timer is already running" in summary.warnings[0]
    current = app.entries.current()
    assert current is not None and current.project == "Here"


def test_reimport_closes_the_interval_once_timew_stopped_it(app: App, tmp_path: Path) -> None:
    data = tmp_path / "2024-03.data"
    data.write_text("inc 20240304T090000Z # ProjectX dev\n")
    app.importer.run(data, "timewarrior")
    assert app.entries.current() is not None
    data.write_text("inc 20240304T090000Z - 20240304T113000Z # ProjectX dev\n"
                    "inc 20240304T120000Z # lunch\n")
    summary = app.importer.run(data, "timewarrior")
    assert (summary.closed, summary.new, summary.running) == (1, 1, 1)
    entries = sorted(app.entries.list(), key=lambda e: e.start)
    assert [(e.project, e.end) for e in entries] == [("ProjectX", 1709551800), ("lunch", None)]


@pytest.mark.parametrize(("line", "field", "problem"), [
    ("inc 2024-03-04T09:00:00Z - 20240304T100000Z", "start", "20240304T080000Z"),
    ("inc 20240304T090000Z - 20240304T080000Z", "end", "before the start"),
    ("inc 20240304T090000Z -", "end", "followed by the end"),
    ("inc 20240231T090000Z", "start", "not a valid time"),
    ('inc 20240304T090000Z # "unclosed', "tags", "not closed"),
    ("inc 20240304T090000Z tag", "tags", "expected '#'"),
    ("exc monday <9:00", None, "starting with 'inc'"),
])
def test_a_bad_line_names_file_line_and_field(tmp_path: Path, line: str, field: str | None,
                                              problem: str) -> None:
    path = tmp_path / "2024-03.data"
    path.write_text("inc 20240301T080000Z - 20240301T090000Z # ok\n\n" + line + "\n")
    with pytest.raises(ImportFormatError) as caught:
        timewarrior.parse(path, "UTC")
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(path), 3, field)
    assert problem in str(caught.value)


def test_bad_export_json_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[\n{"id":2,"start":"20240301T080000Z","end":"20240301T090000Z"},\n'
                    '{"id":1,"start":"20240301T100000Z","tags":"oops"}\n]\n')
    with pytest.raises(ImportFormatError) as caught:
        timew_json.parse(path, "UTC")
    assert (caught.value.line, caught.value.field) == (3, "tags")


# -- the real Timewarrior ------------------------------------------------------------------------

def _timew(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["timew", *args, ":yes"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def timew_env(tmp_path: Path) -> dict[str, str]:
    require_tool("timew")
    folder = tmp_path / "timewarrior"
    folder.mkdir()
    return dict(os.environ, TIMEWARRIORDB=str(folder), TZ="UTC")


def test_intervals_tracked_by_real_timew(app: App, timew_env: dict[str, str],
                                         tmp_path: Path) -> None:
    _timew(timew_env, "track", "2024-03-04T08:00:00Z", "-", "2024-03-04T09:30:00Z",
           "Website", "design", "client work", 'say "hi"')
    _timew(timew_env, "track", "2024-03-04T10:00:00Z", "-", "2024-03-04T11:00:00Z")
    _timew(timew_env, "annotate", "@1", "Standup # daily")
    _timew(timew_env, "track", "2024-03-05T10:00:00Z", "-", "2024-03-05T11:00:00Z",
           "Ünïcode", "tag#hash")
    _timew(timew_env, "start", "2024-03-06T09:00:00Z", "Website", "dev")
    export = tmp_path / "export.json"
    export.write_text(_timew(timew_env, "export"))
    folder = Path(timew_env["TIMEWARRIORDB"])

    preview = app.importer.preview(folder, "timewarrior", "UTC")
    assert (preview.new, preview.running) == (4, 1)
    assert row_counts(app)["time_entries"] == 0

    summary = app.importer.run(folder, "timewarrior", "UTC")
    assert summary.new == 4
    entries = sorted(app.entries.list(), key=lambda e: e.start)
    assert [(e.start, e.end) for e in entries] == [
        (1709539200, 1709544600), (1709546400, 1709550000), (1709632800, 1709636400),
        (1709715600, None)]
    assert (entries[0].project, entries[0].tags) == ("Website", ("client work", "design",
                                                                  'say "hi"'))
    assert (entries[1].project, entries[1].description) == (None, "Standup # daily")
    # Timewarrior keeps tags sorted (by bytes): "first" is the first in that order.
    assert (entries[2].project, entries[2].tags) == ("tag#hash", ("Ünïcode",))
    assert entries[3].running and entries[3].project == "Website"

    # `timew export` of the same database adds nothing; stopping in timew closes ours.
    assert app.importer.run(export, "timew_json", "UTC").new == 0
    _timew(timew_env, "stop", "2024-03-06T10:15:00Z")
    closed = app.importer.run(folder, "timewarrior", "UTC")
    assert (closed.new, closed.closed) == (0, 1)
    assert app.entries.current() is None
    assert max(e.end or 0 for e in app.entries.list()) == 1709720100


def test_only_the_newest_of_several_open_intervals_runs(app: App, tmp_path: Path) -> None:
    path = tmp_path / "2024-03.data"
    path.write_text("inc 20240304T090000Z # Old\ninc 20240305T090000Z # New\n")
    summary = app.importer.run(path, "timewarrior")
    assert (summary.new, summary.running, summary.skipped_running) == (1, 1, 1)
    assert "only one entry can run" in summary.warnings[0]
    current = app.entries.current()
    assert current is not None and current.project == "New"
