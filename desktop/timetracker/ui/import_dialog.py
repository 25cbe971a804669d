"""Import time data: choose a format, a file and a time zone; preview (dry run); import.

Both steps run ``app.importer`` on :mod:`timetracker.ui.background`: the preview is a dry run
that writes nothing; the import parses and validates the whole file before it writes anything,
in one transaction, after a ``pre-import`` backup. A bad file shows an error report naming the
file, line and field; nothing is imported then. Cancelling an import also writes nothing.

The importer stops at the first bad row, so the report says so: the rest of the file is checked
when Preview runs again after the fix. Enter presses the default button, which follows the
state: Preview until a preview succeeds, then Import, then Close once imported — never Cancel.
Changing the file or any option clears the old preview and error report.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.errors import ImportFormatError, ImportProblems, TimeTrackerError
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui.actions import dispatcher_for
from timetracker.ui.background import Job, JobControl
from timetracker.ui.charts import mute_text
from timetracker.ui.quantities import duration_label
from timetracker.ui.tables import NUMBER_ALIGNMENT, record_table

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.core.importers import ImportSummary

FORMATS = (
    ("toggl", "Toggl Track (detailed CSV export)", "CSV files (*.csv);;All files (*)"),
    ("watson", "Watson (frames file)", "Watson frames (frames);;All files (*)"),
    ("timewarrior", "Timewarrior (data file or folder)",
     "Timewarrior data (*.data);;All files (*)"),
    ("timew_json", "Timewarrior (timew export JSON)", "JSON files (*.json);;All files (*)"),
    ("json", "TimeTracker JSON export", "JSON files (*.json);;All files (*)"),
)
TAG_MODES = (("project", "First tag becomes the project"), ("tags", "Keep every tag as a tag"))
#: Progress bar resolution. A real import reads (first half) then writes (second half).
STEPS = 1000


class ImportDialog(QDialog):
    """See the module docstring."""

    #: A preview arrived (the ImportSummary of the dry run).
    previewed = Signal(object)
    #: The import finished (its ImportSummary): views should reload.
    imported = Signal(object)
    #: Preview or import failed; the error report is showing (the exception).
    failedWith = Signal(object)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._job: Job | None = None
        self._preview: ImportSummary | None = None
        self._result: ImportSummary | None = None
        self._dry_run = True
        self.setWindowTitle("Import time data")
        self.setObjectName("importDialog")
        self.resize(920, 580)
        self._build()
        self._inputs_changed()

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Format")
        for key, label, _filter in FORMATS:
            self.format_combo.addItem(label, key)
        self.format_combo.currentIndexChanged.connect(self._inputs_changed)
        form.addRow("Format", self.format_combo)

        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("File to import")
        self.path_edit.setPlaceholderText("Choose a file…")
        self.path_edit.textChanged.connect(self._inputs_changed)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Import every data file in a Timewarrior folder")
        self.folder_button.clicked.connect(self._browse_folder)
        path_row = QHBoxLayout()
        path_row.setSpacing(8)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        path_row.addWidget(self.folder_button)
        form.addRow("File", path_row)

        self.zone_combo = QComboBox()
        self.zone_combo.setAccessibleName("Time zone")
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        zones = sorted(zoneinfo.available_timezones())
        self.zone_combo.addItems(zones)
        completer = QCompleter(zones, self.zone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone_combo.setCompleter(completer)
        self.zone_combo.setCurrentText(self._app.timezone)
        self.zone_combo.currentTextChanged.connect(self._inputs_changed)
        self.zone_hint = QLabel()
        self.zone_hint.setWordWrap(True)
        zone_box = QVBoxLayout()
        zone_box.setSpacing(2)
        zone_box.addWidget(self.zone_combo)
        zone_box.addWidget(self.zone_hint)
        form.addRow("Time zone", zone_box)

        self.tags_combo = QComboBox()
        self.tags_combo.setAccessibleName("Tag mapping")
        for key, label in TAG_MODES:
            self.tags_combo.addItem(label, key)
        self.tags_combo.currentIndexChanged.connect(self._inputs_changed)
        self.tags_label = QLabel("Tags")
        form.addRow(self.tags_label, self.tags_combo)
        layout.addLayout(form)

        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setAccessibleName("Import summary")
        layout.addWidget(self.summary_label)

        self.error_frame = QFrame()
        self.error_frame.setObjectName("importErrorReport")
        self.error_frame.setFrameShape(QFrame.Shape.StyledPanel)
        error_layout = QFormLayout(self.error_frame)
        self._error_layout = error_layout
        error_layout.setContentsMargins(12, 10, 12, 10)
        self.error_title = QLabel()
        bold = QFont(self.error_title.font())
        bold.setBold(True)
        self.error_title.setFont(bold)
        self.error_title.setWordWrap(True)
        error_layout.addRow(self.error_title)
        self.error_fields: dict[str, QLabel] = {}
        for name in ("File", "Line", "Field", "Problem"):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(f"Error {name.lower()}")
            self.error_fields[name] = value
            error_layout.addRow(f"{name}:", value)
        self.error_note = QLabel()
        self.error_note.setObjectName("importErrorNote")
        self.error_note.setWordWrap(True)
        error_layout.addRow(self.error_note)
        self.problem_list = QListWidget()  # every problem, when there are several
        self.problem_list.setAccessibleName("Every problem found")
        self.problem_list.setMaximumHeight(130)
        self.problem_list.hide()
        error_layout.addRow(self.problem_list)
        self.error_frame.hide()
        layout.addWidget(self.error_frame)

        self.table = record_table(
            "Preview of the entries to import",
            ["Start", "End", "Duration", "Project", "Task", "Description", "Tags"],
            stretch={5, 6}, numbers={2})  # (description and tags share the spare width)
        layout.addWidget(self.table, 1)

        progress_row = QHBoxLayout()
        self.phase_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, STEPS)
        self.progress.setTextVisible(False)
        progress_row.addWidget(self.phase_label)
        progress_row.addWidget(self.progress, 1)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()
        layout.addWidget(self.progress_box)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setAccessibleName("Preview the import")
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = QPushButton("Import")
        self.import_button.setAccessibleName("Import")
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        # Enter goes to the one default button _update_buttons picks; a button taking focus
        # (e.g. Cancel, when the others are disabled during a preview) must not grab it.
        for button in (self.browse_button, self.folder_button, self.preview_button,
                       self.import_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

    # -- inputs ------------------------------------------------------------------------------
    def set_inputs(self, fmt: str, path: str | Path, tz: str | None = None,
                   tags_mode: str | None = None) -> None:
        index = self.format_combo.findData(fmt)
        if index < 0:
            raise ValueError(f"unknown import format {fmt!r}")
        self.format_combo.setCurrentIndex(index)
        self.path_edit.setText(str(path))
        if tz is not None:
            self.zone_combo.setCurrentText(tz)
        if tags_mode is not None:
            self.tags_combo.setCurrentIndex(self.tags_combo.findData(tags_mode))

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def _inputs_changed(self, *_args: object) -> None:
        fmt = self.fmt()
        timew = fmt in ("timewarrior", "timew_json")
        self.tags_label.setVisible(timew)
        self.tags_combo.setVisible(timew)
        self.folder_button.setVisible(fmt in ("timewarrior", "watson"))
        self.zone_combo.setEnabled(fmt != "json")
        self.zone_hint.setText(
            "Toggl's dates and times are read in this zone (your Toggl profile's zone)."
            if fmt == "toggl" else
            "Each entry keeps the zone stored in the file." if fmt == "json" else
            "Times in the file are exact (UTC); new entries are shown in this zone.")
        self._set_muted(self.zone_hint)
        if self._busy():
            return
        # Any change makes an earlier preview (or its error report) stale: clear it all.
        self._preview = None
        self.table.setRowCount(0)
        self.summary_label.setText("")
        self.error_frame.hide()
        self._update_buttons()

    def _set_muted(self, label: QLabel) -> None:
        mute_text(label, self.palette())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "zone_hint"):
            self._set_muted(self.zone_hint)
        super().changeEvent(event)

    def _browse(self) -> None:
        filters = dict((k, f) for k, _l, f in FORMATS)[self.fmt()]
        start = self.path_edit.text() or str(Path.home())
        path, _chosen = QFileDialog.getOpenFileName(self, "Choose the file to import", start,
                                                    filters)
        if path:
            self.path_edit.setText(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose the folder to import",
                                                self.path_edit.text() or str(Path.home()))
        if path:
            self.path_edit.setText(path)

    def _busy(self) -> bool:
        return self._job is not None and not self._job.is_done

    def _update_buttons(self) -> None:
        busy = self._busy()
        has_path = bool(self.path_edit.text().strip())
        self.preview_button.setEnabled(has_path and not busy and self._result is None)
        ready = self._preview is not None and (self._preview.new or self._preview.closed)
        self.import_button.setEnabled(bool(ready) and not busy and self._result is None)
        for widget in (self.format_combo, self.path_edit, self.browse_button,
                       self.folder_button, self.tags_combo):
            widget.setEnabled(not busy and self._result is None)
        self.zone_combo.setEnabled(not busy and self._result is None and self.fmt() != "json")
        self.cancel_button.setText("Cancel" if busy or self._result is None else "Close")
        self.progress_box.setVisible(busy)
        self.default_button().setDefault(True)  # unsets the others

    def default_button(self) -> QPushButton:
        """The button Enter presses: Import once a preview found something to import, Close
        after the import, Preview otherwise (disabled while a job runs, so Enter does
        nothing then). Never Cancel."""
        if self._result is not None:
            return self.cancel_button  # reads "Close": the only thing left to do
        if self._preview is not None and (self._preview.new or self._preview.closed):
            return self.import_button
        return self.preview_button

    def _on_done(self) -> None:
        """A job ended (``done`` comes after finished/failed/cancelled): re-enable, refocus."""
        self._update_buttons()
        # Qt moved focus to Cancel while the others were disabled; put it where Enter acts.
        button = self.default_button()
        if button.isEnabled():
            button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- running -----------------------------------------------------------------------------
    def _work(self, dry_run: bool) -> Job:
        from timetracker.core.importers import ImportCancelled

        importer = self._app.importer
        path = Path(self.path_edit.text().strip()).expanduser()
        fmt = self.fmt()
        zone = self.zone_combo.currentText().strip() or None
        tags_mode = str(self.tags_combo.currentData())
        flags = None if dry_run else self._app.flags

        def work(control: JobControl) -> ImportSummary:
            if flags is not None:  # the import-enabled kill switch, checked as the work starts
                flags.require(FeatureFlags.IMPORT_ENABLED)

            def progress(phase: str, done: int, total: int) -> None:
                if control.cancelled:
                    raise ImportCancelled()
                share = done / total if total else 1.0
                if dry_run:
                    step = int(share * STEPS)
                else:
                    step = int(share * STEPS / 2) + (STEPS // 2 if phase == "write" else 0)
                control.progress(step, STEPS)

            return importer.run(path, fmt, zone, tags_mode=tags_mode, progress=progress,
                                dry_run=dry_run)

        self._dry_run = dry_run
        self.error_frame.hide()
        self.progress.setValue(0)
        self.phase_label.setText("Reading…")
        # Through the dispatcher: import.completed/import.failed carry source "dialog", a
        # failure is reported by class (error.occurred), a real import reloads the views.
        job = dispatcher_for(self, self._app).run_job(
            "import.preview" if dry_run else "import.run", "dialog", work, owner=self)
        job.progress.connect(self._on_progress)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        job.done.connect(self._on_done)
        self._job = job
        self._update_buttons()
        return job

    def start_preview(self) -> Job:
        """Dry run in the background; fills the summary and the preview table."""
        self._preview = None
        self.summary_label.setText("Reading the file…")
        job = self._work(dry_run=True)
        job.finished.connect(self._on_preview)
        return job

    def start_import(self) -> Job:
        """The real import in the background (all or nothing)."""
        self.summary_label.setText("Importing…")
        job = self._work(dry_run=False)
        job.finished.connect(self._on_imported)
        return job

    def _cancel_or_close(self) -> None:
        if self._busy():
            assert self._job is not None
            self._job.cancel()
            self.summary_label.setText("Cancelling…")
        else:
            super().reject()

    def reject(self) -> None:
        """Esc or the window's close button: while a preview or import runs, cancel it (the
        import then writes nothing) and stay open to say so; otherwise close."""
        if self._busy():
            self._cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy():
            event.ignore()
            self._cancel_or_close()
            return
        super().closeEvent(event)

    def _on_progress(self, step: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(step)
        self.phase_label.setText("Reading…" if self._dry_run or step < STEPS // 2
                                 else "Writing…")

    def _on_cancelled(self) -> None:
        self.summary_label.setText("Cancelled. Nothing was imported.")

    # -- results -----------------------------------------------------------------------------
    def preview(self) -> ImportSummary | None:
        return self._preview

    def result(self) -> ImportSummary | None:  # type: ignore[override]
        """The summary of the finished import (None before)."""
        return self._result

    def _on_preview(self, summary: ImportSummary) -> None:
        self._preview = summary
        self.summary_label.setText(self._describe(summary))
        self._fill_table(summary)
        self._update_buttons()
        self.previewed.emit(summary)

    def _on_imported(self, summary: ImportSummary) -> None:
        self._result = summary
        text = f"Imported {summary.new:,} {'entry' if summary.new == 1 else 'entries'}."
        if summary.closed:
            text += f" Closed {summary.closed} running entr{'y' if summary.closed == 1 else 'ies'}."
        if summary.duplicates:
            text += f" {summary.duplicates:,} were already here and were skipped."
        if summary.backup:
            text += f"\nA backup was made first ({summary.backup}); restore it in " \
                    "Settings › Backups to undo this import."
        self.summary_label.setText(text)
        self.progress.setValue(STEPS)
        self._update_buttons()
        self.imported.emit(summary)

    def _on_failed(self, error: object) -> None:
        self._preview = None
        self.table.setRowCount(0)
        self.summary_label.setText("")
        self.error_title.setText("This file cannot be imported. Nothing was changed.")
        self.error_note.setText("")
        self.problem_list.clear()
        if isinstance(error, ImportProblems):
            values = _problem_fields(error)
            self.error_title.setText(f"This file cannot be imported: {error.count} problems "
                                     "were found. Nothing was changed.")
            listed = (f"The first {len(error.problems)} are listed"
                      if error.count > len(error.problems) else "They are all listed")
            self.error_note.setText(f"{listed} below. Fix them, then run Preview again.")
            values = {"File": values["File"]}  # (line, field and problem: in the list)
            for problem in error.problems:
                self.problem_list.addItem(_problem_line(problem, error.file))
        elif isinstance(error, ImportFormatError) and error.line is None and not error.field:
            # the file as a whole (not text, not this format): no line or field to name
            what = error.problem
            values = {"File": error.file,
                      "Problem": f"This file {what}" if what.startswith("is ") else what}
            self.error_note.setText("Choose the right file or format, then run Preview again.")
        elif isinstance(error, ImportFormatError):
            values = _problem_fields(error)
            self.error_note.setText("Fix it, then run Preview again.")
        elif isinstance(error, TimeTrackerError):
            values = {"File": self.path_edit.text(), "Line": "—", "Field": "—",
                      "Problem": str(error)}
        else:
            values = {"File": self.path_edit.text(), "Line": "—", "Field": "—",
                      "Problem": f"Unexpected error ({type(error).__name__}). Nothing was "
                                 "imported."}
        for name, label in self.error_fields.items():
            label.setText(values.get(name, ""))
            self._error_layout.setRowVisible(label, name in values)
        self.error_note.setVisible(bool(self.error_note.text()))
        self.problem_list.setVisible(self.problem_list.count() > 0)
        self.error_frame.show()
        self.failedWith.emit(error)

    def error_report(self) -> dict[str, str]:
        """What the error report shows (empty when none is shown)."""
        if self.error_frame.isHidden():
            return {}
        return {name: label.text() for name, label in self.error_fields.items()
                if label.isVisibleTo(self.error_frame)}

    def _describe(self, summary: ImportSummary) -> str:
        parts = [f"{summary.total:,} rows read: {summary.new:,} to import"]
        if summary.duplicates:
            parts.append(f"{summary.duplicates:,} already imported")
        if summary.closed:
            parts.append(f"{summary.closed} running entries to close")
        text = ", ".join(parts) + "."
        zone = self._zone()
        if summary.first_start is not None and summary.last_end is not None:
            first = dt.datetime.fromtimestamp(summary.first_start, zone).strftime("%d %b %Y")
            last = dt.datetime.fromtimestamp(summary.last_end, zone).strftime("%d %b %Y")
            text += f" From {first} to {last}."
        new = [(summary.new_clients, "client"), (summary.new_projects, "project"),
               (summary.new_tasks, "task"), (summary.new_tags, "tag")]
        created = [f"{len(names)} {kind}{'s' if len(names) != 1 else ''}"
                   for names, kind in new if names]
        if created:
            text += " New: " + ", ".join(created) + "."
        if summary.new > len(summary.sample):
            text += f" The table shows the first {len(summary.sample)}."
        for warning in summary.warnings:
            text += f"\n⚠ {warning}"
        if not summary.new and not summary.closed:
            text += "\nNothing new to import."
        return text

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone_combo.currentText().strip() or self._app.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(self._app.timezone)

    def _fill_table(self, summary: ImportSummary) -> None:
        clock = "%I:%M %p" if self._app.config.get("time_format") == "12h" else "%H:%M"
        self.table.setRowCount(len(summary.sample))
        for r, row in enumerate(summary.sample):
            zone = ZoneInfo(row.tz)
            start = dt.datetime.fromtimestamp(row.start, zone)
            end = dt.datetime.fromtimestamp(row.end, zone) if row.end is not None else None
            end_text = "running" if end is None else (
                end.strftime(clock) if end.date() == start.date()
                else end.strftime(f"%a %d %b, {clock}"))
            values = [start.strftime(f"%a %d %b %Y, {clock}"), end_text,
                      duration_label(row.end - row.start) if row.end is not None else "—",
                      row.project or "", row.task or "", row.description,
                      ", ".join(row.tags)]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setTextAlignment(NUMBER_ALIGNMENT)
                self.table.setItem(r, c, item)


def _problem_fields(error: ImportFormatError) -> dict[str, str]:
    return {"File": error.file, "Line": "—" if error.line is None else str(error.line),
            "Field": error.field or "—", "Problem": error.problem}


def _problem_line(problem: ImportFormatError, main_file: str) -> str:
    """One problem as a line of the list: line, field, what is wrong (the file is shown once
    above; a problem in another file of a Timewarrior folder names its file)."""
    where = f"Line {problem.line}" if problem.line is not None else "The file"
    if problem.file != main_file:
        where = f"{Path(problem.file).name}, {where[0].lower()}{where[1:]}"
    if problem.field:
        where += f", {problem.field}"
    return f"{where}: {problem.problem}"
