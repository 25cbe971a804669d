"""A tour of every feature: the real GUI (pytest-qt, real widgets) and the real CLI (subprocess).

Used by tests/telemetry/test_every_event_arrives.py (each declared event must arrive with its
declared properties) and tests/privacy/test_no_pii.py (marker strings typed into every text
input must never leave the machine). Every text a user could type comes from ``text(kind)`` —
plain words for the first, unique ``pii-…`` markers for the second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot
from timetracker.app import App
from timetracker.ui.background import Job
from timetracker.ui.main_window import MainWindow

from support.window_kit import wait_for

#: ``text(kind)`` → what the user types into a field of that kind.
TextSource = Callable[[str], str]

IMPORT_FORMATS = ("toggl", "watson", "timewarrior", "timew_json", "json")
#: The CLI spells one format differently.
CLI_FORMAT = {"timew_json": "timew-json"}


# -- import files with user text in every field -------------------------------------------------

def write_import_file(fmt: str, folder: Path, text: TextSource) -> Path:
    """A valid import file of ``fmt`` whose names, tags and descriptions come from ``text``."""
    folder.mkdir(parents=True, exist_ok=True)
    name = text("file")
    if fmt == "toggl":
        header = ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
                  "End date,End time,Duration,Tags,Amount (EUR)")
        row = [text("user"), f"{text('email')}@example.com", text("client"), text("project"),
               text("task"), text("description"), "Yes", "2024-03-04", "09:00:00",
               "2024-03-04", "10:30:00", "01:30:00", f"{text('tag')}, {text('tag')}", "12.00"]
        path = folder / f"{name}.csv"
        path.write_text(header + "\n" + ",".join(f'"{v}"' for v in row) + "\n",
                        encoding="utf-8")
        return path
    if fmt == "watson":
        path = folder / f"{name}-frames"
        frames = [[1709539200, 1709544600, text("project"), "3c1f9e0a8b6d4e2f9a7c5b3d1e0f2a4b",
                   [text("tag"), text("tag")], 1709544600]]
        path.write_text(json.dumps(frames), encoding="utf-8")
        return path
    if fmt == "timewarrior":
        path = folder / f"{name}.data"
        path.write_text(f'inc 20240226T080000Z - 20240226T093000Z # "{text("project")}" '
                        f'"{text("tag")}" # "{text("description")}"\n', encoding="utf-8")
        return path
    if fmt == "timew_json":
        path = folder / f"{name}.json"
        path.write_text(json.dumps([{"id": 1, "start": "20240227T080000Z",
                                     "end": "20240227T093000Z",
                                     "tags": [text("project"), text("tag")],
                                     "annotation": text("description")}]), encoding="utf-8")
        return path
    if fmt == "json":
        client, project, task, tag = text("client"), text("project"), text("task"), text("tag")
        data = {
            "format": "timetracker-export", "version": 1, "app_version": "0.1.0",
            "exported_at": "2024-03-09T16:00:00Z",
            "clients": [{"id": 1, "name": client, "archived": False, "created_at": 1710000000}],
            "projects": [{"id": 1, "name": project, "client": client, "color": "#112233",
                          "billable": True, "rate_cents": 8550, "rate": "85.50",
                          "currency": "EUR", "archived": False, "created_at": 1710000000}],
            "tasks": [{"id": 1, "project": project, "name": task, "done": False,
                       "created_at": 1710000000}],
            "tags": [{"id": 1, "name": tag, "archived": False, "created_at": 1710000000}],
            "entries": [{"id": 1, "key": "tt:1710000000:1", "start": "2024-03-04T09:00:00+01:00",
                         "end": "2024-03-04T10:30:00+01:00", "start_utc": 1709539200,
                         "end_utc": 1709544600, "tz": "Europe/Berlin",
                         "duration_seconds": 5400, "running": False,
                         "description": text("description"), "client": client,
                         "project": project, "task": task, "tags": [tag], "billable": True,
                         "created_at": 1710000000, "updated_at": 1710000000}],
        }
        path = folder / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path
    raise ValueError(f"no sample for import format {fmt!r}")


def write_broken_import_file(folder: Path, text: TextSource) -> Path:
    """A Toggl CSV whose second row has a date that is not a date (the error names the field)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{text('file')}-broken.csv"
    path.write_text("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
                    "End date,End time,Duration,Tags\n"
                    f'"{text("user")}","x@example.com","","{text("project")}","",'
                    f'"{text("description")}","No","{text("date")}","09:00:00","2024-03-04",'
                    '"10:00:00","01:00:00",""\n', encoding="utf-8")
    return path


