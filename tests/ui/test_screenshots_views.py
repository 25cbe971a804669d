"""Screenshots of the reports view, projects view, import preview and settings, light and dark.

The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the path is printed
(run with ``-s`` to see it). Each image must hold real content: many distinct colours, the
theme's window colour, and — for the reports view — bars in the theme's accent colour.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from support.screenshots import save_png
from timetracker.app import App
from timetracker.ui import theme
from timetracker.ui.import_dialog import ImportDialog
from timetracker.ui.projects_view import ProjectsView
from timetracker.ui.reports_view import ReportsView
from timetracker.ui.settings_dialog import SettingsDialog

TOGGL = Path(__file__).resolve().parent.parent / "data" / "import" / "toggl_detailed.csv"


@pytest.fixture
def app(week_app: App) -> App:
    """A week of data and one backup (for the Backups page)."""
    week_app.backups.create("manual")
    return week_app


def colours(image: QImage, step: int = 3) -> dict[int, int]:
    counts: dict[int, int] = {}
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts


def near(a: int, color: QColor, tolerance: int = 24) -> bool:
    return (abs(((a >> 16) & 255) - color.red()) <= tolerance
            and abs(((a >> 8) & 255) - color.green()) <= tolerance
            and abs((a & 255) - color.blue()) <= tolerance)


def save(widget: QWidget, folder: Path, name: str) -> QImage:
    image = save_png(widget, folder, name, min_bytes=5_000)
    counts = colours(image)
    assert len(counts) > 40, f"{name} looks blank ({len(counts)} colours)"
    window = widget.palette().color(QPalette.ColorRole.Window)
    assert any(near(rgb, window, 6) for rgb in counts), f"{name}: theme background missing"
    return image


def test_reports_view(qtbot: QtBot, app: App, themed: theme.Theme, shots: Path) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    view.show()
    with qtbot.waitSignal(view.reportShown, timeout=10_000):
        view.refresh()
    qtbot.wait(50)
    image = save(view, shots, f"reports-{themed.name}")
    accent = view.palette().color(QPalette.ColorRole.Highlight)
    chart = view.daily_chart.geometry()
    bar_pixels = sum(1 for y in range(chart.top(), chart.bottom(), 2)
                     for x in range(chart.left(), chart.right(), 2)
                     if near(image.pixel(x, y) & 0xFFFFFF, accent, 8))
    assert bar_pixels > 500, "no bars in the hours-per-day chart"
    # The project colours show in the breakdown.
    counts = colours(image, 1)
    for project_colour in ("#4F7DF3", "#30A46C", "#F76B15", "#8E4EC6"):
        assert any(near(rgb, QColor(project_colour), 10) for rgb in counts), project_colour


def test_settings_dialog(qtbot: QtBot, app: App, themed: theme.Theme, shots: Path) -> None:
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.resize(600, 460)
    dialog.show()
    save(dialog, shots, f"settings-general-{themed.name}")
    dialog.show_page("Backups")
    save(dialog, shots, f"settings-backups-{themed.name}")


def test_projects_view_and_import_preview(qtbot: QtBot, app: App, themed: theme.Theme,
                                          shots: Path) -> None:
    view = ProjectsView(app)
    qtbot.addWidget(view)
    view.resize(1000, 560)
    view.show()
    view.select_project(app.catalog.project("Website relaunch").id)
    save(view, shots, f"projects-{themed.name}")
    dialog = ImportDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_inputs("toggl", TOGGL, tz="Europe/Berlin")
    with qtbot.waitSignal(dialog.previewed, timeout=10_000):
        dialog.start_preview()
    save(dialog, shots, f"import-preview-{themed.name}")
