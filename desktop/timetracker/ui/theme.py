"""Light and dark themes: a Fusion palette plus resources/styles/app.qss with the theme's colours.

``system`` follows the platform's colour scheme (and its changes while the app runs). The
stylesheet uses ``@token`` placeholders, filled from :data:`THEMES`, so one file serves both.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from PySide6 import QtCore
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from timetracker.core.resources import resource

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDateEdit

THEME_CHOICES = ("system", "light", "dark")
#: The Qt style under the style sheet, the same on every platform; the application property
#: that says it is set.
STYLE = "Fusion"
STYLE_PROPERTY = "ttStyle"


class Theme(NamedTuple):
    name: str
    window: str
    surface: str
    base: str
    rail: str
    text: str
    muted: str
    border: str
    divider: str
    hover: str
    accent: str
    accentHover: str
    accentSoft: str
    danger: str
    dangerHover: str
    warn: str
    warnSoft: str
    toast: str
    toastText: str
    toastAction: str
    onAccent: str  # text on an accent-coloured background (default buttons)

    @property
    def dark(self) -> bool:
        return self.name == "dark"


THEMES = {
    "light": Theme("light", window="#F4F4F7", surface="#FFFFFF", base="#FFFFFF", rail="#ECECF1",
                   text="#1C1C24", muted="#6E6E7A", border="#DCDCE4", divider="#EDEDF2",
                   hover="#EEEEF4", accent="#5B5BD6", accentHover="#4B4BC4",
                   accentSoft="#E6E6FB", danger="#E5484D", dangerHover="#CE3A3F",
                   warn="#C27C0E", warnSoft="#FFF4DD", toast="#23232B", toastText="#F2F2F5",
                   toastAction="#A8A8FF", onAccent="#FFFFFF"),
    "dark": Theme("dark", window="#17171B", surface="#202026", base="#16161A", rail="#121215",
                  text="#ECECF1", muted="#9D9DAA", border="#33333C", divider="#2A2A31",
                  hover="#2A2A32", accent="#8585F2", accentHover="#9B9BF7",
                  accentSoft="#2E2E5A", danger="#F0575C", dangerHover="#F57479",
                  warn="#F0B43C", warnSoft="#3A3020", toast="#EDEDF2", toastText="#1C1C24",
                  toastAction="#4B4BC4", onAccent="#14141A"),
}

_TOKEN = re.compile(r"@([A-Za-z]+)")


#: Whether the system's colour scheme is dark, as last seen: read from the platform's palette
#: when a theme is first applied (before this app replaces the palette with its own), then kept
#: up to date from ``QStyleHints.colorSchemeChanged`` by the launcher (note_system_scheme).
_system_dark: bool | None = None


def _platform_palette_is_dark() -> bool:
    # Qt (6.5 and later) derives the platform's palette from the system's colour scheme, so
    # window colours darker than their text mean a dark scheme. (QStyleHints.colorScheme()
    # answers with an enum of the Qt namespace, which start-up never creates: ui/qt_names.py.)
    pal = QGuiApplication.palette()
    role = QPalette.ColorRole
    return pal.color(role.Window).lightness() < pal.color(role.WindowText).lightness()


def note_system_scheme(dark: bool) -> None:
    """The system's colour scheme changed (dark or not) while the app runs."""
    global _system_dark
    _system_dark = dark


def resolve(choice: str) -> Theme:
    """The theme for the setting ``choice`` (system → the system's current colour scheme)."""
    global _system_dark
    if _system_dark is None:
        _system_dark = _platform_palette_is_dark()
    if choice == "system":
        return THEMES["dark" if _system_dark else "light"]
    return THEMES[choice]


