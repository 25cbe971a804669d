"""No personal data and no secrets in any log line (file and console), whatever callers pass."""

from __future__ import annotations

import enum
import io
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from obs_helpers import read_json_lines
from timetracker.core.errors import NotFoundError
from timetracker.observability.logs import LoggingSettings, configure_logging
from timetracker.observability.scrub import REDACTED, Scrubber, key_is_sensitive, safe

SECRET_KEY = "phc_SECRETMARKERkey0123456789abcdef"
MARKERS = ("MARKER-DESCRIPTION-7391", "MARKER-PROJECT-4410", "marker.person@example.org",
           "MARKER-TAG-1187", SECRET_KEY, "MARKERHOSTNAME", "MARKERUSER")


class Level(enum.Enum):
    BASIC = "basic"


def _log_everything(logger: logging.Logger, home_file: str) -> None:
    logger.info("started %s on %s", MARKERS[0], MARKERS[1])
    logger.info("tags %(tag)s", {"tag": MARKERS[3]})
    logger.info("mail from marker.person@example.org to a friend")
    logger.info("key in message %s and literal " + SECRET_KEY, SECRET_KEY)
    logger.info("Authorization: Bearer MARKERTOKENVALUE123")
    logger.warning("could not open " + home_file)
    logger.info("structured", extra={
        "event": "entry.created", "description": MARKERS[0], "project_name": MARKERS[1],
        "email": MARKERS[2], "tags": [MARKERS[3]], "hostname": MARKERS[5],
        "username": MARKERS[6], "api_key": SECRET_KEY, "path": Path(home_file),
        "mode": f"free text with {MARKERS[0]}", "level_enum": Level.BASIC,
        "duration_seconds": 12.5, "ok": True, "status": "running",
    })
    logger.info({"description": MARKERS[0]})  # type: ignore[arg-type]
    try:
        raise NotFoundError(f"No project named '{MARKERS[1]}' (client \"{MARKERS[2]}\")")
    except NotFoundError:
        logger.exception("lookup failed")


def test_markers_never_reach_file_or_console(tmp_path: Path) -> None:
    stream = io.StringIO()
    handle = configure_logging(LoggingSettings(
        log_dir=tmp_path, session_id="s", app_version="1", console_level=logging.DEBUG,
        secrets=[SECRET_KEY]), stream=stream)
    home_file = os.path.join(os.path.expanduser("~"), "Documents", "MARKERUSER-notes.txt")
    try:
        _log_everything(logging.getLogger("timetracker.privacy"), home_file)
        for handler in handle.handlers:
            handler.flush()
    finally:
        handle.close()
    written = (tmp_path / "timetracker.log").read_text(encoding="utf-8") + stream.getvalue()
    for marker in (*MARKERS, "MARKERTOKENVALUE123"):
        assert marker not in written, marker
    lines = read_json_lines(tmp_path / "timetracker.log")
    by_event = {line["event"]: line for line in lines}
    structured = by_event["entry.created"]
    # what is safe stays useful
    assert structured["duration_seconds"] == 12.5
    assert structured["ok"] is True
    assert structured["status"] == "running"
    assert structured["level_enum"] == "basic"
    assert structured["description"] == REDACTED
    assert structured["mode"] == REDACTED
    failure = next(line for line in lines if line["message"] == "lookup failed")
    assert failure["exc_type"] == "NotFoundError"
    assert failure["exc_message"].startswith("No project named")
    assert failure["stack"] and failure["stack"][-1].startswith("test_obs_privacy:")
    assert lines[0]["message"] == f"started {REDACTED} on {REDACTED}"


def test_scrubber_rules() -> None:
    scrubber = Scrubber(["configured-secret-value"])
    assert scrubber.text("x configured-secret-value y") == f"x {REDACTED} y"
    assert scrubber.text("contact a.b@c.example now") == f"contact {REDACTED} now"
    assert scrubber.text("/home/alice/x.txt failed") == f"{REDACTED} failed"
    assert scrubber.text(r"C:\Users\bob\x failed") == f"{REDACTED} failed"
    assert scrubber.text("token=abc123 rest") == f"token={REDACTED} rest"
    assert scrubber.error_text("No tag named 'x y'") == f"No tag named {REDACTED}"
    assert scrubber.value("count", 3) == 3
    assert scrubber.value("result", "success") == "success"
    assert scrubber.value("result", "has spaces in it") == REDACTED
    assert scrubber.value("custom", {"description": "x", "n": 1}) == {"description": REDACTED,
                                                                     "n": 1}


@pytest.mark.parametrize("key", ["description", "project_name", "email", "db_path",
                                 "hostname", "api_key", "tags", "client"])
def test_sensitive_keys(key: str) -> None:
    assert key_is_sensitive(key)


@pytest.mark.parametrize("key", ["event", "count", "duration_seconds", "result", "reason"])
def test_safe_keys(key: str) -> None:
    assert not key_is_sensitive(key)


def test_safe_marks_tokens_only(tmp_path: Path) -> None:
    assert safe("timer.started") == "timer.started"
    with pytest.raises(ValueError):
        safe("two words")
    handle = configure_logging(LoggingSettings(log_dir=tmp_path, session_id="s",
                                               app_version="1"), stream=io.StringIO())
    try:
        logging.getLogger("t").warning("state %s, raw %s", safe("running"), "running")
    finally:
        handle.close()
    assert read_json_lines(tmp_path / "timetracker.log")[0]["message"] == \
        f"state running, raw {REDACTED}"


def test_app_run_with_configured_key_and_personal_data(make_app: Any, home: Path) -> None:
    """End to end through the real services: names and the configured key never appear."""
    app = make_app({"TIMETRACKER_POSTHOG_API_KEY": SECRET_KEY})
    app.start_observability("gui")
    app.catalog.add_project(MARKERS[1])
    app.entries.start(project=MARKERS[1], description=MARKERS[0], tags=[MARKERS[3]])
    app.entries.stop()
    log = logging.getLogger("timetracker.ui")
    try:
        app.catalog.project("MARKER-MISSING-PROJECT")
    except NotFoundError:
        log.exception("project lookup failed", extra={"event": "ui.error"})
    log.info("configured key is %s", SECRET_KEY)
    app.close()
    written = "".join(p.read_text(encoding="utf-8") for p in (home / "logs").iterdir())
    assert '"event": "app.started"' in written
    assert '"event": "ui.error"' in written
    for marker in (*MARKERS, "MARKER-MISSING-PROJECT"):
        assert marker not in written, marker
