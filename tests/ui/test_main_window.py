"""The shell: lazy pages, the one action path, shortcuts and their help, accessibility, themes."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QMenu,
    QTableWidget,
)
from pytestqt.qtbot import QtBot
from support.window_kit import WindowFactory
from timetracker.app import App
from timetracker.ui import theme
from timetracker.ui.shortcuts import SHORTCUTS, native_text


def test_only_the_timer_page_is_built_until_another_is_opened(
        qtbot: QtBot, week_app: App, make_window: WindowFactory) -> None:
    window = make_window(week_app)
    assert set(window.pages) == {"timer"}
    built: list[str] = []
    window.page_built.connect(built.append)
    qtbot.mouseClick(window.nav_buttons["reports"], Qt.MouseButton.LeftButton)
    assert built == ["reports"]
    assert type(window.pages["reports"]).__name__ == "ReportsView"
    assert window.current_page() == "reports"
    window.show_page("projects", "menu")
    assert type(window.pages["projects"]).__name__ == "ProjectsView"
    window.show_page("reports", "menu")
    assert built == ["reports", "projects"]  # built once each
    assert ("view.reports", "menu") in window.dispatcher.history


def test_hidden_pages_refresh_when_shown_after_data_changed(
        week_app: App, make_window: WindowFactory) -> None:
    window = make_window(week_app)
    window.show_page("reports", "menu")
    window.show_page("timer", "menu")
    window.bar.description.setText("New work")
    window.bar.start("bar")
    assert "reports" in window._stale
    window.show_page("reports", "menu")
    assert "reports" not in window._stale


def test_every_shortcut_is_listed_in_help_and_works_from_the_keyboard(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app)
    window.show_shortcuts()
    table = window.shortcuts_dialog.findChild(QTableWidget)
    assert table is not None
    listed = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert {native_text(s.key) for s in SHORTCUTS} <= listed
    window.shortcuts_dialog.close()
    # The menu shows each shortcut next to its item.
    texts = [a.text() for menu in window.menuBar().findChildren(type(window.menuBar()
             .actions()[0].menu())) for a in menu.actions()]
    assert any(t.endswith("\t" + native_text("toggle_timer")) for t in texts)

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.bar.description.setText("Via keyboard")
    qtbot.keyClick(window.entries, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    running = live_app.entries.current()
    assert running is not None and running.description == "Via keyboard"
    assert window.dispatcher.history[-1] == ("timer.start", "shortcut")
    qtbot.keyClick(window.entries, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "reports"
    qtbot.keyClick(window.entries, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "timer"
    qtbot.keyClick(window.entries, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert live_app.entries.current() is None


def test_menu_items_run_through_the_dispatcher_with_source_menu(
        live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app)
    seen: list[tuple[str, str]] = []
    live_app.add_sink(lambda event, _p: seen.append((event, live_app.event_source)))
    window.actions_by_key["toggle_timer"].trigger()
    window.actions_by_key["toggle_timer"].trigger()
    assert seen[:2] == [("timer.started", "menu"), ("timer.stopped", "menu")]
    window.actions_by_key["continue_last"].trigger()
    assert ("timer.continued", "menu") in seen
    window.actions_by_key["undo"].trigger()
    assert window.dispatcher.history[-1] == ("entry.undo", "menu")
    assert live_app.event_source == "cli"


def test_controls_have_accessible_names(week_app: App, make_window: WindowFactory) -> None:
    window = make_window(week_app)
    unnamed = []
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLineEdit):
        if not widget.isVisibleTo(window) or isinstance(widget.parent(), QLineEdit):
            continue  # (a line edit's own icon buttons are named by the line edit)
        if not (widget.accessibleName() or widget.text().strip()):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []


def test_undo_with_nothing_to_undo_says_so(live_app: App, make_window: WindowFactory) -> None:
    window = make_window(live_app)
    window.undo("shortcut")
    assert window.toast.isVisible()
    assert window.toast.label.text() == "Nothing to undo."


def test_the_edit_and_timer_menus_say_what_they_will_do(live_app: App,
                                                         make_window: WindowFactory) -> None:
    window = make_window(live_app)
    menus = {m.title(): m for m in window.menuBar().findChildren(QMenu)}
    undo, toggle = window.actions_by_key["undo"], window.actions_by_key["toggle_timer"]
    menus["&Edit"].aboutToShow.emit()
    assert (undo.text(), undo.isEnabled()) == (f"Nothing to undo\t{native_text('undo')}", False)
    menus["&Timer"].aboutToShow.emit()
    assert toggle.text() == f"Start timer\t{native_text('toggle_timer')}"  # its key shown too
    window.bar.toggle("menu")  # starts a timer
    menus["&Timer"].aboutToShow.emit()
    assert toggle.text().startswith("Stop timer\t")
    menus["&Edit"].aboutToShow.emit()
    assert (undo.text().split("\t")[0], undo.isEnabled()) == ("Undo new entry", True)
    entry = live_app.entries.stop()
    live_app.entries.delete(entry.id)
    menus["&Edit"].aboutToShow.emit()
    assert undo.text().startswith("Undo delete\t")
    undo.trigger()
    assert live_app.entries.get(entry.id).id == entry.id


def test_a_refusal_on_the_projects_page_is_told_once_by_the_page(
        week_app: App, make_window: WindowFactory) -> None:
    window = make_window(week_app)
    window.show_page("projects", "menu")
    page = window.pages["projects"]
    existing = week_app.catalog.projects()[0].name
    page.new_project.setText(existing)
    page.create_project()  # a second project of that name: refused
    assert page.message.text().startswith("⚠")
    assert not window.toast.isVisible()  # not a second time at the bottom of the window
    window.bar.stop("shortcut")  # a refusal from the bar still gets the toast
    assert window.toast.isVisible() and window.toast.label.text() == "No timer is running."


def test_theme_switch_repaints_the_application(week_app: App,
                                               make_window: WindowFactory) -> None:
    window = make_window(week_app)
    week_app.config.set("theme", "dark")
    window.apply_theme()
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    assert qt_app.palette().color(QPalette.ColorRole.Window).name().upper() == \
        theme.THEMES["dark"].window
    assert theme.THEMES["dark"].surface.lower() in qt_app.styleSheet().lower()
    week_app.config.set("theme", "light")
    window.apply_theme()
    assert qt_app.palette().color(QPalette.ColorRole.Window).name().upper() == \
        theme.THEMES["light"].window


def test_missing_optional_views_show_a_placeholder(
        week_app: App, make_window: WindowFactory, monkeypatch: object) -> None:
    from timetracker.ui import main_window

    window = make_window(week_app)
    pages = (*main_window.PAGES[:2], ("reports", "Reports", "reports",
                                      ("timetracker.ui.no_such_view", "Nope")))
    monkeypatch.setattr(main_window, "PAGES", pages)  # type: ignore[attr-defined]
    window.show_page("reports", "menu")
    assert window.pages["reports"].text() == "Reports is not available in this version."


def test_the_shortcuts_list_is_grouped_and_closes_with_its_button(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    from PySide6.QtWidgets import QDialogButtonBox
    from timetracker.ui.help_dialogs import SECTIONS

    window = make_window(live_app)
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    table = dialog.findChild(QTableWidget)
    assert table is not None
    titles = [table.item(r, 0).text() for r in range(table.rowCount())
              if table.columnSpan(r, 0) == 2]
    assert titles == [title for title, _keys in SECTIONS] + ["In the entries list"]
    listed = [key for _title, keys in SECTIONS for key in keys]
    assert sorted(listed) == sorted(s.key for s in SHORTCUTS)  # each one in one section
    long = next(r for r in range(table.rowCount())
                if table.item(r, 1) is not None and "stays in the tray" in table.item(r, 1).text())
    # wrapped, not cut off: in a narrow window the row is as tall as its text needs
    dialog.resize(440, 600)
    QApplication.processEvents()
    text = table.item(long, 1).text()
    needed = table.fontMetrics().boundingRect(
        QRect(0, 0, table.columnWidth(1) - 12, 10_000), Qt.TextFlag.TextWordWrap, text)
    assert needed.height() > table.fontMetrics().height()  # (more than one line here)
    assert table.rowHeight(long) >= needed.height()
    # each says what it does once (its menu name is on the menu), under a left-aligned title
    assert table.item(long, 1).text().startswith("Close the window")
    assert table.horizontalHeaderItem(1).textAlignment() & Qt.AlignmentFlag.AlignLeft
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Close),
                     Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_about_names_the_version_and_where_the_data_lives(
        qtbot: QtBot, live_app: App, make_window: WindowFactory) -> None:
    from timetracker import build_info

    window = make_window(live_app)
    window.show_about()
    box = window.about_box
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    assert build_info.VERSION in text and "Licence: MIT" in text
    for folder in (live_app.paths.data_dir, live_app.paths.config_dir, live_app.paths.log_dir):
        assert folder.as_uri() in text  # a link that opens the folder
    box.close()