def palette(theme: Theme) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    colors = {
        role.Window: theme.window, role.WindowText: theme.text, role.Base: theme.base,
        role.AlternateBase: theme.hover, role.ToolTipBase: theme.surface,
        role.ToolTipText: theme.text, role.Text: theme.text, role.Button: theme.surface,
        role.ButtonText: theme.text, role.BrightText: "#FFFFFF", role.Highlight: theme.accent,
        role.HighlightedText: "#FFFFFF", role.Link: theme.accent,
        role.PlaceholderText: theme.muted, role.Light: theme.surface, role.Midlight: theme.hover,
        role.Mid: theme.border, role.Dark: theme.border, role.Shadow: "#000000",
    }
    for color_role, value in colors.items():
        pal.setColor(color_role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for color_role in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(disabled, color_role, QColor(theme.muted))
    return pal


@cache
def _template() -> str:
    return resource("styles", "app.qss").read_text(encoding="utf-8")


def stylesheet(theme: Theme) -> str:
    # colours from the theme; images the style sheet draws from resources/icons
    values = {**theme._asdict(), "checkIcon": resource("icons", "check.svg").as_posix(),
              "checkMutedIcon": resource("icons", "check-muted.svg").as_posix(),
              "chevronIcon": resource("icons", "chevron-down.svg").as_posix()}

    def fill(match: re.Match[str]) -> str:
        return str(values.get(match.group(1), match.group(0)))

    return _TOKEN.sub(fill, _template())


def apply(app: QApplication, choice: str) -> Theme:
    """Apply the theme for setting ``choice`` to the whole application; returns it."""
    theme = resolve(choice)
    if app.property(STYLE_PROPERTY) != STYLE:  # (the launcher starts Qt with -style Fusion)
        app.setStyle(STYLE)
        app.setProperty(STYLE_PROPERTY, STYLE)
    app.setPalette(palette(theme))
    app.setStyleSheet(stylesheet(theme))
    app.setProperty("ttTheme", theme.name)
    return theme


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on (``[running="true"]``…) and re-style the
    widget when it changed. A widget not polished yet is left alone: it takes the style sheet
    with the property's value when it is first shown (and start-up never touches QStyle).
    Until the window is first idle a hidden widget counts as not polished (see _polished):
    a widget must get its style properties before it is shown."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    if _polished(widget):
        repolish(widget)


def _qt_namespace() -> object | None:
    """PySide6's ``Qt`` namespace if something made it already (it makes it on first use)."""
    return vars(QtCore).get("Qt")


def _polished(widget: QWidget) -> bool:
    if widget.isVisible():
        return True  # (showing polishes)
    qt = _qt_namespace()
    if qt is None:
        # Start-up, which never names the Qt namespace (ui/qt_names.py): no widget was shown
        # yet, and the hidden ones set their style properties before they are shown (a row
        # fills its widgets first, entries_view.EntryRowWidget.build), which styles them.
        return False
    return bool(widget.testAttribute(qt.WidgetAttribute.WA_WState_Polished))  # type: ignore[attr-defined]


def repolish(widget: QWidget) -> None:
    """Apply the style sheet to ``widget`` again (after a property or name it selects on
    changed)."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def current(app: QApplication | None = None) -> Theme:
    """The theme applied last (light before any was applied)."""
    instance = app or QApplication.instance()
    name = instance.property("ttTheme") if instance is not None else None
    return THEMES.get(str(name), THEMES["light"])


def calm_calendar(edit: QDateEdit) -> None:
    """A date field's calendar popup in the theme's colours: a frame, weekends in the text
    colour (Qt draws them red), month arrows that show on the dark theme, no week numbers."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCharFormat
    from PySide6.QtWidgets import QCalendarWidget, QToolButton

    from timetracker.ui.calendar_popup import FramedCalendar
    from timetracker.ui.icons import glyph

    if not isinstance(edit.calendarWidget(), FramedCalendar):
        edit.setCalendarWidget(FramedCalendar())  # with a frame (calendar_popup.py)
    calendar = edit.calendarWidget()
    if calendar is None:
        return
    for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
        calendar.setWeekdayTextFormat(day, QTextCharFormat())
    calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)

    text = current().text  # the month arrows: the style's are black, lost on the dark theme
    for name, arrow in (("qt_calendar_prevmonth", "left"), ("qt_calendar_nextmonth", "right")):
        button = calendar.findChild(QToolButton, name)
        if button is not None:
            button.setIcon(glyph(arrow, text))
