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
    full_height = popup.height()
    qtbot.keyClicks(popup.search, "back")
    assert visible() == ["Backend", "Create project “back”"]
    # two items left: the popup shrinks to them, and a long name never scrolls sideways
    assert popup.height() < full_height
    assert popup.list.viewport().height() >= 2 * popup.list.sizeHintForRow(0)
    assert popup.list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
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


def test_choosing_a_project_for_a_running_timer_takes_its_billable_default(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    live_app.catalog.add_project("Client site", billable=True, rate="90", currency="EUR")
    live_app.catalog.add_task("Client site", "Design")
    live_app.catalog.add_project("Internal")
    bar = make_window(live_app).bar
    qtbot.keyClicks(bar.description, "Kick-off call")
    qtbot.keyClick(bar.description, Qt.Key.Key_Return)  # started first, project picked after
    assert live_app.entries.current().billable is False  # type: ignore[union-attr]

    popup = bar.project.open_popup()
    qtbot.keyClicks(popup.search, "Client site")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    running = live_app.entries.current()
    assert running is not None and (running.project, running.billable) == ("Client site", True)
    assert bar.billable.isChecked()

    bar.billable.setChecked(False)  # the user's own choice for this entry …
    popup = bar.project.open_popup()
    qtbot.keyClicks(popup.search, "Design")  # … stays when only the task changes
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    running = live_app.entries.current()
    assert running is not None and (running.task, running.billable) == ("Design", False)

    popup = bar.project.open_popup()
    qtbot.keyClicks(popup.search, "Internal")  # another project: its default (not billable)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    running = live_app.entries.current()
    assert running is not None and (running.project, running.billable) == ("Internal", False)


def test_the_tag_pickers_boxes_read_right_and_typing_stays_in_its_search(
        qtbot: QtBot, live_app: App, make_window: WindowFactory, qapp: object) -> None:
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication
    from timetracker.ui import theme

    assert isinstance(qapp, QApplication)
    previous = (qapp.styleSheet(), qapp.palette())
    theme.apply(qapp, "light")
    try:
        for name in ("alpha", "beta", "gamma"):
            live_app.catalog.add_tag(name)
        bar = make_window(live_app).bar
        bar.tags.set_tags(["beta"])
        popup = bar.tags.open_popup()
        qtbot.waitExposed(popup)
        image = popup.grab(popup.list.geometry()).toImage()  # (the search field has a caret)
        black = sum(QColor(image.pixel(x, y)).getRgb() == (0, 0, 0, 255)
                    for y in range(image.height()) for x in range(image.width()))
        assert black == 0  # an unticked box is drawn empty, not as a black square
        first = popup.list.item(0)
        qtbot.mouseClick(popup.list.viewport(), Qt.MouseButton.LeftButton,
                         pos=popup.list.visualItemRect(first).center())
        assert bar.tags.selected == ["alpha", "beta"]
        assert popup.search.hasFocus()  # the next keys still search
        qtbot.keyClicks(popup.search, "gam")
        assert popup.search.text() == "gam"
    finally:
        qapp.setStyleSheet(previous[0])
        qapp.setPalette(previous[1])
