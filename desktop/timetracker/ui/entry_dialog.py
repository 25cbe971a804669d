"""Add or edit an entry by hand, with a message under the fields that says what is wrong.

A running entry can be edited too: its End stays empty (it keeps running) unless a time is
typed there (it stops then).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.durations import clock_time as hm
from timetracker.core.entry_reads import EntryReads, EntryRow
from timetracker.core.ranges import local_date
from timetracker.core.time_format import clock_of_day
from timetracker.core.timeparse import parse_clock
from timetracker.ui import theme
from timetracker.ui.actions import ActionDispatcher
from timetracker.ui.picker import ProjectPicker, TagPicker

if TYPE_CHECKING:
    from timetracker.app import App


#: An entry that ends the next day and is longer than this is saved only when Save is pressed
#: a second time (10:00 to 8:00 is more likely swapped times than a 22-hour day).
LONG_OVERNIGHT = 12 * 3600


class EntryDialog(QDialog):
    """``entry=None`` adds a new entry; otherwise edits that one."""

    def __init__(self, app: App, reads: EntryReads, dispatcher: ActionDispatcher,
                 entry: EntryRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.dispatcher = dispatcher
        self.entry = entry
        self.result_entry: object = None
        self._confirmed: tuple[int, int] | None = None
        #: editing the running entry: an empty End keeps it running
        self.running = entry is not None and entry.end is None
        self.setWindowTitle("Edit running entry" if self.running else
                            "Edit entry" if entry else "New entry")
        self.setMinimumWidth(520)  # the times row: fields, duration and "ends next day"
        tz = entry.tz if entry else app.timezone
        self.tz = tz
        fmt = str(app.config.get("time_format"))

        self.description = QLineEdit(entry.description if entry else "")
        self.description.setPlaceholderText("What did you work on?")
        self.description.setAccessibleName("Description")
        self.project = ProjectPicker(reads.projects)
        self.project.set_choice(entry.project if entry else None, entry.task if entry else None,
                                entry.color if entry else None)
        self.tags = TagPicker(reads.tags)
        self.tags.set_tags(entry.tags if entry else ())
        self.billable = QCheckBox("Billable")
        self.billable.setChecked(bool(entry and entry.billable))

        day = entry.local_start().date() if entry else local_date(app.clock(), tz)
        self.date = QDateEdit(QDate(day.year, day.month, day.day))
        self.date.setCalendarPopup(True)
        theme.calm_calendar(self.date)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.setAccessibleName("Date")
        self.start = QLineEdit(clock_of_day(entry.local_start(), fmt) if entry else "")
        self.start.setPlaceholderText("e.g. " + clock_of_day(dt.time(9, 0), fmt))
        self.start.setAccessibleName("Start time")
        end_local = entry.local_end() if entry else None
        self.end = QLineEdit(clock_of_day(end_local, fmt) if end_local else "")
        self.end.setPlaceholderText("running" if self.running else
                                    "e.g. " + clock_of_day(dt.time(17, 30), fmt))
        self.end.setAccessibleName("End time")
        if self.running:
            self.end.setToolTip("Leave it empty to keep the timer running; type a time to stop "
                                "it then.")
        for field in (self.start, self.end):  # as wide as "12:30 PM", whatever the duration
            field.setFixedWidth(field.fontMetrics().horizontalAdvance("e.g. 00:00 PM") + 24)
        self.duration = QLabel("")
        self.duration.setObjectName("muted")
        self.error = QLabel("")
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")

        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("to"))
        times.addWidget(self.end)
        times.addWidget(self.duration, 1)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Description", self.description)
        form.addRow("Project", self.project)
        form.addRow("Tags", self.tags)
        form.addRow("", self.billable)
        form.addRow("Date", self.date)
        form.addRow("Time", times)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addSpacing(8)
        layout.addWidget(self.buttons)
        for field in (self.start, self.end):
            field.textChanged.connect(self._preview)
        # a message is about what was there when Save was pressed: any change retires it
        for changed in (self.start.textChanged, self.end.textChanged, self.date.dateChanged,
                        self.description.textChanged):
            changed.connect(lambda *_: self.error.setText(""))
        self.date.dateChanged.connect(self._preview)
        self._preview()
        if self.running:  # "running, 1:36:47 so far" counts up like the bar
            self._ticker = QTimer(self)
            self._ticker.setInterval(1000)
            self._ticker.timeout.connect(self._tick)
            self._ticker.start()
        (self.description if not entry else self.start).setFocus()

    def _tick(self) -> None:
        if not self.end.text().strip():  # (with an end typed, the duration does not move)
            self._preview()

    def _times(self) -> tuple[int, int | None]:
        """Start and end in UTC seconds (end None: a running entry that keeps running), or
        ValueError naming the field that is wrong."""
        day = self.date.date().toPython()
        assert isinstance(day, dt.date)
        zone = ZoneInfo(self.tz)
        values: list[dt.datetime] = []
        for name, field in (("Start", self.start), ("End", self.end)):
            text = field.text().strip()
            if not text and name == "End" and self.running:
                began = int(values[0].timestamp())
                if began > self.app.clock():
                    raise ValueError("Start time is in the future: a running entry starts "
                                     "before now.")
                return began, None
            if not text:
                raise ValueError(f"{name} time is missing. Type it like 9:30 or 5pm.")
            try:
                values.append(dt.datetime.combine(day, parse_clock(text), zone))
            except ValueError:
                raise ValueError(f"{name} time '{text}' is not a time. "
                                 "Type it like 9:30, 17:45 or 5pm.") from None
        start, end = values
        if end <= start:  # e.g. 22:00 to 01:00: the end is on the next day
            end = dt.datetime.combine(day + dt.timedelta(days=1), end.time(), zone)
        if self.running and end.timestamp() > self.app.clock():
            raise ValueError("End time is still to come: leave it empty to keep the timer "
                             "running, or type when it stopped.")
        return int(start.timestamp()), int(end.timestamp())

    def _preview(self) -> None:
        self._confirmed = None
        try:
            start, end = self._times()
        except ValueError:
            self.duration.setText("")
            return
        if end is None:
            self.duration.setText(f"running, {hm(self.app.clock() - start)} so far")
            return
        next_day = " (ends next day)" if local_date(end, self.tz) != local_date(start, self.tz) \
            else ""
        self.duration.setText(f"{hm(end - start)}{next_day}")

    def save(self) -> None:
        try:
            start, end = self._times()
        except ValueError as problem:
            self.error.setText(str(problem))
            field = self.start if str(problem).startswith("Start") else self.end
            field.setFocus()  # where to type the fix
            field.selectAll()
            return
        if end is not None and end - start > LONG_OVERNIGHT \
                and local_date(end, self.tz) != local_date(start, self.tz) \
                and self._confirmed != (start, end):
            # e.g. 10:00 to 8:00 — more likely swapped times than a 22-hour day: ask once
            self._confirmed = (start, end)
            self.error.setText(
                f"This entry ends the next day and lasts {hm(end - start)}. Check the times; "
                "press Save again to keep it.")
            return
        entries = self.app.entries
        project, task = self.project.project, self.project.task
        fields = dict(project=project, description=self.description.text(),
                      tags=list(self.tags.selected), task=task,
                      billable=self.billable.isChecked())
        if self.entry is None:
            assert end is not None  # (only the running entry may have no end)
            finish = end
            result = self.dispatcher.run("entry.create", "dialog", lambda: entries.add(
                start, finish, **fields))  # type: ignore[arg-type]
        else:
            entry_id = self.entry.id
            result = self.dispatcher.run("entry.edit", "dialog", lambda: entries.edit(
                entry_id, start=start, end=end, **fields))  # type: ignore[arg-type]
        if result is None:
            self.error.setText(self.dispatcher.last_error or "The entry could not be saved.")
            return
        self.result_entry = result
        self.accept()
