"""Text that fits its widget: as much as the width allows, cut with "…" at the end.

A label or button with a name of any length (a project · task, a list of tags) asks its layout
for the whole text's width and, when it gets less, shows the start of the text and "…" — the
whole text is in its tooltip (set by the owner). Used by the week's rows and the timer bar,
which must shrink gracefully in a narrow window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel

from timetracker.ui.qt_names import ELLIPSIS, elide_right

if TYPE_CHECKING:
    from PySide6.QtGui import QFontMetrics

#: The least a cut text keeps visible: a few letters and the ellipsis.
LEAST_SHOWN = "Wwwww" + ELLIPSIS


class FittedText:
    """Mixin for a ``QLabel`` or ``QToolButton`` (listed before it): :meth:`set_fitted_text`
    instead of ``setText``. The text is cut again whenever the widget is resized, or when
    :meth:`fit` is called (a widget that is laid out while hidden gets no resize event)."""

    _full_text = ""
    #: Whether the widget was given a size yet. Before that the text is not cut: measuring
    #: would style the widget (Qt polishes it to tell its size hint) before its owner set the
    #: properties the style sheet selects on (theme.set_style_property).
    _sized = False

    # (the Qt base class provides these)
    if TYPE_CHECKING:
        def text(self) -> str: ...
        def isVisible(self) -> bool: ...
        def setText(self, text: str) -> None: ...
        def fontMetrics(self) -> QFontMetrics: ...
        def width(self) -> int: ...

    def set_fitted_text(self, text: str) -> None:
        """Show ``text`` (cut to the width it gets once its layout placed it anew)."""
        self._full_text = text
        self.setText(text)
        if self._sized and self.isVisible():
            # after the layout answered the new size hint (that resize cuts it too); a width
            # that does not change gets no resize event. (A hidden one — a row's stamp — is
            # laid out and fitted by its owner.)
            QTimer.singleShot(0, self, self.fit)  # type: ignore[call-overload]

    def full_text(self) -> str:
        return self._full_text

    def _chrome(self) -> int:
        """The width around the text (icon, padding): the hint minus the text shown now."""
        hint = super().sizeHint()  # type: ignore[misc]
        return int(hint.width()) - self.fontMetrics().horizontalAdvance(self.text())

    def sizeHint(self) -> QSize:
        # (layouts ask often: the whole text shown needs no measuring)
        hint: QSize = super().sizeHint()  # type: ignore[misc]
        shown = self.text()
        if shown == self._full_text:
            return hint
        metrics = self.fontMetrics()
        return QSize(hint.width() + metrics.horizontalAdvance(self._full_text)
                     - metrics.horizontalAdvance(shown), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()  # type: ignore[misc]
        metrics = self.fontMetrics()
        least = min(metrics.horizontalAdvance(self._full_text),
                    metrics.horizontalAdvance(LEAST_SHOWN))
        return QSize(self._chrome() + least, hint.height())

    def fit(self) -> None:
        """Show as much of the text as the current width allows (measured from the whole
        text each time: a hint measured with "…" in it differs by a pixel or two)."""
        self._sized = True
        full = self._full_text
        if self.text() != full:
            self.setText(full)
        whole = super().sizeHint().width()  # type: ignore[misc]
        if self.width() < whole:
            metrics = self.fontMetrics()
            room = self.width() - (whole - metrics.horizontalAdvance(full))
            self.setText(elide_right(metrics, full, max(0, room)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)  # type: ignore[misc]
        self.fit()


class FittedLabel(FittedText, QLabel):
    """A one-line label whose text is cut with "…" to its width."""
