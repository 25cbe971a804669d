"""Toggl Track detailed CSV import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from timetracker.app import App
from timetracker.core.errors import ImportFormatError
from timetracker.core.importers import toggl
from transfer_support import DATA, row_counts

BERLIN = ZoneInfo("Europe/Berlin")
HEADER = ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
          "End time,Duration,Tags,Amount (EUR)")


def _utc(text: str, zone: ZoneInfo = BERLIN) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp())


def _write(tmp_path: Path, *lines: str, header: str = HEADER, bom: bool = True) -> Path:
    path = tmp_path / "toggl.csv"
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8-sig" if bom else "utf-8")
    return path


def test_reads_the_detailed_export_in_the_chosen_zone() -> None:
    parsed = toggl.parse(DATA / "toggl_detailed.csv", "Europe/Berlin")
    assert parsed.currency == "EUR"
    assert len(parsed.rows) == 8
    first = parsed.rows[0]
    assert (first.line, first.start, first.end) == (2, _utc("2024-03-04 09:00"),
                                                    _utc("2024-03-04 10:30"))
    assert (first.client, first.project, first.task) == ("Acme Corp", "Website Relaunch", "Design")
    assert first.tags == ("design", "client-work")
    assert first.billable is True
    assert first.tz == "Europe/Berlin"
    assert parsed.rows[1].description == 'Fix header, footer and "hero" banner'
    assert parsed.rows[2].client is None and parsed.rows[2].billable is False
    assert parsed.rows[4].project is None and parsed.rows[4].task is None


def test_crossing_midnight_and_dst_keep_the_real_duration() -> None:
    rows = toggl.parse(DATA / "toggl_detailed.csv", "Europe/Berlin").rows
    late = rows[5]
    assert late.end is not None and late.end - late.start == 75 * 60
    dst = rows[7]  # 01:30 -> 03:30 local on 2024-03-31: the clocks skip 02:00-03:00
    assert dst.end is not None and dst.end - dst.start == 3600


def test_another_zone_shifts_every_instant() -> None:
    berlin = toggl.parse(DATA / "toggl_detailed.csv", "Europe/Berlin").rows
    utc = toggl.parse(DATA / "toggl_detailed.csv", "UTC").rows
    assert utc[0].start - berlin[0].start == 3600
    assert [r.key for r in utc] == [r.key for r in berlin]


def test_import_creates_catalog_and_entries(app: App) -> None:
    summary = app.importer.run(DATA / "toggl_detailed.csv", "toggl", "Europe/Berlin")
    assert (summary.total, summary.new, summary.duplicates) == (8, 8, 0)
    assert summary.new_projects == ("Internal", "Support Contract", "Website Relaunch")
    assert summary.new_clients == ("Acme Corp", "Globex")
    projects = {p.name: p for p in app.catalog.projects()}
    assert projects["Website Relaunch"].client == "Acme Corp"
    assert projects["Support Contract"].client == "Globex"
    assert projects["Internal"].client is None
    assert {p.currency for p in projects.values()} == {"EUR"}
    assert sorted(t.name for t in app.catalog.tasks("Website Relaunch")) == ["Design",
                                                                              "Development"]
    entries = sorted(app.entries.list(), key=lambda e: e.start)
    assert entries[0].project == "Website Relaunch" and entries[0].task == "Design"
    assert entries[0].tags == ("client-work", "design") and entries[0].billable
    assert entries[0].tz == "Europe/Berlin"
    assert entries[3].description == "Ticket #4711 – Zugangsdaten zurücksetzen"
    assert not entries[2].billable


def test_reimport_adds_nothing_even_in_another_zone(app: App) -> None:
    app.importer.run(DATA / "toggl_detailed.csv", "toggl", "Europe/Berlin")
    before = row_counts(app)
    again = app.importer.run(DATA / "toggl_detailed.csv", "toggl", "America/New_York")
    assert (again.new, again.duplicates) == (0, 8)
    assert row_counts(app) == before


def test_identical_rows_are_two_entries_and_usd_header(app: App) -> None:
    summary = app.importer.run(DATA / "toggl_usd.csv", "toggl", "America/New_York")
    assert summary.new == 2
    assert app.catalog.project("TPS Reports").currency == "USD"
    entries = app.entries.list()
    ny = ZoneInfo("America/New_York")
    # 01:30 on the fall-back day is ambiguous: the first occurrence (EDT) is taken.
    assert {(e.start, e.end) for e in entries} == {(_utc("2024-11-03 00:30", ny),
                                                    _utc("2024-11-03 01:30", ny))}
    assert app.importer.run(DATA / "toggl_usd.csv", "toggl", "America/New_York").new == 0


def test_header_variants_without_bom(tmp_path: Path) -> None:
    header = ("Member,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
              "Stop date,Stop time,Duration,Tags,Amount (GBP)")
    path = _write(tmp_path, "A,a@x,,Blog,,Post,No,2024-01-02,10:00,2024-01-02,11:00,1:00:00,,0",
                  header=header, bom=False)
    parsed = toggl.parse(path, "Europe/London")
    assert parsed.currency == "GBP"
    assert parsed.rows[0].end is not None
    assert parsed.rows[0].end - parsed.rows[0].start == 3600


@pytest.mark.parametrize(("line", "field", "problem"), [
    ("A,a@x,,P,,d,Yes,2024-13-01,10:00:00,2024-01-02,11:00:00,1:00:00,,0", "Start date",
     "not a date"),
    ("A,a@x,,P,,d,Yes,04.03.2024,10:00:00,2024-01-02,11:00:00,1:00:00,,0", "Start date",
     "expected YYYY-MM-DD"),
    ("A,a@x,,P,,d,Yes,2024-01-02,10:00:00,2024-01-02,25:00:00,1:00:00,,0", "End time",
     "not a time"),
    ("A,a@x,,P,,d,Yes,2024-01-02,11:00:00,2024-01-02,10:00:00,1:00:00,,0", "End time",
     "end is before the start"),
    ("A,a@x,,,Task,d,Yes,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0", "Task",
     "needs a project"),
    ("A,a@x,,P,,d,Maybe,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0", "Billable",
     "Yes or No"),
])
def test_a_bad_row_names_file_line_and_field(tmp_path: Path, line: str, field: str,
                                             problem: str) -> None:
    good = "A,a@x,,P,,d,Yes,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0"
    path = _write(tmp_path, good, good, line)
    with pytest.raises(ImportFormatError) as caught:
        toggl.parse(path, "UTC")
    error = caught.value
    assert (error.file, error.line, error.field) == (str(path), 4, field)
    assert problem in str(error)
    assert str(error).startswith(f"{path}:4: field '{field}'")


def test_wrong_field_count_and_missing_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "A,a@x,,P,,d,Yes,2024-01-02")
    with pytest.raises(ImportFormatError, match=r":2: expected 14 fields, found 8"):
        toggl.parse(path, "UTC")
    path.write_text("Project,Description\nP,d\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r":1: field 'Start date'.*Toggl detailed CSV"):
        toggl.parse(path, "UTC")


def test_a_watson_file_given_as_toggl_is_rejected(app: App) -> None:
    before = row_counts(app)
    with pytest.raises(ImportFormatError, match="Toggl"):
        app.importer.run(DATA / "watson_frames.json", "toggl")
    assert row_counts(app) == before
