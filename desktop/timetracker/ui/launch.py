"""Starting the GUI: one instance per data folder, a checked database, the main window.

Order matters for start-up time (docs/architecture.md, "Desktop UI: start-up"): the
database's integrity check starts on its own thread before Qt is imported (SQLite releases the
GIL while it checks); the window is shown before logging, metrics and telemetry start; once it
is idle, it starts answering later launches, and a worker thread makes the daily backup and
imports SQLAlchemy's ORM (needed only to change data) and telemetry.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from timetracker.core.errors import DatabaseCorruptError
from timetracker.core.integrity import IntegrityProbe
from timetracker.core.paths import AppPaths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from timetracker.app import App

#: "1": print "gui-idle <seconds>" once the window is shown and idle, then quit; "warm": print
#: "gui-warm <seconds>" once the background warm-up (ORM, telemetry) is done too, then quit.
#: (The start-up benchmark, tests/benchmarks/bench_gui_startup.py, and smoke tests use it.)
EXIT_WHEN_IDLE_ENV = "TIMETRACKER_GUI_EXIT_WHEN_IDLE"
#: Delay after start before the ORM and telemetry are imported in the background.
PRELOAD_DELAY_MS = 300
#: Delay after the window is shown before this instance answers later launches (a second
#: launch in between keeps trying to connect; see SingleInstance.ask_running_instance) and
#: gives the window manager its icon.
SETTLE_DELAY_MS = 50


def _make_qapplication() -> QApplication:
    from PySide6.QtWidgets import QApplication

    from timetracker import build_info
    from timetracker.ui import theme

    # (High-DPI: Qt 6 scales by the screen's exact factor — PassThrough — by default.)
    existing = QApplication.instance()
    # the style given on the command line: setting it later would cost start-up time
    qt_app = existing or QApplication([*sys.argv[:1], "-style", theme.STYLE])
    assert isinstance(qt_app, QApplication)
    if existing is None:
        qt_app.setProperty(theme.STYLE_PROPERTY, theme.STYLE)
    qt_app.setApplicationName(build_info.APP_NAME)
    qt_app.setOrganizationName(build_info.ORG_NAME)
    qt_app.setApplicationVersion(build_info.VERSION)
    qt_app.setDesktopFileName(build_info.APP_ID)
    return qt_app


def open_database(app: App) -> bool:
    """Open the database; on damage offer to restore the newest backup. False = give up."""
    while True:
        try:
            app.db  # noqa: B018 - opening checks and migrates
            return True
        except DatabaseCorruptError as error:
            if not ask_restore(error):
                return False
            assert error.newest_backup is not None
            try:
                app.backups.restore(error.newest_backup)
            except Exception as failed:  # report it; the damaged file stays where it was
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.critical(None, "Restore failed",
                                     f"The backup could not be restored: {failed}")
                return False


def ask_restore(error: DatabaseCorruptError) -> bool:
    """The damaged-database dialog; True when the user chose to restore the newest backup."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "TimeTracker cannot open your data",
                      "Your time-tracking database is damaged, so it was not opened or "
                      "changed.")
    detail = f"File: {error.path}\nProblem: {error.detail}"
    restore = None
    if error.newest_backup:
        box.setInformativeText(
            f"The newest backup is {error.newest_backup}. Restoring it keeps the damaged file "
            "next to it (renamed, never overwritten); entries made after that backup are "
            "only in the damaged file.")
        restore = box.addButton("Restore newest backup", QMessageBox.ButtonRole.AcceptRole)
    else:
        box.setInformativeText("No backup was found. The file was left as it is.")
    box.setDetailedText(detail)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button)
    box.exec()
    return restore is not None and box.clickedButton() is restore


def _warm_up(app: App) -> None:
    """Off the UI thread, once the window is shown: the day's automatic backup (when due),
    then import what telemetry and changing data need (the ORM), so neither the first Start
    click nor starting telemetry makes the window wait."""
    previous = app.event_source
    app.event_source = "app"  # (this worker thread only): no user action caused this
    try:
        app.make_daily_backup()
    finally:
        app.event_source = previous  # the pool's thread may run other jobs later
    import sqlalchemy.orm

    import timetracker.core.catalog
    import timetracker.core.entries
    import timetracker.telemetry.flags_telemetry
    import timetracker.telemetry.service  # noqa: F401

    sqlalchemy.orm.configure_mappers()


