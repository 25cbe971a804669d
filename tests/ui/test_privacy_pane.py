"""Settings → Privacy & Telemetry: every control against a real Telemetry and Flags that talk
to the loopback capture server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from privacy_support import (  # noqa: F401 - fixtures
    NEW_BASIC,
    AppFactory,
    answer_modal,
    grown_registry,
    make_app_fixture,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QRadioButton,
    QTableWidget,
)
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from timetracker.app import App
from timetracker.ui.consent_dialog import ReconsentDialog
from timetracker.ui.privacy_pane import PrivacyPane
from timetracker.ui.settings_dialog import SettingsDialog

TIMER = {"source": "bar", "stopped_running": False, "has_project": True, "has_task": False,
         "tag_count": 1, "billable": False}


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """A real mouse click; on a radio button, on its indicator (the row is wider than it)."""
    if isinstance(button, QRadioButton):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, button.height() // 2))
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def column(table: QTableWidget, index: int) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]  # type: ignore[union-attr]


def row_of(table: QTableWidget, first_cell: str) -> list[str]:
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == first_cell:  # type: ignore[union-attr]
            return [table.item(row, c).text()  # type: ignore[union-attr]
                    for c in range(table.columnCount())]
    raise AssertionError(f"no row {first_cell!r}")


def open_pane(qtbot: QtBot, app: App, poll_ms: int = 2000) -> PrivacyPane:
    pane = PrivacyPane(app, poll_ms=poll_ms)
    qtbot.addWidget(pane)
    pane.resize(980, 720)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def test_level_change_is_immediate_and_off_forgets_everything(
        qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    pane = open_pane(qtbot, app)
    assert not any(b.isChecked() for b in pane.level_buttons.values()) or \
        pane.level_buttons["off"].isChecked()
    assert "not chosen yet" in pane.forced_note.text()
    assert "none" in pane.install_id.text()
    assert not pane.reset_button.isEnabled()

    with qtbot.waitSignal(pane.levelChanged) as changed:
        click(qtbot, pane.level_buttons["full"])
    assert changed.args == ["full"]
    status = app.telemetry.status()
    assert (status.level, status.decided) == ("full", True)
    assert pane.install_id.text() == status.install_id
    assert pane.queue_table.rowCount() == status.queued > 0
    assert "consent.changed" in column(pane.queue_table, 1)
    first_id = status.install_id

    with qtbot.waitSignal(pane.levelChanged):
        click(qtbot, pane.level_buttons["off"])
    folder = app.paths.telemetry_dir
    assert app.telemetry.level == "off"
    assert not (folder / "outbox.sqlite3").exists()
    assert not (folder / "identity.json").exists()
    assert pane.queue_table.rowCount() == 0
    assert f"{status.queued} waiting event(s) and the install id were deleted" in \
        pane.message.text()
    assert "none" in pane.install_id.text()
    assert not pane.send_button.isEnabled() and not pane.delete_button.isEnabled()
    assert row_of(pane.events_table, "telemetry.install")[2] == "not sent: telemetry is off"

    click(qtbot, pane.level_buttons["basic"])
    assert app.telemetry.level == "basic"
    assert pane.install_id.text() not in ("", first_id)
    assert row_of(pane.events_table, "timer.started")[2] == "not sent at Basic"
    assert row_of(pane.events_table, "telemetry.install")[2] == "sent"


def test_each_declared_event_fits_on_one_line_with_its_reason_below(
        qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    app.telemetry.set_level("full")
    pane = open_pane(qtbot, app)
    table = pane.events_table
    header = table.horizontalHeader()
    titles = [table.horizontalHeaderItem(c).text()  # type: ignore[union-attr]
              for c in range(table.columnCount())]
    assert titles[-1] == "Properties"
    # the long property lists are cut to the table's width, never scrolled sideways
    assert table.horizontalScrollBar().maximum() == 0
    assert header.sectionPosition(table.columnCount() - 1) + \
        header.sectionSize(table.columnCount() - 1) <= table.viewport().width()
    registry = app.telemetry.registry
    widest = max(registry.events.values(), key=lambda spec: len(spec.properties))
    cells = row_of(table, widest.name)
    assert cells[-1] == ", ".join(widest.properties)
    index = column(table, 0).index(widest.name)
    item = table.item(index, 5)
    assert item is not None and item.toolTip() == cells[-1]  # the whole list on hover
    assert table.item(index, 0).toolTip() == widest.description  # type: ignore[union-attr]
    # selecting the event shows why it is collected and each property's values
    table.selectRow(index)
    details = pane.event_details.toPlainText()
    assert widest.description.replace("`", "") in details
    assert all(name in details for name in widest.properties)


def test_reset_id_replaces_the_install_id(qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    app.telemetry.set_level("basic")
    pane = open_pane(qtbot, app)
    before = pane.install_id.text()
    uuid.UUID(before)
    click(qtbot, pane.reset_button)
    after = app.telemetry.status().install_id
    assert after != before and pane.install_id.text() == after
    installs = [q for q in app.telemetry.queued() if q.event == "telemetry.install"]
    assert [json.loads(q.json)["distinct_id"] for q in installs][-1] == after


def test_send_now_moves_the_queue_into_the_sent_log(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    app = make_app()
    app.telemetry.set_level("full")
    app.telemetry.track("timer.started", **TIMER)
    pane = open_pane(qtbot, app)
    waiting = [q.uuid for q in app.telemetry.queued()]
    assert pane.queue_table.rowCount() == len(waiting) >= 2
    assert pane.tabs.tabText(1) == f"Waiting ({len(waiting)})"
    pane.queue_table.selectRow(0)
    shown = json.loads(pane.queue_json.toPlainText())
    assert shown == json.loads(app.telemetry.queued()[0].json)
    assert "Nothing has been sent" in pane.sent_summary.text()

    with qtbot.waitSignal(pane.flushDone, timeout=15_000) as done:
        click(qtbot, pane.send_button)
    assert done.args == [True]
    assert sorted(server.uuids()) == sorted(waiting)
    assert pane.queue_table.rowCount() == 0
    assert "Nothing is waiting" in pane.queue_summary.text()
    assert pane.sent_table.rowCount() == 1
    sent_row = [pane.sent_table.item(0, c).text()  # type: ignore[union-attr]
                for c in range(pane.sent_table.columnCount())]
    assert sent_row[1:4] == [str(len(waiting)), "200", "sent"]
    pane.sent_table.selectRow(0)
    body = json.loads(pane.sent_json.toPlainText())
    assert [e["uuid"] for e in body["batch"]] == [e["uuid"] for e in server.events()]
    # The events table counts what was sent.
    assert row_of(pane.events_table, "timer.started")[3] == "1"
    assert row_of(pane.events_table, "timer.started")[4] != "—"
    assert row_of(pane.events_table, "timer.stopped")[3:5] == ["0", "—"]


def test_delete_queued_events_are_never_sent(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    app = make_app()
    app.telemetry.set_level("full")
    app.telemetry.track("timer.started", **TIMER)
    pane = open_pane(qtbot, app)
    deleted = {q.uuid for q in app.telemetry.queued()}
    assert pane.delete_button.isEnabled()
    click(qtbot, pane.delete_button)
    assert pane.queue_table.rowCount() == 0 and app.telemetry.status().queued == 0
    assert f"Deleted {len(deleted)} waiting event(s)" in pane.message.text()
    app.telemetry.track("timer.stopped", source="bar", duration_seconds=90)
    assert app.telemetry.flush(5.0)
    assert [e["event"] for e in server.events()] == ["timer.stopped"]
    assert not deleted & set(server.uuids())


def test_export_log_writes_every_batch(qtbot: QtBot, make_app: AppFactory,
                                       server: CaptureServer, tmp_path: Path) -> None:
    app = make_app()
    app.telemetry.set_level("basic")
    assert app.telemetry.flush(5.0)
    app.telemetry.report_error(OSError("x"))
    assert app.telemetry.flush(5.0)
    pane = open_pane(qtbot, app)
    assert pane.sent_table.rowCount() == 2 and pane.export_button.isEnabled()
    click(qtbot, pane.export_button)
    dialog = pane.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "exported" / "log.json"
    target.parent.mkdir()
    with qtbot.waitSignal(pane.logExported) as exported:
        dialog.selectFile(str(target))
        dialog.accept()
    assert exported.args == [str(target)]
    document = json.loads(target.read_text(encoding="utf-8"))
    assert [b["http_status"] for b in document["batches"]] == [200, 200]
    exported_uuids = sorted(e["uuid"] for b in document["batches"] for e in b["body"]["batch"])
    assert exported_uuids == sorted(server.uuids())


def test_the_pane_follows_changes_made_elsewhere(qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    app.telemetry.set_level("full")
    pane = open_pane(qtbot, app, poll_ms=50)
    before = pane.queue_table.rowCount()
    app.telemetry.track("timer.continued", source="tray")  # e.g. from the tray
    qtbot.waitUntil(lambda: pane.queue_table.rowCount() == before + 1, timeout=3000)
    assert "timer.continued" in column(pane.queue_table, 1)
    pane.hide()
    assert not pane.timer.isActive()


def test_flags_with_their_values_and_sources(qtbot: QtBot, make_app: AppFactory,
                                             server: CaptureServer) -> None:
    server.set(flags={"timer-ui": "compact", "export-enabled": False})
    app = make_app()
    pane = open_pane(qtbot, app)
    keys = column(pane.flags_table, 0)
    assert set(keys) == set(app.flags.registry.flags)
    row = row_of(pane.flags_table, "timer-ui")
    assert row[3] == "built-in default"
    assert "only fetched at telemetry level full" in row[4]

    click(qtbot, pane.level_buttons["full"])
    result = app.flags.refresh(5.0)  # a real /flags/ request to the capture server
    assert result.outcome == "fetched"
    qtbot.waitUntil(lambda: row_of(pane.flags_table, "timer-ui")[2] == "compact",
                    timeout=3000)
    assert row_of(pane.flags_table, "timer-ui")[3] == "remote (fetched now)"
    export = row_of(pane.flags_table, "export-enabled")
    assert (export[1], export[2], export[3]) == ("kill-switch", "off", "remote (fetched now)")


def test_developer_override_set_and_clear(qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    pane = open_pane(qtbot, app)
    pane.override_flag.setCurrentIndex(pane.override_flag.findData("timer-ui"))
    assert "compact" in pane.override_value.placeholderText()
    pane.override_value.setText("no-such-variant")
    click(qtbot, pane.set_override_button)
    assert pane.override_message.text().startswith("⚠")
    assert app.flags.overrides() == {}

    pane.override_value.setText("compact")
    click(qtbot, pane.set_override_button)
    assert app.flags.evaluate("timer-ui").reason == "override"
    row = row_of(pane.flags_table, "timer-ui")
    assert row[2] == "compact" and row[3].startswith("override")
    assert app.flags.override_store.load() == {"timer-ui": "compact"}

    click(qtbot, pane.clear_override_button)
    assert app.flags.overrides() == {}
    assert row_of(pane.flags_table, "timer-ui")[3] == "built-in default"
    assert "override cleared" in pane.override_message.text()


@pytest.mark.parametrize("env", [{"DO_NOT_TRACK": "1"}, {"TIMETRACKER_TELEMETRY": "full"}])
def test_a_level_forced_by_the_environment_is_shown_and_locked(
        qtbot: QtBot, make_app: AppFactory, env: dict[str, str]) -> None:
    app = make_app(**env)
    pane = open_pane(qtbot, app)
    assert not any(b.isEnabled() for b in pane.level_buttons.values())
    variable = next(iter(env))
    assert variable in pane.forced_note.text()
    assert pane.level_buttons[app.telemetry.level].isChecked()


def test_new_events_can_be_reviewed_and_allowed_from_the_pane(
        qtbot: QtBot, make_app: AppFactory) -> None:
    first = make_app()
    first.telemetry.set_level("basic")
    first.close()
    app = make_app(registry=grown_registry())
    app.telemetry.mark_prompt_seen()  # the user kept their choice at start
    pane = open_pane(qtbot, app)
    assert pane.review_button.isVisible()
    assert NEW_BASIC in pane.pending_note.text()
    assert row_of(pane.events_table, NEW_BASIC)[2] == "not sent until you allow it (new)"
    assert app.telemetry.track(NEW_BASIC, consent_level="basic") is None
    seen = answer_modal(ReconsentDialog, lambda d: click(qtbot, d.allow_button))
    click(qtbot, pane.review_button)
    assert seen
    assert not pane.review_button.isVisible()
    assert row_of(pane.events_table, NEW_BASIC)[2] == "sent"
    assert app.telemetry.track(NEW_BASIC, consent_level="basic") is not None


def test_settings_dialog_builds_the_pane_when_its_tab_opens(qtbot: QtBot,
                                                           make_app: AppFactory) -> None:
    app = make_app()
    dialog = SettingsDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.privacy_pane is None  # nothing telemetry-related is read before
    dialog.show_page("Privacy & Telemetry")
    pane = dialog.privacy_pane
    assert isinstance(pane, PrivacyPane)
    qtbot.waitUntil(pane.isVisible, timeout=3000)
    assert pane.timer.isActive()
    assert pane.window() is dialog


def test_opting_in_after_launch_starts_sending(qtbot: QtBot, make_app: AppFactory,
                                               server: CaptureServer) -> None:
    """Launched with telemetry off, then opted in here: the uploader starts, as a launch at
    that level would have started it."""
    app = make_app()
    app.start_telemetry()
    assert not app.telemetry.uploader.running
    pane = open_pane(qtbot, app)
    click(qtbot, pane.level_buttons["basic"])
    assert app.telemetry.uploader.running
    events = server.wait_for_events(1, timeout=10.0)
    assert "consent.changed" in {e["event"] for e in events}


def test_a_remote_kill_switch_on_sending_is_shown_and_respected(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    server.set(flags={"telemetry-sending-enabled": False})
    app = make_app()
    pane = open_pane(qtbot, app)
    click(qtbot, pane.level_buttons["full"])
    assert app.flags.refresh(5.0).outcome == "fetched"
    pane.refresh()
    assert row_of(pane.flags_table, "telemetry-sending-enabled")[2] == "off"
    reason = app.flags.registry.spec("telemetry-sending-enabled").reason
    assert "Not sending now" in pane.queue_summary.text()
    assert reason in pane.queue_summary.text()
    waiting = app.telemetry.status().queued
    assert pane.send_now() is None
    assert "Nothing can be sent from here" in pane.message.text()
    assert app.telemetry.status().queued == waiting  # kept, not deleted
    assert server.batches() == []


def test_the_docs_links_take_the_new_themes_link_colour(
        qtbot: QtBot, make_app: AppFactory, qapp: QApplication) -> None:
    from PySide6.QtGui import QColor
    from timetracker.ui import theme

    def link_pixels(colour: str) -> int:
        image = pane.docs_link.grab().toImage()
        wanted = QColor(colour)
        return sum(1 for y in range(image.height()) for x in range(image.width())
                   if image.pixelColor(x, y) == wanted)

    previous = (qapp.styleSheet(), qapp.palette())
    try:
        theme.apply(qapp, "light")
        pane = open_pane(qtbot, make_app())
        light, dark = theme.THEMES["light"].accent, theme.THEMES["dark"].accent
        assert link_pixels(light) > 0
        theme.apply(qapp, "dark")  # the links were laid out in the light colours
        qapp.processEvents()
        assert link_pixels(dark) > 0 and link_pixels(light) == 0
    finally:
        qapp.setStyleSheet(previous[0])
        qapp.setPalette(previous[1])
