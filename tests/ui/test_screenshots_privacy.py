"""Screenshots of the consent dialog, its preview, the re-consent dialog and the Privacy &
Telemetry settings pane, in light and dark.

The PNGs go to ``$SCREENSHOT_DIR`` (or a temporary folder); the folder is printed (run with
``-s``). docs/images/ holds the copies shown in docs/telemetry/overview.md. Each image must
hold real content: many colours, the theme's window colour and its accent (the links, the
selected row), so a blank or unstyled render fails.
"""

from __future__ import annotations

from pathlib import Path

from privacy_support import (  # noqa: F401 - fixtures
    AppFactory,
    grown_registry,
    make_app_fixture,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.screenshots import has_color, save_png
from timetracker.telemetry.consent import ConsentStore
from timetracker.ui import theme
from timetracker.ui.consent_dialog import ConsentDialog, ReconsentDialog, pending_changes
from timetracker.ui.self_test import distinct_colors
from timetracker.ui.settings_dialog import SettingsDialog


def save(widget: QWidget, folder: Path, name: str, colors: theme.Theme,
         min_colors: int = 25) -> QImage:
    image = save_png(widget, folder, name)
    assert image.width() >= 600 and image.height() >= 400
    assert distinct_colors(image, step=3) >= min_colors, f"{name} looks blank"
    assert has_color(image, colors.window), f"{name}: not painted with the theme"
    assert has_color(image, colors.accent, tolerance=24), f"{name}: no link or selection"
    return image


def test_consent_dialog_and_preview(qtbot: QtBot, themed: theme.Theme, shots: Path,
                                    make_app: AppFactory) -> None:
    # A release-like destination; nothing is sent (no choice is made, so telemetry stays off).
    app = make_app(TIMETRACKER_POSTHOG_HOST="https://eu.i.posthog.com",
                   TIMETRACKER_POSTHOG_API_KEY="phc_public_project_key")
    dialog = ConsentDialog(app.telemetry)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    save(dialog, shots, f"consent-dialog-{themed.name}", themed)
    preview = dialog.show_preview("full")
    qtbot.waitExposed(preview)
    image = save(preview, shots, f"consent-preview-{themed.name}", themed)
    assert image.height() >= 500
    dialog.reject()
    assert app.telemetry.level == "off" and not app.telemetry.outbox.exists()


def test_reconsent_dialog(qtbot: QtBot, themed: theme.Theme, shots: Path,
                          make_app: AppFactory) -> None:
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
    dialog = ReconsentDialog(app.telemetry, pending_changes(app.telemetry))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    save(dialog, shots, f"reconsent-dialog-{themed.name}", themed, min_colors=15)


def test_privacy_pane(qtbot: QtBot, themed: theme.Theme, shots: Path, make_app: AppFactory,
                      server: CaptureServer) -> None:
    app = make_app()
    tele = app.telemetry
    tele.set_level("full")
    assert tele.flush(5.0)
    tele.track("timer.started", source="bar", stopped_running=False, has_project=True,
               has_task=False, tag_count=2, billable=True)
    tele.track("report.generated", source="dialog", group_by="project", range_kind="this_week",
               range_days=7, format="gui")
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page("Privacy & Telemetry")
    pane = dialog.privacy_pane
    assert pane is not None
    qtbot.waitUntil(pane.isVisible)
    dialog.resize(1000, 780)
    qtbot.waitExposed(dialog)
    # the page scrolls down only: no sideways scroll bar once the resize is laid out
    sideways = dialog.findChild(QScrollArea, "privacyScroll").horizontalScrollBar()
    qtbot.waitUntil(lambda: not sideways.isVisible())
    save(dialog, shots, f"privacy-pane-{themed.name}", themed)
    pane.tabs.setCurrentIndex(1)
    pane.queue_table.selectRow(0)
    save(dialog, shots, f"privacy-pane-queue-{themed.name}", themed)
    pane.tabs.setCurrentIndex(2)
    pane.sent_table.selectRow(0)
    save(dialog, shots, f"privacy-pane-sent-{themed.name}", themed)
    pane.tabs.setCurrentIndex(3)
    save(dialog, shots, f"privacy-pane-flags-{themed.name}", themed, min_colors=15)
