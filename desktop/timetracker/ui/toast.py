"""A short message at the bottom of the window, optionally with one action ("Undo")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from timetracker.ui.qt_names import elide_right, set_enum

#: The widest a toast gets (it never covers the window's edges either).
MAX_WIDTH = 640
#: How much of a description a toast quotes ("“Write the quarterly…” deleted.").
TOAST_QUOTE_CHARS = 48


def shorten(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with "…" (at a word's end when one is near)."""
    if len(text) <= chars:
        return text
    cut = text[:chars - 1]
    space = cut.rfind(" ")
    if space >= chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"


class Toast(QFrame):
    """Floats over the bottom centre of its parent; hides itself after ``timeout_ms``.

    Its action button takes the keyboard only by Tab: a click on "Undo" leaves the focus where
    it was (hiding a focused button would hand the focus to the next widget in the window).
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setAccessibleName("Notification")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 10, 10)
        layout.setSpacing(14)
        self.label = QLabel()
        self.label.setWordWrap(False)
        self.button = QPushButton()
        self.button.setAccessibleName("Notification action")
        set_enum(self.button, "focusPolicy", "TabFocus")
        self.button.hide()
        self.button.clicked.connect(self._act)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self._action: Callable[[], None] | None = None
        self._text = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, action_text: str | None = None,
                     action: Callable[[], None] | None = None, timeout_ms: int = 6000) -> None:
        self._text = text
        self.label.setText(text)
        self.label.setToolTip("")
        self.setAccessibleDescription(text)
        self._action = action
        self.button.setVisible(bool(action_text and action))
        self.button.setText(action_text or "")
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms)

    def _act(self) -> None:
        action, self._action = self._action, None
        parent = self.parentWidget()
        if self.button.hasFocus() and parent is not None:
            parent.setFocus()  # (reached by Tab) not to the next widget in line
        self.hide()
        if action is not None:
            action()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        room = max(200, min(MAX_WIDTH, parent.width() - 40))
        text = self._text
        self.label.setText(text)
        if self.sizeHint().width() > room:  # the message cut to fit, whole on hover
            margins = self.sizeHint().width() - self.label.sizeHint().width()
            self.label.setText(elide_right(self.label.fontMetrics(), text, room - margins))
            self.label.setToolTip(text)
        width = min(self.sizeHint().width(), room)
        self.resize(width, self.sizeHint().height())
        self.move((parent.width() - width) // 2, parent.height() - self.height() - 24)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
