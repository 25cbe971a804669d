"""The import dialog: dry-run preview, progress, the error report, all-or-nothing imports."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
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


def defaults(dialog: ImportDialog) -> list[str]:
    """The text of every button that is the dialog's default (Enter presses it)."""
    return [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]


def press_enter(qtbot: QtBot, dialog: ImportDialog) -> None:
    """Enter where the keyboard focus is, as a user would press it (the dialog if none)."""
    focus = QApplication.focusWidget()
    target: QWidget = focus if focus is not None and focus.window() is dialog else dialog
    qtbot.keyClick(target, Qt.Key.Key_Return)


def broken_toggl(tmp_path: Path, *bad_lines: int) -> Path:
    """The Toggl sample with an impossible start time on each of ``bad_lines`` (1-based)."""
    lines = TOGGL.read_text(encoding="utf-8-sig").splitlines()
    for number in bad_lines:  # the first time on the line is the start time
        lines[number - 1] = re.sub(r",(\d{4}-\d\d-\d\d),\d\d:", r",\1,28:",
                                   lines[number - 1], count=1)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return broken


def shown_dialog(qtbot: QtBot, app: App) -> ImportDialog:
    """An import dialog on screen (key presses and focus behave as for a user)."""
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def wait_until_idle(qtbot: QtBot, dialog: ImportDialog) -> None:
    """Until the dialog's preview or import job has ended (its buttons are back)."""
    qtbot.waitUntil(lambda: dialog._job is not None and dialog._job.is_done, timeout=10_000)


def failed_preview(qtbot: QtBot, app: App, fmt: str, path: Path,
                   tz: str | None = None) -> ImportDialog:
    """An import dialog whose Preview of ``path`` as ``fmt`` was refused."""
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.set_inputs(fmt, path, tz=tz)
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.preview_button.click()
    return dialog


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
    assert defaults(dialog) == ["Preview"]  # nothing to import: Enter previews again


