"""The settings dialog saves at once, survives a restart, and makes/restores backups."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from timetracker.app import App
from timetracker.core.paths import AppPaths
from timetracker.ui.settings_dialog import SettingsDialog


@pytest.fixture
def app(week_app: App) -> App:
    """A week of data (tests/ui/conftest.py's ``week_app``)."""
    return week_app


def choose(combo: object, value: str) -> None:
    index = combo.findData(value)  # type: ignore[attr-defined]
    assert index >= 0
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_general_settings_persist_into_a_new_app(qtbot: QtBot, app: App, home: Path) -> None:
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    changed: list[str] = []
    themes: list[str] = []
    dialog.settingsChanged.connect(changed.append)
    dialog.themeChanged.connect(themes.append)
    choose(dialog.week_start, "sunday")
    choose(dialog.time_format, "12h")
    choose(dialog.theme, "dark")
    dialog.close_to_tray.setChecked(False)
    dialog.start_minimised.setChecked(True)
    assert changed == ["week_start", "time_format", "theme", "close_to_tray", "start_minimised"]
    assert themes == ["dark"]

    fresh = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home)})
    assert fresh.config.get("week_start") == "sunday"
    assert fresh.config.get("time_format") == "12h"
    assert fresh.config.get("theme") == "dark"
    assert fresh.config.get("close_to_tray") is False
    assert fresh.config.get("start_minimised") is True
    # And a new dialog on the new App shows them.
    again = SettingsDialog(fresh)
    qtbot.addWidget(again)
    assert again.week_start.currentData() == "sunday"
    assert again.theme.currentData() == "dark"
    assert again.close_to_tray.isChecked() is False
    assert again.start_minimised.isChecked() is True


def test_backup_now_then_restore_brings_data_back(
        qtbot: QtBot, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    before = app.entries.count()
    with qtbot.waitSignal(dialog.backupDone, timeout=10_000) as blocker:
        dialog.create_button.click()
    assert blocker.args == ["create", True]
    manual = [b for b in dialog.backups() if b.reason == "manual"]
    assert len(manual) == 1
    assert dialog.selected_backup() == manual[0]
    assert dialog.backup_table.item(0, 1).text() in {"Manual", "Daily"}

    # Lose data after the backup, then restore through the confirmation box.
    for entry in app.entries.list()[:4]:
        app.entries.delete(entry.id)
    assert app.entries.count() == before - 4
    asked: list[str] = []

    def answer_yes(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)  # the modal box: the user says yes
    restored: list[str] = []
    dialog.dataRestored.connect(restored.append)
    dialog.select_backup(manual[0].name)
    with qtbot.waitSignal(dialog.backupDone, timeout=10_000) as blocker:
        dialog.restore_button.click()
    assert blocker.args == ["restore", True]
    assert "Replace your current data" in asked[0]
    assert restored == [manual[0].name]
    assert app.entries.count() == before
    # The data it replaced was backed up first and is listed now.
    assert any(b.reason == "pre-restore" for b in dialog.backups())


def test_declining_the_confirmation_restores_nothing(
        qtbot: QtBot, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    made = app.backups.create("manual")
    assert made is not None
    app.entries.delete(app.entries.list()[0].id)
    count = app.entries.count()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.select_backup(made.name)
    dialog.restore_button.click()
    qtbot.wait(200)
    assert app.entries.count() == count
    assert not any(b.reason == "pre-restore" for b in app.backups.list())


def test_restore_of_a_damaged_backup_reports_it(qtbot: QtBot, app: App) -> None:
    made = app.backups.create("manual")
    assert made is not None
    made.path.write_bytes(b"not a database at all" * 100)
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.backupDone, timeout=10_000) as blocker:
        dialog.restore_backup(made.name)
    assert blocker.args == ["restore", False]
    assert "damaged" in dialog.backup_message.text()
    assert app.entries.count() > 0


def test_privacy_slot_takes_a_pane(qtbot: QtBot, app: App) -> None:
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i).replace("&&", "&") for i in range(dialog.tabs.count())]
    assert titles == ["General", "Backups", "Privacy & Telemetry"]
    pane = QLabel("telemetry pane")
    index = dialog.add_page("Privacy & Telemetry", pane)
    assert index == dialog.tabs.indexOf(dialog.privacy_tab)
    assert dialog.privacy_tab.isAncestorOf(pane)
    assert dialog.tabs.count() == 3
    extra = QLabel("other")
    assert dialog.add_page("Advanced", extra) == 3



def test_opening_the_privacy_page_does_not_resize_the_dialog(qtbot: QtBot, app: App) -> None:
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.size()
    dialog.show_page("Privacy & Telemetry")
    qtbot.waitUntil(lambda: dialog.privacy_pane is not None)
    QApplication.processEvents()
    assert dialog.size() == before
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()


def test_tray_settings_say_why_they_are_off_without_a_tray(qtbot: QtBot, app: App) -> None:
    from timetracker.ui.tray import tray_available

    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    for box in (dialog.close_to_tray, dialog.start_minimised):
        assert box.isEnabled() == tray_available()
        assert ("no system tray" in box.toolTip()) != tray_available()
    # and in plain sight, not only on hover
    assert dialog.no_tray_note.isVisibleTo(dialog) != tray_available()
    assert "no system tray" in dialog.no_tray_note.text()
