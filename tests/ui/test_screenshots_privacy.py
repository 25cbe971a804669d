"""Screenshots of the consent dialog, its preview, the re-consent dialog and the Privacy &
Telemetry settings pane, in light and dark.

The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the folder is printed (run with
``-s``). docs/images/ holds the copies shown in docs/telemetry/overview.md. Each image must
hold real content: many colours, the theme's window colour and its accent (the links, the
selected row), so a blank or unstyled render fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from privacy_support import (  # noqa: F401 - fixtures
    AppFactory,
    grown_registry,
    make_app_fixture,
    server_fixture,
)
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from timetracker.telemetry.consent import ConsentStore
from timetracker.ui import theme
from timetracker.ui.consent_dialog import ConsentDialog, ReconsentDialog, pending_changes
from timetracker.ui.self_test import distinct_colors
from timetracker.ui.settings_dialog import SettingsDialog

THEMES = ("light", "dark")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("privacy-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nprivacy screenshots: {folder}")
    return folder


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    previous = (qapp.style().name(), qapp.palette(), qapp.styleSheet())
    yield qapp
    qapp.setStyleSheet(previous[2])
    qapp.setPalette(previous[1])
    qapp.setStyle(previous[0])


def has_color(image: QImage, color: str, tolerance: int = 8) -> bool:
    want = QColor(color)
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            got = image.pixelColor(x, y)
            if (abs(got.red() - want.red()) <= tolerance
                    and abs(got.green() - want.green()) <= tolerance
                    and abs(got.blue() - want.blue()) <= tolerance):
                return True
    return False


def save(widget: QWidget, folder: Path, name: str, colors: theme.Theme,
         min_colors: int = 25) -> QImage:
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path))
    print(f"  {path}")
    assert image.width() >= 600 and image.height() >= 400
    assert distinct_colors(image, step=3) >= min_colors, f"{name} looks blank"
    assert has_color(image, colors.window), f"{name}: not painted with the theme"
    assert has_color(image, colors.accent, tolerance=24), f"{name}: no link or selection"
    return image


@pytest.mark.parametrize("name", THEMES)
def test_consent_dialog_and_preview(qtbot: QtBot, themed: QApplication, shots: Path,
                                    make_app: AppFactory, name: str) -> None:
    # A release-like destination; nothing is sent (no choice is made, so telemetry stays off).
    app = make_app(TIMETRACKER_POSTHOG_HOST="https://eu.i.posthog.com",
                   TIMETRACKER_POSTHOG_API_KEY="phc_public_project_key")
    colors = theme.apply(themed, name)
    dialog = ConsentDialog(app.telemetry)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    save(dialog, shots, f"consent-dialog-{name}", colors)
    preview = dialog.show_preview("full")
    qtbot.waitExposed(preview)
    image = save(preview, shots, f"consent-preview-{name}", colors)
    assert image.height() >= 500
    dialog.reject()
    assert app.telemetry.level == "off" and not app.telemetry.outbox.exists()


@pytest.mark.parametrize("name", THEMES)
def test_reconsent_dialog(qtbot: QtBot, themed: QApplication, shots: Path,
                          make_app: AppFactory, name: str) -> None:
    first = make_app()
    schema = first.telemetry.registry.schema_version
    if schema > 1:
        # Someone who said yes to the previous schema meets this release's real additions.
        ConsentStore(first.telemetry.consent.path, {}, schema - 1).choose("full")
        first.close()
        app = make_app()
    else:
        first.telemetry.set_level("full")
        first.close()
        app = make_app(registry=grown_registry())
    assert pending_changes(app.telemetry)
    colors = theme.apply(themed, name)
    dialog = ReconsentDialog(app.telemetry, pending_changes(app.telemetry))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    save(dialog, shots, f"reconsent-dialog-{name}", colors, min_colors=15)


@pytest.mark.parametrize("name", THEMES)
def test_privacy_pane(qtbot: QtBot, themed: QApplication, shots: Path, make_app: AppFactory,
                      server: CaptureServer, name: str) -> None:
    app = make_app()
    tele = app.telemetry
    tele.set_level("full")
    assert tele.flush(5.0)
    tele.track("timer.started", source="bar", stopped_running=False, has_project=True,
               has_task=False, tag_count=2, billable=True)
    tele.track("report.generated", source="dialog", group_by="project", range_kind="this_week",
               range_days=7, format="gui")
    colors = theme.apply(themed, name)
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page("Privacy & Telemetry")
    pane = dialog.privacy_pane
    assert pane is not None
    qtbot.waitUntil(pane.isVisible)
    dialog.resize(1000, 780)
    qtbot.waitExposed(dialog)
    save(dialog, shots, f"privacy-pane-{name}", colors)
    pane.tabs.setCurrentIndex(1)
    pane.queue_table.selectRow(0)
    save(dialog, shots, f"privacy-pane-queue-{name}", colors)
    pane.tabs.setCurrentIndex(2)
    pane.sent_table.selectRow(0)
    save(dialog, shots, f"privacy-pane-sent-{name}", colors)
    pane.tabs.setCurrentIndex(3)
    save(dialog, shots, f"privacy-pane-flags-{name}", colors, min_colors=15)