# -- GUI --------------------------------------------------------------------------------------

def in_modal(open_it: Callable[[], object], handle: Callable[[QDialog], None],
             timeout: float = 10.0) -> None:
    """Call ``open_it`` (which runs a modal dialog's exec()) and ``handle`` the dialog."""
    handled: list[bool] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, poll)
            return
        try:
            handle(dialog)
        finally:
            handled.append(True)
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, poll)
    open_it()
    assert handled, "the modal dialog never opened"


def wait_job(job: Job, timeout: float = 15.0) -> None:
    wait_for(lambda: job.is_done, timeout)


def _pick_project(qtbot: QtBot, picker: object, name: str) -> None:
    popup = picker.open_popup()  # type: ignore[attr-defined]
    qtbot.keyClicks(popup.search, name)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)  # "Create project …"


def _pick_tag(qtbot: QtBot, picker: object, name: str) -> None:
    popup = picker.open_popup()  # type: ignore[attr-defined]
    qtbot.keyClicks(popup.search, name)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)  # "Create tag …", checked
    popup.close()


def _retype(qtbot: QtBot, field: object, value: str) -> None:
    field.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, value)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def tour_timer_and_entries(qtbot: QtBot, window: MainWindow, app: App,
                           text: TextSource) -> None:
    bar = window.bar
    # timer.started (bar) with a new project and tag typed into the pickers
    qtbot.keyClicks(bar.description, text("description"))
    _pick_project(qtbot, bar.project, text("project"))
    _pick_tag(qtbot, bar.tags, text("tag"))
    qtbot.mouseClick(bar.start_stop, Qt.MouseButton.LeftButton)
    assert app.entries.current() is not None
    _retype(qtbot, bar.description, text("description"))  # entry.edited (bar)
    window.shortcuts["toggle_timer"].activated.emit()  # timer.stopped (shortcut)
    assert app.entries.current() is None
    window.tray.continue_action.trigger()  # timer.continued (tray)
    assert app.entries.current() is not None
    window.actions_by_key["toggle_timer"].trigger()  # timer.stopped (menu)
    assert app.entries.current() is None

    # entry.created (dialog) through File › New entry
    def fill(dialog: QDialog) -> None:
        qtbot.keyClicks(dialog.description, text("description"))  # type: ignore[attr-defined]
        _pick_project(qtbot, dialog.project, text("project"))  # type: ignore[attr-defined]
        _pick_tag(qtbot, dialog.tags, text("tag"))  # type: ignore[attr-defined]
        qtbot.keyClicks(dialog.start, "6:00")  # type: ignore[attr-defined]
        qtbot.keyClicks(dialog.end, "7:15")  # type: ignore[attr-defined]
        buttons = dialog.buttons  # type: ignore[attr-defined]
        buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert dialog.result() == QDialog.DialogCode.Accepted, \
            dialog.error.text()  # type: ignore[attr-defined]

    before = app.entries.count()
    in_modal(lambda: window.actions_by_key["new_entry"].trigger(), fill)
    assert app.entries.count() == before + 1

    window.refresh_all()
    rows = window.entries.rows()
    assert rows, "the week shows the entries just made"
    row = rows[0]
    _retype(qtbot, row.description, text("description"))  # entry.edited (menu)
    qtbot.keyClicks(window.entries.find_field, text("search"))
    window.entries.find_field.clear()
    row = window.entries.rows()[0]
    actions = {a.text(): a for a in row.build_menu().actions()}
    actions["Duplicate"].trigger()  # entry.created (menu)
    row = window.entries.rows()[0]
    actions = {a.text(): a for a in row.build_menu().actions()}
    actions["Delete"].trigger()  # entry.deleted (menu)
    window.actions_by_key["undo"].trigger()  # entry.undone (menu)


