"""Render the app icon for the installers: hicolor PNGs, a Windows .ico and a macOS .icns.

    python packaging/icons.py OUT_DIR

The source is the app's SVG in resources/icons/ (see ``find_source_svg``). When the UI has not
drawn one yet, a plain placeholder (a clock face) is painted instead and the script says so.
Rendering uses Qt (already a dependency); the .ico and .icns containers are written here by
hand (both simply hold PNG images), so no image library or Qt image plugin is needed.

Writes to OUT_DIR:
    hicolor/<N>x<N>/apps/timetracker.png   for N in HICOLOR_SIZES
    hicolor/scalable/apps/timetracker.svg  when there is a source SVG
    timetracker.ico, timetracker.icns, timetracker.png (256 px)
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ICONS_DIR = REPO / "resources" / "icons"
APP_ID = "timetracker"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS entry types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08",
              512: b"ic09", 1024: b"ic10"}
#: File names tried first, in this order, for the app icon.
PREFERRED_SVGS = ("timetracker.svg", "app.svg", "app-icon.svg", "icon.svg", "logo.svg")


def find_source_svg(folder: Path = ICONS_DIR) -> Path | None:
    """The app icon's SVG: a preferred name, else the only SVG, else None."""
    for name in PREFERRED_SVGS:
        if (folder / name).is_file():
            return folder / name
    svgs = sorted(folder.glob("*.svg")) if folder.is_dir() else []
    named = [p for p in svgs if "app" in p.stem or APP_ID in p.stem]
    if len(named) == 1:
        return named[0]
    return svgs[0] if len(svgs) == 1 else None


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the given PNG images (PNG entries: Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding the given PNG images (sizes from ICNS_TYPES only)."""
    body = b""
    for size in sorted(pngs):
        kind = ICNS_TYPES.get(size)
        if kind is None:
            raise ValueError(f"ICNS has no entry type for {size}px images")
        body += kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def render_pngs(svg: Path | None, sizes: set[int]) -> dict[int, bytes]:
    """PNG bytes of the icon at each size, from ``svg`` or the placeholder when None."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = None
    if svg is not None:
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(str(svg))
        if not renderer.isValid():
            raise ValueError(f"{svg}: not a valid SVG image")
    out: dict[int, bytes] = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if renderer is not None:
            renderer.render(painter, QRectF(0, 0, size, size))
        else:  # placeholder: a blue clock face with two hands
            margin = size * 0.06
            painter.setBrush(QColor("#2f6fde"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
            pen = QPen(QColor("white"), max(1.0, size * 0.08))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            centre = QPointF(size / 2, size / 2)
            painter.drawLine(centre, QPointF(size / 2, size * 0.24))
            painter.drawLine(centre, QPointF(size * 0.70, size * 0.60))
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
            raise RuntimeError(f"could not encode the {size}px icon as PNG")
        out[size] = bytes(QByteArray(buffer.data()).data())
    del app
    return out


def build_icons(out_dir: Path, svg: Path | None) -> list[Path]:
    """Write every icon file into ``out_dir``; returns the files written."""
    sizes = set(HICOLOR_SIZES) | set(ICO_SIZES) | set(ICNS_TYPES)
    pngs = render_pngs(svg, sizes)
    written: list[Path] = []
    for size in HICOLOR_SIZES:
        target = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    if svg is not None:
        target = out_dir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(svg, target)
        written.append(target)
    for name, data in ((f"{APP_ID}.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES})),
                       (f"{APP_ID}.icns", icns_bytes({s: pngs[s] for s in ICNS_TYPES})),
                       (f"{APP_ID}.png", pngs[256])):
        (out_dir / name).write_bytes(data)
        written.append(out_dir / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--svg", type=Path, help="source SVG (default: found in resources/icons)")
    args = parser.parse_args(argv)
    svg = args.svg or find_source_svg()
    if svg is None:
        print(f"icons: no app SVG in {ICONS_DIR}; drawing a placeholder icon", file=sys.stderr)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = build_icons(args.out_dir, svg)
    print(f"icons: wrote {len(written)} files to {args.out_dir} from {svg or 'placeholder'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
