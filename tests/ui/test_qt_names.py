"""Start-up's ways around the Qt namespace (ui/qt_names.py) and the system colour scheme read
from the platform's palette (ui/theme.py) do what the Qt calls they replace do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableView, QToolButton
from pytestqt.qtbot import QtBot
from timetracker.ui import theme
from timetracker.ui.qt_names import ELLIPSIS, elide_right, set_enum


def test_enum_properties_are_set_by_key_names(qtbot: QtBot) -> None:
    label, field, button = QLabel("x"), QLineEdit(), QToolButton()
    for widget in (label, field, button):
        qtbot.addWidget(widget)
    set_enum(label, "alignment", "AlignRight|AlignVCenter")
    set_enum(field, "alignment", "AlignCenter")
    set_enum(button, "toolButtonStyle", "ToolButtonTextBesideIcon")
    set_enum(button, "focusPolicy", "NoFocus")
    assert label.alignment() == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert field.alignment() == Qt.AlignmentFlag.AlignCenter
    assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_a_wrong_property_or_key_is_an_error_not_silence(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match=r"alignment.*AlignMiddle"):
        set_enum(label, "alignment", "AlignMiddle")
    with pytest.raises(ValueError, match="QLabel has no enum property 'alinement'"):
        set_enum(label, "alinement", "AlignLeft")
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@pytest.mark.parametrize("text", ["design", "design, client-visible, invoiced, internal",
                                  "a" * 80, "ünïcödé tägs, ✓ done", ""])
def test_elide_right_fits_the_width_like_qt(qtbot: QtBot, text: str) -> None:
    metrics = QFontMetrics(QFont())
    width = 146
    shown = elide_right(metrics, text, width)
    assert metrics.horizontalAdvance(shown) <= width
    qt_shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    if metrics.horizontalAdvance(text) <= width:
        assert shown == text == qt_shown
    else:
        assert shown.endswith(ELLIPSIS) and text.startswith(shown[:-1])
        # the longest such prefix: one more character would not fit
        longer = text[:len(shown)] + ELLIPSIS
        assert metrics.horizontalAdvance(longer) > width
        assert abs(len(shown) - len(qt_shown)) <= 1  # Qt's cut (it may keep a space) or next


@pytest.fixture
def platform_palette(qapp: QApplication) -> Iterator[QPalette]:
    saved_palette, saved_dark = QGuiApplication.palette(), theme._system_dark
    theme._system_dark = None  # as before the first theme is applied
    yield QPalette(saved_palette)
    QApplication.setPalette(saved_palette)
    theme._system_dark = saved_dark


def _palette(window: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return palette


def test_system_follows_a_dark_platform_palette(platform_palette: QPalette) -> None:
    # Qt 6.5+ derives the platform's palette from the system colour scheme
    QApplication.setPalette(_palette("#323232", "#F0F0F0"))
    assert theme.resolve("system").name == "dark"
    assert theme.resolve("light").name == "light"  # explicit choices stay what they say


def test_system_follows_a_light_platform_palette_then_scheme_changes(
        platform_palette: QPalette) -> None:
    QApplication.setPalette(_palette("#EFEFEF", "#000000"))
    assert theme.resolve("system").name == "light"
    # later changes arrive from QStyleHints.colorSchemeChanged (the launcher passes them on);
    # the app's own palette, applied meanwhile, does not count as the system's
    QApplication.setPalette(theme.palette(theme.THEMES["dark"]))
    assert theme.resolve("system").name == "light"
    theme.note_system_scheme(True)
    assert theme.resolve("system").name == "dark"
    theme.note_system_scheme(False)
    assert theme.resolve("system").name == "light"


@pytest.mark.parametrize("ratio", [1.0, 1.5, 2.0])
def test_svg_icons_fill_their_whole_pixmap_at_any_pixel_ratio(qapp: QApplication,
                                                             ratio: float) -> None:
    from timetracker.ui.icons import render_svg

    # a square over the middle half of the view box
    square = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">' \
             b'<rect x="2" y="2" width="4" height="4" fill="#E5484D"/></svg>'
    pixmap = render_svg(square, 16, ratio)
    image = pixmap.toImage()
    side = round(16 * ratio)
    assert (image.width(), image.height()) == (side, side)
    assert pixmap.devicePixelRatio() == ratio

    def filled(share: float) -> bool:
        spot = int(side * share)
        return image.pixelColor(spot, spot).alpha() == 255

    # scaled to the whole pixmap: the middle half is filled, the edges are not
    assert [filled(s) for s in (0.1, 0.3, 0.5, 0.7, 0.9)] == [False, True, True, True, False]


def test_a_colour_dot_is_round_and_centred_and_an_empty_one_is_transparent(
        qapp: QApplication) -> None:
    from timetracker.ui.icons import color_dot

    image = color_dot("#3E63DD", 10).pixmap(20, 20).toImage()  # (a dot fills any size)
    middle = image.width() // 2
    assert image.pixelColor(middle, middle).name() == "#3e63dd"
    assert image.pixelColor(0, 0).alpha() == 0  # round: the corners stay clear
    row = [image.pixelColor(x, middle).alpha() > 128 for x in range(image.width())]
    assert row == row[::-1] and row.count(True) >= image.width() - 4  # centred, ~full width
    empty = color_dot(None, 10).pixmap(10, 10).toImage()
    assert all(empty.pixelColor(x, y).alpha() == 0 for x in range(empty.width())
               for y in range(empty.height()))


def test_icons_are_drawn_when_asked_at_the_size_and_pixel_ratio_asked(
        qapp: QApplication) -> None:
    from PySide6.QtGui import QIcon
    from timetracker.ui.icons import SvgIconEngine, glyph, svg_icon

    square = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">' \
             b'<rect x="2" y="2" width="4" height="4" fill="#000000"/></svg>'
    engine = SvgIconEngine(square, ())  # (no designed size: any size)
    icon = QIcon(engine.clone())
    for size, ratio in ((16, 1.0), (18, 2.0), (24, 1.5)):
        pixmap = icon.pixmap(QSize(size, size), ratio)
        assert (pixmap.width(), pixmap.devicePixelRatio()) == (round(size * ratio), ratio)
        image = pixmap.toImage()
        middle, edge = image.width() // 2, 1
        assert image.pixelColor(middle, middle).alpha() == 255
        assert image.pixelColor(edge, edge).alpha() == 0
    normal = svg_icon(square, 16).pixmap(QSize(16, 16)).toImage()
    disabled = svg_icon(square, 16).pixmap(QSize(16, 16), QIcon.Mode.Disabled).toImage()
    assert normal.pixelColor(8, 8) != disabled.pixelColor(8, 8)  # the style's disabled look
    assert glyph("play", "#FF0000") is glyph("play", "#FF0000")  # drawn once per colour
    assert [s.width() for s in glyph("play", "#FF0000", 18).availableSizes()] == [18]



def test_date_fields_calendars_draw_weekends_like_other_days(qtbot: QtBot) -> None:
    from PySide6.QtGui import QTextFormat
    from PySide6.QtWidgets import QCalendarWidget, QDateEdit

    edit = QDateEdit()
    qtbot.addWidget(edit)
    edit.setCalendarPopup(True)
    calendar = edit.calendarWidget()
    saturday = calendar.weekdayTextFormat(Qt.DayOfWeek.Saturday)
    assert saturday.hasProperty(QTextFormat.Property.ForegroundBrush)  # Qt's red by default
    theme.calm_calendar(edit)
    calendar = edit.calendarWidget()  # (a framed one replaced Qt's)
    for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
        assert not calendar.weekdayTextFormat(day).hasProperty(
            QTextFormat.Property.ForegroundBrush)  # the palette's text colour, per theme
    assert calendar.verticalHeaderFormat() == \
        QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader
    # a frame of its own (the popup melted into the dialog) and month arrows in the text
    # colour (the style's black ones vanish on the dark theme)
    assert calendar.testAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    assert calendar.layout().contentsMargins().left() >= 1
    from PySide6.QtWidgets import QToolButton

    arrow = calendar.findChild(QToolButton, "qt_calendar_prevmonth")
    image = arrow.icon().pixmap(16, 16).toImage()
    inked = [image.pixelColor(x, y) for x in range(16) for y in range(16)
             if image.pixelColor(x, y).alpha() > 200]
    text = theme.current().text.lower()
    assert inked and all(c.name() == text for c in inked)


def test_the_framed_calendar_shows_its_sixth_week_whole(qtbot: QtBot,
                                                       themed: theme.Theme) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QDateEdit

    edit = QDateEdit(QDate(2024, 9, 1))  # (a Sunday: September 2024 spans six weeks)
    qtbot.addWidget(edit)
    edit.setCalendarPopup(True)
    theme.calm_calendar(edit)
    edit.resize(200, 30)
    edit.show()
    qtbot.waitExposed(edit)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(190, 15))  # its arrow
    calendar = edit.calendarWidget()
    qtbot.waitUntil(lambda: calendar.isVisible())
    view = calendar.findChild(QTableView)
    assert view is not None
    last = view.model().rowCount() - 1
    assert view.rowViewportPosition(last) + view.rowHeight(last) <= view.viewport().height()
    calendar.window().close()