def report_unexpected_errors(app: App) -> None:
    """An exception no code caught (in a Qt slot it reaches ``sys.excepthook``) is reported as
    ``error.occurred`` — its class from the registry's list, never the message — when consent
    allows; the previous hook still prints it."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        try:
            app.report_error(error)
        except Exception:  # reporting must never hide the original error
            logging.getLogger("timetracker.ui").warning("could not report an error")
        previous(kind, error, trace)

    sys.excepthook = hook


def launch_gui() -> int:
    started = time.perf_counter()
    paths = AppPaths.from_environment().ensure()
    probe = IntegrityProbe(paths.database)  # runs while Qt is imported

    qt_app = _make_qapplication()
    from timetracker.app import App
    from timetracker.ui.single_instance import SingleInstance

    instance = SingleInstance(paths.data_dir)
    if not instance.acquire(listen=False):  # listens once the window is shown
        if instance.ask_running_instance():
            print("TimeTracker is already running; its window was brought to the front.",
                  file=sys.stderr)
            return 0
        print("TimeTracker seems to be running already but does not answer.", file=sys.stderr)
        return 1

    from timetracker.ui import theme

    app = App(paths=paths, integrity_probe=probe)
    app.daily_backup_on_open = False  # made on a worker thread once the window is shown
    theme.apply(qt_app, str(app.config.get("theme")))
    try:
        if not open_database(app):
            return 2
        return _run(qt_app, app, instance, started)
    finally:
        gc.enable()  # (if the window never got to start)
        instance.release()
        app.close()


def _run(qt_app: QApplication, app: App, instance: object, started: float) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from timetracker.ui import theme
    from timetracker.ui.main_window import MainWindow
    from timetracker.ui.single_instance import SingleInstance

    assert isinstance(instance, SingleInstance)
    report_unexpected_errors(app)
    window = MainWindow(app)
    def raise_window() -> None:
        logging.getLogger("timetracker.ui").info("window raised by a second launch")
        window.show_and_raise()

    instance.activation_requested.connect(raise_window)
    # (queued: the loop ends after the slot that asked for it returned)
    window.quit_requested.connect(lambda: QTimer.singleShot(0, qt_app.quit))

    def scheme_changed(scheme: object) -> None:
        from PySide6.QtCore import Qt

        theme.note_system_scheme(scheme == Qt.ColorScheme.Dark)
        if app.config.get("theme") == "system":
            window.apply_theme()

    hints = QGuiApplication.styleHints()
    if hints is not None:
        hints.colorSchemeChanged.connect(scheme_changed)
    qt_app.setQuitOnLastWindowClosed(not window.tray_shown)
    if app.config.get("start_minimised") and window.tray_shown:
        window.hide()
    else:
        window.show()

    def deferred_start() -> None:
        gc.freeze()  # start-up's objects live as long as the app: never scan them again
        gc.enable()  # (turned off by __main__ for the start)
        if int(app.config.get("metrics_port")):  # the exporter's start-up metric: now
            start_observability()

    def start_observability() -> None:
        # JSON logs without the exporter start with the warm-up, after the window is idle
        # (their set-up costs ~10 ms of start-up; a log line before it goes to stderr)
        if app.observability.started:
            return
        observability = app.start_observability("gui")
        if observability.exporter is not None:  # the metric only exists with the exporter on
            observability.mark_ready()  # start-up time: window shown and idle

    def warmed_up(_result: object = None) -> None:
        from timetracker.ui.consent_dialog import maybe_ask_consent

        maybe_ask_consent(app, window)  # modal; returns at once when there is nothing to ask
        app.start_telemetry()  # its modules are imported by now: starting it is quick
        window.attach_flags()  # flag-driven variants and kill switches follow from now on
        if exit_when == "warm":
            report("gui-warm")

    def warm_up() -> None:
        from PySide6 import QtCore

        # the Qt namespace's enums, which start-up avoids (ui/qt_names.py): now rather than at
        # the first key press
        QtCore.Qt  # noqa: B018
        start_observability()  # at once when it already ran
        from timetracker.ui import background  # (its thread pool: not before the window)

        job = background.run_in_background(lambda: _warm_up(app), owner=window)
        job.finished.connect(warmed_up)
        job.failed.connect(warmed_up)  # start telemetry anyway; it reports its own errors

    def report(what: str) -> None:
        print(f"{what} {time.perf_counter() - started:.3f}", flush=True)
        window.quit()

    exit_when = os.environ.get(EXIT_WHEN_IDLE_ENV, "")
    QTimer.singleShot(0, deferred_start)
    def settle() -> None:
        from timetracker.ui.icons import app_icon

        instance.listen()  # a second launch now raises this window
        # The window's icon: a window manager asks for every size at once (drawing them takes
        # a few milliseconds), and the icon it shows meanwhile is the generic one.
        qt_app.setWindowIcon(app_icon())

    QTimer.singleShot(SETTLE_DELAY_MS, settle)
    if exit_when == "1":
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: report("gui-idle")))
    else:
        QTimer.singleShot(0 if exit_when == "warm" else PRELOAD_DELAY_MS, warm_up)
    code = qt_app.exec()
    from timetracker.ui import background

    background.wait_for_all(5000)
    return int(code)
