"""Charts painted with QPainter: hours per day (vertical bars) and a breakdown (horizontal bars).

Custom painting instead of QtCharts: PySide6-Essentials has no QtCharts; it lives in the
PySide6-Addons wheel (well over 100 MB installed) and costs import time at start-up. Two small
widgets painted here give the same information, follow the palette (so dark mode needs no
special case) and add nothing to the bundle.

Colours come from ``QPalette`` roles (text, grid, highlight) except where the data has its own
colour (a project's colour in the breakdown). A breakdown's "none" bucket (``(no project)``,
``(no tag)``, …) is drawn in the theme's muted grey, which no fallback colour resembles.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from timetracker.ui.colours import mix, outline_for
from timetracker.ui.quantities import duration_label, hours_minutes

#: Used for rows without a colour of their own (clients, tags, projects with none), in order,
#: skipping any a row already has as its own. No greys: grey means the "none" bucket.
FALLBACK_COLORS = ("#4F7DF3", "#30A46C", "#F76B15", "#8E4EC6", "#12A594", "#D6409F",
                   "#FFB224", "#E5484D", "#3E63DD", "#46A758", "#E93D82", "#0090FF")


def muted_color(palette: QPalette) -> QColor:
    """Secondary text: the window text moved towards the background (works in any theme)."""
    return mix(palette.color(QPalette.ColorRole.WindowText),
                palette.color(QPalette.ColorRole.Window), 0.45)


def mute_text(widget: QWidget, base: QPalette, muted: bool = True) -> None:
    """Give ``widget`` the palette ``base`` with its text in :func:`muted_color` (or, with
    ``muted=False``, ``base`` as it is: normal text)."""
    palette = QPalette(base)
    if muted:
        palette.setColor(QPalette.ColorRole.WindowText, muted_color(base))
    widget.setPalette(palette)


def _close(a: QColor, b: QColor) -> bool:
    """Too alike to tell two rows apart by colour."""
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 60


def nice_step(max_hours: float, ticks: int = 4) -> float:
    """A round hour step (0.5, 1, 2, 4, …) giving about ``ticks`` grid lines up to ``max_hours``."""
    raw = max(max_hours, 0.5) / ticks
    for step in (0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24, 48, 96):
        if step >= raw:
            return float(step)
    return float(math.ceil(raw / 24) * 24)


#: A range longer than this many days is drawn per week, longer than MONTHS_AFTER per month.
WEEKS_AFTER, MONTHS_AFTER = 35, 92


def period_bars(days: Sequence[tuple[dt.date, int]], week_start: int = 0
                ) -> tuple[str, list[tuple[dt.date, dt.date, int]]]:
    """The bars for ``days``: ("day", one per day) for up to WEEKS_AFTER days, ("week", one per
    week starting on weekday ``week_start``, 0 = Monday) up to MONTHS_AFTER, else ("month",
    one per calendar month). Each bar is (first day, last day, seconds) within the range."""
    if len(days) <= WEEKS_AFTER:
        return "day", [(day, day, secs) for day, secs in days]
    unit = "week" if len(days) <= MONTHS_AFTER else "month"
    bars: list[tuple[dt.date, dt.date, int]] = []
    for day, secs in days:
        key = (day - dt.timedelta(days=(day.weekday() - week_start) % 7) if unit == "week"
               else day.replace(day=1))
        if bars and bars[-1][0] == key:
            bars[-1] = (key, day, bars[-1][2] + secs)
        else:
            bars.append((key, day, secs))
    # a bar's first day is its period's, cut to the range at the start
    first = days[0][0]
    return unit, [(max(start, first), last, secs) for start, last, secs in bars]


class DailyBarChart(QWidget):
    """Hours per day over the range — per week or per month over a long range (see
    period_bars); hover a bar for its dates and total."""

    EMPTY_TEXT = "No time tracked in this range"
    #: What the chart shows, by the bars' period (the view's title says it).
    TITLES = {"day": "Hours per day", "week": "Hours per week", "month": "Hours per month"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[tuple[dt.date, int]] = []
        self._bars: list[tuple[dt.date, dt.date, int]] = []
        self.unit = "day"
        self._hover = -1
        self._today: dt.date | None = None
        self._empty_text = self.EMPTY_TEXT
        self.setMouseTracking(True)
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Hours per day")

    def set_days(self, days: Sequence[tuple[dt.date, int]], today: dt.date | None = None,
                 empty_text: str | None = None, week_start: int = 0) -> None:
        """Show ``days`` (bars per day, week or month: period_bars; ``week_start``: a week's
        first weekday, 0 = Monday); ``empty_text`` is what the chart says when there is
        nothing to draw (default: "No time tracked in this range")."""
        self._days = list(days)
        self.unit, self._bars = period_bars(self._days, week_start)
        self._today = today
        self._hover = -1
        self._empty_text = empty_text or self.EMPTY_TEXT
        total = sum(s for _, s in self._days)
        self.setAccessibleName(self.TITLES[self.unit])
        self.setAccessibleDescription(
            f"{len(self._days)} days, {duration_label(total)} in total" if self._days else
            self._empty_text)
        self.update()

    def bars(self) -> list[tuple[dt.date, dt.date, int]]:
        """The bars drawn: (first day, last day, seconds)."""
        return list(self._bars)

    def _bar_label(self, index: int, count: int) -> str:
        first = self._bars[index][0]
        if self.unit == "month":
            spans_years = self._bars[0][0].year != self._bars[-1][0].year
            return first.strftime("%b %y" if spans_years else "%b")
        if self.unit == "week":
            return f"{first.day} {first:%b}"
        return first.strftime("%a %d").replace(" 0", " ") if count <= 14 else str(first.day)

    def _bar_tooltip(self, index: int) -> str:
        first, last, secs = self._bars[index]
        if self.unit == "month":
            when = f"{first:%B %Y}"
        elif self.unit == "week":
            when = (f"Week of {first.day} {first:%b %Y} "
                    f"({first.day} {first:%b} – {last.day} {last:%b})")
        else:
            when = first.strftime("%a %d %b %Y")
        return f"{when}\n{duration_label(secs)}"

    def days(self) -> list[tuple[dt.date, int]]:
        return list(self._days)

    def sizeHint(self) -> QSize:
        return QSize(640, 220)

    # -- geometry ----------------------------------------------------------------------------
    def _plot_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("00 h") + 14
        return QRectF(left, fm.height() + 8, max(10, self.width() - left - 8),
                      max(10, self.height() - 2 * fm.height() - 20))

    def _bar_rects(self) -> list[QRectF]:
        plot = self._plot_rect()
        count = len(self._bars)
        if not count:
            return []
        slot = plot.width() / count
        width = max(2.0, min(56.0, slot * 0.62))
        top_hours = self._top_hours()
        rects = []
        for i, (_first, _last, secs) in enumerate(self._bars):
            height = plot.height() * min(1.0, (secs / 3600) / top_hours)
            x = plot.left() + slot * i + (slot - width) / 2
            rects.append(QRectF(x, plot.bottom() - height, width, height))
        return rects

    def _top_hours(self) -> float:
        peak = max((secs for _first, _last, secs in self._bars), default=0) / 3600
        step = nice_step(peak)
        return max(step, math.ceil(peak / step) * step) if peak > 0 else 8.0

    def _index_at(self, x: float) -> int:
        plot = self._plot_rect()
        if not self._bars or not plot.left() <= x <= plot.right():
            return -1
        return min(len(self._bars) - 1, int((x - plot.left()) / (plot.width() / len(self._bars))))

    # -- events ------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().x())
        if index != self._hover:
            self._hover = index
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = -1
        self.update()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QHelpEvent.Type.ToolTip:
            index = self._index_at(event.pos().x())
            if index >= 0:
                QToolTip.showText(event.globalPos(), self._bar_tooltip(index), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        base = pal.color(QPalette.ColorRole.Window)
        muted = mix(text, base, 0.45)
        grid = mix(text, base, 0.86)
        bar = pal.color(QPalette.ColorRole.Highlight)
        fm = QFontMetrics(self.font())
        plot = self._plot_rect()

        if not self._days or all(s == 0 for _, s in self._days):
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.end()
            return

        top = self._top_hours()
        step = nice_step(top)
        value = 0.0
        while value <= top + 1e-9:
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            label = f"{value:g} h"
            painter.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 8, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            value += step

        rects = self._bar_rects()
        count = len(rects)
        slot = plot.width() / count
        show_values = slot >= fm.horizontalAdvance("00:00") + 4
        widest = max(fm.horizontalAdvance(self._bar_label(i, count)) for i in range(count))
        label_every = max(1, math.ceil((widest + 8) / slot))
        for i, rect in enumerate(rects):
            day, last, secs = self._bars[i]
            colour = QColor(bar)
            if self._hover == i:
                colour = colour.lighter(118)
            elif self._hover >= 0:
                colour.setAlphaF(0.75)
            if secs > 0:
                path = QPainterPath()
                radius = min(4.0, rect.width() / 3, rect.height())
                path.addRoundedRect(rect.adjusted(0, 0, 0, radius), radius, radius)
                painter.save()
                painter.setClipRect(QRectF(rect.left(), rect.top(), rect.width(), rect.height()))
                painter.fillPath(path, colour)
                painter.restore()
                if show_values:
                    painter.setPen(text)
                    painter.drawText(QRectF(rect.center().x() - slot / 2,
                                            rect.top() - fm.height() - 2, slot, fm.height()),
                                     Qt.AlignmentFlag.AlignCenter, hours_minutes(secs))
            if i % label_every == 0:
                is_today = self._today is not None and day <= self._today <= last
                painter.setPen(text if is_today else muted)
                font = painter.font()
                font.setBold(is_today)
                painter.setFont(font)
                label = self._bar_label(i, count)
                painter.drawText(QRectF(rect.center().x() - slot * label_every / 2,
                                        plot.bottom() + 4, slot * label_every, fm.height()),
                                 Qt.AlignmentFlag.AlignCenter, label)
                font.setBold(False)
                painter.setFont(font)
        painter.setPen(mix(text, base, 0.7))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        painter.end()


@dataclass(frozen=True)
class Slice:
    """One row of a breakdown chart."""

    label: str
    seconds: int
    color: str | None = None
    #: The "none" bucket (``(no project)``, ``(no tag)``, …): drawn in the muted grey.
    none: bool = False


def slice_colors(slices: Sequence[Slice], muted: QColor) -> list[QColor]:
    """The colour of each slice, in order: ``muted`` for the "none" bucket, else its own colour,
    else the next fallback colour that no slice here has as its own (so a project without a
    colour never looks like another project or like "none")."""
    own = [QColor(s.color) for s in slices
           if not s.none and s.color and QColor(s.color).isValid()]
    free = [QColor(c) for c in FALLBACK_COLORS
            if not any(_close(QColor(c), taken) for taken in own)] \
        or [QColor(c) for c in FALLBACK_COLORS]
    result = []
    fallback = 0
    for s in slices:
        if s.none:
            result.append(QColor(muted))
        elif s.color and QColor(s.color).isValid():
            result.append(QColor(s.color))
        else:
            result.append(QColor(free[fallback % len(free)]))
            fallback += 1
    return result


class BreakdownChart(QWidget):
    """Horizontal bars, longest first: label, bar in the row's colour, ``7:30 h  42%``.

    The percentage is each row's share of the ``total`` given to :meth:`set_slices` (the time
    tracked in the range), not of the rows' sum: rows may overlap (an entry with two tags
    counts for both), and then the shares add up to more than 100%.
    """

    ROW_HEIGHT = 28
    MAX_ROWS = 10
    EMPTY_TEXT = "Nothing to break down"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slices: list[Slice] = []
        self._all: list[Slice] = []
        self._total = 0
        self._empty_text = self.EMPTY_TEXT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.ROW_HEIGHT * 3)
        self.setAccessibleName("Breakdown")

    def set_slices(self, slices: Sequence[Slice], total: int | None = None,
                   empty_text: str | None = None) -> None:
        """Show ``slices``; percentages are of ``total`` seconds (default: the slices' sum).
        ``empty_text`` is what an empty chart says (default: "Nothing to break down")."""
        ordered = sorted((s for s in slices if s.seconds > 0), key=lambda s: -s.seconds)
        self._all = ordered
        self._total = sum(s.seconds for s in ordered) if total is None else max(0, total)
        self._empty_text = empty_text or self.EMPTY_TEXT
        if len(ordered) > self.MAX_ROWS:
            rest = ordered[self.MAX_ROWS - 1:]
            other = Slice(f"{len(rest)} more", sum(s.seconds for s in rest), None)
            ordered = [*ordered[:self.MAX_ROWS - 1], other]
        self._slices = ordered
        self.setAccessibleDescription(
            "; ".join(f"{s.label}: {duration_label(s.seconds)} ({share}%)"
                      for s, share in zip(ordered, self.shares(), strict=True))
            or self._empty_text)
        self.updateGeometry()
        self.update()

    def slices(self) -> list[Slice]:
        return list(self._slices)

    def shares(self) -> list[int]:
        """Each shown row's share of the total, in whole percent."""
        return [round(100 * s.seconds / self._total) if self._total else 0
                for s in self._slices]

    def colors(self) -> list[QColor]:
        """The colour each shown row is painted in: see :func:`slice_colors`. The rows folded
        into "N more" keep their colours (a table listing every row shows the same ones)."""
        muted = muted_color(self.palette())
        if len(self._slices) == len(self._all):
            return slice_colors(self._all, muted)
        colours = slice_colors([*self._all, self._slices[-1]], muted)
        return [*colours[:len(self._slices) - 1], colours[-1]]

    def sizeHint(self) -> QSize:
        return QSize(420, max(3, len(self._slices)) * self.ROW_HEIGHT + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.ROW_HEIGHT * 3)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        base = pal.color(QPalette.ColorRole.Window)
        muted = mix(text, base, 0.45)
        track = mix(text, base, 0.9)
        fm = QFontMetrics(self.font())
        if not self._slices:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.end()
            return
        peak = max(s.seconds for s in self._slices) or 1
        width = self.width()
        values = [f"{duration_label(s.seconds)}  {share}%"
                  for s, share in zip(self._slices, self.shares(), strict=True)]
        value_w = max(fm.horizontalAdvance(v) for v in values) + 8
        # Names as wide as they need (90..220 px) while the bar keeps at least 40 px.
        names = max(fm.horizontalAdvance(s.label) for s in self._slices) + 16
        label_w = max(60, min(220, max(90, names), width - value_w - 12 - 8 - 40))
        bar_left = label_w + 12
        bar_w = max(20, width - bar_left - value_w - 8)
        for i, (piece, colour, value) in enumerate(zip(self._slices, self.colors(), values,
                                                       strict=True)):
            top = 4 + i * self.ROW_HEIGHT
            mid = top + self.ROW_HEIGHT / 2
            # swatch + label (a colour too close to the background gets a ring)
            outline = outline_for(colour, base, text)
            edge = QPen(outline, 1) if outline is not None else QPen(Qt.PenStyle.NoPen)
            painter.setPen(edge)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(6, mid), 4.5, 4.5)
            painter.setPen(text)
            label = fm.elidedText(piece.label, Qt.TextElideMode.ElideRight, label_w - 16)
            painter.drawText(QRectF(16, top, label_w - 16, self.ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            # track and bar
            bar_h = 10.0
            track_rect = QRectF(bar_left, mid - bar_h / 2, bar_w, bar_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(track_rect, bar_h / 2, bar_h / 2)
            length = max(bar_h, bar_w * piece.seconds / peak)
            painter.setPen(edge)
            painter.setBrush(colour)
            bar_rect = QRectF(bar_left, mid - bar_h / 2, length, bar_h)
            if outline is not None:  # the ring inside the bar's own outline
                bar_rect.adjust(0.5, 0.5, -0.5, -0.5)
            painter.drawRoundedRect(bar_rect, bar_rect.height() / 2, bar_rect.height() / 2)
            # value
            painter.setPen(muted)
            painter.drawText(QRectF(bar_left + bar_w + 8, top, value_w, self.ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             value)
        painter.end()
