"""Helpers for the screenshot tests (tests/ui/test_screenshots*.py): where the PNGs go, the
demo data they show, saving a widget's picture and checking that a picture holds real content.

The fixtures built on these (``shots``, ``themed``, ``running_week_app``) are in
tests/ui/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from timetracker.app import App

from support.view_data import at, seed_week

THEMES = ("light", "dark")


def screenshot_folder(fallback: Path) -> Path:
    """``$SCREENSHOT_DIR`` when set (created if needed), else ``fallback``; printed (``-s``)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


def seed_running_week(app: App) -> None:
    """The week of :func:`support.view_data.seed_week`, a Friday-afternoon meeting and a
    timer running for 45 minutes (so the bar shows its red stop button)."""
    seed_week(app)
    now = app.clock()
    app.entries.add(at(dt.date(2024, 5, 17), 16, 30), now - 3000, project="Internal",
                    description="Sprint review", tags=["meeting"])
    app.entries.start(project="Website relaunch", task="Design",
                      description="Landing page polish", tags=["client-work"], at=now - 2710)


def has_color(image: QImage, color: str | QColor, tolerance: int = 8) -> bool:
    """Whether some pixel of a 2-px sample grid is within ``tolerance`` of ``color`` in each
    channel."""
    want = QColor(color)
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            got = image.pixelColor(x, y)
            if (abs(got.red() - want.red()) <= tolerance
                    and abs(got.green() - want.green()) <= tolerance
                    and abs(got.blue() - want.blue()) <= tolerance):
                return True
    return False


def save_png(widget: QWidget, folder: Path, name: str, min_bytes: int = 0) -> QImage:
    """Grab ``widget``, save it as ``folder/name.png`` (printed; more than ``min_bytes`` on
    disk) and return the picture."""
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path)), f"could not write {path}"
    print(f"  {path}")
    assert path.stat().st_size > min_bytes, f"{name}: only {path.stat().st_size} bytes"
    return image
