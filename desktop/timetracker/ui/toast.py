"""A short message at the bottom of the window, optionally with one action ("Undo")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Toast(QFrame):
    """Floats over the bottom centre of its parent; hides itself after ``timeout_ms``."""

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
        self.button.hide()
        self.button.clicked.connect(self._act)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self._action: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, action_text: str | None = None,
                     action: Callable[[], None] | None = None, timeout_ms: int = 6000) -> None:
        self.label.setText(text)
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
        self.hide()
        if action is not None:
            action()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(self.sizeHint().width(), max(200, parent.width() - 40))
        self.resize(width, self.sizeHint().height())
        self.move((parent.width() - width) // 2, parent.height() - self.height() - 24)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