def test_bad_file_shows_file_line_field_and_writes_nothing(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    lines = TOGGL.read_text(encoding="utf-8-sig").splitlines()
    # Line 4 of the file (the third data row) gets an impossible start time.
    lines[3] = lines[3].replace("08:30:00", "28:30:00", 1)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dialog = failed_preview(qtbot, app, "toggl", broken, tz="Europe/Berlin")
    report = dialog.error_report()
    assert report["File"] == str(broken)
    assert report["Line"] == "4"
    assert report["Field"].lower() == "start time"
    assert report["Problem"]
    assert "Nothing was changed" in dialog.error_title.text()
    # one bad row: no list of problems, just what to do
    note = dialog.error_note.text()
    assert dialog.error_note.isVisibleTo(dialog) and "Preview again" in note
    assert not dialog.problem_list.isVisibleTo(dialog)
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
    dialog = failed_preview(qtbot, app, "watson", tmp_path / "nope" / "frames")
    assert "no such file" in dialog.error_report()["Problem"]


def test_a_picture_picked_as_an_export_is_named_as_such(qtbot: QtBot, app: App,
                                                        tmp_path: Path) -> None:
    picture = tmp_path / "screenshot.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    dialog = failed_preview(qtbot, app, "toggl", picture, tz="Europe/Berlin")
    report = dialog.error_report()
    assert set(report) == {"File", "Problem"}  # no line or field to name
    assert report["Problem"].startswith("This file is a PNG image, not a text export")
    assert "Choose the right file" in dialog.error_note.text()
    assert app.entries.count() == 0


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


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancelling_an_import_writes_nothing(qtbot: QtBot, app: App, tmp_path: Path,
                                             how: str) -> None:
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
    if how == "button":
        dialog.cancel_button.click()
    else:  # Esc while it runs cancels too (it must not hide the dialog and carry on)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # "Cancel" stops the import; it does not close the dialog
    with qtbot.waitSignal(job.done, timeout=30_000):
        pass
    assert job.is_cancelled
    assert "Nothing was imported" in dialog.summary_label.text()
    assert app.entries.count() == 0
    assert app.catalog.projects() == []
    assert dialog.cancel_button.text() == "Cancel" and dialog.preview_button.isEnabled()


def test_enter_previews_then_imports_and_never_cancels(qtbot: QtBot, app: App) -> None:
    dialog = shown_dialog(qtbot, app)
    dialog.activateWindow()
    dialog.set_inputs("toggl", TOGGL, tz="Europe/Berlin")
    dialog.path_edit.setFocus()
    assert defaults(dialog) == ["Preview"]

    with qtbot.waitSignal(dialog.previewed, timeout=10_000):
        press_enter(qtbot, dialog)  # Enter in the file field runs the preview
        job = dialog._job
        assert job is not None and not job.is_done
        # While it runs Preview/Import are disabled and focus falls to Cancel — which still
        # must not take Enter: pressing it now neither cancels the preview nor closes.
        assert defaults(dialog) == ["Preview"] and not dialog.cancel_button.isDefault()
        dialog.cancel_button.setFocus()
        press_enter(qtbot, dialog)
        assert not job.is_cancelled and dialog.isVisible()
    qtbot.waitUntil(lambda: job.is_done, timeout=10_000)
    assert app.entries.count() == 0

    # A good preview: Import is the default and has the focus; Enter imports.
    assert defaults(dialog) == ["Import"]
    assert dialog.import_button.isEnabled() and dialog.import_button.hasFocus()
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        press_enter(qtbot, dialog)
    wait_until_idle(qtbot, dialog)
    assert app.entries.count() == 8
    # Afterwards the only button left is Close: Enter closes the finished dialog.
    assert defaults(dialog) == ["Close"] and dialog.cancel_button.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert app.entries.count() == 8  # closing after the import keeps it


def test_every_bad_row_is_listed_and_a_fixed_file_previews(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    broken = broken_toggl(tmp_path, 4, 7)
    dialog = shown_dialog(qtbot, app)
    dialog.set_inputs("toggl", broken, tz="Europe/Berlin")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    wait_until_idle(qtbot, dialog)
    # the file once, then each problem once: in the list, in file order
    assert dialog.error_report() == {"File": str(broken)}
    assert "2 problems were found" in dialog.error_title.text()
    listed = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert dialog.problem_list.isVisibleTo(dialog)
    assert [line.split(",")[0] for line in listed] == ["Line 4", "Line 7"]
    assert all("Start time" in line for line in listed)
    assert "all listed" in dialog.error_note.text()
    # After a failure Enter means "preview again", and the focus is on Preview.
    assert defaults(dialog) == ["Preview"] and dialog.preview_button.hasFocus()

    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[3] = TOGGL.read_text(encoding="utf-8-sig").splitlines()[3]  # the user fixes line 4
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        press_enter(qtbot, dialog)
    assert dialog.error_report()["Line"] == "7"  # the one left: no list for one problem
    assert not dialog.problem_list.isVisibleTo(dialog)

    broken.write_text(TOGGL.read_text(encoding="utf-8-sig"), encoding="utf-8")
    wait_until_idle(qtbot, dialog)
    summary = preview(qtbot, dialog)
    assert summary.new == 8
    assert dialog.error_report() == {} and dialog.error_frame.isHidden()
    assert app.entries.count() == 0


def test_changing_the_format_or_file_clears_the_old_report(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    broken = broken_toggl(tmp_path, 4)
    dialog = shown_dialog(qtbot, app)
    dialog.set_inputs("toggl", broken, tz="Europe/Berlin")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.preview_button.click()
    wait_until_idle(qtbot, dialog)
    assert dialog.error_report()["Line"] == "4"
    # Toggl → Watson: the Toggl error says nothing about the file read as Watson frames.
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("watson"))
    assert dialog.error_report() == {} and not dialog.error_frame.isVisible()
    assert dialog.summary_label.text() == ""
    assert not dialog.import_button.isEnabled() and defaults(dialog) == ["Preview"]

    # A good preview, then another file: the old table and summary go, Import is off again.
    dialog.set_inputs("toggl", TOGGL, tz="Europe/Berlin")
    preview(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.table.rowCount() > 0 and dialog.summary_label.text()
    dialog.path_edit.setText(str(DATA / "toggl_usd.csv"))
    assert dialog.table.rowCount() == 0 and dialog.summary_label.text() == ""
    assert dialog.preview() is None and not dialog.import_button.isEnabled()
    assert defaults(dialog) == ["Preview"]
    # The format change (not only the path) also drops a good preview.
    preview(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("json"))
    assert dialog.table.rowCount() == 0 and not dialog.import_button.isEnabled()
    assert app.entries.count() == 0


def test_problems_in_other_files_of_a_timewarrior_folder_name_their_file(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    folder = tmp_path / "timew" / "data"
    folder.mkdir(parents=True)
    (folder / "2024-03.data").write_text(
        "inc 20240304T080000Z - 20240304T090000Z # P\nnonsense\n", encoding="utf-8")
    (folder / "2024-04.data").write_text("inc 2024XX04T080000Z # P\n", encoding="utf-8")
    dialog = shown_dialog(qtbot, app)
    dialog.set_inputs("timewarrior", folder, tz="UTC")
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000):
        dialog.preview_button.click()
    wait_until_idle(qtbot, dialog)
    listed = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert listed[0].startswith("Line 2: ")  # the file shown above
    assert listed[1].startswith("2024-04.data, line 1, ")  # another file: named
    assert app.entries.count() == 0
