"""The JSON-lines file output of :mod:`timetracker.observability.logs`, imported on first use.

Kept apart because it needs ``logging.handlers`` and python-json-logger, which a CLI run that
logs nothing to the file never imports (see ``DeferredFileHandler``).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from timetracker.observability.logs import DEFAULT_EVENT, LoggingSettings, rfc3339_utc_millis
from timetracker.observability.scrub import STANDARD_ATTRS


class TimeTrackerJsonFormatter(JsonFormatter):
    """One JSON object per record with the fixed core fields first, then the extras."""

    def __init__(self, session_id: str, app_version: str) -> None:
        super().__init__(json_ensure_ascii=False)
        self.session_id = session_id
        self.app_version = app_version

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        log_data["timestamp"] = rfc3339_utc_millis(record.created)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        log_data["event"] = record.__dict__.get("event") or DEFAULT_EVENT
        log_data["session_id"] = self.session_id
        log_data["app_version"] = self.app_version
        for key, value in record.__dict__.items():
            if key in STANDARD_ATTRS or key in log_data or key.startswith("_"):
                continue
            log_data[key] = value

    def format(self, record: logging.LogRecord) -> str:
        # The scrub filter has already removed exc_info/stack_info and added safe fields.
        return self.serialize_log_record(self._fields(record))

    def _fields(self, record: logging.LogRecord) -> dict[str, Any]:
        data: dict[str, Any] = {}
        self.add_fields(data, record, {})
        return data


def rotating_json_handler(settings: LoggingSettings, log_file: Path) -> logging.Handler:
    """The size-capped, rotating file handler writing one JSON object per line."""
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=settings.max_bytes, backupCount=settings.backup_count,
        encoding="utf-8", delay=True,
    )
    handler.setLevel(settings.file_level)
    handler.setFormatter(TimeTrackerJsonFormatter(settings.session_id, settings.app_version))
    return handler
