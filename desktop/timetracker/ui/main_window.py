"""The main window: navigation rail, timer bar, and the Timer / Projects / Reports pages.

Only the Timer page is built at start; Projects and Reports are built the first time they are
opened (start-up stays fast on big databases). Every user action goes through one
:class:`ActionDispatcher`; after any change — ours, or the CLI's noticed by the
:class:`DatabaseWatcher` — the bar and the visible page refresh, the hidden pages when shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from timetracker import build_info
from timetracker.core.entry_reads import EntryReads
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui import theme
from timetracker.ui.actions import ActionDispatcher, Source
from timetracker.ui.db_watcher import DatabaseWatcher
from timetracker.ui.entries_view import EntriesView
from timetracker.ui.icons import glyph
from timetracker.ui.qt_names import set_enum
from timetracker.ui.shortcuts import SHORTCUTS, native_text, sequence
from timetracker.ui.timer_bar import TimerBar
from timetracker.ui.toast import Toast
from timetracker.ui.tray import Tray, tray_available
from timetracker.ui.variants.kill_switches import KillSwitchBinding, flag_guarded
from timetracker.ui.variants.timer_variants import TimerHost
from timetracker.ui.variants.variant_host import built_flags

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from timetracker.app import App

#: The pages: key, title, glyph, (module, class) built lazily (None = built at start).
#: The Edit menu's Undo, by the change it would undo (entries.next_undo).
UNDO_TEXTS = {"create": "Undo new entry", "update": "Undo entry change",
              "delete": "Undo delete", "": "Nothing to undo"}
#: The navigation rail's width, and below which window width it shows only its icons.
RAIL_WIDTH, RAIL_COMPACT_WIDTH, RAIL_COMPACT_BELOW = 176, 60, 1000

PAGES: tuple[tuple[str, str, str, tuple[str, str] | None], ...] = (
    ("timer", "Timer", "timer", None),
    ("projects", "Projects", "projects", ("timetracker.ui.projects_view", "ProjectsView")),
    ("reports", "Reports", "reports", ("timetracker.ui.reports_view", "ReportsView")),
)


class Refreshable(Protocol):
    def refresh(self) -> None: ...


class _Unavailable(QLabel):
    """Stands in for a view whose module is not part of this build."""

    def __init__(self, title: str) -> None:
        super().__init__(f"{title} is not available in this version.")
        self.setObjectName("emptyState")
        set_enum(self, "alignment", "AlignCenter")

    def refresh(self) -> None:
        pass


class MainWindow(QMainWindow):
    #: a page was built (key) — tests and the start-up benchmark watch this
    page_built = Signal(str)
    #: the user quit (menu, tray, or closing the window when it does not stay in the tray);
    #: the launcher ends the event loop on it
    quit_requested = Signal()

    def __init__(self, app: App, parent: QWidget | None = None,
                 tray_enabled: bool | None = None) -> None:
        """``tray_enabled``: show a tray icon (None = when the platform has a tray)."""
        super().__init__(parent)
        self.app = app
        self.reads = EntryReads(app.db, app.clock)
        self.dispatcher = ActionDispatcher(app, self)
        self.quitting = False
        self._told_about_tray = False
        self.setWindowTitle(build_info.APP_NAME)  # (its icon is the application's)
        self.resize(1180, 760)
        self.setMinimumSize(QSize(820, 520))

        self.bar = TimerBar(app, self.reads, self.dispatcher)
        # timer-ui: the classic bar or the compact focus mode, swapped live (ui/variants).
        # The flags follow once attached (attach_flags): the launcher builds the flag client
        # after the window is idle, so start-up never waits for the telemetry modules.
        self.timer_host = TimerHost(self.bar)
        self.entries = EntriesView(app, self.reads, self.dispatcher)
        self.entries.notify.connect(self._notify)
        self.entries.edit_requested.connect(
            lambda entry: self.open_entry_dialog(entry, "menu"))
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {"timer": self.entries}
        self._stale: set[str] = set()
        self._placeholders: dict[str, QWidget] = {}
        for key, _title, _glyph, factory in PAGES:
            if factory is None:
                self.stack.addWidget(self.entries)
            else:
                holder = QWidget()
                QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
                self._placeholders[key] = holder
                self.stack.addWidget(holder)

        self.rail = self._build_rail()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.timer_host)
        rl.addWidget(self.stack, 1)
        central = QWidget()
        cl = QHBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.rail)
        cl.addWidget(right, 1)
        self.setCentralWidget(central)
        self.toast = Toast(central)

        self.actions_by_key: dict[str, QAction] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        self._build_actions()
        self._build_menus()

        # The tray's menu always exists (same actions everywhere); the icon only shows where
        # the platform has a tray.
        self.tray = Tray(lambda: self.bar.toggle("tray"), lambda: self.bar.continue_last("tray"),
                         lambda: self.dispatcher.run("window.show", "tray", self.show_and_raise),
                         lambda: self.dispatcher.run("app.quit", "tray", self.quit), self)
        self.tray_shown = tray_available() if tray_enabled is None else tray_enabled
        if self.tray_shown:
            self.tray.show()
        self.bar.ticked.connect(self._tray_tick)

        self.dispatcher.data_changed.connect(self.refresh_all)
        self.dispatcher.failed.connect(self._on_failed)
        self.watcher = DatabaseWatcher(self.reads, app.paths.database, parent=self)
        self.watcher.changed.connect(self.refresh_all)
        self.refresh_all()
        self.watcher.start()
        flags = built_flags(app)
        if flags is not None:  # already built (tests, a developer override): follow it now
            self.attach_flags()

    def attach_flags(self) -> None:
        """Let the flag-driven UI follow ``app.flags`` from now on: the timer-ui variant,
        the import/export kill switches and the Reports page (reports-v2, reports-config).
        The launcher calls this once telemetry has started; building the flag client here
        if needed. Idempotent."""
        from timetracker.ui.variants.flag_bridge import FlagBridge

        if self.timer_host.attached:
            return
        flags = self.app.flags
        bridge = FlagBridge(flags, self)
        self.timer_host.attach(flags, bridge)
        self.import_switch.attach(flags, bridge)
        self.export_switch.attach(flags, bridge)
        reports = self.pages.get("reports")
        attach = getattr(reports, "attach_flags", None)
        if callable(attach):
            attach(flags)

    # -- layout ------------------------------------------------------------------------------
    def _build_rail(self) -> QFrame:
        rail = QFrame()
        rail.setObjectName("navRail")
        rail.setFixedWidth(RAIL_WIDTH)
        self._rail_compact = False
        layout = QVBoxLayout(rail)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(2)
        self.brand = QLabel(build_info.APP_NAME)
        self.brand.setObjectName("navBrand")
        layout.addWidget(self.brand)
        self.nav_group = QButtonGroup(self)
        self.nav_group.setExclusive(True)
        self.nav_buttons: dict[str, QToolButton] = {}
        for index, (key, title, _glyph, _factory) in enumerate(PAGES):
            button = QToolButton()
            button.setText(f"  {title}")
            button.setCheckable(True)
            set_enum(button, "toolButtonStyle", "ToolButtonTextBesideIcon")
            button.setSizePolicy(button.sizePolicy().horizontalPolicy().Expanding,
                                 button.sizePolicy().verticalPolicy())
            button.setAccessibleName(f"Show {title}")
            button.setToolTip(f"{title} ({native_text('view_' + key)})")
            button.clicked.connect(lambda _=False, k=key: self.show_page(k, "menu"))
            self.nav_group.addButton(button, index)
            self.nav_buttons[key] = button
            layout.addWidget(button)
        self.nav_buttons["timer"].setChecked(True)
        layout.addStretch(1)
        self.settings_button = QToolButton()
        self.settings_button.setText("  Settings")
        set_enum(self.settings_button, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.settings_button.setSizePolicy(self.settings_button.sizePolicy().horizontalPolicy()
                                           .Expanding,
                                           self.settings_button.sizePolicy().verticalPolicy())
        self.settings_button.setAccessibleName("Open settings")
        self.settings_button.setToolTip(f"Settings ({native_text('settings')})")
        self.settings_button.clicked.connect(lambda: self.open_settings("menu"))
        layout.addWidget(self.settings_button)
        self._paint_rail()
        return rail

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rail(self.width() < RAIL_COMPACT_BELOW)

    def _fit_rail(self, compact: bool) -> None:
        """A narrow window: the rail shows only its icons (their names are in the tooltips),
        leaving the width to the page."""
        if compact == self._rail_compact:
            return
        self._rail_compact = compact
        self.rail.setFixedWidth(RAIL_COMPACT_WIDTH if compact else RAIL_WIDTH)
        self.brand.setVisible(not compact)
        style = "ToolButtonIconOnly" if compact else "ToolButtonTextBesideIcon"
        for button in (*self.nav_buttons.values(), self.settings_button):
            set_enum(button, "toolButtonStyle", style)
        theme.set_style_property(self.rail, "compact", compact)
        for child in self.rail.findChildren(QToolButton):
            theme.repolish(child)

    def _paint_rail(self) -> None:
        colors = theme.current()
        for key, _title, name, _factory in PAGES:
            self.nav_buttons[key].setIcon(glyph(name, colors.muted, 18))
        self.settings_button.setIcon(glyph("settings", colors.muted, 18))

    def _build_actions(self) -> None:
        run = self.dispatcher.run
        # Every handler goes through the dispatcher (tests/ui/test_instrumentation.py triggers
        # each menu item, shortcut and tray item and checks it did).
        handlers: dict[str, Callable[[Source], object]] = {
            "toggle_timer": self.bar.toggle,
            "continue_last": self.bar.continue_last,
            "focus_bar": lambda s: run("view.focus_bar", s, self._focus_bar),
            "new_entry": lambda s: self.open_entry_dialog(None, s),
            "find": lambda s: run("view.find", s, lambda: self._find(s)),
            "undo": self.undo,
            "view_timer": lambda s: self.show_page("timer", s),
            "view_projects": lambda s: self.show_page("projects", s),
            "view_reports": lambda s: self.show_page("reports", s),
            "prev_week": lambda s: run("view.week", s, lambda: self._week(-1, s)),
            "next_week": lambda s: run("view.week", s, lambda: self._week(1, s)),
            "this_week": lambda s: run("view.week", s, lambda: self._week(0, s)),
            "import": self.open_import,
            "settings": self.open_settings,
            "refresh": lambda s: run("view.refresh", s, self.refresh_all),
            "shortcuts_help": lambda s: run("view.shortcuts", s, self.show_shortcuts),
            "close_window": lambda s: run("window.close", s, self._close_window),
            "quit": lambda s: run("app.quit", s, self.quit),
        }
        for shortcut in SHORTCUTS:
            handler = handlers[shortcut.key]
            # The menu item shows the key (text after \t) but the key itself is a QShortcut,
            # so the handler knows whether the menu or the keyboard triggered it.
            action = QAction(f"{shortcut.label}\t{native_text(shortcut.key)}", self)
            action.setToolTip(shortcut.help)
            action.triggered.connect(lambda _=False, h=handler: h("menu"))
            self.actions_by_key[shortcut.key] = action
            key = QShortcut(sequence(shortcut.key), self)
            key.activated.connect(lambda h=handler: h("shortcut"))
            self.shortcuts[shortcut.key] = key

    def _build_menus(self) -> None:
        bar = self.menuBar()
        a = self.actions_by_key
        groups = (
            ("&File", ("new_entry", "import", "export", "settings", None, "close_window",
                       "quit")),
            ("&Edit", ("undo", "find")),
            ("&View", ("view_timer", "view_projects", "view_reports", None, "prev_week",
                       "next_week", "this_week", None, "refresh")),
            ("&Timer", ("toggle_timer", "continue_last", "focus_bar")),
            ("&Help", ("shortcuts_help",)),
        )
        # Export has no shortcut of its own; it opens the Reports page's export choices.
        a["export"] = QAction("Export…", self)
        a["export"].setToolTip("Export the entries of a range as CSV or JSON")
        a["export"].triggered.connect(lambda _=False: self.open_export("menu"))
        # Kill switches: import/export are disabled with the switch's reason while it is off.
        self.import_switch = KillSwitchBinding(FeatureFlags.IMPORT_ENABLED, parent=self)
        self.import_switch.bind(a["import"])
        self.export_switch = KillSwitchBinding(FeatureFlags.EXPORT_ENABLED, parent=self)
        self.export_switch.bind(a["export"])
        for title, keys in groups:
            menu = bar.addMenu(title)
            menu.setToolTipsVisible(True)  # a disabled item tells why
            for key in keys:
                if key is None:
                    menu.addSeparator()
                else:
                    menu.addAction(a[key])
            if title == "&Help":
                menu.addAction("About TimeTracker", lambda: self.dispatcher.run(
                    "view.about", "menu", self.show_about))
            elif title == "&Edit":
                menu.aboutToShow.connect(self._name_undo)
            elif title == "&Timer":
                menu.aboutToShow.connect(self._name_toggle)

    def _name_undo(self) -> None:
        """The Edit menu says what Undo would undo (or that there is nothing)."""
        action = self.actions_by_key["undo"]
        try:
            last = self.app.entries.next_undo()
        except Exception:  # the menu must open anyway: Undo itself reports a real problem
            last = "?"
        action.setText(f"{UNDO_TEXTS.get(last or '', 'Undo')}\t{native_text('undo')}")
        action.setEnabled(last is not None)

    def _name_toggle(self) -> None:
        """The Timer menu's first item says what it will do now."""
        running = self.bar.running is not None
        self.actions_by_key["toggle_timer"].setText(
            f"{'Stop timer' if running else 'Start timer'}\t{native_text('toggle_timer')}")

    # -- pages -------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page ``key``, building it on first use."""
        if key in self.pages:
            return self.pages[key]
        _k, title, _g, factory = next(p for p in PAGES if p[0] == key)
        assert factory is not None
        module_name, class_name = factory
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            widget: QWidget = _Unavailable(title)
        else:
            widget = getattr(module, class_name)(self.app, self._placeholders[key])
        holder = self._placeholders[key]
        layout = holder.layout()
        assert layout is not None
        layout.addWidget(widget)
        self.pages[key] = widget
        self.page_built.emit(key)
        return widget

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()][0]

    def show_page(self, key: str, source: Source = "menu") -> None:
        self.dispatcher.run(f"view.{key}", source, lambda: self._switch_page(key),
                            changes_data=False)

    def _switch_page(self, key: str) -> QWidget:
        index = next(i for i, p in enumerate(PAGES) if p[0] == key)
        fresh = key not in self.pages
        widget = self.page(key)
        self.stack.setCurrentIndex(index)
        self.nav_buttons[key].setChecked(True)
        if fresh or key in self._stale:  # a new page shows data at once (reports too)
            _refresh(widget)
        self._stale.discard(key)
        return widget

    # -- refreshing --------------------------------------------------------------------------
    def refresh_all(self) -> None:
        self.bar.refresh()
        current = self.current_page()
        for key, widget in self.pages.items():
            if key == current:
                _refresh(widget)
            else:
                self._stale.add(key)
        self._tray_tick(self.bar.running.duration(self.app.clock()) if self.bar.running else 0)

    def _tray_tick(self, seconds: int) -> None:
        self.tray.show_state(self.bar.running, seconds)
        what = self.bar.running
        title = build_info.APP_NAME
        if what is not None:
            from timetracker.ui.timer_bar import clock_text

            title = f"{clock_text(seconds)} · {what.project or 'No project'} — {title}"
        self.setWindowTitle(title)

    def apply_theme(self) -> None:
        instance = QApplication.instance()
        if isinstance(instance, QApplication):
            theme.apply(instance, str(self.app.config.get("theme")))
        self._paint_rail()
        self.bar.retheme()
        self.entries.retheme()
        self.refresh_all()

    # -- actions -----------------------------------------------------------------------------
    def undo(self, source: Source) -> None:
        entries = self.app.entries
        result = self.dispatcher.run("entry.undo", source, entries.undo)
        if result is not None:
            what = {"create": "adding", "update": "the change to", "delete": "deleting"}
            described = f"“{result.entry.description}”" if result.entry.description else \
                "the entry"
            self._notify(f"Undid {what.get(result.action, result.action)} {described}.", "",
                         None)

    def _notify(self, text: str, action_text: str, action: object) -> None:
        callback = action if callable(action) else None
        self.toast.show_message(text, action_text or None, callback)

    def _on_failed(self, _name: str, message: str) -> None:
        # A dialog or page that ran the action ("dialog": the entry dialog, Projects, Settings)
        # shows the message by its own fields: not a second time down here.
        if QApplication.activeModalWidget() is None and \
                self.dispatcher.active_source != "dialog":
            self.toast.show_message(message)

    def _close_window(self) -> None:
        self.close()

    def _focus_bar(self) -> None:
        self.show_and_raise()
        self.timer_host.focus_description()

    def _find(self, source: Source = "shortcut") -> None:
        self.show_page("timer", source)
        self.entries.focus_find()

    def _week(self, step: int, source: Source = "shortcut") -> None:
        self.show_page("timer", source)
        self.entries.shift_week(step)

    def open_entry_dialog(self, entry: object, source: Source = "menu") -> None:
        from timetracker.core.entry_reads import EntryRow
        from timetracker.ui.entry_dialog import EntryDialog

        def run() -> None:
            dialog = EntryDialog(self.app, self.reads, self.dispatcher,
                                 entry if isinstance(entry, EntryRow) else None, self)
            dialog.exec()

        self.dispatcher.run("dialog.entry", source, run)

    def _open_optional(self, module_name: str, class_name: str, title: str) -> QDialog | None:
        from PySide6.QtWidgets import QDialog

        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, title, f"{title} is not available in this version.")
            return None
        dialog = getattr(module, class_name)(self.app, self)
        assert isinstance(dialog, QDialog)
        return dialog

    def open_settings(self, source: Source = "menu") -> None:
        def run() -> None:
            dialog = self._open_optional("timetracker.ui.settings_dialog", "SettingsDialog",
                                         "Settings")
            if dialog is None:
                return
            for name, slot in (("themeChanged", lambda _t: self.apply_theme()),
                               ("settingsChanged", lambda _k: self.refresh_all()),
                               ("dataRestored", lambda _n: self.refresh_all())):
                signal = getattr(dialog, name, None)
                if signal is not None:
                    signal.connect(slot)
            dialog.exec()
            self.apply_theme()

        self.dispatcher.run("dialog.settings", source, run, changes_data=False)

    def open_import(self, source: Source = "menu") -> None:
        def run() -> None:
            dialog = self._open_optional("timetracker.ui.import_dialog", "ImportDialog",
                                         "Import")
            if dialog is not None:
                dialog.exec()

        # requires_flag-style: refused with the import-enabled switch's reason while it is off
        self.dispatcher.run("dialog.import", source,
                            flag_guarded(self.app, FeatureFlags.IMPORT_ENABLED, run),
                            changes_data=True)

    def open_export(self, source: Source = "menu") -> None:
        """File → Export…: the Reports page with its export choices open (for its range)."""
        def run() -> None:
            view = self._switch_page("reports")
            offer = getattr(view, "offer_export", None)
            if callable(offer):
                offer()

        self.dispatcher.run("view.reports", source,
                            flag_guarded(self.app, FeatureFlags.EXPORT_ENABLED, run),
                            changes_data=False)

    def show_shortcuts(self) -> None:
        from timetracker.ui.help_dialogs import shortcuts_dialog

        self.shortcuts_dialog = shortcuts_dialog(self)
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        from timetracker.ui.help_dialogs import show_about

        self.about_box = show_about(self, self.app.paths)

    # -- window and tray ---------------------------------------------------------------------
    def show_and_raise(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def quit(self) -> None:
        self.quitting = True
        self.watcher.stop()
        self.tray.hide()
        self.close()
        self.quit_requested.emit()

    def keeps_running_in_tray(self) -> bool:
        return (not self.quitting and self.tray_shown
                and bool(self.app.config.get("close_to_tray")))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.keeps_running_in_tray():
            event.ignore()
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.showMessage("TimeTracker is still running",
                                      "It keeps tracking in the tray. Quit from the tray menu.",
                                      self.tray.icon(), 4000)
            return
        self.quitting = True
        self.watcher.stop()
        self.tray.hide()
        event.accept()
        self.quit_requested.emit()


def _refresh(widget: QWidget) -> None:
    refresh = getattr(widget, "refresh", None)
    if callable(refresh):
        refresh()
