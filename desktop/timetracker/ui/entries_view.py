"""This week's entries, grouped by day with day totals, edited in place.

Each row: description and times are edited where they are shown (Enter saves, Esc cancels),
the project through the same picker as the timer bar; ▶ continues the entry, ⋯ offers edit,
duplicate and delete. Deleting shows an "Undo" toast (Ctrl+Z works too). Rows that overlap
another entry are tinted and carry a warning icon. Reads go through :class:`EntryReads` (no
ORM, fast); every change goes through the action dispatcher.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QSize, QTimer, Signal
from PySide6.QtGui import (
    QEnterEvent,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QRegion,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.durations import clock_time as hm
from timetracker.core.entry_reads import EntryReads, EntryRow, PickerProject
from timetracker.core.errors import ValidationError
from timetracker.core.ranges import DateRange, local_date, local_midnight, named_range
from timetracker.core.time_format import clock_of_day
from timetracker.core.timeparse import parse_clock, parse_time
from timetracker.ui import theme
from timetracker.ui.actions import ActionDispatcher, Source
from timetracker.ui.fitted import FittedLabel
from timetracker.ui.icons import glyph, transparent_pixmap
from timetracker.ui.picker import Choice, ProjectPicker
from timetracker.ui.qt_names import elide_right, set_enum
from timetracker.ui.shortcuts import native_text
from timetracker.ui.toast import TOAST_QUOTE_CHARS, shorten

if TYPE_CHECKING:
    from timetracker.app import App


def day_title(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "Today"
    if day == today - dt.timedelta(days=1):
        return "Yesterday"
    return f"{day:%a}, {day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")


def combine_time(text: str, day: dt.date, tz: str, now: int) -> int:
    """A typed time on ``day`` (``9:30``, ``5pm``) or any full time (``yesterday 17:00``);
    a ValidationError that says how to type one in a field."""
    try:
        return int(dt.datetime.combine(day, parse_clock(text), ZoneInfo(tz)).timestamp())
    except ValueError:
        pass
    try:
        return parse_time(text, now, tz)
    except ValidationError:
        raise ValidationError(f"Cannot read the time '{text}': type it like 9:30, 17:45 or "
                              "5pm.") from None


def entry_matches(entry: EntryRow, needle: str) -> bool:
    """Does every word of ``needle`` occur in the entry's description, project, task, client
    or tags (ignoring case)?"""
    hay = " ".join([entry.description, entry.project or "", entry.task or "",
                    entry.client or "", *entry.tags]).lower()
    return all(word in hay for word in needle.lower().split())


#: Rows built when the week is shown; more are built as the list is scrolled down (a week of
#: hundreds of entries must not delay the window).
ROW_BATCH = 40
#: A row's columns (px): the project and tag columns grow to these widths, then the description
#: takes the rest; in a narrow window each shrinks to its least (texts cut with "…").
PROJECT_WIDTH, PROJECT_MIN_WIDTH = 260, 90
TAGS_WIDTH = 170
DESCRIPTION_MIN_WIDTH = 90
#: Rows built when a week is first shown: about what fills the window's list (a row is ~40
#: px); the rest follows as the list is scrolled, searched, or turns out not to be full.
FIRST_ROWS = 16


class WeekData(NamedTuple):
    range: DateRange
    entries: tuple[EntryRow, ...]
    overlaps: frozenset[int]
    #: finished entries that started before the week and ran into it: not listed, but their
    #: time in the week counts in its first day's total (as in Reports)
    earlier: tuple[EntryRow, ...] = ()


def day_totals(entries: Iterable[EntryRow], rng: DateRange, now: int) -> dict[dt.date, int]:
    """Each local day of ``rng``: the seconds of ``entries`` inside that day — an entry across
    midnight counts on both days, the way Reports (core/reports.py) splits it."""
    days = rng.dates()
    bounds = [local_midnight(day, rng.tz) for day in days]
    bounds.append(rng.end)
    totals = dict.fromkeys(days, 0)
    for entry in entries:
        start, end = entry.start, entry.end if entry.end is not None else now
        index = max(0, bisect_right(bounds, start) - 1)  # (the days it touches only)
        while index < len(days) and bounds[index] < end:
            inside = min(end, bounds[index + 1]) - max(start, bounds[index])
            if inside > 0:
                totals[days[index]] += inside
            index += 1
    return totals


class _DescriptionEdit(QLineEdit):
    """A row's description: while it is not being edited (no focus, no pointer — the style
    sheet then draws no frame or background) a text longer than the field ends in "…"
    instead of being cut mid-letter; editing shows all of it as usual."""

    #: Where QLineEdit starts its text inside the row's style (border 1 + padding 4, then
    #: QLineEdit's own 2 px margin) and the vertical padding (border 1 + padding 3).
    TEXT_LEFT, TEXT_TOP = 1 + 4 + 2, 1 + 3

    def paintEvent(self, event: QPaintEvent) -> None:
        metrics = self.fontMetrics()
        room = self.width() - 2 * self.TEXT_LEFT
        text = self.text()
        if self.hasFocus() or self.underMouse() or metrics.horizontalAdvance(text) <= room:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.setFont(self.font())
        inner = self.height() - 2 * self.TEXT_TOP
        top = self.TEXT_TOP + (inner - metrics.height() + 1) // 2
        painter.drawText(QPointF(self.TEXT_LEFT, top + metrics.ascent()),
                         elide_right(metrics, text, room))
        painter.end()


class _TimeEdit(QLineEdit):
    """A time field that looks like text until focused; Esc restores the shown value."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName("rowTime")
        self.setAccessibleName(name)
        set_enum(self, "alignment", "AlignCenter")
        self.setFixedWidth(74)
        self.shown = ""

    def show_value(self, text: str) -> None:
        self.shown = text
        if not self.hasFocus():
            self.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.setText(self.shown)
            self.clearFocus()
            return
        super().keyPressEvent(event)


