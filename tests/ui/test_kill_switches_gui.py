"""Kill switches in the GUI, live: ``export-enabled`` / ``import-enabled`` off (an explicit
remote false from the loopback capture server, fetched on a background thread) disables the
menu items and the Reports view's Export button with the switch's short reason, refuses the
actions through the dispatcher with that reason — and the real CLI, on the same data folder,
refuses with the very same sentence. Back on, everything is enabled again without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from support.cli_kit import run_cli, sending_env
from support.flag_ui_kit import refresh_in_background
from support.window_kit import WindowFactory, open_reports, wait_for
from timetracker.app import App
from timetracker.ui.import_dialog import ImportDialog

EXPORT_REASON = ("Exporting is switched off for now while a problem with it is being fixed. "
                 "Your data is safe; try again later.")
IMPORT_REASON = ("Importing is switched off for now while a problem with it is being fixed. "
                 "Your data is safe; try again later.")


@pytest.fixture
def full_env(cli_env: dict[str, str], server: CaptureServer) -> dict[str, str]:
    return sending_env(cli_env, server)


def test_export_switch_off_disables_export_live_with_the_reason_gui_and_cli(
        qtbot: QtBot, full_app: App, server: CaptureServer, full_env: dict[str, str],
        make_window: WindowFactory, home: Path, tmp_path: Path) -> None:
    server.set(flags={"export-enabled": True, "import-enabled": True})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    view = open_reports(window)
    export_item = window.actions_by_key["export"]
    assert export_item.isEnabled() and view.export_button.isEnabled()
    normal_tip = view.export_button.toolTip()
    assert normal_tip != EXPORT_REASON

    server.set(flags={"export-enabled": False, "import-enabled": True})
    refresh_in_background(full_app)
    wait_for(lambda: not export_item.isEnabled())
    assert export_item.toolTip() == EXPORT_REASON and export_item.statusTip() == EXPORT_REASON
    assert not view.export_button.isEnabled()
    assert view.export_button.toolTip() == EXPORT_REASON
    assert view.export_button.accessibleDescription() == EXPORT_REASON
    assert window.actions_by_key["import"].isEnabled(), "only the export switch is off"

    # The action itself is refused with the reason, through the dispatcher.
    with qtbot.waitSignal(window.dispatcher.failed, timeout=5_000) as refused:
        window.open_export("shortcut")
    assert refused.args == ["view.reports", EXPORT_REASON]
    target = tmp_path / "out.csv"
    with qtbot.waitSignal(view.exportDone, timeout=10_000) as done:
        view.export_to(target, "csv")
    assert done.args == [str(target), -1]
    assert not target.exists()
    assert EXPORT_REASON in view.status_label.text()
    assert not view.export_button.isEnabled(), "still off after the refused export"

    # The CLI on the same data folder refuses with the very same sentence.
    proc = run_cli(full_env, "export", "-o", str(home / "cli.csv"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"timetracker: error: {EXPORT_REASON}"
    assert not (home / "cli.csv").exists()

    # Back on: enabled again, live, with the normal tooltip; exporting works.
    server.set(flags={"export-enabled": True, "import-enabled": True})
    refresh_in_background(full_app)
    wait_for(lambda: export_item.isEnabled() and view.export_button.isEnabled())
    assert view.export_button.toolTip() == normal_tip
    assert export_item.toolTip() != EXPORT_REASON
    with qtbot.waitSignal(view.exportDone, timeout=10_000) as done:
        view.export_to(target, "csv")
    assert done.args[1] > 0 and target.exists()
    assert run_cli(full_env, "export", "--format", "csv").returncode == 0


def test_import_switch_off_disables_import_live_with_the_reason_gui_and_cli(
        qtbot: QtBot, full_app: App, server: CaptureServer, full_env: dict[str, str],
        make_window: WindowFactory, home: Path) -> None:
    server.set(flags={"import-enabled": True})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    import_item = window.actions_by_key["import"]
    assert import_item.isEnabled()

    server.set(flags={"import-enabled": False})
    refresh_in_background(full_app)
    wait_for(lambda: not import_item.isEnabled())
    assert import_item.toolTip() == IMPORT_REASON
    assert window.actions_by_key["export"].isEnabled()
    # Ctrl+I still reaches the action: it is refused with the reason (no dialog opens).
    with qtbot.waitSignal(window.dispatcher.failed, timeout=5_000) as refused:
        window.open_import("shortcut")
    assert refused.args == ["dialog.import", IMPORT_REASON]

    source = home / "in.json"
    source.write_text("[]")
    proc = run_cli(full_env, "import", "--from", "json", str(source))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"timetracker: error: {IMPORT_REASON}"

    server.set(flags={"import-enabled": True})
    refresh_in_background(full_app)
    wait_for(lambda: import_item.isEnabled())
    assert import_item.toolTip() != IMPORT_REASON


def test_errors_never_disable_anything(qtbot: QtBot, full_app: App, server: CaptureServer,
                                       make_window: WindowFactory) -> None:
    server.set(flags={"export-enabled": True, "import-enabled": True})
    refresh_in_background(full_app)
    window = make_window(full_app, tray_enabled=False)
    server.set(flags={"export-enabled": False, "import-enabled": False}, flags_status=503)
    result = full_app.flags.refresh()
    assert result.outcome == "failed"
    for _ in range(20):
        qtbot.wait(10)
    assert window.actions_by_key["export"].isEnabled()
    assert window.actions_by_key["import"].isEnabled()


def test_an_open_import_dialog_refuses_to_import_once_the_switch_is_off(
        qtbot: QtBot, full_app: App, server: CaptureServer) -> None:
    toggl = Path(__file__).resolve().parent.parent / "data" / "import" / "toggl_detailed.csv"
    server.set(flags={"import-enabled": True})
    refresh_in_background(full_app)
    dialog = ImportDialog(full_app)
    qtbot.addWidget(dialog)
    dialog.set_inputs("toggl", toggl, tz="Europe/Berlin")
    with qtbot.waitSignal(dialog.previewed, timeout=10_000):
        dialog.preview_button.click()
    before = full_app.entries.count()

    server.set(flags={"import-enabled": False})  # switched off while the dialog is open
    refresh_in_background(full_app)
    with qtbot.waitSignal(dialog.failedWith, timeout=10_000) as failed:
        dialog.import_button.click()
    assert str(failed.args[0]) == IMPORT_REASON
    assert dialog.error_fields["Problem"].text() == IMPORT_REASON
    assert full_app.entries.count() == before, "nothing was imported"
