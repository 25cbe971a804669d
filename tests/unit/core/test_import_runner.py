"""The import runner: dry run, one transaction, progress, cancel, backup, events."""

from __future__ import annotations

from pathlib import Path

import pytest
from timetracker.app import App
from timetracker.core.errors import ImportFormatError, ValidationError
from timetracker.core.importers import ImportCancelled, ImportFileError
from transfer_support import DATA, row_counts

Events = list[tuple[str, dict[str, object]]]


def _timew_file(tmp_path: Path, count: int, bad_last: bool = False) -> Path:
    path = tmp_path / "2024-01.data"
    base = 1_704_067_200  # 2024-01-01 00:00 UTC
    lines = []
    for i in range(count):
        start = base + i * 900
        lines.append(f"inc {_stamp(start)} - {_stamp(start + 600)} # Project{i % 7} tag{i % 5}")
    if bad_last:
        lines.append("inc 20240101T000000Z - 2024-01-01 # broken")
    path.write_text("\n".join(lines) + "\n")
    return path


def _stamp(ts: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_dry_run_writes_nothing_and_predicts_the_import(app: App, events: Events) -> None:
    before = row_counts(app)
    preview = app.importer.preview(DATA / "toggl_detailed.csv", "toggl", "Europe/Berlin",
                                   sample_size=3)
    assert row_counts(app) == before
    assert [b for b in app.backups.list() if b.reason == "pre-import"] == []
    assert preview.dry_run and len(preview.sample) == 3
    assert preview.sample[0].description == "Homepage mockups"
    real = app.importer.run(DATA / "toggl_detailed.csv", "toggl", "Europe/Berlin")
    assert (preview.new, preview.new_projects, preview.new_tags, preview.new_tasks) == (
        real.new, real.new_projects, real.new_tags, real.new_tasks)
    assert preview.new_tasks == ("Website Relaunch / Design", "Website Relaunch / Development")
    assert [e for e, _ in events if e.startswith("import.")] == ["import.completed"] * 2
    assert events[-1][1]["dry_run"] is False
    assert [p["dry_run"] for e, p in events if e == "import.completed"] == [True, False]


def test_a_bad_last_row_leaves_the_database_untouched(app: App, tmp_path: Path,
                                                      events: Events) -> None:
    app.entries.add(1_700_000_000, 1_700_003_600, project="Existing")
    before = row_counts(app)
    with pytest.raises(ImportFormatError) as caught:
        app.importer.run(_timew_file(tmp_path, 1200, bad_last=True), "timewarrior")
    assert caught.value.line == 1201 and caught.value.field == "end"
    assert row_counts(app) == before
    assert events[-1] == ("import.failed", {"format": "timewarrior", "kind": "format_error"})


def test_cancel_during_write_rolls_everything_back(app: App, tmp_path: Path) -> None:
    before = row_counts(app)
    calls: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total: int) -> None:
        calls.append((phase, done, total))
        if phase == "write" and done >= 1000:  # two batches are already in the transaction
            raise ImportCancelled()

    with pytest.raises(ImportCancelled):
        app.importer.run(_timew_file(tmp_path, 2000), "timewarrior", progress=progress)
    assert row_counts(app) == before
    assert ("write", 1000, 2000) in calls


def test_progress_reports_both_phases_in_order(app: App, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = app.importer.run(_timew_file(tmp_path, 2500), "timewarrior",
                               progress=lambda *a: calls.append(a))
    assert summary.new == 2500
    reads = [c for c in calls if c[0] == "read"]
    writes = [c for c in calls if c[0] == "write"]
    assert calls.index(reads[-1]) < calls.index(writes[0])
    assert reads[-1][1] == reads[-1][2]
    assert [w[1] for w in writes] == [0, 500, 1000, 1500, 2000, 2500]
    assert {w[2] for w in writes} == {2500}


def test_backup_only_when_something_is_written(app: App) -> None:
    app.entries.add(1_700_000_000, 1_700_003_600, project="Existing")
    app.importer.run(DATA / "watson_frames.json", "watson")
    backups = [b for b in app.backups.list() if b.reason == "pre-import"]
    assert len(backups) == 1
    app.importer.run(DATA / "watson_frames.json", "watson")
    assert len([b for b in app.backups.list() if b.reason == "pre-import"]) == 1
    # The backup is the state before the import: one entry.
    import sqlite3

    with sqlite3.connect(backups[0].path) as connection:
        assert connection.execute("SELECT count(*) FROM time_entries").fetchone() == (1,)


def test_imported_entries_are_not_undone_one_by_one(app: App) -> None:
    app.entries.add(1_700_000_000, 1_700_003_600, project="Manual")
    app.importer.run(DATA / "watson_frames.json", "watson")
    undone = app.entries.undo()
    assert undone.entry.project == "Manual"
    assert app.entries.count() == 5


def test_unreadable_files_and_bad_options(app: App, tmp_path: Path, events: Events) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        app.importer.run(tmp_path / "missing.csv", "toggl")
    assert events[-1] == ("import.failed", {"format": "toggl", "kind": "io_error"})
    with pytest.raises(ImportFileError, match="folder"):
        app.importer.run(tmp_path, "toggl")
    with pytest.raises(ImportFileError, match="no Timewarrior data files"):
        app.importer.run(tmp_path, "timewarrior")
    with pytest.raises(ValidationError, match="Unknown import format"):
        app.importer.run(DATA / "toggl_detailed.csv", "clockify")
    with pytest.raises(ValidationError, match="Unknown time zone 'Mars/Base'"):
        app.importer.run(DATA / "toggl_detailed.csv", "toggl", "Mars/Base")


def test_binary_file_is_a_format_error_with_a_line(app: App, tmp_path: Path) -> None:
    path = tmp_path / "frames"
    path.write_bytes(b'[\n [1, 2, "p", "id", []],\n \xff\xfe]')
    with pytest.raises(ImportFormatError, match=r"frames:3: is not UTF-8"):
        app.importer.run(path, "watson")


@pytest.mark.parametrize(("head", "kind"), [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF-1.7", "a PDF document")])
def test_a_file_that_is_not_text_says_what_it_seems_to_be(
        app: App, tmp_path: Path, head: bytes, kind: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(ImportFormatError) as raised:
        app.importer.run(path, "toggl", "UTC")
    assert raised.value.line is None
    assert raised.value.problem.startswith(f"is {kind}")
    assert "choose the file the other app exported" in raised.value.problem
    assert app.entries.count() == 0


def test_existing_non_ascii_names_are_reused(app: App, tmp_path: Path) -> None:
    app.entries.add(1_700_000_000, 1_700_003_600, project="Über", tags=["Ünï"])
    path = tmp_path / "2024-01.data"
    path.write_text("inc 20240101T080000Z - 20240101T090000Z # Über Ünï\n")
    assert app.importer.run(path, "timewarrior").new == 1
    assert {e.project for e in app.entries.list()} == {"Über"}


def test_every_format_is_described_and_offered_by_the_cli() -> None:
    from timetracker.cli.transfer_cmds import IMPORT_CHOICES
    from timetracker.core.importers import FORMAT_INFO, FORMATS, normalise_format

    assert set(FORMAT_INFO) == set(FORMATS)
    assert sorted(normalise_format(choice) for choice in IMPORT_CHOICES) == sorted(FORMATS)
