"""Colour arithmetic for painting data colours (a project's colour) on the theme's surfaces."""

from __future__ import annotations

from PySide6.QtGui import QColor

#: Below this WCAG contrast against the surface it sits on, a data colour gets an outline: a
#: near-black project colour on the dark theme (or a pale one on the light theme) is otherwise
#: a hole in the chart. (WCAG asks 3:1 of graphics that carry meaning; the name next to the
#: colour carries it here, so the outline only has to make the shape visible — and contrast
#: counts lightness only: a saturated amber on white, ~1.7:1, is plainly visible.)
OUTLINE_BELOW_CONTRAST = 1.5


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way to ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * amount,
                           a.greenF() + (b.greenF() - a.greenF()) * amount,
                           a.blueF() + (b.blueF() - a.blueF()) * amount)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance (0 = black, 1 = white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def outline_for(colour: QColor, surface: QColor, text: QColor) -> QColor | None:
    """The outline a shape in ``colour`` needs to be seen on ``surface`` (the text colour
    taken half-way to the surface: a quiet ring in either theme), or None when the colour
    stands out on its own."""
    if contrast_ratio(colour, surface) >= OUTLINE_BELOW_CONTRAST:
        return None
    return mix(text, surface, 0.5)


def outline_on_base(colour: str | None) -> str | None:
    """:func:`outline_for` a project colour shown on the current theme's fields and lists, as
    ``#rrggbb`` (or None: no outline)."""
    from timetracker.ui import theme

    if not colour or not QColor(colour).isValid():
        return None
    current = theme.current()
    outline = outline_for(QColor(colour), QColor(current.base), QColor(current.text))
    return outline.name() if outline is not None else None
