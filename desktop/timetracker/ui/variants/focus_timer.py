"""``timer-ui = compact``: the focus mode — a large clock, what you are doing, one button.

It replaces the classic :class:`~timetracker.ui.timer_bar.TimerBar` at the top of the window
but does not own any state: the bar (hidden meanwhile) stays the one timer of the window, so
shortcuts, the tray and the CLI keep working unchanged. The focus mode mirrors the bar through
``TimerBar.state_shown`` / ``ticked`` and acts through the bar's own start / stop / continue
(with the action source ``focus``), so every action still runs through the dispatcher.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from timetracker.ui import theme
from timetracker.ui.icons import glyph
from timetracker.ui.picker import Choice, ProjectPicker
from timetracker.ui.shortcuts import native_text
from timetracker.ui.timer_bar import TimerBar, clock_text

_STYLE = """
#focusTimer {{ background: qlineargradient(x1:0, y1:0, x2:0, y2:1,
                 stop:0 {surface}, stop:1 {window}); border-bottom: 1px solid {border}; }}
#focusState {{ color: {muted}; font-size: 8pt; font-weight: 700; letter-spacing: 2px; }}
#focusState[running="true"] {{ color: {danger}; }}
#focusClock {{ color: {text}; font-size: 46pt; font-weight: 300; }}
#focusClock[running="false"] {{ color: {muted}; }}
#focusDescription {{ color: {text}; font-size: 14pt; }}
QLineEdit#focusDescriptionEdit {{ color: {text}; font-size: 14pt; background: transparent;
                 border: none; border-bottom: 1px solid {border}; padding: 4px 2px; }}
QLineEdit#focusDescriptionEdit:focus {{ border-bottom: 2px solid {accent}; }}
#focusProject {{ color: {text}; background: {hover}; border: 1px solid {divider};
                 border-radius: 13px; padding: 3px 12px 3px 10px; font-weight: 600;
                 min-height: 18px; }}
QToolButton#focusPicker {{ color: {muted}; background: {hover}; border: 1px solid {divider};
                 border-radius: 13px; padding: 3px 12px 3px 8px; font-weight: 600; }}
QToolButton#focusPicker:hover {{ color: {text}; background: {accentSoft}; }}
QPushButton#focusStartStop {{ color: #FFFFFF; background: {accent}; border: none;
                 border-radius: 21px; padding: 0 26px 0 20px; font-size: 11pt;
                 font-weight: 700; min-height: 42px; }}
QPushButton#focusStartStop:hover {{ background: {accentHover}; }}
QPushButton#focusStartStop[running="true"] {{ background: {danger}; }}
QPushButton#focusStartStop[running="true"]:hover {{ background: {dangerHover}; }}
QToolButton#focusContinue {{ color: {muted}; background: transparent;
                 border: 1px solid {divider}; border-radius: 21px; padding: 0 18px 0 14px;
                 min-height: 40px; }}
QToolButton#focusContinue:hover {{ color: {text}; background: {hover};
                 border: 1px solid {border}; }}