def tour_projects(qtbot: QtBot, window: MainWindow, app: App, text: TextSource) -> None:
    window.actions_by_key["view_projects"].trigger()
    view = window.pages["projects"]
    qtbot.keyClicks(view.new_project, text("project"))  # type: ignore[attr-defined]
    client_edit = view.new_project_client.lineEdit()  # type: ignore[attr-defined]
    qtbot.keyClicks(client_edit, text("client"))
    qtbot.mouseClick(view.add_project_button,  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)  # project.created (dialog)
    newest = max(app.catalog.projects(), key=lambda p: p.id)
    view.select_project(newest.id)  # type: ignore[attr-defined]
    qtbot.keyClicks(view.new_task, text("task"))  # type: ignore[attr-defined]
    qtbot.keyClick(view.new_task, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    view.task_list.item(0).setCheckState(Qt.CheckState.Checked)  # type: ignore[attr-defined]
    view.task_list.item(0).setText(text("task"))  # type: ignore[attr-defined]
    view.currency_edit.setText(text("currency"))  # type: ignore[attr-defined]
    view.currency_edit.editingFinished.emit()  # type: ignore[attr-defined]  # refused
    row = view.project_row(newest.name)  # type: ignore[attr-defined]
    view.project_table.item(row, 0).setText(text("project"))  # type: ignore[attr-defined]
    view.select_project(newest.id)  # type: ignore[attr-defined]
    view.archive_button.click()  # type: ignore[attr-defined]  # project.archived
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    qtbot.keyClicks(view.new_client, text("client"))  # type: ignore[attr-defined]
    qtbot.keyClick(view.new_client, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    last = view.client_list.count() - 1  # type: ignore[attr-defined]
    view.client_list.item(last).setText(text("client"))  # type: ignore[attr-defined]
    view.client_list.setCurrentRow(last)  # type: ignore[attr-defined]
    view.client_archive_button.click()  # type: ignore[attr-defined]  # client.archived


def tour_reports_and_export(window: MainWindow, folder: Path, text: TextSource) -> None:
    window.actions_by_key["view_reports"].trigger()  # report.generated (menu)
    view = window.pages["reports"]
    shown: list[object] = []
    view.reportShown.connect(shown.append)  # type: ignore[attr-defined]
    wait_for(lambda: view.report() is not None)  # type: ignore[attr-defined]
    view.set_group_by("tag")  # type: ignore[attr-defined]  # report.generated (dialog)
    wait_for(lambda: bool(shown))
    ended: list[int] = []
    view.exportDone.connect(lambda _path, rows: ended.append(rows))  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    view.export_to(folder / f"{text('file')}.csv", "csv")  # type: ignore[attr-defined]
    wait_for(lambda: bool(ended), 15.0)
    assert ended[0] >= 0, "the export failed"


def tour_import(window: MainWindow, app: App, folder: Path, text: TextSource) -> None:
    from timetracker.ui.import_dialog import ImportDialog

    for fmt in IMPORT_FORMATS:
        dialog = ImportDialog(app, window)
        dialog.set_inputs(fmt, write_import_file(fmt, folder / fmt, text), tz="UTC")
        wait_job(dialog.start_preview())  # import.completed (dry run)
        assert dialog.preview() is not None, dialog.error_report()
        wait_job(dialog.start_import())  # import.completed; backup.created (pre-import)
        assert dialog.result() is not None, dialog.error_report()
        dialog.close()
        dialog.deleteLater()
    dialog = ImportDialog(app, window)
    dialog.set_inputs("toggl", write_broken_import_file(folder / "broken", text),
                      tz=text("zone"))  # a time zone that does not exist
    wait_job(dialog.start_preview())  # import.failed + error.occurred
    dialog.set_inputs("toggl", write_broken_import_file(folder / "broken", text), tz="UTC")
    wait_job(dialog.start_preview())  # import.failed (format_error) + error.occurred
    assert dialog.error_report(), "the broken file was refused"
    dialog.close()
    dialog.deleteLater()


def tour_settings_and_backups(window: MainWindow, app: App) -> None:
    from timetracker.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(app, window)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))  # settings.changed (theme)
    dialog.close_to_tray.setChecked(not dialog.close_to_tray.isChecked())
    made: list[bool] = []
    dialog.backupDone.connect(lambda _kind, ok: made.append(ok))
    dialog.create_backup()  # backup.created (manual)
    wait_for(lambda: bool(made), 15.0)
    assert made == [True]
    name = dialog.backups()[0].name
    dialog.restore_backup(name)  # backup.restored; backup.created (pre-restore)
    wait_for(lambda: len(made) == 2, 15.0)
    assert made == [True, True]
    dialog.close()
    dialog.deleteLater()


