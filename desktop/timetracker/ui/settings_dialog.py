"""The settings dialog: General, Backups, and a Privacy & Telemetry page filled in later.

Every change is validated and saved by ``app.config.set`` the moment it is made (no OK/Apply
to forget); ``settingsChanged(key)`` tells the rest of the UI, and ``themeChanged(theme)`` lets
the theme code repaint. Backups are made and restored on :mod:`timetracker.ui.background`;
restoring asks first and emits ``dataRestored`` so the views reload.

Later pages plug in with :meth:`SettingsDialog.add_page` or by filling :attr:`privacy_tab`
(a widget with an empty ``QVBoxLayout``); the dialog itself does not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.backup import BackupInfo
from timetracker.core.errors import TimeTrackerError
from timetracker.core.time_format import date_and_clock
from timetracker.ui.actions import dispatcher_for
from timetracker.ui.background import Job
from timetracker.ui.charts import mute_text
from timetracker.ui.quantities import byte_size
from timetracker.ui.tables import NUMBER_ALIGNMENT, record_table
from timetracker.ui.tray import tray_available

if TYPE_CHECKING:
    from timetracker.app import App

#: The dialog's size when it opens (the Privacy & Telemetry page fits).
SIZE = QSize(860, 680)
WEEK_STARTS = (("monday", "Monday"), ("sunday", "Sunday"), ("saturday", "Saturday"))
TIME_FORMATS = (("24h", "24-hour (17:30)"), ("12h", "12-hour (5:30 PM)"))
THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))
REASON_LABELS = {"manual": "Manual", "daily": "Daily", "pre-migration": "Before upgrade",
                 "pre-restore": "Before restore", "pre-import": "Before import"}


class SettingsDialog(QDialog):
    """See the module docstring."""

    settingsChanged = Signal(str)
    themeChanged = Signal(str)
    #: A backup was restored into the live database: views should reload everything.
    dataRestored = Signal(str)
    #: A backup job ended (created or restored): (kind, ok).
    backupDone = Signal(str, bool)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._job: Job | None = None
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.setMinimumSize(560, 440)
        # big enough for the Privacy & Telemetry page from the start (no jump when it opens),
        # never bigger than the screen; that page scrolls when the dialog is smaller
        self.resize(SIZE.boundedTo(self._available() * 0.9))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._general_page(), "General")
        self.tabs.addTab(self._backups_page(), "Backups")
        #: The slot for the telemetry/privacy pane: add widgets to ``privacy_tab.layout()``.
        self.privacy_tab = QWidget()
        self.privacy_tab.setObjectName("privacyTab")
        privacy_layout = QVBoxLayout(self.privacy_tab)
        privacy_layout.setContentsMargins(12, 12, 12, 12)
        self._privacy_placeholder = QLabel("Privacy and telemetry settings will appear here.")
        self._privacy_placeholder.setWordWrap(True)
        privacy_layout.addWidget(self._privacy_placeholder)
        privacy_layout.addStretch(1)
        self.tabs.addTab(self.privacy_tab, "Privacy && Telemetry")
        #: The telemetry pane, built the first time its tab is shown (ui/privacy_pane.py).
        self.privacy_pane: QWidget | None = None
        self.tabs.currentChanged.connect(self._load_privacy_pane)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    # -- extension points --------------------------------------------------------------------
    def add_page(self, title: str, widget: QWidget) -> int:
        """Add a page; a page titled like the privacy slot replaces its placeholder."""
        if title.replace("&&", "&") in ("Privacy & Telemetry", "Privacy"):
            self.set_privacy_pane(widget)
            return self.tabs.indexOf(self.privacy_tab)
        return self.tabs.addTab(widget, title)

    def set_privacy_pane(self, widget: QWidget) -> None:
        """Put the telemetry pane into the Privacy & Telemetry tab (replacing the placeholder)."""
        layout = self.privacy_tab.layout()
        assert isinstance(layout, QVBoxLayout)
        if self._privacy_placeholder is not None:
            self._privacy_placeholder.hide()
            layout.removeWidget(self._privacy_placeholder)
            self._privacy_placeholder.deleteLater()
            self._privacy_placeholder = None  # type: ignore[assignment]
        for index in reversed(range(layout.count())):  # the pane takes all the height
            item = layout.itemAt(index)
            if item is not None and item.spacerItem() is not None:
                layout.takeAt(index)
        scroller = QScrollArea()
        scroller.setObjectName("privacyScroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(widget)
        layout.insertWidget(0, scroller, 1)

    def _load_privacy_pane(self, index: int) -> None:
        """Build the Privacy & Telemetry pane the first time its tab is shown."""
        if self.tabs.widget(index) is not self.privacy_tab or self.privacy_pane is not None \
                or self._privacy_placeholder is None:
            return
        from timetracker.ui.privacy_pane import PrivacyPane

        self.privacy_pane = PrivacyPane(self._app)
        self.set_privacy_pane(self.privacy_pane)

    def _available(self) -> QSize:
        parent = self.parentWidget()
        screen = (parent or self).screen()
        return screen.availableGeometry().size() if screen is not None else SIZE

    def show_page(self, title: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index).replace("&&", "&") == title:
                self.tabs.setCurrentIndex(index)
                return
        raise ValueError(f"no settings page {title!r}")

    # -- General -----------------------------------------------------------------------------
    def _general_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(12, 16, 12, 12)
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(12)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.week_start = self._choice("week_start", WEEK_STARTS, "First day of the week")
        self.time_format = self._choice("time_format", TIME_FORMATS, "Time format")
        self.theme = self._choice("theme", THEMES, "Theme")
        self.close_to_tray = self._toggle(
            "close_to_tray", "Keep running in the tray when the window is closed")
        self.start_minimised = self._toggle("start_minimised", "Start minimised to the tray")
        no_tray = QLabel("This desktop has no system tray, so TimeTracker cannot keep running "
                         "there: closing the window quits.")
        no_tray.setObjectName("muted")
        no_tray.setWordWrap(True)
        no_tray.setVisible(not tray_available())
        self.no_tray_note = no_tray
        if not tray_available():  # e.g. a desktop without a status area: say why they are off
            for box in (self.close_to_tray, self.start_minimised):
                box.setEnabled(False)
                box.setToolTip(no_tray.text())
        form.addRow("Week starts on", self.week_start)
        form.addRow("Time format", self.time_format)
        form.addRow("Theme", self.theme)
        form.addRow("", self.close_to_tray)
        form.addRow("", self.start_minimised)
        form.addRow("", no_tray)
        self.general_message = QLabel("")
        self.general_message.setWordWrap(True)
        form.addRow("", self.general_message)
        return page

    def _choice(self, key: str, options: tuple[tuple[str, str], ...], name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for value, label in options:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(self._app.config.get(key))))
        self._mark_overridden(combo, key)
        combo.currentIndexChanged.connect(lambda _i: self._save(key, combo.currentData()))
        return combo

    def _toggle(self, key: str, text: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setAccessibleName(text)
        box.setChecked(bool(self._app.config.get(key)))
        self._mark_overridden(box, key)
        box.toggled.connect(lambda checked: self._save(key, checked))
        return box

    def _mark_overridden(self, widget: QWidget, key: str) -> None:
        source = self._app.config.overridden.get(key)
        if source:
            widget.setEnabled(False)
            widget.setToolTip(f"Set by the environment variable {source}.")

    def _save(self, key: str, value: Any) -> None:
        """One setting changed: saved through the dispatcher (settings.changed, key only)."""
        dispatcher = dispatcher_for(self, self._app)

        def change() -> str:
            self._app.config.set(key, value)
            return key

        try:
            saved = dispatcher.run("settings.change", "dialog", change)
        except OSError as exc:
            dispatcher.report_error(exc, "dialog")
            self.general_message.setText(f"⚠ Could not save: {exc}")
            return
        if saved is None:
            self.general_message.setText(f"⚠ Could not save: {dispatcher.last_error}")
            return
        self.general_message.setText("")
        if key == "time_format":  # the backups list shows times too
            self.refresh_backups()
        self.settingsChanged.emit(key)
        if key == "theme":
            self.themeChanged.emit(str(value))

    # -- Backups -----------------------------------------------------------------------------
    def _backups_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        intro = QLabel("A backup is made every day, before upgrades and imports, and when you "
                       "ask. Restoring first backs up the current data, so it can be undone.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.backup_table = record_table("Backups", ["Created", "Kind", "Size"], numbers={2})
        self.backup_table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.backup_table, 1)
        row = QHBoxLayout()
        self.create_button = QPushButton("Back up now")
        self.create_button.setAccessibleName("Back up now")
        self.create_button.clicked.connect(self.create_backup)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setAccessibleName("Restore the selected backup")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._ask_restore)
        self.backup_message = QLabel("")
        self.backup_message.setWordWrap(True)
        row.addWidget(self.create_button)
        row.addWidget(self.restore_button)
        row.addSpacing(8)
        row.addWidget(self.backup_message, 1)
        layout.addLayout(row)
        self.refresh_backups()
        return page

    def backups(self) -> list[BackupInfo]:
        return list(self._backups)

    def refresh_backups(self) -> None:
        self._backups = self._app.backups.list()
        self.backup_table.setRowCount(len(self._backups))
        right = NUMBER_ALIGNMENT
        time_format = str(self._app.config.get("time_format"))
        for r, info in enumerate(self._backups):
            created = QTableWidgetItem(date_and_clock(info.created.astimezone(), time_format))
            created.setData(Qt.ItemDataRole.UserRole, info.name)
            created.setToolTip(info.name)
            size = QTableWidgetItem(byte_size(info.size))
            size.setTextAlignment(right)
            self.backup_table.setItem(r, 0, created)
            self.backup_table.setItem(r, 1, QTableWidgetItem(
                REASON_LABELS.get(info.reason, info.reason)))
            self.backup_table.setItem(r, 2, size)
        if not self._backups:
            self._note("No backups yet.")
        self._selection_changed()

    def select_backup(self, name: str) -> None:
        for r, info in enumerate(self._backups):
            if info.name == name:
                self.backup_table.selectRow(r)
                return
        raise ValueError(f"no backup {name!r} listed")

    def selected_backup(self) -> BackupInfo | None:
        rows = self.backup_table.selectionModel().selectedRows()
        return self._backups[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected_backup() is not None and not self._busy())

    def _busy(self) -> bool:
        return self._job is not None and not self._job.is_done

    def _note(self, text: str, error: bool = False) -> None:
        mute_text(self.backup_message, self.palette(), muted=not error)
        self.backup_message.setText(("⚠ " if error else "") + text)

    def create_backup(self) -> Job:
        """Make a manual backup in the background."""
        return self._run("create", self._app.backups.create, "manual")

    def _ask_restore(self) -> None:
        info = self.selected_backup()
        if info is None:
            return
        when = date_and_clock(info.created.astimezone(), str(self._app.config.get("time_format")))
        answer = QMessageBox.question(
            self, "Restore backup",
            f"Replace your current data with the backup from {when}?\n\n"
            "Your current data is backed up first, so you can go back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_backup(info.name)

    def restore_backup(self, name: str) -> Job:
        """Restore ``name`` (already confirmed) in the background."""
        return self._run("restore", self._app.backups.restore, name)

    def _run(self, kind: str, fn: Any, arg: str) -> Job:
        self.create_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self._note("Backing up…" if kind == "create" else "Restoring…")
        # Through the dispatcher: the backup's events carry source "dialog", a failure is
        # reported by class (error.occurred), a restore makes the views reload.
        job = dispatcher_for(self, self._app).run_job(
            "backup.create" if kind == "create" else "backup.restore", "dialog",
            lambda _control: fn(arg), owner=self)
        job.finished.connect(lambda result: self._job_done(kind, result, None))
        job.failed.connect(lambda error: self._job_done(kind, None, error))
        self._job = job
        return job

    def _job_done(self, kind: str, result: object, error: object) -> None:
        self._job = None
        self.create_button.setEnabled(True)
        if error is not None:
            message = str(error) if isinstance(error, TimeTrackerError | OSError) \
                else f"failed ({type(error).__name__})"
            self.refresh_backups()
            self._note(f"{'Backup' if kind == 'create' else 'Restore'}: {message}", error=True)
            self.backupDone.emit(kind, False)
            return
        self.refresh_backups()
        if kind == "create":
            if isinstance(result, BackupInfo):
                self.select_backup(result.name)
                self._note("Backup made.")
            else:
                self._note("There is no data to back up yet.")
        else:
            assert isinstance(result, BackupInfo)
            self._note("Restored. Your previous data was backed up first.")
            self.dataRestored.emit(result.name)
        self.backupDone.emit(kind, True)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and self.backup_message.text() \
                and not self.backup_message.text().startswith("⚠"):
            self._note(self.backup_message.text())
        super().changeEvent(event)