"""


class FocusTimer(QFrame):
    """The compact focus mode; see the module docstring."""

    def __init__(self, bar: TimerBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.setObjectName("focusTimer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self.state_label = QLabel()
        self.state_label.setObjectName("focusState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.clock = QLabel(clock_text(0))
        self.clock.setObjectName("focusClock")
        self.clock.setAccessibleName("Elapsed time")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.project_label = QLabel()
        self.project_label.setObjectName("focusProject")
        self.project_label.setAccessibleName("Project")
        self.project_label.setTextFormat(Qt.TextFormat.RichText)
        self.picker = ProjectPicker(bar._projects)
        self.picker.setObjectName("focusPicker")
        self.picker.chosen.connect(self._on_project)

        self.description_label = QLabel()
        self.description_label.setObjectName("focusDescription")
        self.description_label.setAccessibleName("Description")
        self.description_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.description_label.setTextFormat(Qt.TextFormat.PlainText)
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("focusDescriptionEdit")
        self.description_edit.setPlaceholderText("What will you focus on?")
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.description_edit.setMaxLength(5000)
        self.description_edit.setFixedWidth(360)
        self.description_edit.textEdited.connect(self.bar.description.setText)
        self.description_edit.returnPressed.connect(lambda: self.toggle())

        self.start_stop = QPushButton()
        self.start_stop.setObjectName("focusStartStop")
        self.start_stop.setIconSize(QSize(14, 14))
        self.start_stop.clicked.connect(lambda: self.toggle())
        self.continue_button = QToolButton()
        self.continue_button.setObjectName("focusContinue")
        self.continue_button.setText("Continue")
        self.continue_button.setAccessibleName("Continue last entry")
        self.continue_button.setIconSize(QSize(14, 14))  # (its glyph's size)
        self.continue_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.continue_button.clicked.connect(lambda: self.bar.continue_last("focus"))

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        buttons.addWidget(self.start_stop)
        buttons.addWidget(self.continue_button)
        buttons.addStretch(1)
        # What you are doing and for which project, on one line under the clock.
        description_row = QHBoxLayout()
        description_row.setSpacing(12)
        description_row.addStretch(1)
        description_row.addWidget(self.description_label)
        description_row.addWidget(self.description_edit)
        description_row.addWidget(self.project_label)
        description_row.addWidget(self.picker)
        description_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 16)
        layout.setSpacing(2)
        layout.addWidget(self.state_label)
        layout.addWidget(self.clock)
        layout.addLayout(description_row)
        layout.addSpacing(12)
        layout.addLayout(buttons)

        bar.state_shown.connect(self.show_state)
        bar.ticked.connect(self._tick)
        self.show_state()

    # -- mirroring the bar -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.bar.running is not None

    def show_state(self) -> None:
        """Show what the bar holds now (and repaint in the current theme)."""
        colors = theme.current()
        if self.property("ttTheme") != colors.name:  # restyle only when the theme changed
            self.setProperty("ttTheme", colors.name)
            self.setStyleSheet(_STYLE.format(**colors._asdict()))
        running = self.bar.running
        last = self.bar.last
        toggle_key = native_text("toggle_timer")
        for widget, value in ((self.start_stop, running is not None),
                              (self.clock, running is not None),
                              (self.state_label, running is not None)):
            theme.set_style_property(widget, "running", value)
        if running is not None:
            self.state_label.setText("●  TRACKING")
            self.description_label.setText(running.description or "(no description)")
            project = running.project
            if project:
                self.project_label.setText(
                    f'<span style="color:{running.color or colors.muted}">●</span>&nbsp; '
                    + _escape(project)
                    + (f'<span style="color:{colors.muted}">&nbsp; · &nbsp;'
                       f'{_escape(running.task)}</span>' if running.task else ""))
            self.start_stop.setText("Stop")
            self.start_stop.setIcon(glyph("stop", "#FFFFFF", 14))
            self.start_stop.setAccessibleName("Stop timer")
            self.start_stop.setToolTip(f"Stop the timer ({toggle_key})")
        else:
            self.state_label.setText("FOCUS MODE")
            if not self.description_edit.hasFocus():
                self.description_edit.setText(self.bar.description.text())
            self.picker.set_choice(self.bar.project.project, self.bar.project.task,
                                   self.bar.project.color)
            self.start_stop.setText("Start")
            self.start_stop.setIcon(glyph("play", "#FFFFFF", 14))
            self.start_stop.setAccessibleName("Start timer")
            self.start_stop.setToolTip(f"Start a timer ({toggle_key})")
        idle = running is None
        self.description_label.setVisible(not idle)
        self.description_edit.setVisible(idle)
        self.project_label.setVisible(not idle and bool(running and running.project))
        self.picker.setVisible(idle)
        self.continue_button.setVisible(idle and last is not None)
        self.continue_button.setIcon(glyph("continue", colors.muted, 14))
        if last is not None:
            what = last.description or "(no description)"
            self.continue_button.setText(f"Continue “{_shorten(what, 32)}”")
            where = f" · {last.project}" if last.project else ""
            self.continue_button.setToolTip(
                f"Continue “{what}”{where} ({native_text('continue_last')})")
        self._tick(running.duration(self.bar.app.clock()) if running is not None else 0)

    def _tick(self, seconds: int) -> None:
        self.clock.setText(clock_text(seconds))

    # -- actions (through the bar, so through the dispatcher) --------------------------------
    def toggle(self) -> None:
        if self.bar.running is None:
            self.bar.description.setText(self.description_edit.text())
        self.bar.toggle("focus")

    def _on_project(self, choice: Choice) -> None:
        self.bar.project.set_choice(self.picker.project, self.picker.task, self.picker.color)
        self.bar.project.chosen.emit(choice)

    def focus_description(self) -> None:
        self.description_edit.setFocus()
        self.description_edit.selectAll()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
