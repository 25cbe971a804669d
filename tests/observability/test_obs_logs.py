"""JSON log lines: fields, timestamp format, extras, rotation, console output."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from obs_helpers import read_json_lines
from timetracker.observability.log_start import level_from_environment
from timetracker.observability.logs import (
    CORE_FIELDS,
    LOG_FILE_NAME,
    LoggingHandle,
    LoggingSettings,
    configure_logging,
    rfc3339_utc_millis,
)

RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def logging_setup(tmp_path: Path) -> Iterator[tuple[LoggingHandle, io.StringIO]]:
    stream = io.StringIO()
    handle = configure_logging(LoggingSettings(
        log_dir=tmp_path / "logs", session_id="session-1", app_version="9.8.7",
        console_level=logging.INFO), stream=stream)
    yield handle, stream
    handle.close()


def flush(handle: LoggingHandle) -> None:
    for handler in handle.handlers:
        handler.flush()


def test_line_has_core_fields_in_order(logging_setup: tuple[LoggingHandle, io.StringIO]) -> None:
    handle, _ = logging_setup
    before = datetime.now(UTC)
    logging.getLogger("timetracker.test").info(
        "timer stopped after %d seconds", 42, extra={"event": "timer.stopped", "count": 3})
    flush(handle)
    (line,) = read_json_lines(handle.log_file)
    assert list(line)[: len(CORE_FIELDS)] == list(CORE_FIELDS)
    assert line["level"] == "INFO"
    assert line["logger"] == "timetracker.test"
    assert line["message"] == "timer stopped after 42 seconds"
    assert line["event"] == "timer.stopped"
    assert line["session_id"] == "session-1"
    assert line["app_version"] == "9.8.7"
    assert line["count"] == 3
    assert RFC3339_MS.match(line["timestamp"]), line["timestamp"]
    parsed = datetime.strptime(line["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert abs((parsed - before).total_seconds()) < 5


def test_event_defaults_to_log(logging_setup: tuple[LoggingHandle, io.StringIO]) -> None:
    handle, _ = logging_setup
    logging.getLogger("some.library").warning("plain")
    flush(handle)
    assert read_json_lines(handle.log_file)[0]["event"] == "log"


def test_timestamp_is_utc_with_milliseconds() -> None:
    moment = datetime(2025, 3, 1, 23, 59, 58, 987654, tzinfo=UTC).timestamp()
    assert rfc3339_utc_millis(moment) == "2025-03-01T23:59:58.987Z"
    assert rfc3339_utc_millis(0.0) == "1970-01-01T00:00:00.000Z"


def test_file_lines_are_one_json_object_each(
        logging_setup: tuple[LoggingHandle, io.StringIO]) -> None:
    handle, _ = logging_setup
    logger = logging.getLogger("timetracker.test")
    for i in range(20):
        logger.info("line %d\nwith a newline", i)
    flush(handle)
    raw = handle.log_file.read_text(encoding="utf-8").splitlines()
    assert len(raw) == 20
    assert all(json.loads(line)["message"].startswith("line ") for line in raw)


def test_readable_console_in_development(
        logging_setup: tuple[LoggingHandle, io.StringIO]) -> None:
    _, stream = logging_setup
    logging.getLogger("timetracker.test").info("hello", extra={"event": "app.started"})
    text = stream.getvalue()
    assert re.match(r"^\d{2}:\d{2}:\d{2}\.\d{3} INFO +timetracker\.test: hello  event=app\.started",
                    text), text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_console_json_when_configured(tmp_path: Path) -> None:
    stream = io.StringIO()
    handle = configure_logging(LoggingSettings(
        log_dir=tmp_path, session_id="s", app_version="1", console_level=logging.INFO,
        console_json=True), stream=stream)
    try:
        logging.getLogger("timetracker.test").info("hello")
    finally:
        handle.close()
    assert json.loads(stream.getvalue())["message"] == "hello"


def test_console_hides_info_by_default(tmp_path: Path) -> None:
    stream = io.StringIO()
    handle = configure_logging(LoggingSettings(log_dir=tmp_path, session_id="s",
                                               app_version="1"), stream=stream)
    try:
        logging.getLogger("timetracker.test").info("quiet")
        logging.getLogger("timetracker.test").warning("loud")
        flush(handle)
    finally:
        handle.close()
    assert "quiet" not in stream.getvalue() and "loud" in stream.getvalue()
    messages = [line["message"] for line in read_json_lines(tmp_path / LOG_FILE_NAME)]
    assert messages == ["quiet", "loud"]


def test_rotation_caps_size_and_count(tmp_path: Path) -> None:
    handle = configure_logging(LoggingSettings(
        log_dir=tmp_path, session_id="s", app_version="1", max_bytes=2000, backup_count=3),
        stream=io.StringIO())
    try:
        for i in range(400):
            logging.getLogger("timetracker.test").info("filler line number %d", i)
    finally:
        handle.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2",
                     f"{LOG_FILE_NAME}.3"]
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 2000
        assert all(RFC3339_MS.match(line["timestamp"]) for line in read_json_lines(path))
    newest = read_json_lines(tmp_path / LOG_FILE_NAME)[-1]
    assert newest["message"] == "filler line number 399"


def test_configuring_twice_replaces_handlers(tmp_path: Path) -> None:
    first = configure_logging(LoggingSettings(log_dir=tmp_path / "a", session_id="s1",
                                              app_version="1"), stream=io.StringIO())
    second = configure_logging(LoggingSettings(log_dir=tmp_path / "b", session_id="s2",
                                               app_version="1"), stream=io.StringIO())
    try:
        logging.getLogger("timetracker.test").warning("once")
        flush(second)
    finally:
        second.close()
        first.close()
    assert not (tmp_path / "a" / LOG_FILE_NAME).exists()
    lines = read_json_lines(tmp_path / "b" / LOG_FILE_NAME)
    assert [line["session_id"] for line in lines] == ["s2"]


@pytest.mark.parametrize(("value", "expected"), [
    ("debug", logging.DEBUG), ("WARNING", logging.WARNING), ("", logging.INFO),
    ("nonsense", logging.INFO),
])
def test_level_from_environment(value: str, expected: int) -> None:
    assert level_from_environment({"TIMETRACKER_LOG_LEVEL": value}) == expected