def gui_tour(qtbot: QtBot, window: MainWindow, app: App, folder: Path,
             text: TextSource) -> None:
    """Every GUI feature, through the real widgets."""
    tour_timer_and_entries(qtbot, window, app, text)
    tour_projects(qtbot, window, app, text)
    tour_reports_and_export(window, folder / "export", text)
    tour_import(window, app, folder / "import", text)
    tour_settings_and_backups(window, app)


# -- CLI --------------------------------------------------------------------------------------

def cli(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real ``timetracker`` CLI; ``ok=False`` expects a refusal (exit code 1)."""
    done = subprocess.run([sys.executable, "-m", "timetracker", *args], env=env,
                          capture_output=True, text=True, timeout=60)
    if ok:
        assert done.returncode == 0, f"timetracker {' '.join(args)}: {done.stderr}"
    else:
        assert done.returncode == 1, f"timetracker {' '.join(args)} should fail: {done.stderr}"
    return done


def cli_tour(env: dict[str, str], folder: Path, text: TextSource) -> None:
    """Every CLI feature that takes user text (telemetry level set by the environment)."""
    cli(env, "start", text("project"), "-d", text("description"), "-t", text("tag"),
        "--task", text("task"))
    cli(env, "stop")
    cli(env, "continue")
    cli(env, "stop")
    added = json.loads(cli(env, "add", text("project"), "--start", "08:00", "--end", "08:30",
                           "-d", text("description"), "-t", text("tag"), "--json").stdout)
    entry_id = str(added["entry"]["id"])
    cli(env, "edit", entry_id, "-d", text("description"), "--project", text("project"),
        "-t", text("tag"))
    cli(env, "delete", entry_id)
    cli(env, "undo")
    cli(env, "clients", "add", text("client"))
    client = text("client")
    cli(env, "clients", "add", client)
    cli(env, "clients", "rename", client, text("client"))
    project = text("project")
    cli(env, "projects", "add", project, "--client", text("client"))
    cli(env, "projects", "rename", project, text("project"))
    tag = text("tag")
    cli(env, "tags", "add", tag)
    renamed = text("tag")
    cli(env, "tags", "rename", tag, renamed)  # tag.updated
    cli(env, "tags", "archive", renamed)  # tag.archived
    cli(env, "report", "--range", "last_month", "--by", "tag")
    cli(env, "report", "--by", "project", "--format", "json")
    cli(env, "config", "set", "theme", "light")
    cli(env, "config", "set", "timezone", text("zone"), ok=False)
    cli(env, "config", "set", "default_currency", text("currency"), ok=False)
    cli(env, "export", "-o", str(folder / f"{text('file')}.json"))
    for fmt in IMPORT_FORMATS:
        path = write_import_file(fmt, folder / f"cli-{fmt}", text)
        cli(env, "import", "--from", CLI_FORMAT.get(fmt, fmt), "--tz", "UTC", "--dry-run",
            str(path))
        cli(env, "import", "--from", CLI_FORMAT.get(fmt, fmt), "--tz", "UTC", str(path))
    cli(env, "import", "--from", "toggl", str(write_broken_import_file(folder, text)), ok=False)
    cli(env, "backup", "create")
