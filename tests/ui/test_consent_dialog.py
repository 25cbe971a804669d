"""The first-run consent dialog and the re-consent dialog, driven like a user would, against a
real Telemetry that sends to the loopback capture server."""

from __future__ import annotations

import json
from pathlib import Path

from privacy_support import (  # noqa: F401 - fixtures
    NEW_BASIC,
    NEW_FULL,
    NEW_PROPERTY,
    AppFactory,
    answer_modal,
    grown_registry,
    make_app_fixture,
    stable,
    watch_modals,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot
from support.capture_server import CaptureServer
from timetracker.ui.consent_dialog import (
    ConsentDialog,
    PreviewDialog,
    ReconsentDialog,
    docs_url,
    maybe_ask_consent,
)

TIMER = {"source": "bar", "stopped_running": False, "has_project": True, "has_task": False,
         "tag_count": 1, "billable": False}


def click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_first_run_offers_three_equal_choices_and_nothing_preselected(
        qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    dialog = ConsentDialog(app.telemetry)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    buttons = [dialog.no_button, dialog.basic_button, dialog.full_button]
    assert [b.text() for b in buttons] == ["No thanks", "Share basic", "Share full"]
    # Equal prominence: the same style, the same height, no default button (Enter picks
    # nothing), all enabled; the keyboard focus starts on "No thanks".
    assert {b.objectName() for b in buttons} == {"choiceButton"}
    assert len({b.height() for b in buttons}) == 1
    widths = [b.width() for b in buttons]
    assert max(widths) - min(widths) <= 1  # equal columns (±1 px of rounding)
    assert not any(b.isDefault() or b.autoDefault() for b in buttons)
    assert all(b.isEnabled() for b in buttons)
    assert dialog.focusWidget() is dialog.no_button
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.choice is None
    # Plain words: where data goes (a dev build with a host configured: the host), what is
    # never collected, and the docs.
    assert app.telemetry.endpoint().host in dialog.destination.text()
    text = " ".join(label.text() for label in dialog.findChildren(type(dialog.destination)))
    for words in ("descriptions", "file names", "user name", "IP address",
                  "Closing this window counts as “No thanks”"):
        assert words in text
    assert docs_url() in dialog.docs_link.text()
    assert Path(docs_url().removeprefix("file://")).is_file()


def test_dev_build_without_a_host_says_data_stays_here(qtbot: QtBot, make_app: AppFactory,
                                                      ) -> None:
    app = make_app(TIMETRACKER_POSTHOG_HOST="", TIMETRACKER_POSTHOG_API_KEY="")
    dialog = ConsentDialog(app.telemetry)
    qtbot.addWidget(dialog)
    assert "no analytics host configured" in dialog.destination.text()
    assert "stay on this computer" in dialog.destination.text()


def test_share_basic_applies_at_once_and_is_not_asked_again(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    app = make_app()
    assert app.telemetry.needs_prompt()
    seen = answer_modal(ConsentDialog, lambda d: click(qtbot, d.basic_button))
    maybe_ask_consent(app)
    assert len(seen) == 1
    status = app.telemetry.status()
    assert (status.level, status.decided, status.level_source) == ("basic", True, "user")
    assert status.install_id and status.queued >= 1
    assert not app.telemetry.needs_prompt()
    # A usage (full) event is not recorded at basic; an error summary is.
    assert app.telemetry.track("timer.started", **TIMER) is None
    assert app.telemetry.report_error(OSError("x")) is not None

    restarted = make_app()
    watcher = watch_modals()
    maybe_ask_consent(restarted)
    qtbot.wait(60)
    assert watcher == []
    assert restarted.telemetry.level == "basic"


def test_share_full_sends_exactly_what_the_preview_showed(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    app = make_app()
    previewed: list[dict[str, object]] = []

    def look_then_choose(dialog: ConsentDialog) -> None:
        preview = dialog.show_preview("full")
        previewed.extend(json.loads(preview.json.toPlainText()))
        preview.close()
        click(qtbot, dialog.full_button)

    seen = answer_modal(ConsentDialog, look_then_choose)
    maybe_ask_consent(app)
    assert seen and app.telemetry.level == "full"
    assert app.telemetry.flush(5.0)
    sent = server.events()
    assert sent, "opting in queues the consent change and the install ping"
    by_event: dict[str, list[dict[str, object]]] = {}
    for message in previewed:
        by_event.setdefault(str(message["event"]), []).append(message)
    for message in sent:
        candidates = by_event.get(str(message["event"]))
        assert candidates, f"{message['event']} was sent but not previewed"
        props = message["properties"]
        assert isinstance(props, dict)
        best = candidates[0]
        best_props = best["properties"]
        assert isinstance(best_props, dict)
        # Same envelope, same property names, same values for everything the preview can
        # know ahead (the health ping's queue depth and uptime are measured when it is sent).
        assert set(message) == set(best)
        assert set(props) == set(best_props)
        for key, value in props.items():
            if message["event"] == "telemetry.health" and key in ("queued", "uptime_hours"):
                continue
            if message["event"] == "$groupidentify":
                continue  # two messages with the same name; checked as a set below
            assert best_props[key] == value, (message["event"], key)
    groups_sent = sorted(json.dumps(m["properties"], sort_keys=True) for m in sent
                         if m["event"] == "$groupidentify")
    groups_shown = sorted(json.dumps(m["properties"], sort_keys=True) for m in previewed
                          if m["event"] == "$groupidentify")
    assert groups_sent == groups_shown
    install_id = app.telemetry.status().install_id
    assert {m["distinct_id"] for m in sent} == {install_id}


def test_preview_is_the_pipelines_json_for_the_chosen_level(qtbot: QtBot,
                                                           make_app: AppFactory) -> None:
    app = make_app()
    preview = PreviewDialog(app.telemetry, "basic")
    qtbot.addWidget(preview)
    shown = json.loads(preview.json.toPlainText())
    assert [stable(m) for m in shown] == [stable(m) for m in app.telemetry.preview("basic")]
    assert "timer.started" not in {m["event"] for m in shown}
    assert preview.level_buttons["basic"].isChecked()
    click(qtbot, preview.level_buttons["full"])
    full = json.loads(preview.json.toPlainText())
    assert [stable(m) for m in full] == [stable(m) for m in app.telemetry.preview("full")]
    assert "timer.started" in {m["event"] for m in full}
    assert "Full" in preview.intro.text()
    # Previewing records nothing.
    assert not app.telemetry.outbox.exists()
    assert app.telemetry.status().install_id == ""


def test_no_thanks_sends_nothing_ever_and_is_never_asked_again(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer, home: Path) -> None:
    app = make_app()
    seen = answer_modal(ConsentDialog, lambda d: click(qtbot, d.no_button))
    maybe_ask_consent(app)
    assert seen and seen[0].choice == "off" and not seen[0].closed_without_choice
    status = app.telemetry.status()
    assert (status.level, status.decided) == ("off", True)
    assert app.telemetry.track("timer.started", **TIMER) is None
    assert app.telemetry.report_error(ValueError("x")) is None
    app.close()
    folder = app.paths.telemetry_dir
    assert not (folder / "outbox.sqlite3").exists()
    assert not (folder / "identity.json").exists()

    # A later release with more events: someone who said no is still not asked.
    again = make_app(registry=grown_registry())
    watcher = watch_modals()
    maybe_ask_consent(again)
    qtbot.wait(60)
    assert watcher == []
    again.close()
    assert server.requests() == []


def test_closing_the_dialog_counts_as_no_thanks(qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    seen = answer_modal(ConsentDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    maybe_ask_consent(app)
    assert seen and seen[0].closed_without_choice and seen[0].choice == "off"
    assert app.telemetry.status().decided and app.telemetry.level == "off"

    other = make_app(TIMETRACKER_HOME=str(app.paths.data_dir))
    dialog = ConsentDialog(other.telemetry)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.close()  # the window's close button
    assert dialog.choice == "off" and dialog.closed_without_choice


def test_a_forced_level_never_shows_the_dialog(qtbot: QtBot, make_app: AppFactory) -> None:
    for env in ({"DO_NOT_TRACK": "1"}, {"TIMETRACKER_TELEMETRY": "basic"}):
        app = make_app(**env)
        watcher = watch_modals()
        maybe_ask_consent(app)
        qtbot.wait(60)
        assert watcher == []
        assert not app.telemetry.status().decided


def _said_yes_then_upgraded(make_app: AppFactory, level: str) -> tuple[object, object]:
    first = make_app()
    first.telemetry.set_level(level)
    first.close()
    return first, make_app(registry=grown_registry())


def test_reconsent_lists_what_is_new_and_keeps_it_off_until_allowed(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    first = make_app()
    first.telemetry.set_level("basic")
    accepted = first.telemetry.status().schema_version
    first.close()
    app = make_app(registry=grown_registry())
    tele = app.telemetry
    assert tele.needs_prompt()
    # Until accepted, the new basic event is not recorded (the old ones still are).
    assert tele.track(NEW_BASIC, consent_level="basic") is None
    assert tele.report_error(KeyError("x")) is not None

    listed: list[str] = []

    def read_then_keep(dialog: ReconsentDialog) -> None:
        listed.extend(spec.name for spec in dialog.new_events)
        text = dialog.event_list.toPlainText()
        assert NEW_BASIC in text and "consent_level" in text and "basic, full" in text
        labels = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert f"at version {accepted}" in labels
        example = dialog.show_preview()
        messages = json.loads(example.json.toPlainText())
        assert [m["event"] for m in messages] == [NEW_BASIC]
        assert messages[0]["properties"]["consent_level"] == "basic"
        example.close()
        click(qtbot, dialog.keep_button)

    seen = answer_modal(ReconsentDialog, read_then_keep)
    maybe_ask_consent(app)
    assert seen
    # Only what the user's level would send is listed (the new full event is not).
    assert listed == [NEW_BASIC] and NEW_FULL not in listed
    status = tele.status()
    assert (status.level, status.accepted_schema) == ("basic", accepted)
    assert tele.track(NEW_BASIC, consent_level="basic") is None  # still gated
    assert not tele.needs_prompt()
    watcher = watch_modals()
    maybe_ask_consent(make_app(registry=grown_registry()))
    qtbot.wait(60)
    assert watcher == []
    assert tele.flush(5.0)
    assert NEW_BASIC not in {e["event"] for e in server.events()}


def test_allowing_the_new_events_lets_them_through(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    _first, app = _said_yes_then_upgraded(make_app, "full")
    tele = app.telemetry  # type: ignore[attr-defined]
    seen = answer_modal(ReconsentDialog, lambda d: click(qtbot, d.allow_button))
    maybe_ask_consent(app)  # type: ignore[arg-type]
    assert seen
    changes = seen[0].changes
    assert sorted(s.name for s in changes.events) == sorted([NEW_BASIC, NEW_FULL])
    assert [(spec.name, name) for spec, name, _ in changes.properties] == \
        [("timer.continued", NEW_PROPERTY)]
    status = tele.status()
    assert (status.level, status.accepted_schema) == ("full", status.schema_version)
    assert tele.track(NEW_FULL, source="bar", billable=True) is not None
    assert tele.track(NEW_BASIC, consent_level="full") is not None
    assert tele.track("timer.continued", source="bar", **{NEW_PROPERTY: True}) is not None
    assert tele.flush(5.0)
    sent = server.events()
    assert {NEW_BASIC, NEW_FULL} <= {e["event"] for e in sent}
    continued = [e for e in sent if e["event"] == "timer.continued"]
    assert continued[0]["properties"][NEW_PROPERTY] is True


def test_a_new_property_is_left_out_until_allowed(
        qtbot: QtBot, make_app: AppFactory, server: CaptureServer) -> None:
    _first, app = _said_yes_then_upgraded(make_app, "full")
    tele = app.telemetry  # type: ignore[attr-defined]

    def look_then_keep(dialog: ReconsentDialog) -> None:
        text = dialog.event_list.toPlainText()
        assert "New properties on events you already share" in text
        assert NEW_PROPERTY in text and "timer.continued" in text
        examples = json.loads(dialog.show_preview().json.toPlainText())
        assert examples[0]["event"] in (NEW_BASIC, NEW_FULL, "timer.continued")
        click(qtbot, dialog.keep_button)

    seen = answer_modal(ReconsentDialog, look_then_keep)
    maybe_ask_consent(app)  # type: ignore[arg-type]
    assert seen
    assert tele.track("timer.continued", source="bar", **{NEW_PROPERTY: True}) is not None
    assert tele.flush(5.0)
    continued = [e for e in server.events() if e["event"] == "timer.continued"]
    assert len(continued) == 1 and NEW_PROPERTY not in continued[0]["properties"]


def test_stop_sharing_from_the_reconsent_dialog(qtbot: QtBot, make_app: AppFactory) -> None:
    _first, app = _said_yes_then_upgraded(make_app, "basic")
    seen = answer_modal(ReconsentDialog, lambda d: click(qtbot, d.off_button))
    maybe_ask_consent(app)  # type: ignore[arg-type]
    assert seen
    tele = app.telemetry  # type: ignore[attr-defined]
    assert tele.level == "off" and not tele.outbox.exists()
    assert tele.status().install_id == ""


def test_closing_the_reconsent_dialog_keeps_the_new_events_off(
        qtbot: QtBot, make_app: AppFactory) -> None:
    _first, app = _said_yes_then_upgraded(make_app, "basic")
    seen = answer_modal(ReconsentDialog, lambda d: d.close())
    maybe_ask_consent(app)  # type: ignore[arg-type]
    assert seen and seen[0].choice == "keep"
    tele = app.telemetry  # type: ignore[attr-defined]
    assert tele.level == "basic" and not tele.needs_prompt()
    assert tele.track(NEW_BASIC, consent_level="basic") is None


def test_nothing_new_at_the_users_level_asks_nothing(qtbot: QtBot,
                                                    make_app: AppFactory) -> None:
    """Only a full event is new and the user shares basic: no question, nothing accepted."""
    first = make_app()
    first.telemetry.set_level("basic")
    accepted = first.telemetry.status().accepted_schema
    first.close()
    app = make_app(registry=grown_registry(with_basic=False))
    watcher = watch_modals()
    maybe_ask_consent(app)
    qtbot.wait(60)
    assert watcher == []
    assert app.telemetry.status().accepted_schema == accepted
    assert not app.telemetry.needs_prompt()
    assert QApplication.activeModalWidget() is None
