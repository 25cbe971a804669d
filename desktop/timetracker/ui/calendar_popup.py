"""The calendar that drops down from the app's date fields."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QCalendarWidget, QWidget


class FramedCalendar(QCalendarWidget):
    """A calendar with a 1 px frame that the style sheet draws (a popup without one melts
    into the dialog under it; QCalendarWidget paints none of its own), and a size hint that
    makes room for it — the sixth week row stays whole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        inner = self.layout()
        if inner is not None:  # (its parts would cover the frame)
            inner.setContentsMargins(1, 1, 1, 1)

    def sizeHint(self) -> QSize:
        return super().sizeHint() + QSize(2, 2)

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint() + QSize(2, 2)
