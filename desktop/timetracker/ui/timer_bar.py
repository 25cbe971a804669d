"""The timer bar: what you are doing, project/task, tags, billable, start/stop, elapsed time.

While a timer runs the bar shows that entry, and changing a field changes the running entry.
While idle the fields describe the next timer; Enter in the description starts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from timetracker.core.durations import clock_time as clock_text
from timetracker.core.entry_reads import EntryReads, EntryRow, PickerProject
from timetracker.ui import theme
from timetracker.ui.actions import ActionDispatcher, Source
from timetracker.ui.icons import glyph
from timetracker.ui.picker import Choice, ProjectPicker, TagPicker
from timetracker.ui.qt_names import set_enum
from timetracker.ui.shortcuts import native_text

if TYPE_CHECKING:
    from timetracker.app import App


#: The bar in a narrow window: the description keeps at least this much room; a long project
#: name gets at most this much (px).
DESCRIPTION_MIN_WIDTH, PROJECT_MAX_WIDTH = 140, 300

class TimerBar(QFrame):
    """The bar along the top of the window."""

    #: Emitted each second while running with the elapsed seconds (the tray listens).
    ticked = Signal(int)
    #: Emitted after the bar showed a new state (running entry, last entry, billable) — the
    #: compact focus mode (ui/variants) mirrors the bar through it.
    state_shown = Signal()

    def __init__(self, app: App, reads: EntryReads, dispatcher: ActionDispatcher,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.reads = reads
        self.dispatcher = dispatcher
        self.running: EntryRow | None = None
        self.last: EntryRow | None = None
        self._projects_cache: list[PickerProject] | None = None
        self.setObjectName("timerBar")

        self.description = QLineEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText("What are you working on?")
        self.description.setAccessibleName("Description")
        self.description.setMaxLength(5000)
        self.description.returnPressed.connect(self._on_return)
        self.description.editingFinished.connect(self._on_description_done)

        self.description.setMinimumWidth(DESCRIPTION_MIN_WIDTH)
        self.project = ProjectPicker(self._projects)
        self.project.setMaximumWidth(PROJECT_MAX_WIDTH)  # a long name is cut with "…"
        self.project.chosen.connect(self._on_project)
        self.tags = TagPicker(self.reads.tags, compact=True)
        self.tags.changed.connect(self._on_tags)

        self.billable = QToolButton()
        self.billable.setObjectName("billableButton")
        self.billable.setCheckable(True)
        self.billable.setAccessibleName("Billable")
        self.billable.setToolTip("Billable")
        self.billable.toggled.connect(self._on_billable)

        self.continue_button = QToolButton()
        self.continue_button.setObjectName("continueButton")
        self.continue_button.setAccessibleName("Continue last entry")
        set_enum(self.continue_button, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.continue_button.setText("Continue")
        self.continue_button.clicked.connect(lambda: self.continue_last("bar"))

        self.elapsed = QLabel(clock_text(0))
        self.elapsed.setObjectName("elapsed")
        self.elapsed.setAccessibleName("Elapsed time")
        set_enum(self.elapsed, "alignment", "AlignRight|AlignVCenter")

        self.start_stop = QPushButton()
        self.start_stop.setObjectName("startStop")
        self.start_stop.setIconSize(QSize(18, 18))
        self.start_stop.setFixedSize(QSize(44, 44))
        self.start_stop.clicked.connect(lambda: self.toggle("bar"))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(6)
        layout.addWidget(self.description, 1)
        layout.addWidget(self.project)
        layout.addWidget(self.tags)
        layout.addWidget(self.billable)
        layout.addWidget(self.continue_button)
        layout.addSpacing(8)
        layout.addWidget(self.elapsed)
        layout.addSpacing(4)
        layout.addWidget(self.start_stop)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._show_state()

    # -- data --------------------------------------------------------------------------------
    def _projects(self) -> list[PickerProject]:
        if self._projects_cache is None:
            self._projects_cache = self.reads.projects()
        return self._projects_cache

    def refresh(self) -> None:
        """Read the running and the last entry again and show them."""
        self._projects_cache = None
        self.show_entry(self.reads.current(), self.reads.last())

    def show_entry(self, running: EntryRow | None, last: EntryRow | None) -> None:
        was = self.running
        self.running, self.last = running, last
        if running is not None:
            editing = self.description.hasFocus() and was is not None and was.id == running.id
            if not editing:
                self.description.setText(running.description)
                self.description.setCursorPosition(0)  # its start, in a narrow bar
            self.project.set_choice(running.project, running.task, running.color)
            self.tags.set_tags(running.tags)
            self._set_billable(running.billable)
        elif was is not None:  # it just stopped: clear the bar for the next timer
            self.description.clear()
            self.project.set_choice(None)
            self.tags.set_tags([])
            self._set_billable(False)
        self._show_state()

    def _set_billable(self, value: bool) -> None:
        self.billable.blockSignals(True)
        self.billable.setChecked(value)
        self.billable.blockSignals(False)
        self._paint_billable()

    # -- looks -------------------------------------------------------------------------------
    def _show_state(self) -> None:
        running = self.running is not None
        colors = theme.current()
        self.start_stop.setIcon(glyph("stop" if running else "play", "#FFFFFF", 18))
        theme.set_style_property(self.start_stop, "running", running)
        theme.set_style_property(self.elapsed, "running", running)
        key = native_text("toggle_timer")
        self.start_stop.setAccessibleName("Stop timer" if running else "Start timer")
        self.start_stop.setToolTip(("Stop the timer" if running else "Start a timer")
                                   + f" ({key})")
        self.continue_button.setIcon(glyph("continue", colors.muted))
        self.continue_button.setVisible(not running and self.last is not None)
        if self.last is not None:
            what = self.last.description or "(no description)"
            where = f" · {self.last.project}" if self.last.project else ""
            self.continue_button.setToolTip(
                f"Continue “{what}”{where} ({native_text('continue_last')})")
        self._paint_billable()
        if running:
            self._ticker.start()
        else:
            self._ticker.stop()
        self._tick()
        self.state_shown.emit()

    def _paint_billable(self) -> None:
        colors = theme.current()
        self.billable.setIcon(glyph("money", colors.accent if self.billable.isChecked()
                                    else colors.muted))

    def _tick(self) -> None:
        if self.running is None:
            self.elapsed.setText(clock_text(0))
            return
        seconds = self.running.duration(self.app.clock())
        self.elapsed.setText(clock_text(seconds))
        self.ticked.emit(seconds)

    def retheme(self) -> None:
        self.project.set_choice(self.project.project, self.project.task, self.project.color)
        self.tags.set_tags(self.tags.selected)
        self._show_state()

    # -- actions -----------------------------------------------------------------------------
    def toggle(self, source: Source) -> None:
        if self.running is not None:
            self.stop(source)
        else:
            self.start(source)

    def start(self, source: Source) -> None:
        entries = self.app.entries
        description = self.description.text()
        project, task = self.project.project, self.project.task
        tags = list(self.tags.selected)
        billable = self.billable.isChecked()
        self.dispatcher.run("timer.start", source, lambda: entries.start(
            project=project, description=description, tags=tags, task=task, billable=billable))

    def stop(self, source: Source) -> None:
        entries = self.app.entries
        self.dispatcher.run("timer.stop", source, entries.stop)

    def continue_last(self, source: Source) -> None:
        entries = self.app.entries
        self.dispatcher.run("timer.continue", source, entries.continue_last)

    def _on_return(self) -> None:
        if self.running is None:
            self.start("bar")

    def _on_description_done(self) -> None:
        running = self.running
        text = " ".join(self.description.text().split())
        if running is not None and text != running.description:
            entries = self.app.entries
            self.dispatcher.run("entry.edit", "bar",
                                lambda: entries.edit(running.id, description=text))

    def _on_project(self, choice: Choice) -> None:
        """A project (and task) was chosen: it takes the project's billable default — for the
        next timer, or for the running entry when its project changed (as if started so)."""
        billable: bool | None = None
        if choice.create and choice.project:
            name = choice.project
            created = self.dispatcher.run("project.create", "bar",
                                          lambda: self.app.catalog.add_project(name))
            if created is None:
                self.project.set_choice(None)
                return
            self._projects_cache = None
            self.project.set_choice(created.name, None, created.color)
            billable = created.billable
        else:
            billable = next((known.billable for known in self._projects()
                             if known.name == choice.project), None)
        running = self.running
        if running is None:
            if billable is not None:
                self._set_billable(billable)
            return
        if choice.project == running.project and choice.task == running.task:
            return
        entries = self.app.entries
        new_project, task = self.project.project, self.project.task
        changes: dict[str, object] = {"project": new_project, "task": task}
        if new_project != running.project and billable is not None:
            changes["billable"] = billable
        self.dispatcher.run("entry.edit", "bar",
                            lambda: entries.edit(running.id, **changes))  # type: ignore[arg-type]

    def _on_tags(self, tags: list[str]) -> None:
        running = self.running
        if running is not None and sorted(tags) != sorted(running.tags):
            entries = self.app.entries
            self.dispatcher.run("entry.edit", "bar", lambda: entries.edit(running.id, tags=tags))

    def _on_billable(self, value: bool) -> None:
        self._paint_billable()
        running = self.running
        if running is not None and value != running.billable:
            entries = self.app.entries
            self.dispatcher.run("entry.edit", "bar",
                                lambda: entries.edit(running.id, billable=value))
