"""The import dialog: dry-run preview, progress, the error report, all-or-nothing imports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from support.view_data import make_app
from timetracker.app import App
from timetracker.core.importers import ImportSummary
from timetracker.ui.import_dialog import STEPS, ImportDialog

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
TOGGL = DATA / "toggl_detailed.csv"


@pytest.fixture
def app(home: Path) -> Iterator[App]:
    application = make_app(home)
    yield application
    application.close()


def preview(qtbot: QtBot, dialog: ImportDialog) -> ImportSummary:
    with qtbot.waitSignal(dialog.previewed, timeout=10_000) as blocker:
        dialog.preview_button.click()
    summary = blocker.args[0]
    assert isinstance(summary, ImportSummary)
    return summary


def test_preview_is_a_dry_run_then_import_writes_everything(qtbot: QtBot, app: App) -> None:
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("toggl", TOGGL, tz="Europe/Berlin")
    assert not dialog.import_button.isEnabled()  # nothing previewed yet
    summary = preview(qtbot, dialog)
    expected = app.importer.preview(TOGGL, "toggl", "Europe/Berlin")
    assert summary.new == expected.new == 8
    assert app.entries.count() == 0  # the preview wrote nothing
    assert app.catalog.projects() == []
    assert dialog.table.rowCount() == len(expected.sample)
    first = expected.sample[0]
    assert dialog.table.item(0, 3).text() == first.project
    assert dialog.table.item(0, 5).text() == first.description
    assert dialog.table.item(0, 2).text() == "1:30 h"
    assert dialog.table.item(0, 0).text() == "Mon 04 Mar 2024, 09:00"  # Toggl's local time
    assert "8 rows read: 8 to import" in dialog.summary_label.text()
    assert dialog.import_button.isEnabled()

    steps: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.imported, timeout=10_000) as blocker:
        dialog.import_button.click()
        assert dialog._job is not None
        dialog._job.progress.connect(lambda d, t: steps.append((d, t)))
    done = blocker.args[0]
    assert done.new == 8 and not done.dry_run
    assert app.entries.count() == 8
    assert {p.name for p in app.catalog.projects()} == {
        "Website Relaunch", "Internal", "Support Contract"}
    assert done.backup is None or done.backup.startswith("timetracker-")
    assert "Imported 8 entries." in dialog.summary_label.text()
    assert dialog.progress.value() == STEPS
    assert steps and steps[-1][1] == STEPS and all(0 <= d <= STEPS for d, _ in steps)
    assert dialog.cancel_button.text() == "Close"
    assert not dialog.import_button.isEnabled()


def test_reimport_adds_nothing_and_says_so(qtbot: QtBot, app: App) -> None:
    app.importer.run(TOGGL, "toggl", "Europe/Berlin")
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("toggl", TOGGL, tz="Europe/Berlin")
    summary = preview(qtbot, dialog)
    assert summary.new == 0 and summary.duplicates == 8
    assert "Nothing new to import" in dialog.summary_label.text()
    assert not dialog.import_button.isEnabled()


def test_bad_file_shows_file_line_field_and_writes_nothing(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    lines = TOGGL.read_text(encoding="utf-8-sig").splitlines()
    # Line 4 of the file (the third data row) gets an impossible start time.
    lines[3] = lines[3].replace("08:30:00", "28:30:00", 1)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("toggl", broken, tz="Europe/Berlin")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.preview_button.click()
    report = dialog.error_report()
    assert report["File"] == str(broken)
    assert report["Line"] == "4"
    assert report["Field"].lower() == "start time"
    assert report["Problem"]
    assert "Nothing was changed" in dialog.error_title.text()
    assert not dialog.import_button.isEnabled()
    assert dialog.table.rowCount() == 0
    assert app.entries.count() == 0
    # Even forcing the real import does not write a single row.
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.start_import()
    assert app.entries.count() == 0
    assert app.catalog.projects() == [] and app.catalog.clients() == []
    assert not any(b.reason == "pre-import" for b in app.backups.list())


def test_missing_file_is_reported(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("watson", tmp_path / "nope" / "frames")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.preview_button.click()
    assert "no such file" in dialog.error_report()["Problem"]


def test_timewarrior_folder_with_tag_mapping(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    folder = tmp_path / "timew"
    shutil.copytree(DATA / "timewarrior", folder)
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("timewarrior", folder, tz="UTC", tags_mode="tags")
    assert dialog.tags_combo.isVisibleTo(dialog) and dialog.folder_button.isVisibleTo(dialog)
    summary = preview(qtbot, dialog)
    expected = app.importer.preview(folder, "timewarrior", "UTC", tags_mode="tags")
    assert summary.new == expected.new > 0
    assert all(dialog.table.item(r, 3).text() == "" for r in range(dialog.table.rowCount()))
    dialog.set_inputs("toggl", TOGGL)
    assert not dialog.tags_combo.isVisibleTo(dialog)
    assert dialog.preview() is None and not dialog.import_button.isEnabled()  # stale now


def test_cancelling_an_import_writes_nothing(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    header = TOGGL.read_text(encoding="utf-8-sig").splitlines()[0]
    rows = [f"Jane,j@x,,P{i % 7},,Row {i},No,2023-01-01,00:00:00,2023-01-01,00:00:01,"
            f"00:00:01,,0.00" for i in range(20_000)]
    rows = [r.replace("2023-01-01,00:00:00,2023-01-01,00:00:01",
                      f"2023-01-01,{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},"
                      f"2023-01-01,{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}")
            for i, r in enumerate(rows)]
    big = tmp_path / "big.csv"
    big.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("toggl", big, tz="UTC")
    dialog.show()
    job = dialog.start_import()
    # Reading and writing 20,000 rows takes far longer than this click: the cancel lands
    # while the import runs, at whichever phase, and must leave the database untouched.
    dialog.cancel_button.click()
    assert dialog.isVisible()  # "Cancel" stops the import; it does not close the dialog
    with qtbot.waitSignal(job.done, timeout=30_000):
        pass
    assert job.is_cancelled
    assert "Nothing was imported" in dialog.summary_label.text()
    assert app.entries.count() == 0
    assert app.catalog.projects() == []
    assert dialog.cancel_button.text() == "Cancel" and dialog.preview_button.isEnabled()