#: The "+1" after an end time on a later day.
_LATER_DAY = re.compile(r"\s*\+\d+$")
#: The child widgets of a row, built when the row is first touched (see EntryRowWidget).
_PARTS = frozenset({"description", "project", "tags", "billable", "warning", "start_edit",
                    "end_edit", "duration", "play", "more"})
#: The row's editors in keyboard (Tab) order.
_FOCUSABLE_PARTS = ("description", "project", "start_edit", "end_edit", "play", "more")


class EntryRowWidget(QFrame):
    """One entry in a day card.

    A row starts *painted*: it has no child widgets and draws itself with the view's stamp — one
    real, hidden row filled with this entry's data and rendered into this row's place — so it
    looks exactly like a real row at a fraction of the cost (a week's rows no longer delay the
    window). The first time the row is touched — the pointer enters it, it gets the keyboard
    focus, or code asks for one of its editors (``row.description``, ``row.end_edit``, …) — it
    builds its real widgets in place. A click that arrives before that goes on to the widget
    under the pointer.
    """

    description: QLineEdit
    project: ProjectPicker
    tags: FittedLabel
    billable: QLabel
    warning: QLabel
    start_edit: _TimeEdit
    end_edit: _TimeEdit
    duration: QLabel
    play: QToolButton
    more: QToolButton

    def __init__(self, view: EntriesView, entry: EntryRow, overlap: bool, last: bool,
                 painted: bool = True) -> None:
        super().__init__()
        self.view = view
        self.entry = entry
        self.overlap = overlap
        self.built = False
        self.menu: QMenu | None = None
        self.setObjectName("entryRow")
        self.setProperty("overlap", overlap)
        self.setProperty("last", last)
        set_enum(self, "focusPolicy", "StrongFocus")
        what = entry.description or "(no description)"
        self.setAccessibleName(f"Entry: {what}")
        self.setAccessibleDescription(self._summary())
        if not painted:
            self.build()
        else:
            self.setMinimumSize(view.row_minimum(entry))  # what the real row needs

    def __getattr__(self, name: str) -> object:
        """An editor of a painted row: build the row's widgets, then hand it out."""
        if name in _PARTS and not self.__dict__.get("built", True):
            self.build()
            return self.__dict__[name]
        raise AttributeError(name)

    def lay_out(self) -> None:
        """Place the (built) widgets for the row's current size and texts now."""
        outer = self.layout()
        if outer is not None:
            outer.activate()
        content = self.description.parentWidget()
        inner = content.layout() if content is not None else None
        if inner is not None:
            inner.activate()
        box = self.project.parentWidget()  # the project column (the picker at its left)
        box_layout = box.layout() if box is not None else None
        if box_layout is not None:
            box_layout.activate()
        self.tags.fit()  # (a hidden row gets no resize events: cut the texts to the widths now)
        self.project.fit()

    def _summary(self) -> str:
        entry = self.entry
        parts = [entry.project or "no project"]
        if entry.task:
            parts.append(entry.task)
        if entry.tags:
            parts.append(", ".join(entry.tags))
        return " · ".join(parts)

    def build(self, focus_part: str = "description") -> None:
        """Build the row's real widgets (once); the row stops painting itself. If the row has
        the keyboard focus, ``focus_part`` gets it.

        They are laid out in a hidden container that is then shown once, so each appears at
        its place (a widget shown before the layout placed it could take the pointer's hover
        with it); they join the focus chain right after the row, in order.
        """
        if self.built:
            return
        self.built = True
        self.setMinimumSize(0, 0)
        set_enum(self, "focusPolicy", "ClickFocus")  # Tab now stops at its editors
        focus = self.hasFocus()
        content = QWidget(self)
        content.hide()
        self._build_parts(content)
        # Filled before anything is shown: showing a widget styles it (even inside a hidden
        # container), so its style properties must be set by then. show_entry shows or hides
        # ▶ itself (hidden for a running entry); the rest is shown here, with the container.
        self.show_entry(self.entry, self.overlap)
        self.update_times(self.view.app.clock())
        for child in content.children():
            if isinstance(child, QWidget) and child is not self.play:
                child.show()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(content)
        content.setGeometry(self.rect())
        inner = content.layout()
        assert inner is not None
        inner.activate()
        content.show()
        previous: QWidget = self
        for name in _FOCUSABLE_PARTS:
            editor = getattr(self, name)
            QWidget.setTabOrder(previous, editor)
            previous = editor
        self.update()
        if focus:
            getattr(self, focus_part).setFocus()

    def _build_parts(self, content: QWidget) -> None:
        view = self.view
        self.description = _DescriptionEdit()
        self.description.setPlaceholderText("Add description")
        self.description.setAccessibleName("Entry description")
        self.description.setMaxLength(5000)
        self.description.editingFinished.connect(self._description_done)

        self.project = ProjectPicker(view.projects, quiet=True)
        self.project.setObjectName("rowProject")
        self.project.chosen.connect(self._project_chosen)

        self.tags = FittedLabel()
        self.tags.setObjectName("rowTags")
        self.tags.setAccessibleName("Entry tags")
        self.tags.setMaximumWidth(TAGS_WIDTH)
        self.billable = QLabel()
        self.billable.setFixedWidth(18)
        self.warning = QLabel()
        self.warning.setFixedWidth(18)

        self.start_edit = _TimeEdit("Start time")
        self.end_edit = _TimeEdit("End time")
        self.start_edit.editingFinished.connect(lambda: self._time_done(self.start_edit, True))
        self.end_edit.editingFinished.connect(lambda: self._time_done(self.end_edit, False))
        for field in (self.description, self.start_edit, self.end_edit):
            field.installEventFilter(self)  # Esc, and the row's Ctrl+D before the field's
        dash = QLabel("–")
        dash.setObjectName("muted")

        self.duration = QLabel()
        self.duration.setObjectName("rowDuration")
        set_enum(self.duration, "alignment", "AlignRight|AlignVCenter")
        self.duration.setAccessibleName("Duration")

        self.play = QToolButton()
        self.play.setToolTip("Continue this entry (start a timer like it)")
        self.play.setAccessibleName("Continue this entry")
        self.play.clicked.connect(lambda: view.continue_entry(self.entry, "bar"))
        policy = self.play.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.play.setSizePolicy(policy)
        self.play.setFixedSize(QSize(26, 26))

        self.more = QToolButton()
        self.more.setToolTip("More actions")
        self.more.setAccessibleName("More actions")
        self.more.setFixedSize(QSize(26, 26))
        self.more.clicked.connect(self._show_menu)  # the menu is built when first needed

        # The description takes most of a wider row; the project and tag columns grow up to
        # their widths, and all three shrink (cut with "…") in a narrow window.
        project_box = QWidget()
        project_box.setMinimumWidth(PROJECT_MIN_WIDTH)
        project_box.setMaximumWidth(PROJECT_WIDTH)
        box = QHBoxLayout(project_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.project)
        box.addStretch(1)  # the picker keeps its own width, at the left
        self.description.setMinimumWidth(DESCRIPTION_MIN_WIDTH)

        layout = QHBoxLayout(content)
        layout.setContentsMargins(12, 4, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.description, 4)
        layout.addWidget(project_box, 3)
        layout.addWidget(self.tags, 2)
        layout.addWidget(self.warning)
        layout.addWidget(self.billable)
        layout.addWidget(self.start_edit)
        layout.addWidget(dash)
        layout.addWidget(self.end_edit)
        layout.addWidget(self.duration)
        layout.addWidget(self.play)
        layout.addWidget(self.more)

    def show_entry(self, entry: EntryRow, overlap: bool) -> None:
        """Fill the (built) widgets with ``entry`` — a real row once, the stamp per paint."""
        colors = theme.current()
        self.entry = entry
        self.description.setText(entry.description)
        self.description.setCursorPosition(0)
        self.project.set_choice(entry.project, entry.task, entry.color)
        tags_text = ", ".join(entry.tags)
        self.tags.ensurePolished()  # measured in the style sheet's font
        self.tags.set_fitted_text(tags_text)
        self.tags.setToolTip(tags_text)
        self.description.setToolTip(entry.description)
        self.billable.setAccessibleName("Billable" if entry.billable else "Not billable")
        self.billable.setToolTip("Billable" if entry.billable else "")
        self.billable.setPixmap(glyph("money", colors.accent).pixmap(QSize(16, 16))
                                if entry.billable else QPixmap())
        self.warning.setToolTip(self.view.overlap_text(entry) if overlap and self.built else
                                "This entry overlaps another entry" if overlap else "")
        self.warning.setAccessibleName("Overlaps another entry" if overlap else "")
        self.warning.setPixmap(glyph("warning", colors.warn).pixmap(QSize(16, 16))
                               if overlap else QPixmap())
        self.play.setIcon(glyph("play", colors.accent))
        self.play.setVisible(not entry.running)
        self.more.setIcon(glyph("more", colors.muted))

    # -- the painted state -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # the row's own background (hover, overlap) and divider
        if self.built:
            return
        stamp = self.view.stamp(self.entry, self.width(), self.height())
        stamp.show_entry(self.entry, self.overlap)
        stamp.update_times(self.view.app.clock())
        stamp.lay_out()
        # At a fractional scale (150 %…) the row can start between two device pixels; real
        # widgets are drawn from there, so the image is drawn with the same fraction inside
        # it and placed on the whole pixel before — the same pixels, nothing moves on hover.
        painter = QPainter(self)
        ratio = self.devicePixelRatioF()
        device = painter.deviceTransform()  # where this row is on the device being painted
        shift = QPointF(math.modf(device.dx())[0] / ratio, math.modf(device.dy())[0] / ratio)
        image = transparent_pixmap(self.width() + 1, self.height() + 1, ratio)
        into = QPainter(image)
        into.translate(shift)
        stamp.render(into, QPoint(0, 0), QRegion(), QWidget.RenderFlag.DrawChildren)
        into.end()
        painter.drawPixmap(-shift, image)
        painter.end()

    def enterEvent(self, event: QEnterEvent) -> None:
        self.build()  # the pointer is here: the real widgets take over (hover, clicks)
        self.project.show_hint(True)  # "+ Project" where there is none
        super().enterEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self.built and event.reason() == QtCore.Qt.FocusReason.TabFocusReason:
            self.build()
        elif not self.built and event.reason() == QtCore.Qt.FocusReason.BacktabFocusReason:
            self.build(focus_part=_FOCUSABLE_PARTS[-1])  # Shift+Tab: from the end

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        if self.built:
            self.project.show_hint(self.project.hasFocus())
        # Widgets that appeared under the pointer (the row was built as it came in) can miss
        # their own Leave when the pointer moves on quickly; without this their hover look
        # would stay. The pointer is outside the row now, so none of them is under it.
        for child in self.findChildren(QWidget):
            if child.testAttribute(QtCore.Qt.WidgetAttribute.WA_UnderMouse):
                child.setAttribute(QtCore.Qt.WidgetAttribute.WA_UnderMouse, False)
                QApplication.sendEvent(child, QEvent(QEvent.Type.Leave))
                child.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if not self.built:  # e.g. a touch screen: no hover came first
            self.build()
            target = self.childAt(event.position().toPoint())
            if isinstance(target, QLineEdit):
                target.setFocus(QtCore.Qt.FocusReason.MouseFocusReason)
            elif isinstance(target, QToolButton):
                target.click()
            return
        super().mousePressEvent(event)

    def build_menu(self) -> QMenu:
        if self.menu is None:
            view = self.view
            menu = QMenu(self)
            menu.addAction("Edit…", lambda: view.edit_in_dialog(self.entry))
            menu.addAction("Duplicate", QKeySequence("Ctrl+D"),
                           lambda: view.duplicate(self.entry, "menu"))
            self.continue_action = menu.addAction(
                "Continue", lambda: view.continue_entry(self.entry, "menu"))
            menu.addAction("Copy", QKeySequence(QKeySequence.StandardKey.Copy),
                           lambda: self.copy("menu"))
            menu.addSeparator()
            menu.addAction("Delete", QKeySequence(QKeySequence.StandardKey.Delete),
                           lambda: view.delete(self.entry, "menu"))
            self.menu = menu
        # (the running entry is running already: nothing to continue)
        self.continue_action.setVisible(not self.entry.running)
        return self.menu

    def _show_menu(self) -> None:
        self.build_menu().popup(self.more.mapToGlobal(self.more.rect().bottomLeft()))

    def update_times(self, now: int) -> None:
        if not self.built:
            self.update()  # painted: the stamp shows the current times
            return
        fmt = self.view.time_format
        start = self.entry.local_start()
        self.start_edit.show_value(clock_of_day(start, fmt))
        end = self.entry.local_end()
        later = (end.date() - start.date()).days if end is not None else 0
        # an end on a later day says so: "01:15 +1"
        self.end_edit.show_value((clock_of_day(end, fmt) + (f" +{later}" if later else ""))
                                 if end is not None else "now")
        self.end_edit.setReadOnly(end is None)
        self.end_edit.setToolTip(
            "Running — stop it from the timer bar" if end is None else
            f"Ends on {end:%a %d %b} (type e.g. 17:30)" if later else
            "End time (type e.g. 17:30)")
        self.duration.setText(hm(self.entry.duration(now)))

    def matches(self, needle: str) -> bool:
        return entry_matches(self.entry, needle)

    # -- edits -------------------------------------------------------------------------------
    def focused_part(self) -> str | None:
        """Which of the row's editors has the keyboard focus: its name, "" for the row
        itself, None when the focus is elsewhere."""
        focus = QApplication.focusWidget()
        if focus is self:
            return ""
        if not self.built or focus is None:
            return None
        return next((name for name in _FOCUSABLE_PARTS
                     if getattr(self, name) is focus or getattr(self, name).isAncestorOf(focus)),
                    None)

    def _description_done(self) -> None:
        self.description.setModified(False)  # handled: a refresh may rebuild the row now
        self.description.setCursorPosition(0)  # shown from its start again, like the others
        text = " ".join(self.description.text().split())
        if text != self.entry.description:
            self.view.edit(self.entry, "menu", description=text)

    def _project_chosen(self, choice: Choice) -> None:
        if choice.create and choice.project:
            name = choice.project
            if self.view.dispatcher.run("project.create", "menu",
                                        lambda: self.view.app.catalog.add_project(name)) is None:
                return
        if choice.project != self.entry.project or choice.task != self.entry.task:
            changes: dict[str, object] = {"project": choice.project, "task": choice.task}
            if choice.project != self.entry.project:  # its billable default, as in the bar
                billable = next((known.billable for known in self.view.projects()
                                 if known.name == choice.project), None)
                if billable is not None:
                    changes["billable"] = billable
            self.view.edit(self.entry, "menu", **changes)

    def _time_done(self, field: _TimeEdit, is_start: bool) -> None:
        field.setModified(False)  # handled: a refresh may rebuild the row now
        text = field.text().strip()
        if not is_start and text != field.shown:  # "01:30 +1" edited: the day stays the end's
            text = _LATER_DAY.sub("", text)
        if not text or text == field.shown or field.isReadOnly():
            field.setText(field.shown)
            return
        entry, now = self.entry, self.view.app.clock()

        def change() -> object:
            if is_start:
                day = entry.local_start().date()
                start = combine_time(text, day, entry.tz, now)
                return self.view.app.entries.edit(entry.id, start=start)
            end_local = entry.local_end()
            day = (end_local or entry.local_start()).date()
            end = combine_time(text, day, entry.tz, now)
            if end <= entry.start and end + 86400 > entry.start and ":" in text:
                end += 86400  # 23:00–01:00: the end is on the next day
            return self.view.app.entries.edit(entry.id, end=end)

        if self.view.dispatcher.run("entry.edit", "menu", change) is None:
            field.setText(field.shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if _is_duplicate_key(event):  # (a field would delete a character)
            self.view.duplicate(self.entry, "shortcut")
            return True
        if watched is self.description and event.key() == QtCore.Qt.Key.Key_Escape:
            self.description.setText(self.entry.description)
            self.description.clearFocus()
            return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == QtCore.Qt.Key.Key_Delete:
            self.view.delete(self.entry, "shortcut")
            return
        if _is_duplicate_key(event):
            self.view.duplicate(self.entry, "shortcut")
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy("shortcut")
            return
        super().keyPressEvent(event)

    def copy(self, source: Source) -> None:
        """The entry as a line of text on the clipboard (through the dispatcher, like every
        action; it changes no data and sends nothing)."""
        self.view.dispatcher.run("entry.copy", source,
                                 lambda: QApplication.clipboard().setText(self.as_text()))

    def as_text(self) -> str:
        """The entry as one line of text (what Copy puts on the clipboard)."""
        entry, fmt = self.entry, self.view.time_format
        end = entry.local_end()
        what = entry.description or "(no description)"
        where = " · ".join(part for part in (entry.project, entry.task) if part)
        tags = f" #{' #'.join(entry.tags)}" if entry.tags else ""
        span = (f"{entry.local_start():%a %d %b} {clock_of_day(entry.local_start(), fmt)}–"
                f"{clock_of_day(end, fmt) if end is not None else 'now'}")
        return (f"{what}{f' — {where}' if where else ''}{tags} — {span} "
                f"({hm(entry.duration(self.view.app.clock()))})")


def _is_duplicate_key(event: QKeyEvent) -> bool:
    """Ctrl+D (⌘D on macOS): duplicate the entry."""
    keys = QtCore.Qt
    return event.key() == keys.Key.Key_D and bool(
        event.modifiers() & keys.KeyboardModifier.ControlModifier)


class DayCard(QFrame):
    def __init__(self, view: EntriesView, day: dt.date, entries: list[EntryRow],
                 overlaps: frozenset[int], today: dt.date) -> None:
        super().__init__()
        self.day = day
        self.entries = entries
        self.setObjectName("dayCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QFrame()
        header.setObjectName("dayHeader")
        h = QHBoxLayout(header)
        h.setContentsMargins(16, 10, 72, 10)
        self.title = QLabel(day_title(day, today))
        self.title.setObjectName("dayTitle")
        self.total = QLabel()
        self.total.setObjectName("dayTotal")
        self.total.setAccessibleName(f"Total for {day.isoformat()}")
        h.addWidget(self.title)
        h.addStretch(1)
        h.addWidget(self.total)
        self._header = h
        #: "includes 1:15:00 begun the day before", made when a day has such time
        self.carried: QLabel | None = None
        layout.addWidget(header)
        self.rows = [EntryRowWidget(view, e, e.id in overlaps, i == len(entries) - 1)
                     for i, e in enumerate(entries)]
        for row in self.rows:
            layout.addWidget(row)

    def update_times(self, now: int, total: int, carried: int = 0) -> None:
        """The running row's times, and ``total``: the day's tracked time (see day_totals),
        of it ``carried`` seconds of entries listed on an earlier day (past midnight)."""
        for row in self.rows:
            if row.entry.running:
                row.update_times(now)
        self.total.setText(hm(total))
        if carried and self.carried is None:
            self.carried = QLabel()
            self.carried.setObjectName("muted")
            self._header.insertWidget(self._header.indexOf(self.total), self.carried)
        if self.carried is not None:
            self.carried.setText(f"includes {hm(carried)} begun the day before  "
                                 if carried else "")
            self.carried.setVisible(bool(carried))
            self.total.setToolTip(f"{hm(total - carried)} in the entries listed here, "
                                  f"{hm(carried)} of an entry that began the day before"
                                  if carried else "")


class EntriesView(QWidget):
    """The Timer page below the bar: a week of entries."""

    #: (message, action text or "", action) for the window's toast
    notify = Signal(str, str, object)
    #: ask the window to open the entry dialog (None = a new entry)
    edit_requested = Signal(object)

    def __init__(self, app: App, reads: EntryReads, dispatcher: ActionDispatcher,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.reads = reads
        self.dispatcher = dispatcher
        self.week_offset = 0
        self.time_format = str(app.config.get("time_format"))
        self.data: WeekData | None = None
        self.cards: list[DayCard] = []
        self._pending: list[tuple[dt.date, list[EntryRow]]] = []
        self._today = dt.date.today()
        self._projects_cache: list[PickerProject] | None = None
        self._fingerprint: object = None
        self._stamps: dict[bool, EntryRowWidget] = {}
        self._scroll_to = 0
        self._row_minimum: QSize | None = None
        colors = theme.current()

        header = QFrame()
        header.setObjectName("entriesHeader")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(20, 14, 20, 6)
        hl.setSpacing(6)
        self.prev_button = QToolButton()
        self.prev_button.setAccessibleName("Previous week")
        self.prev_button.setToolTip(f"Previous week ({native_text('prev_week')})")
        self.prev_button.clicked.connect(lambda: self.shift_week(-1))
        self.next_button = QToolButton()
        self.next_button.setAccessibleName("Next week")
        self.next_button.setToolTip(f"Next week ({native_text('next_week')})")
        self.next_button.clicked.connect(lambda: self.shift_week(1))
        self.week_title = QLabel("This week")
        self.week_title.setObjectName("weekTitle")
        self.week_total = QLabel()
        self.week_total.setObjectName("weekTotal")
        self.week_total.setAccessibleName("Week total")
        self.find_field = QLineEdit()
        self.find_field.setObjectName("find")
        self.find_field.setPlaceholderText(f"Find entries ({native_text('find')})")
        self.find_field.setAccessibleName("Find entries")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.setMinimumWidth(120)
        self.find_field.setMaximumWidth(260)
        self.find_field.textChanged.connect(self._apply_filter)
        self.find_field.installEventFilter(self)  # Esc clears it
        self._search_action = self.find_field.addAction(glyph("search", colors.muted),
                                                  QLineEdit.ActionPosition.LeadingPosition)
        self.add_button = QPushButton(" Add entry")
        self.add_button.setAccessibleName("Add an entry by hand")
        self.add_button.setToolTip(f"Add a finished entry by hand ({native_text('new_entry')})")
        self.add_button.clicked.connect(lambda: self.edit_requested.emit(None))
        hl.addWidget(self.prev_button)
        hl.addWidget(self.next_button)
        hl.addSpacing(6)
        hl.addWidget(self.week_title)
        hl.addSpacing(10)
        hl.addWidget(self.week_total)
        hl.addStretch(1)
        hl.addWidget(self.find_field)
        hl.addWidget(self.add_button)

        self.canvas = QWidget()
        self.canvas.setObjectName("entriesCanvas")
        self.cards_layout = QVBoxLayout(self.canvas)
        self.cards_layout.setContentsMargins(20, 8, 20, 20)
        self.cards_layout.setSpacing(14)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        set_enum(self.empty, "alignment", "AlignCenter")
        self.empty.setWordWrap(True)
        self.cards_layout.addWidget(self.empty)
        self.cards_layout.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("entriesScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.canvas)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.scroller.verticalScrollBar().rangeChanged.connect(self._fill)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.scroller, 1)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(700)
        self._retry.timeout.connect(self.refresh)
        self.retheme()
        del colors

    # -- painted rows --------------------------------------------------------------------------
    def stamp(self, entry: EntryRow | None = None, width: int = 0,
              height: int = 0) -> EntryRowWidget:
        """The hidden real row that painted rows like ``entry`` draw themselves with.

        One per look the style sheet gives a row's widgets (with or without a project), so
        painting never re-styles a widget; built once per theme.
        """
        key = entry is not None and entry.project is not None
        stamp = self._stamps.get(key)
        if stamp is None:
            sample = EntryRow(0, 0, 0, "UTC", "", None, "-" if key else None, None, None,
                              None, None, (), False)
            stamp = EntryRowWidget(self, sample, False, False, painted=False)
            stamp.setParent(self)
            stamp.hide()  # never shown: only rendered (see EntryRowWidget.paintEvent)
            self._stamps[key] = stamp
        if width and height and stamp.size() != QSize(width, height):
            stamp.resize(width, height)
        return stamp

    def row_minimum(self, entry: EntryRow | None = None) -> QSize:
        """The least size of a row: the real row's (the same for every row)."""
        if self._row_minimum is None:
            stamp = self.stamp(entry)
            stamp.ensurePolished()
            for child in stamp.findChildren(QWidget):
                child.ensurePolished()
            stamp.lay_out()
            self._row_minimum = QSize(stamp.minimumSizeHint().width(),
                                      stamp.sizeHint().height())
        return self._row_minimum

    # -- data --------------------------------------------------------------------------------
    def projects(self) -> list[PickerProject]:
        if self._projects_cache is None:
            self._projects_cache = self.reads.projects()
        return self._projects_cache

    def week_range(self) -> DateRange:
        this = named_range("this_week", self.app.clock(), self.app.timezone,
                           str(self.app.config.get("week_start")))
        shift = dt.timedelta(days=7 * self.week_offset)
        return DateRange(this.first + shift, this.last + shift, this.tz, "custom")

    def load(self) -> WeekData:
        rng = self.week_range()
        found = self.reads.between(rng.start, rng.end)
        entries = tuple(e for e in found if e.start >= rng.start or e.running)
        earlier = tuple(e for e in found if e.start < rng.start and not e.running)
        overlaps = frozenset(self.reads.overlap_ids(rng.start, rng.end)) if entries else \
            frozenset()
        return WeekData(rng, entries, overlaps, earlier)

    def overlap_text(self, entry: EntryRow) -> str:
        """Which entries of the week ``entry`` overlaps, e.g. 'Overlaps “Standup” (9:00–9:15)'."""
        now, fmt = self.app.clock(), self.time_format
        end = entry.end if entry.end is not None else now
        others = [other for other in (self.data.entries if self.data else ())
                  if other.id != entry.id and other.start < end
                  and (other.end if other.end is not None else now) > entry.start]
        if not others:
            return "This entry overlaps another entry"

        def named(other: EntryRow) -> str:
            finish = other.local_end()
            span = (f"{clock_of_day(other.local_start(), fmt)}–"
                    f"{clock_of_day(finish, fmt) if finish is not None else 'now'}")
            what = shorten(other.description, 40) if other.description else "(no description)"
            return f"“{what}” ({other.local_start():%a} {span})"

        shown = [named(other) for other in others[:3]]
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        return "Overlaps " + ", ".join(shown) + more

    def _editing(self) -> bool:
        focus = QApplication.focusWidget()
        return isinstance(focus, QLineEdit) and focus is not self.find_field and \
            self.canvas.isAncestorOf(focus) and focus.isModified()

    def refresh(self) -> None:
        """Read the week again; rebuild the rows only when something changed."""
        if self._editing():  # never pull a field away from under the user's cursor
            self._retry.start()
            return
        self.time_format = str(self.app.config.get("time_format"))
        self._projects_cache = None
        data = self.load()
        fingerprint = (data, self.time_format, theme.current().name)
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._build(data)
        self._tick()

    def _build(self, data: WeekData) -> None:
        same_week = self.data is not None and self.data.range == data.range
        built_rows = sum(len(card.rows) for card in self.cards) if same_week else 0
        self._scroll_to = self.scroller.verticalScrollBar().value() if same_week else 0
        self.data = data
        focus = QApplication.focusWidget()
        had_focus = focus is not None and self.canvas.isAncestorOf(focus)
        refocus = next(((row.entry.id, part) for card in self.cards for row in card.rows
                        if (part := row.focused_part()) is not None), None)
        if had_focus:  # before the rows go (Qt would move the focus to the next one)
            self.scroller.setFocus()
        for card in self.cards:
            self.cards_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        today = local_date(self.app.clock(), self.app.timezone)
        by_day: dict[dt.date, list[EntryRow]] = {}
        for entry in data.entries:
            by_day.setdefault(entry.local_start().date(), []).append(entry)
        self._pending = [(day, by_day[day]) for day in sorted(by_day, reverse=True)]
        self._today = today
        self._build_more(max(FIRST_ROWS, built_rows))  # as far down as the list was
        rng = data.range
        if self.week_offset == 0:
            title = "This week"
        elif self.week_offset == -1:
            title = "Last week"
        else:
            title = f"{rng.first.day} {rng.first:%b} – {rng.last.day} {rng.last:%b %Y}"
        self.week_title.setText(title)
        self.week_title.setToolTip(f"{rng.first:%a %d %b %Y} – {rng.last:%a %d %b %Y}")
        if not data.entries:
            self.empty.setText(
                "No time tracked this week yet.\nType what you are working on above and press "
                f"Enter, or add an entry by hand ({native_text('new_entry')})."
                if self.week_offset == 0 else "No time tracked in this week.")
        self.empty.setVisible(not data.entries)
        self._apply_filter(self.find_field.text())
        # the same field of the same entry keeps the keyboard (or the list, if it is gone)
        row = next((r for card in self.cards for r in card.rows
                    if refocus is not None and r.entry.id == refocus[0]), None)
        if row is not None and refocus is not None:
            (getattr(row, refocus[1]) if refocus[1] else row).setFocus()
        self._restore_scroll()
        has_running = any(e.running for e in data.entries)
        if has_running:
            self._ticker.start()
        else:
            self._ticker.stop()

    def _build_more(self, rows: int = ROW_BATCH) -> None:
        """Build the next days' cards, at least ``rows`` rows (whole days), if any are left."""
        if not self._pending:
            return
        built = 0
        self.canvas.setUpdatesEnabled(False)
        while self._pending and built < rows:
            day, entries = self._pending.pop(0)
            card = DayCard(self, day, entries, self.data.overlaps if self.data else frozenset(),
                           self._today)
            self.cards_layout.insertWidget(len(self.cards), card)
            self.cards.append(card)
            built += len(entries)
        self.canvas.setUpdatesEnabled(True)
        if built and self.find_field.text().strip():
            self._apply_filter(self.find_field.text())

    def ensure_all_built(self) -> None:
        while self._pending:
            self._build_more(len(self.data.entries) if self.data else ROW_BATCH)

    def _scrolled(self, value: int) -> None:
        bar = self.scroller.verticalScrollBar()
        if self._pending and value >= bar.maximum() - self.scroller.viewport().height():
            self._build_more()

    def _restore_scroll(self) -> None:
        """Back to where the list was scrolled before it was rebuilt (once the rebuilt list is
        long enough; its scroll range follows its layout)."""
        bar = self.scroller.verticalScrollBar()
        if self._scroll_to and bar.maximum() >= self._scroll_to:
            bar.setValue(self._scroll_to)
            self._scroll_to = 0

    def _fill(self, *_range: int) -> None:
        """The built rows do not fill the list (nothing to scroll): build the next days."""
        self._restore_scroll()
        bar = self.scroller.verticalScrollBar()
        if self._pending and bar.maximum() <= 0 and self.scroller.isVisible():
            self._build_more()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fill)  # once laid out: is the list full?

    def _tick(self) -> None:
        now = self.app.clock()
        needle = self.find_field.text().strip()
        data = self.data
        week = (*data.entries, *data.earlier) if data else ()
        counted = [e for e in week if not needle or entry_matches(e, needle)]
        totals = day_totals(counted, data.range, now) if data else {}
        for card in self.cards:
            if not card.isHidden():
                own = day_totals([e for e in card.entries if not needle or
                                  entry_matches(e, needle)], data.range, now) if data else {}
                total = totals.get(card.day, 0)
                card.update_times(now, total, max(0, total - own.get(card.day, 0)))
        found = hm(sum(totals.values()))
        if needle and data is not None:  # the week's total too, so the found part reads as one
            whole = hm(sum(day_totals(week, data.range, now).values()))
            self.week_total.setText(f"Found  {found}  of {whole}")
        else:
            self.week_total.setText(f"Week total  {found}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.find_field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == QtCore.Qt.Key.Key_Escape:
                if self.find_field.text():
                    self.find_field.clear()  # every entry again
                else:
                    self.scroller.setFocus()  # a second Esc leaves the box
                return True
        return super().eventFilter(watched, event)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip()
        if needle:
            self.ensure_all_built()
        for card in self.cards:
            shown_rows = [row for row in card.rows if not needle or row.matches(needle)]
            for row in card.rows:
                shown = row in shown_rows
                if row.isHidden() == shown:
                    row.setVisible(shown)
                # the last row shown draws no divider (it would cover the card's corners)
                theme.set_style_property(row, "last", bool(shown_rows) and row is shown_rows[-1])
            if card.isHidden() == bool(shown_rows):
                card.setVisible(bool(shown_rows))
        entries = self.data.entries if self.data else ()
        if needle and entries and not any(entry_matches(e, needle) for e in entries):
            self.empty.setText(f"No entry of this week matches “{shorten(needle, 40)}”.\n"
                               "Press Esc to clear the search.")
            self.empty.setVisible(True)
        elif entries:
            self.empty.setVisible(False)
        self._tick()

    def shift_week(self, step: int) -> None:
        self.week_offset = 0 if step == 0 else self.week_offset + step
        self.refresh()

    def focus_find(self) -> None:
        self.find_field.setFocus()
        self.find_field.selectAll()

    def retheme(self) -> None:
        colors = theme.current()
        self.prev_button.setIcon(glyph("left", colors.text))
        self.next_button.setIcon(glyph("right", colors.text))
        self.add_button.setIcon(glyph("plus", colors.text))
        self._search_action.setIcon(glyph("search", colors.muted))
        self._fingerprint = None
        for stamp in self._stamps.values():  # the painted rows' stamps follow the new theme
            stamp.deleteLater()
        self._stamps.clear()
        self._row_minimum = None

    # -- actions -----------------------------------------------------------------------------
    def rows(self) -> list[EntryRowWidget]:
        """Every row of the week (building any not built yet)."""
        self.ensure_all_built()
        return [row for card in self.cards for row in card.rows]

    def row_for(self, entry_id: int) -> EntryRowWidget | None:
        return next((row for row in self.rows() if row.entry.id == entry_id), None)

    def edit(self, entry: EntryRow, source: Source, **fields: object) -> None:
        entries = self.app.entries
        result = self.dispatcher.run("entry.edit", source,
                                     lambda: entries.edit(entry.id, **fields))  # type: ignore[arg-type]
        if result is not None and result.overlaps:
            self.notify.emit(f"Saved — it overlaps {len(result.overlaps)} other "
                             f"entr{'y' if len(result.overlaps) == 1 else 'ies'}.", "", None)

    def continue_entry(self, entry: EntryRow, source: Source) -> None:
        entries = self.app.entries
        self.dispatcher.run("timer.start", source, lambda: entries.start(
            project=entry.project, description=entry.description, tags=entry.tags,
            task=entry.task, billable=entry.billable))

    def duplicate(self, entry: EntryRow, source: Source) -> None:
        if entry.end is None:
            self.notify.emit("A running entry cannot be duplicated; stop it first.", "", None)
            return
        entries = self.app.entries
        end = entry.end
        if self.dispatcher.run("entry.duplicate", source, lambda: entries.add(
                entry.start, end, project=entry.project, description=entry.description,
                tags=entry.tags, task=entry.task, billable=entry.billable)) is not None:
            self.notify.emit("Entry duplicated.", "Undo", self._undo_callback(source))

    def delete(self, entry: EntryRow, source: Source) -> None:
        entries = self.app.entries
        if self.dispatcher.run("entry.delete", source,
                               lambda: entries.delete(entry.id)) is not None:
            what = f"“{shorten(entry.description, TOAST_QUOTE_CHARS)}”" if entry.description \
                else "Entry"
            self.notify.emit(f"{what} deleted.", "Undo", self._undo_callback(source))

    def _undo_callback(self, source: Source) -> Callable[[], None]:
        def undo() -> None:
            entries = self.app.entries
            self.dispatcher.run("entry.undo", source, entries.undo)
        return undo

    def edit_in_dialog(self, entry: EntryRow) -> None:
        self.edit_requested.emit(entry)
