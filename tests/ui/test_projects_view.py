"""The projects view edits the real catalog: create, rename inline, details, archive, tasks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from timetracker.app import App
from timetracker.ui.projects_view import ProjectsView


@pytest.fixture
def app(week_app: App) -> App:
    """A week of data (tests/ui/conftest.py's ``week_app``)."""
    return week_app


@pytest.fixture
def view(qtbot: QtBot, app: App) -> ProjectsView:
    widget = ProjectsView(app)
    qtbot.addWidget(widget)
    return widget


def select(view: ProjectsView, app: App, name: str) -> None:
    view.select_project(app.catalog.project(name).id)


def test_lists_projects_with_client_billable_and_rate(view: ProjectsView) -> None:
    table = view.project_table
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows == [["Internal", "—", "No", "—"], ["Mobile app", "Globex", "Yes", "$120.50"],
                    ["Research", "—", "No", "—"],
                    ["Website relaunch", "Acme Corp", "Yes", "€85.00"]]
    assert [view.client_list.item(r).text() for r in range(view.client_list.count())] == \
        ["Acme Corp", "Globex"]


def test_create_project_with_client_and_reject_duplicate(
        qtbot: QtBot, view: ProjectsView, app: App) -> None:
    qtbot.keyClicks(view.new_project, "  Data   migration ")
    view.new_project_client.setCurrentText("Initech")
    qtbot.mouseClick(view.add_project_button, Qt.MouseButton.LeftButton)
    created = app.catalog.project("Data migration")
    assert created.client == "Initech"
    assert view.selected_project() == created
    assert view.new_project.text() == ""
    assert "created" in view.message.text()
    # A duplicate name: the core's message, nothing added.
    qtbot.keyClicks(view.new_project, "website RELAUNCH")
    qtbot.keyClick(view.new_project, Qt.Key.Key_Return)
    assert "already exists" in view.message.text()
    assert len(app.catalog.projects()) == 5


def test_inline_rename_and_empty_name_is_refused(view: ProjectsView, app: App) -> None:
    row = view.project_row("Internal")
    item = view.project_table.item(row, 0)
    item.setText("Internal admin")  # what the inline editor commits
    assert app.catalog.project("Internal admin").color == "#F76B15"
    row = view.project_row("Internal admin")
    view.project_table.item(row, 0).setText("   ")
    assert "cannot be empty" in view.message.text()
    # The table shows what is stored again.
    assert view.project_table.item(view.project_row("Internal admin"), 0).text() == \
        "Internal admin"


def test_details_change_rate_currency_billable_colour_and_client(
        view: ProjectsView, app: App) -> None:
    select(view, app, "Research")
    assert view.details_title.text() == "Research"
    view.rate_edit.setText("99.5")
    view.rate_edit.editingFinished.emit()
    view.currency_edit.setText("gbp")
    view.currency_edit.editingFinished.emit()
    view.billable_box.setChecked(True)
    view.set_color("#12a594")
    view.client_combo.setCurrentText("Globex")
    view.client_combo.lineEdit().editingFinished.emit()
    stored = app.catalog.project("Research")
    assert (stored.rate_cents, stored.currency, stored.billable, stored.color, stored.client) == \
        (9950, "GBP", True, "#12A594", "Globex")
    assert view.project_table.item(view.project_row("Research"), 3).text() == "£99.50"
    # Bad values: the core's messages, nothing stored.
    view.rate_edit.setText("-3")
    view.rate_edit.editingFinished.emit()
    assert "non-negative amount" in view.message.text()
    view.currency_edit.setText("EU")
    view.currency_edit.editingFinished.emit()
    assert "three-letter code" in view.message.text()
    assert app.catalog.project("Research").rate_cents == 9950
    assert view.rate_edit.text() == "99.50"
    # Back to no client.
    view.client_combo.setCurrentText("(no client)")
    view.client_combo.lineEdit().editingFinished.emit()
    assert app.catalog.project("Research").client is None


def test_archive_and_unarchive(view: ProjectsView, app: App) -> None:
    select(view, app, "Internal")
    view.archive_button.click()
    assert app.catalog.project("Internal").archived
    assert "Internal" not in [p.name for p in view.projects()]
    view.show_archived.setChecked(True)
    select(view, app, "Internal")
    assert view.archive_button.text() == "Unarchive"
    assert view.project_table.item(view.project_row("Internal"), 1).text() == "archived"
    view.archive_button.click()
    assert not app.catalog.project("Internal").archived


def test_tasks_add_done_toggle_and_rename(qtbot: QtBot, view: ProjectsView, app: App) -> None:
    select(view, app, "Website relaunch")
    names = [view.task_list.item(r).text() for r in range(view.task_list.count())]
    assert names == ["Backend", "Design"]
    qtbot.keyClicks(view.new_task, "QA")
    qtbot.keyClick(view.new_task, Qt.Key.Key_Return)
    assert [t.name for t in app.catalog.tasks("Website relaunch")] == ["Backend", "Design", "QA"]
    view.task_list.item(1).setCheckState(Qt.CheckState.Checked)
    done = {t.name: t.done for t in app.catalog.tasks("Website relaunch")}
    assert done == {"Backend": False, "Design": True, "QA": False}
    view.task_list.item(0).setText("Backend API")
    assert "Backend API" in [t.name for t in app.catalog.tasks("Website relaunch")]
    qtbot.keyClicks(view.new_task, "design")  # same name, other case
    view.add_task_button.click()
    assert "already has a task" in view.message.text()


def test_clients_create_rename_archive(qtbot: QtBot, view: ProjectsView, app: App) -> None:
    view.tabs.setCurrentIndex(1)
    qtbot.keyClicks(view.new_client, "Umbrella")
    qtbot.keyClick(view.new_client, Qt.Key.Key_Return)
    assert [c.name for c in app.catalog.clients()] == ["Acme Corp", "Globex", "Umbrella"]
    item = view.client_list.item(0)
    item.setText("ACME Corporation")
    assert app.catalog.clients()[0].name == "ACME Corporation"
    # The project table follows the rename.
    assert view.project_table.item(view.project_row("Website relaunch"), 1).text() == \
        "ACME Corporation"
    view.client_list.setCurrentRow(1)
    view.client_archive_button.click()
    assert [c.name for c in app.catalog.clients()] == ["ACME Corporation", "Umbrella"]
    assert view.client_list.item(1).text() == "Globex"  # archived ones stay listed
    view.client_list.item(1).setText("umbrella")  # rename onto an existing name (other case)
    assert "already exists" in view.message.text()
    assert [c.name for c in app.catalog.clients(include_archived=True)] == \
        ["ACME Corporation", "Globex", "Umbrella"]


def test_changes_go_through_the_windows_action_dispatcher(qtbot: QtBot, app: App) -> None:
    from PySide6.QtWidgets import QVBoxLayout, QWidget
    from timetracker.ui.actions import ActionDispatcher

    window = QWidget()
    window.dispatcher = ActionDispatcher(app, window)  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    view = ProjectsView(app)
    QVBoxLayout(window).addWidget(view)
    changed: list[bool] = []
    window.dispatcher.data_changed.connect(lambda: changed.append(True))  # type: ignore[attr-defined]
    select(view, app, "Internal")
    view.billable_box.setChecked(True)
    assert app.catalog.project("Internal").billable
    assert window.dispatcher.history == [("catalog.update", "dialog")]  # type: ignore[attr-defined]
    assert changed == [True]
    view.currency_edit.setText("E1")
    view.currency_edit.editingFinished.emit()  # refused: the core's message shows inline
    assert "three-letter code" in view.message.text()
    assert app.event_source == "cli"  # put back after each action
