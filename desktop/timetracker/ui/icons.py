"""The app's icons: the app and tray icons (SVG files in resources/icons/) and small glyphs.

Glyphs are tiny inline SVGs drawn in the theme's colours and rendered at the screen's device
pixel ratio, so they stay sharp on high-DPI screens and readable in light and dark themes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from timetracker.core.resources import resource

APP_PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

_GLYPHS = {
    "play": '<path d="M7 4.5 L19.5 12 L7 19.5 Z" fill="{c}"/>',
    "stop": '<rect x="6" y="6" width="12" height="12" rx="2.5" fill="{c}"/>',
    "continue": '<path d="M8 5 L19 12 L8 19 Z" fill="none" stroke="{c}" stroke-width="2.2" '
                'stroke-linejoin="round"/>',
    "more": '<circle cx="5.5" cy="12" r="2" fill="{c}"/><circle cx="12" cy="12" r="2" '
            'fill="{c}"/><circle cx="18.5" cy="12" r="2" fill="{c}"/>',
    "warning": '<path d="M12 3 L22 20 L2 20 Z" fill="{c}"/><rect x="11" y="9" width="2" '
               'height="6" fill="#ffffff"/><rect x="11" y="16.5" width="2" height="2" '
               'fill="#ffffff"/>',
    "tag": '<path d="M3 4 h8 l10 10 -7 7 -10 -10 Z" fill="none" stroke="{c}" stroke-width="2"'
           ' stroke-linejoin="round"/><circle cx="8" cy="9" r="1.6" fill="{c}"/>',
    "money": '<circle cx="12" cy="12" r="9" fill="none" stroke="{c}" stroke-width="2"/>'
             '<text x="12" y="16.5" font-size="12" font-family="sans-serif" font-weight="bold"'
             ' text-anchor="middle" fill="{c}">$</text>',
    # no project chosen: a dashed ring where a project's colour dot goes (a filled grey dot
    # read as a project called "Project")
    "no-project": '<circle cx="12" cy="12" r="6" fill="none" stroke="{c}" stroke-width="2" '
                  'stroke-dasharray="3 2.3"/>',
    "left": '<path d="M15 5 L8 12 L15 19" fill="none" stroke="{c}" stroke-width="2.4" '
            'stroke-linecap="round" stroke-linejoin="round"/>',
    "right": '<path d="M9 5 L16 12 L9 19" fill="none" stroke="{c}" stroke-width="2.4" '
             'stroke-linecap="round" stroke-linejoin="round"/>',
    "plus": '<path d="M12 5 V19 M5 12 H19" stroke="{c}" stroke-width="2.4" '
            'stroke-linecap="round"/>',
    "timer": '<circle cx="12" cy="13" r="8" fill="none" stroke="{c}" stroke-width="2"/>'
             '<path d="M12 13 V8.5 M10 2.5 H14" stroke="{c}" stroke-width="2" '
             'stroke-linecap="round"/>',
    "projects": '<rect x="3" y="5" width="18" height="15" rx="2.5" fill="none" stroke="{c}" '
                'stroke-width="2"/><path d="M3 9 H21" stroke="{c}" stroke-width="2"/>',
    "reports": '<path d="M5 20 V12 M12 20 V5 M19 20 V9" stroke="{c}" stroke-width="3" '
               'stroke-linecap="round"/>',
    "settings": '<path d="M4 7 H20 M4 17 H20" stroke="{c}" stroke-width="2" '
                'stroke-linecap="round"/><circle cx="9" cy="7" r="2.6" fill="{c}"/>'
                '<circle cx="15" cy="17" r="2.6" fill="{c}"/>',
    "search": '<circle cx="10.5" cy="10.5" r="6" fill="none" stroke="{c}" stroke-width="2.2"/>'
              '<path d="M15 15 L20 20" stroke="{c}" stroke-width="2.4" stroke-linecap="round"/>',
}


def transparent_pixmap(width: int, height: int, ratio: float = 1.0) -> QPixmap:
    """An empty (transparent) pixmap of ``width`` × ``height`` logical pixels at ``ratio``
    device pixels each."""
    pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(0, 0, 0, 0))  # (the QImage/QBrush ways name the Qt namespace)
    return pixmap


def render_svg(data: bytes | QSvgRenderer, size: int, ratio: float = 1.0) -> QPixmap:
    """An SVG (its text, or a renderer that read it) drawn into a transparent pixmap of
    ``size`` logical pixels."""
    renderer = data if isinstance(data, QSvgRenderer) else QSvgRenderer(QByteArray(data))
    pixmap = transparent_pixmap(size, size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))  # (logical pixels: the painter scales)
    painter.end()
    return pixmap


class SvgIconEngine(QIconEngine):
    """An icon drawn from SVG text when Qt first asks for a size, at the pixel ratio of the
    screen it is shown on, then kept: nothing is drawn for icons not on screen yet, and a
    window moved to a high-DPI screen gets sharp pixmaps. It is drawn at the size asked for
    (a widget's icon size; Qt 6.8 and later ask with the logical size and the ratio apart,
    which pyproject.toml requires)."""

    def __init__(self, svg: bytes, sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.svg = svg
        self.sizes = sizes  # what it is designed for (a window icon is offered in each)
        self._drawn: dict[tuple[int, int, float, object, object], QPixmap] = {}
        self._renderer: QSvgRenderer | None = None  # the SVG read once, for every size

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        key = (size.width(), size.height(), scale, mode, state)
        pixmap = self._drawn.get(key)
        if pixmap is None:
            if self._renderer is None:
                self._renderer = QSvgRenderer(QByteArray(self.svg))
            pixmap = render_svg(self._renderer, min(size.width(), size.height()), scale)
            if mode != QIcon.Mode.Normal:  # disabled, selected: as the style draws those
                from PySide6.QtWidgets import QApplication, QStyleOption

                style = QApplication.style()
                if style is not None:
                    pixmap = style.generatedIconPixmap(mode, pixmap, QStyleOption())
            self._drawn[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        # (Qt asks most widgets for a pixmap at their screen's ratio; painting directly, the
        # highest ratio of any screen is sharp everywhere — and cheaper to find out than the
        # painter's device, which PySide6 would wrap as a Python object first)
        app = QGuiApplication.instance()
        scale = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal,
                       state: QIcon.State = QIcon.State.Off) -> list[QSize]:
        return [QSize(size, size) for size in self.sizes]

    def clone(self) -> QIconEngine:
        twin = SvgIconEngine(self.svg, self.sizes)
        twin._drawn = dict(self._drawn)
        return twin


def svg_icon(svg: bytes, *sizes: int) -> QIcon:
    return QIcon(SvgIconEngine(svg, sizes))


@cache
def glyph(name: str, color: str, size: int = 16) -> QIcon:
    """A small single-colour icon (``play``, ``stop``, ``warning``, …) in ``color``."""
    body = _GLYPHS[name].replace("{c}", color)
    return svg_icon(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'
                    .encode(), size)


@cache
def color_dot(color: str | None, size: int = 10, outline: str | None = None) -> QIcon:
    """A round dot of ``color`` (a project's colour), or an empty icon of its size;
    ``outline``: a ring around it (see colours.outline_for)."""
    fill = color if color and QColor(color).isValid() else "none"
    radius = (size - 2) / 2
    ring = f' stroke="{outline}" stroke-width="1"' if outline else ""
    if ring:
        radius -= 0.5  # the ring inside the dot's own size
    # (no designed size: it fills the icon size it is shown at, as the dots always did)
    return svg_icon(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
                    f'<circle cx="{size / 2}" cy="{size / 2}" r="{radius}" fill="{fill}"{ring}/>'
                    "</svg>".encode())


def svg_path(name: str) -> Path:
    return resource("icons", f"{name}.svg")


@cache
def _file_icon(name: str) -> QIcon:
    return svg_icon(svg_path(name).read_bytes(), 16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    return _file_icon("timetracker")


def tray_icon(running: bool) -> QIcon:
    return _file_icon("tray-running" if running else "tray-idle")


def write_app_pngs(folder: Path, sizes: tuple[int, ...] = APP_PNG_SIZES) -> list[Path]:
    """Render the app icon to ``timetracker-<N>.png`` files (run once; the PNGs are shipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = svg_path("timetracker").read_bytes()
    written = []
    for size in sizes:
        target = folder / f"timetracker-{size}.png"
        if not render_svg(data, size).save(str(target), "PNG"):
            raise OSError(f"could not write {target}")
        written.append(target)
    return written
