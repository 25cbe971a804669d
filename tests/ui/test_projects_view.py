"""The projects view edits the real catalog: create, rename inline, details, archive, tasks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from timetracker.app import App
from timetracker.ui import theme
from timetracker.ui.projects_view import NO_CLIENT, ProjectsView


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
    view.client_combo.setCurrentText(NO_CLIENT)
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
    # a done task looks done: struck through, unlike the open ones
    looks = {view.task_list.item(r).text(): view.task_list.item(r).font().strikeOut()
             for r in range(view.task_list.count())}
    assert looks == {"Backend": False, "Design": True, "QA": False}
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


def domain_events(app: App) -> list[str]:
    """The names of the domain events the catalog emits from now on (every write emits one)."""
    seen: list[str] = []
    app.add_sink(lambda name, _props: seen.append(name))
    return seen


def shown(qtbot: QtBot, view: ProjectsView, size: tuple[int, int] = (1000, 560)) -> None:
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)


def test_refilling_the_table_never_writes_back(view: ProjectsView, app: App) -> None:
    # The reviewer's steps: an archived project, Show archived ticked with a row selected, a
    # project added (selected, last row), Show archived unticked — the selected row leaves the
    # table while it is being filled.
    app.catalog.archive_project("Research")
    view.show_archived.setChecked(True)
    select(view, app, "Mobile app")
    view.new_project.setText("Zeta")
    view.add_project_button.click()
    assert view.selected_project() == app.catalog.project("Zeta")
    before = app.catalog.projects(include_archived=True)
    events = domain_events(app)
    view.show_archived.setChecked(False)
    assert events == []  # no update_project at all
    assert app.catalog.projects(include_archived=True) == before
    assert "renamed" not in view.message.text()
    assert view.message.text() == "Project 'Zeta' created."
    assert view.selected_project() == app.catalog.project("Zeta")
    # An inline "edit" that changes nothing (same name, or only spaces around it) is no write.
    row = view.project_row("Internal")
    view.project_table.item(row, 0).setText("Internal")
    view.project_table.item(row, 0).setText("  Internal ")
    select(view, app, "Website relaunch")
    view.task_list.item(0).setText("Backend")
    view.client_list.item(0).setText("Acme Corp")
    assert events == []
    assert "renamed" not in view.message.text()


def ink(widget: QWidget) -> float:
    """How far the darkest or brightest pixel of ``widget`` is from its background."""
    image = widget.grab().toImage()
    background = QColor(image.pixel(4, image.height() // 2)).lightnessF()
    return max(abs(QColor(image.pixel(x, y)).lightnessF() - background)
               for x in range(image.width()) for y in range(image.height()))


def test_clients_archive_needs_a_selection_and_looks_disabled_until_then(
        qtbot: QtBot, themed: theme.Theme, view: ProjectsView) -> None:
    shown(qtbot, view)
    view.tabs.setCurrentIndex(1)
    button = view.client_archive_button
    assert not button.isEnabled()
    disabled_ink = ink(button)
    view.client_list.setCurrentRow(0)
    assert button.isEnabled()
    assert ink(button) > disabled_ink + 0.1  # the theme's style sheet must not hide it
    # Ctrl+click on the selected client clears the selection and disables it again.
    first = view.client_list.visualItemRect(view.client_list.item(0)).center()
    qtbot.mouseClick(view.client_list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, first)
    assert view.client_list.selectedItems() == []
    assert not button.isEnabled()
    # The same holds for the project details' buttons.
    view.tabs.setCurrentIndex(0)
    assert view.selected_project() is None
    assert not view.archive_button.isEnabled() and not view.add_task_button.isEnabled()


def test_each_tab_has_its_own_status_line(qtbot: QtBot, view: ProjectsView) -> None:
    qtbot.keyClicks(view.new_project, "Zeta")
    qtbot.keyClick(view.new_project, Qt.Key.Key_Return)
    assert view.message.text() == "Project 'Zeta' created."
    view.tabs.setCurrentIndex(1)
    assert view.message.text() == ""  # not the Projects tab's message
    qtbot.keyClicks(view.new_client, "Umbrella")
    qtbot.keyClick(view.new_client, Qt.Key.Key_Return)
    assert view.message.text() == "Client 'Umbrella' created."
    view.tabs.setCurrentIndex(0)
    assert view.message.text() == "Project 'Zeta' created."
    view.tabs.setCurrentIndex(1)
    assert view.message.text() == "Client 'Umbrella' created."


def test_archiving_selects_the_neighbour_says_so_and_can_be_undone(
        qtbot: QtBot, view: ProjectsView, app: App) -> None:
    shown(qtbot, view)
    select(view, app, "Mobile app")  # rows: Internal, Mobile app, Research, Website relaunch
    view.archive_button.click()
    assert app.catalog.project("Mobile app").archived
    assert view.selected_project() == app.catalog.project("Research")  # now in its row
    assert view.details_title.text() == "Research"
    said = "Archived 'Mobile app'. Tick Show archived to see it."
    assert view.message.text() == said
    assert view.toast.isVisible() and view.toast.label.text() == said
    qtbot.mouseClick(view.toast.button, Qt.MouseButton.LeftButton)  # Undo
    assert not app.catalog.project("Mobile app").archived
    assert view.selected_project() == app.catalog.project("Mobile app")
    assert view.message.text() == "Restored 'Mobile app'."
    # The last row: the new last row is selected.
    select(view, app, "Website relaunch")
    view.archive_button.click()
    assert view.selected_project() == app.catalog.project("Research")
    # With Show archived ticked, the archived project stays selected.
    view.show_archived.setChecked(True)
    select(view, app, "Internal")
    view.archive_button.click()
    assert view.selected_project() == app.catalog.project("Internal")
    assert view.message.text() == "Archived 'Internal'."


def test_client_pickers_offer_no_client_and_show_their_items_whole(
        qtbot: QtBot, view: ProjectsView, app: App) -> None:
    shown(qtbot, view, (700, 480))
    select(view, app, "Research")
    for combo in (view.new_project_client, view.client_combo):
        items = [combo.itemText(i) for i in range(combo.count())]
        assert items == ["No client", "Acme Corp", "Globex"]
        assert combo.currentText() == "No client"
        edit = combo.lineEdit()
        assert all(edit.width() >= edit.fontMetrics().horizontalAdvance(text) for text in items)
    qtbot.keyClicks(view.new_project, "Zeta")
    view.add_project_button.click()
    assert app.catalog.project("Zeta").client is None
    assert view.new_project_client.currentText() == "No client"


def test_the_task_list_says_a_tick_means_done(
        qtbot: QtBot, view: ProjectsView, app: App) -> None:
    shown(qtbot, view)
    select(view, app, "Website relaunch")
    assert view.tasks_caption.isVisible()
    assert "done" in view.tasks_caption.text()
    assert view.tasks_caption.geometry().bottom() < view.task_list.geometry().top()


def test_the_colour_button_offers_the_palette_and_a_custom_colour(
        qtbot: QtBot, view: ProjectsView, app: App) -> None:
    from PySide6.QtCore import Qt
    from timetracker.core.catalog import PALETTE

    view.show()
    select(view, app, "Research")
    current = app.catalog.project("Research").color.upper()
    menu = view.color_menu()
    qtbot.addWidget(menu)
    assert list(view.swatches) == list(PALETTE)
    assert [c for c, b in view.swatches.items() if b.isChecked()] == \
        ([current] if current in PALETTE else [])
    assert [a.text() for a in menu.actions() if a.text()] == ["Custom colour…"]
    assert view.swatches[PALETTE[0]].toolTip().startswith("Blue")  # named, not a hex code
    menu.popup(view.color_button.mapToGlobal(view.color_button.rect().bottomLeft()))
    qtbot.waitExposed(menu)
    choice = next(c for c in PALETTE if c != current)
    qtbot.mouseClick(view.swatches[choice], Qt.MouseButton.LeftButton)
    assert app.catalog.project("Research").color.upper() == choice
    assert not menu.isVisible()


def test_tags_create_rename_archive_and_restore(qtbot: QtBot, view: ProjectsView,
                                                app: App) -> None:
    view.tabs.setCurrentIndex(2)
    assert view.tabs.tabText(2) == "Tags"
    page = view.tags_page
    before = [t.name for t in app.catalog.tags()]
    qtbot.keyClicks(page.new_name, "Deep work")
    qtbot.keyClick(page.new_name, Qt.Key.Key_Return)
    assert "Deep work" in [t.name for t in app.catalog.tags()]
    assert view.message.text() == "Tag 'Deep work' created." and page.new_name.text() == ""
    names = [page.list.item(r).text() for r in range(page.list.count())]
    assert sorted(names, key=str.lower) == names and set(names) == {*before, "Deep work"}
    row = names.index("Deep work")
    page.list.item(row).setText("Focus")  # renamed in place
    assert "Focus" in [t.name for t in app.catalog.tags()]
    assert view.message.text() == "Tag renamed."
    row = [page.list.item(r).text() for r in range(page.list.count())].index("Focus")
    page.list.setCurrentRow(row)
    assert page.archive_button.text() == "Archive"
    page.archive_button.click()
    assert "Focus" not in [t.name for t in app.catalog.tags()]  # the pickers no longer offer it
    row = [page.list.item(r).text() for r in range(page.list.count())].index("Focus")
    assert page.list.item(row).font().italic()  # still listed, as archived
    page.show_archived.setChecked(False)  # archived ones can be left out of the list
    assert page.list.item(row).isHidden()
    page.show_archived.setChecked(True)
    page.list.setCurrentRow(row)
    assert page.archive_button.text() == "Unarchive"
    page.archive_button.click()
    assert "Focus" in [t.name for t in app.catalog.tags()]
    # a name another tag has is refused with the core's message
    other = next(n for n in before if n.lower() != "focus")
    row = [page.list.item(r).text() for r in range(page.list.count())].index("Focus")
    page.list.item(row).setText(other.upper())
    assert view.message.text().startswith("⚠") and "already exists" in view.message.text()
    assert f"'{other}'" in view.message.text()  # the name as it is stored, not as typed
