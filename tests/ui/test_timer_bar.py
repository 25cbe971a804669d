"""The timer bar drives the real EntryService on a real database."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.window_kit import WindowFactory, wait_for
from timetracker.app import App


def test_start_with_inline_project_tags_and_billable_then_stop(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    sources: list[tuple[str, str]] = []
    live_app.add_sink(lambda event, _props: sources.append((event, live_app.event_source)))
    window = make_window(live_app)
    bar = window.bar

    qtbot.keyClicks(bar.description, "Write the quarterly report")
    popup = bar.project.open_popup()
    qtbot.keyClicks(popup.search, "Reporting")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)  # "Create project “Reporting”"
    assert bar.project.project == "Reporting"
    assert [p.name for p in live_app.catalog.projects()] == ["Reporting"]

    tags = bar.tags.open_popup()
    qtbot.keyClicks(tags.search, "writing")
    qtbot.keyClick(tags.search, Qt.Key.Key_Return)  # "Create tag “writing”", checked
    tags.close()
    assert bar.tags.selected == ["writing"]
    bar.billable.setChecked(True)

    qtbot.mouseClick(bar.start_stop, Qt.MouseButton.LeftButton)
    running = live_app.entries.current()
    assert running is not None
    assert (running.description, running.project, running.tags, running.billable) == (
        "Write the quarterly report", "Reporting", ("writing",), True)
    assert bar.running is not None and bar.running.id == running.id
    assert bar.start_stop.accessibleName() == "Stop timer"
    assert ("timer.started", "bar") in sources
    assert live_app.event_source == "cli"  # put back after the action

    first = bar.elapsed.text()
    wait_for(lambda: bar.elapsed.text() != first, timeout=3.5)  # ticks every second
    assert bar.elapsed.text().startswith("0:00:0")

    qtbot.mouseClick(bar.start_stop, Qt.MouseButton.LeftButton)
    assert live_app.entries.current() is None
    assert bar.running is None
    assert bar.description.text() == "" and bar.project.project is None
    assert bar.start_stop.accessibleName() == "Start timer"
    assert ("timer.stopped", "bar") in sources


def test_enter_in_the_description_starts_and_editing_changes_the_running_entry(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app)
    bar = window.bar
    qtbot.keyClicks(bar.description, "Emails")
    qtbot.keyClick(bar.description, Qt.Key.Key_Return)
    running = live_app.entries.current()
    assert running is not None and running.description == "Emails"

    bar.description.setFocus()
    bar.description.selectAll()
    qtbot.keyClicks(bar.description, "Emails and calls")
    qtbot.keyClick(bar.description, Qt.Key.Key_Return)  # editingFinished
    assert live_app.entries.get(running.id).description == "Emails and calls"

    popup = bar.project.open_popup()
    qtbot.keyClicks(popup.search, "Admin")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert live_app.entries.get(running.id).project == "Admin"


def test_continue_last_restarts_the_previous_entry(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    now = live_app.clock()
    live_app.entries.add(now - 7200, now - 3600, project="Design", description="Logo",
                         tags=["art"])
    window = make_window(live_app)
    bar = window.bar
    assert bar.continue_button.isVisible()
    assert "Logo" in bar.continue_button.toolTip()
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    running = live_app.entries.current()
    assert running is not None
    assert (running.description, running.project, running.tags) == ("Logo", "Design", ("art",))
    assert not bar.continue_button.isVisible()
    assert bar.description.text() == "Logo"


def test_picker_search_filters_projects_and_tasks(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    live_app.catalog.add_project("Website", client="Acme")
    live_app.catalog.add_project("Mobile")
    live_app.catalog.add_task("Website", "Backend")
    window = make_window(live_app)
    popup = window.bar.project.open_popup()
    visible = lambda: [popup.list.item(i).text().strip() for i in range(popup.list.count())  # noqa: E731
                       if not popup.list.item(i).isHidden()]
    assert visible()[:4] == ["No project", "Mobile", "Website   (Acme)", "Backend"]
    qtbot.keyClicks(popup.search, "back")
    assert visible() == ["Backend", "Create project “back”"]
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)  # the task is highlighted first
    assert (window.bar.project.project, window.bar.project.task) == ("Website", "Backend")


def test_a_refused_action_shows_its_message_and_changes_nothing(
        live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app)
    failures: list[tuple[str, str]] = []
    window.dispatcher.failed.connect(lambda name, msg: failures.append((name, msg)))
    window.bar.stop("shortcut")  # nothing runs
    assert failures == [("timer.stop", "No timer is running.")]
    assert window.toast.isVisible()
    assert window.toast.label.text() == "No timer is running."
    assert live_app.event_source == "cli"


def _props(events: list[tuple[str, Mapping[str, object]]], name: str) -> list[object]:
    return [props for event, props in events if event == name]
