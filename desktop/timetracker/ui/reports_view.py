"""The reports view: a range, hours per day, a breakdown (chart + table), totals, export.

Every report and every export runs on :mod:`timetracker.ui.background`; the UI thread only
builds widgets from a finished ``Report``. A newer request supersedes an older one, so quickly
flicking through ranges never shows a stale result; while the custom range is invalid (it
ends before it starts) the figures are cleared rather than left under the wrong dates.

The breakdown's percentages are shares of the time tracked in the range (the core's
``Report.total_seconds``), so they stay right for tags, where an entry with several tags
counts for each of them and the shares can add up to more than 100%.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QStyle,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.errors import TimeTrackerError
from timetracker.core.ranges import WEEKDAYS, DateRange, custom_range, local_date, named_range
from timetracker.core.reports import Report, ReportRow
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.ui import theme
from timetracker.ui.actions import Source, dispatcher_for
from timetracker.ui.background import (
    Cancelled,
    Job,
    JobControl,
    run_in_background,
)
from timetracker.ui.charts import (
    BreakdownChart,
    DailyBarChart,
    Slice,
    mute_text,
    muted_color,
    slice_colors,
)
from timetracker.ui.colours import outline_on_base
from timetracker.ui.icons import color_dot
from timetracker.ui.quantities import amounts_label, duration_label
from timetracker.ui.tables import NUMBER_ALIGNMENT, record_table
from timetracker.ui.variants.kill_switches import KillSwitchBinding
from timetracker.ui.variants.reports_config import ReportsConfig
from timetracker.ui.variants.reports_layouts import ReportParts, ReportsLayoutHost
from timetracker.ui.variants.variant_host import built_flags

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.telemetry.flags import Flags

RANGES = (("today", "Today"), ("yesterday", "Yesterday"), ("this_week", "This week"),
          ("last_week", "Last week"), ("this_month", "This month"), ("last_month", "Last month"),
          ("this_year", "This year"), ("last_year", "Last year"), ("custom", "Custom…"))
GROUPS = (("project", "Project"), ("client", "Client"), ("tag", "Tag"), ("task", "Task"))
#: Above this many entries the export shows a progress dialog straight away.
LARGE_EXPORT = 5000
#: Under the tag breakdown: why its percentages may add up to more than 100%.
TAG_NOTE = ("Percentages are of all time tracked in the range. An entry with several tags "
            "counts for each of them, so they can add up to more than 100%.")
#: What the charts say while the custom range ends before it starts.
INVALID_RANGE_TEXT = "Pick an end date on or after the start date"
#: The breakdown table's width: at least TABLE_MIN, at most TABLE_MAX (so the chart beside it
#: keeps its room in the smallest window); within that, names are shown in full up to NAME_MAX.
TABLE_MIN, TABLE_MAX, NAME_MAX = 380, 460, 240


class _Figure(QFrame):
    """A headline number with a caption: ``Total`` / ``38:15 h``."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("reportFigure")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.value = QLabel("—")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setAccessibleName(caption)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        self._apply_palette()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            # Once the new palette (and a theme's style sheet) reached the caption too.
            QTimer.singleShot(0, self, self._apply_palette)
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        mute_text(self.caption, self.palette())

    def set_value(self, text: str) -> None:
        """Large; smaller when it holds several parts (amounts in several currencies)."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * (1.6 if " · " not in text else 1.15))
        font.setBold(True)
        self.value.setFont(font)
        self.value.setText(text)


class ReportsView(QWidget):
    """Reports over a range: see the module docstring."""

    #: Emitted on the UI thread with each report shown (tests, other views).
    reportShown = Signal(object)
    #: Emitted when an export has ended: (path, rows) — rows is -1 when it failed or was cancelled.
    exportDone = Signal(str, int)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._job: Job | None = None
        self._generation = 0
        self._report: Report | None = None
        self._export_job: Job | None = None
        self._progress: QProgressDialog | None = None
        #: The last report counted as viewed (kind, first, last, grouping): a refresh of the
        #: same report after a data change is not a new view.
        self._viewed: tuple[object, ...] | None = None
        self.setObjectName("reportsView")
        self._build()

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(12)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.previous_button = QToolButton()
        self.previous_button.setText("‹")
        self.previous_button.setToolTip("Previous period")
        self.previous_button.setAccessibleName("Previous period")
        self.previous_button.clicked.connect(lambda: self.shift(-1))
        self.next_button = QToolButton()
        self.next_button.setText("›")
        self.next_button.setToolTip("Next period")
        self.next_button.setAccessibleName("Next period")
        self.next_button.clicked.connect(lambda: self.shift(1))
        self.range_combo = QComboBox()
        self.range_combo.setAccessibleName("Date range")
        for kind, label in RANGES:
            self.range_combo.addItem(label, kind)
        self.range_combo.currentIndexChanged.connect(self._range_kind_changed)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit, name in ((self.from_edit, "From"), (self.to_edit, "To")):
            edit.setCalendarPopup(True)
            theme.calm_calendar(edit)
            edit.setDisplayFormat("d MMM yyyy")  # as the entry dialog writes dates
            edit.setAccessibleName(f"{name} date")
            # never narrower than its widest date (a narrow window cut off the year's digits)
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("28 May 2026") + 56)
            edit.dateChanged.connect(self._custom_dates_changed)
        self.range_label = QLabel()
        self.range_label.setAccessibleName("Shown range")
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Break down by")
        for key, label in GROUPS:
            self.group_combo.addItem(f"By {label.lower()}", key)
        self.group_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.export_button = QPushButton("Export")
        self.export_button.setAccessibleName("Export entries")
        self.export_button.setToolTip("Export the entries of this range as CSV or JSON")
        menu = QMenu(self.export_button)
        menu.addAction("CSV…", lambda: self._ask_export("csv"))
        menu.addAction("JSON…", lambda: self._ask_export("json"))
        self.export_button.setMenu(menu)

        bar.addWidget(self.previous_button)
        bar.addWidget(self.range_combo)
        bar.addWidget(self.next_button)
        bar.addWidget(self.from_edit)
        bar.addWidget(self.to_edit)
        bar.addSpacing(6)
        bar.addWidget(self.range_label)
        bar.addStretch(1)
        bar.addWidget(self.group_combo)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)

        self.total_figure = _Figure("Total")
        self.billable_figure = _Figure("Billable")
        self.amount_figure = _Figure("Billable amount")
        self.average_figure = _Figure("Per working day")

        self.daily_chart = DailyBarChart()
        self.daily_title = QLabel(DailyBarChart.TITLES["day"])  # per week or month when long

        self.breakdown_chart = BreakdownChart()
        # Names take the stretch; numbers fit their contents (amounts one currency per line,
        # rows as tall as that needs).
        self.table = record_table("Breakdown table", ["Name", "Hours", "Billable", "Amount"],
                                  numbers={1, 2, 3})
        self.table.setMinimumWidth(TABLE_MIN)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.breakdown_title = QLabel("By project")
        self.breakdown_note = QLabel(TAG_NOTE)
        self.breakdown_note.setObjectName("breakdownNote")
        self.breakdown_note.setWordWrap(True)
        self.breakdown_note.setVisible(False)
        # Where these widgets go is the reports-v2 layout's business (ui/variants), and which
        # of them show is reports-config's; both follow their flags live once attached.
        self.layout_host = ReportsLayoutHost(ReportParts(
            figures=(self.total_figure, self.billable_figure, self.amount_figure,
                     self.average_figure),
            daily=self._section("", self.daily_chart, self.daily_title),
            breakdown_chart=self._section("", self.breakdown_chart, self.breakdown_title,
                                          self.breakdown_note),
            table=self.table))
        self.layout_host.config_changed.connect(self._config_changed)
        # a short window scrolls the figures, chart and breakdown instead of squeezing them
        self.layout_host.setObjectName("reportsBody")
        scroller = QScrollArea()
        scroller.setObjectName("reportsScroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.layout_host)
        outer.addWidget(scroller, 1)
        # The export-enabled kill switch: the button is disabled with its reason while off.
        self.export_switch = KillSwitchBinding(FeatureFlags.EXPORT_ENABLED, parent=self)
        self.export_switch.bind(self.export_button, busy=self._exporting)

        self.status_label = QLabel("")
        self.status_label.setAccessibleName("Report status")
        outer.addWidget(self.status_label)
        self._apply_palette()

        today = self._today()
        self.from_edit.setDate(QDate(today.year, today.month, 1))
        self.to_edit.setDate(QDate(today.year, today.month, today.day))
        config = self.layout_host.config  # reports-config: the opening range and grouping
        for combo, value in ((self.range_combo, config.default_range),
                             (self.group_combo, config.group_by)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self._range_kind_changed(self.range_combo.currentIndex(), refresh=False)
        flags = built_flags(self._app)
        if flags is not None:
            self.attach_flags(flags)

    def attach_flags(self, flags: Flags) -> None:
        """Follow the feature flags (reports-v2, reports-config, export-enabled) from now on.
        Called at once when the App's flag client exists, else by the window once the
        launcher has started it. Idempotent."""
        from timetracker.ui.variants.flag_bridge import FlagBridge

        if self.layout_host.attached:
            return
        bridge = FlagBridge(flags, self)
        self.layout_host.attach(flags, bridge)
        self.export_switch.attach(flags, bridge)

    def _config_changed(self, old: ReportsConfig, new: ReportsConfig) -> None:
        """reports-config changed while the view is open: follow its range and grouping
        unless the user already chose others."""
        if self.range_kind() == old.default_range and new.default_range != old.default_range:
            self.set_range_kind(new.default_range)
        if self.group_by() == old.group_by and new.group_by != old.group_by:
            self.set_group_by(new.group_by)

    def _exporting(self) -> bool:
        return self._export_job is not None and not self._export_job.is_done

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "breakdown_note"):
            # Once the new palette (and a theme's style sheet) reached the children too.
            QTimer.singleShot(0, self, self._apply_palette)
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        """The note in muted text; the table's colour dots again ("none" is the muted grey)."""
        mute_text(self.breakdown_note, self.palette())
        if self._report is not None:
            self._fill_table(self._report)

    @staticmethod
    def _section(title: str, body: QWidget, title_label: QLabel | None = None,
                 note: QWidget | None = None) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        label = title_label or QLabel(title)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        layout.addWidget(label)
        layout.addWidget(body, 1 if note is None else 0)
        if note is not None:  # right under the body, which keeps its natural height
            layout.addWidget(note)
            layout.addStretch(1)
        return box

    # -- the range ---------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return local_date(self._app.clock(), self._app.timezone)

    def _week_start(self) -> str:
        return str(self._app.config.get("week_start"))

    def range_kind(self) -> str:
        return str(self.range_combo.currentData())

    def current_range(self) -> DateRange:
        """The range the controls describe (raises ValidationError for a reversed custom one)."""
        kind = self.range_kind()
        if kind == "custom":
            return custom_range(self.from_edit.date().toPython(),  # type: ignore[arg-type]
                                self.to_edit.date().toPython(),  # type: ignore[arg-type]
                                self._app.timezone)
        return named_range(kind, self._app.clock(), self._app.timezone, self._week_start())

    def set_range_kind(self, kind: str) -> None:
        index = self.range_combo.findData(kind)
        if index < 0:
            raise ValueError(f"unknown range kind {kind!r}")
        self.range_combo.setCurrentIndex(index)

    def set_custom_range(self, first: dt.date, last: dt.date) -> None:
        self._set_dates(first, last)
        self.set_range_kind("custom")
        self.refresh()

    def set_group_by(self, group_by: str) -> None:
        index = self.group_combo.findData(group_by)
        if index < 0:
            raise ValueError(f"unknown grouping {group_by!r}")
        self.group_combo.setCurrentIndex(index)

    def group_by(self) -> str:
        return str(self.group_combo.currentData())

    def shift(self, direction: int) -> None:
        """Move to the previous (-1) or next (+1) period of the same length."""
        try:
            rng = self.current_range()
        except TimeTrackerError as exc:
            self._show_error(str(exc))
            return
        if rng.kind in ("this_month", "last_month") or (
                rng.first.day == 1 and (rng.last + dt.timedelta(days=1)).day == 1):
            first = rng.first
            if direction < 0:
                first = (first - dt.timedelta(days=1)).replace(day=1)
            else:
                first = (rng.last + dt.timedelta(days=1))
            last = (first.replace(day=28) + dt.timedelta(days=4))
            last = last - dt.timedelta(days=last.day)
        else:
            step = dt.timedelta(days=rng.days * direction)
            first, last = rng.first + step, rng.last + step
        self.set_custom_range(first, last)

    def _set_dates(self, first: dt.date, last: dt.date) -> None:
        for edit, day in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _range_kind_changed(self, _index: int, refresh: bool = True) -> None:
        custom = self.range_kind() == "custom"
        self.from_edit.setVisible(custom)
        self.to_edit.setVisible(custom)
        if not custom:
            rng = self.current_range()
            self._set_dates(rng.first, rng.last)
        if refresh:
            self.refresh()

    def _custom_dates_changed(self, _date: QDate) -> None:
        if self.range_kind() == "custom":
            self.refresh()

    # -- running the report ------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the report for the current controls, off the UI thread."""
        try:
            rng = self.current_range()
        except TimeTrackerError as exc:
            self._clear(str(exc))
            return
        self.range_label.setText(self._describe(rng))
        generation = self._supersede()
        self._show_status("Updating…")
        # Shown because of a menu/shortcut action (that action's source), or a control here.
        source: Source = dispatcher_for(self, self._app).active_source or "dialog"
        job = run_in_background(self._app.reports.report, rng, self.group_by(), owner=self)
        job.finished.connect(lambda report: self._on_report(generation, report, source))
        job.failed.connect(lambda error: self._on_failed(generation, error))
        self._job = job

    def _supersede(self) -> int:
        """Cancel the report in flight (its result will be ignored); the new generation."""
        if self._job is not None and not self._job.is_done:
            self._job.cancel()
        self._generation += 1
        return self._generation

    def _clear(self, message: str) -> None:
        """The range is invalid: no figures at all (never the last range's under new dates)."""
        self._supersede()
        self._report = None
        self.range_label.setText("")
        for figure in (self.total_figure, self.billable_figure, self.amount_figure,
                       self.average_figure):
            figure.set_value("—")
        self.daily_chart.set_days([], empty_text=INVALID_RANGE_TEXT)
        self.breakdown_chart.set_slices([], empty_text=INVALID_RANGE_TEXT)
        self.breakdown_note.setVisible(False)
        self.table.setRowCount(0)
        self._show_error(message)

    def is_busy(self) -> bool:
        return self._job is not None and not self._job.is_done

    def report(self) -> Report | None:
        """The report on screen (None before the first one arrives)."""
        return self._report

    def _describe(self, rng: DateRange) -> str:
        if rng.first == rng.last:
            return rng.first.strftime("%a %d %b %Y")
        if rng.first.year == rng.last.year:
            return f"{rng.first.strftime('%d %b')} – {rng.last.strftime('%d %b %Y')}"
        return f"{rng.first.strftime('%d %b %Y')} – {rng.last.strftime('%d %b %Y')}"

    def _on_failed(self, generation: int, error: object) -> None:
        if generation == self._generation:
            self._show_error(str(error) if isinstance(error, TimeTrackerError)
                             else f"The report failed ({type(error).__name__}).")

    def _show_error(self, message: str) -> None:
        self.status_label.setPalette(self.palette())
        self.status_label.setText(f"⚠ {message}")

    def _show_status(self, message: str) -> None:
        mute_text(self.status_label, self.palette())
        self.status_label.setText(message)

    def _on_report(self, generation: int, report: Report, source: Source = "dialog",
                   ) -> None:
        if generation != self._generation:
            return
        viewed = (report.range.kind, report.range.first, report.range.last, report.group_by)
        if viewed != self._viewed:  # report.generated (format gui), through the dispatcher
            self._viewed = viewed
            dispatcher_for(self, self._app).run("report.view", source, lambda: report)
        self._report = report
        self._show_status("")
        self.total_figure.set_value(duration_label(report.total_seconds))
        share = round(100 * report.billable_seconds / report.total_seconds) \
            if report.total_seconds else 0
        self.billable_figure.set_value(
            f"{duration_label(report.billable_seconds)}"
            + (f"  ({share}%)" if report.total_seconds else ""))
        self.amount_figure.set_value(amounts_label(report.amounts))
        worked = [s for _d, s in report.daily if s > 0]
        self.average_figure.set_value(
            duration_label(sum(worked) // len(worked)) if worked else "—")
        self.daily_chart.set_days(report.daily, self._today(),
                                  week_start=WEEKDAYS[self._week_start()])
        self.daily_title.setText(self.daily_chart.TITLES[self.daily_chart.unit])
        label = dict(GROUPS)[report.group_by]
        self.breakdown_title.setText(f"By {label.lower()}")
        # Shares of the time tracked in the range: for projects, clients and tasks the rows
        # split it exactly; tags overlap, which the note under the chart says.
        self.breakdown_chart.set_slices(_slices(report.rows), report.total_seconds)
        self.breakdown_note.setVisible(report.group_by == "tag" and bool(report.rows))
        self._fill_table(report)
        self.reportShown.emit(report)

    def _fill_table(self, report: Report) -> None:
        rows = report.rows
        # The same colours as the chart (it lists the rows in this order).
        colours = slice_colors(_slices(rows), muted_color(self.palette()))
        self.table.setRowCount(0)
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        right = NUMBER_ALIGNMENT
        for r, (row, colour) in enumerate(zip(rows, colours, strict=True)):
            name = QTableWidgetItem(row.label)
            name.setIcon(color_dot(colour.name(), 12, outline_on_base(colour.name())))
            name.setToolTip(row.label)
            name.setData(Qt.ItemDataRole.UserRole, row.key)
            cells = [name, QTableWidgetItem(duration_label(row.seconds)),
                     QTableWidgetItem(duration_label(row.billable_seconds)
                                      if row.billable_seconds else "—"),
                     QTableWidgetItem(amounts_label(row.amounts, "\n"))]
            for c, item in enumerate(cells):
                if c:
                    item.setTextAlignment(right)
                self.table.setItem(r, c, item)
        if rows:
            bold = QFont(self.table.font())
            bold.setBold(True)
            totals = [QTableWidgetItem("Total"),
                      QTableWidgetItem(duration_label(report.total_seconds)),
                      QTableWidgetItem(duration_label(report.billable_seconds)),
                      QTableWidgetItem(amounts_label(report.amounts, "\n"))]
            for c, item in enumerate(totals):
                item.setFont(bold)
                if c:
                    item.setTextAlignment(right)
                self.table.setItem(len(rows), c, item)
        self._fit_table()

    def _fit_table(self) -> None:
        """Wide enough for the numbers and the names (up to NAME_MAX), within the bounds."""
        header = self.table.horizontalHeader()
        numbers = sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in (1, 2, 3))
        names = min(NAME_MAX, max(self.table.sizeHintForColumn(0), header.sectionSizeHint(0)))
        extent = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        wanted = names + numbers + 2 * self.table.frameWidth() + extent
        self.table.setMinimumWidth(max(TABLE_MIN, min(TABLE_MAX, wanted)))

    # -- export ------------------------------------------------------------------------------
    def offer_export(self) -> None:
        """Open the export button's choices (File → Export…) without blocking."""
        menu = self.export_button.menu()
        if menu is not None and self.export_button.isEnabled():
            menu.popup(self.export_button.mapToGlobal(
                QPoint(0, self.export_button.height())))

    def _ask_export(self, fmt: str) -> None:
        guard = self._app.flags.guard(FeatureFlags.EXPORT_ENABLED)
        if not guard.allowed:  # the kill switch: say why, ask nothing
            self._show_error(guard.reason)
            return
        try:
            rng = self.current_range()
        except TimeTrackerError as exc:
            self._show_error(str(exc))
            return
        suggested = Path.home() / f"timetracker-{rng.first}-{rng.last}.{fmt}"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export entries", str(suggested),
            "CSV files (*.csv)" if fmt == "csv" else "JSON files (*.json)")
        if path:
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> Job:
        """Export the entries of the current range to ``path`` in the background."""
        rng = self.current_range()
        exporter = self._app.exporter
        flags = self._app.flags

        def work(control: JobControl) -> int:
            # requires_flag-style guard, checked when the work really starts: refused with
            # the kill switch's reason through the dispatcher (like the CLI's refusal).
            flags.require(FeatureFlags.EXPORT_ENABLED)
            def progress(done: int, total: int) -> None:
                control.progress(done, total)
                control.raise_if_cancelled()

            control.raise_if_cancelled()
            rows = exporter.write_file(path, fmt, rng.start, rng.end, progress).rows
            if control.cancelled:  # cancelled after the last progress call: keep no file
                path.unlink(missing_ok=True)
                raise Cancelled()
            return rows

        self.export_button.setEnabled(False)
        self._show_status(f"Exporting to {path.name}…")
        dialog = QProgressDialog(f"Exporting entries to {path.name}…", "Cancel", 0, 0, self)
        dialog.setWindowTitle("Export")
        # Not modal: a modal QProgressDialog spins the event loop inside setValue(), which
        # would deliver the job's later signals re-entrantly. The app stays usable meanwhile.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self._progress = dialog
        job = dispatcher_for(self, self._app).run_job("export.run", "dialog", work, owner=self)
        dialog.canceled.connect(job.cancel)
        job.progress.connect(self._export_progress)
        job.finished.connect(lambda rows: self._export_ended(path, int(rows), None))
        job.failed.connect(lambda error: self._export_ended(path, -1, error))
        job.cancelled.connect(lambda: self._export_ended(path, -1, "cancelled"))
        self._export_job = job
        return job

    def progress_dialog(self) -> QProgressDialog | None:
        return self._progress

    def _export_progress(self, done: int, total: int) -> None:
        if self._progress is None:
            return
        if self._progress.maximum() != total:
            self._progress.setMaximum(total)
            if total >= LARGE_EXPORT:
                self._progress.show()
        self._progress.setValue(done)

    def _export_ended(self, path: Path, rows: int, error: object) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.hide()
            self._progress.deleteLater()
            self._progress = None
        self._export_job = None
        self.export_switch.refresh()  # enabled again unless the kill switch is off
        if error == "cancelled":
            self._show_error("Export cancelled; no file was written.")
        elif error is not None:
            self._show_error(str(error) if isinstance(error, TimeTrackerError | OSError)
                             else f"The export failed ({type(error).__name__}).")
        else:
            self._show_status(f"Exported {rows:,} entries to {path}.")
        self.exportDone.emit(str(path), rows)


def _slices(rows: list[ReportRow]) -> list[Slice]:
    """The chart's rows for report rows; the "none" bucket is the row without a key."""
    return [Slice(row.label, row.seconds, row.color, none=not row.key) for row in rows]
