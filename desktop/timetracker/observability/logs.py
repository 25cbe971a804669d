"""Structured logging: JSON lines in a rotating, size-capped file; readable console output.

Every line in ``<log folder>/timetracker.log`` is one JSON object::

    {"timestamp": "2025-03-01T09:15:02.123Z", "level": "INFO", "logger": "timetracker.app",
     "message": "observability started", "event": "app.started",
     "session_id": "…uuid4…", "app_version": "0.1.0", "front_end": "cli"}

``timestamp`` is RFC 3339 in UTC with exactly three fractional digits and a ``Z`` suffix — the
monitoring stack's log shippers parse exactly this layout (see monitoring/alloy, promtail).
Structured extras (``logger.info("…", extra={"event": "…", "count": 3})``) become top-level
fields after they pass the :mod:`timetracker.observability.scrub` guard.

Why python-json-logger rather than structlog: the app, SQLAlchemy, Alembic and the ``posthog``
package all log through the standard :mod:`logging` module. python-json-logger is a formatter
for that module, so every library's records get the same fields, scrubbing and rotation
without a second logging pipeline; structlog would add its own processor chain and still need
a stdlib bridge for third-party loggers. The few things we need from structlog (bound
context) are the ``session_id``/``app_version`` static fields set here.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from timetracker.observability.scrub import STANDARD_ATTRS, Scrubber, ScrubFilter

LOG_FILE_NAME = "timetracker.log"
#: Rotation: each file at most this many bytes, this many old files kept.
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
#: Field names of every JSON line, in order (extras follow).
CORE_FIELDS = ("timestamp", "level", "logger", "message", "event", "session_id", "app_version")
DEFAULT_EVENT = "log"
#: Loggers of libraries that are chatty at INFO.
QUIET_LOGGERS = ("sqlalchemy", "alembic", "urllib3", "posthog", "backoff", "requests", "asyncio")
_HANDLER_MARK = "_timetracker_handler"


def rfc3339_utc_millis(created: float) -> str:
    """``created`` (a Unix time) as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC."""
    moment = datetime.fromtimestamp(created, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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


class ReadableFormatter(logging.Formatter):
    """``09:15:02.123 INFO  timetracker.app: message  event=… key=value`` for the console."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.") + \
            f"{int(record.msecs):03d}"
        extras = " ".join(
            f"{key}={value}" for key, value in record.__dict__.items()
            if key not in STANDARD_ATTRS and not key.startswith("_")
        )
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        return f"{line}  {extras}" if extras else line


@dataclass
class LoggingSettings:
    log_dir: Path
    session_id: str
    app_version: str
    #: Minimum level written to the file.
    file_level: int = logging.INFO
    #: Minimum level written to the console (stderr).
    console_level: int = logging.WARNING
    #: JSON instead of the readable format on the console.
    console_json: bool = False
    secrets: list[str] = field(default_factory=list)
    max_bytes: int = MAX_BYTES
    backup_count: int = BACKUP_COUNT


@dataclass
class LoggingHandle:
    """What :func:`configure_logging` installed, so it can be undone (tests, shutdown)."""

    log_file: Path
    scrubber: Scrubber
    handlers: list[logging.Handler]
    previous_root_level: int

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(self.previous_root_level)


def configure_logging(settings: LoggingSettings, stream: TextIO | None = None) -> LoggingHandle:
    """Install the file and console handlers on the root logger (replacing earlier ones)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_file = settings.log_dir / LOG_FILE_NAME
    scrubber = Scrubber(settings.secrets)
    guard = ScrubFilter(scrubber)

    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=settings.max_bytes, backupCount=settings.backup_count,
        encoding="utf-8", delay=True,
    )
    file_handler.setLevel(settings.file_level)
    file_handler.setFormatter(TimeTrackerJsonFormatter(settings.session_id, settings.app_version))

    console = logging.StreamHandler(stream if stream is not None else sys.stderr)
    console.setLevel(settings.console_level)
    console.setFormatter(
        TimeTrackerJsonFormatter(settings.session_id, settings.app_version)
        if settings.console_json else ReadableFormatter()
    )

    handlers: list[logging.Handler] = [file_handler, console]
    for handler in handlers:
        handler.addFilter(guard)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    previous = root.level
    root.setLevel(min(settings.file_level, settings.console_level))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, settings.file_level))
    return LoggingHandle(log_file, scrubber, handlers, previous)


def level_from_environment(environ: dict[str, str] | None = None,
                           default: int = logging.INFO) -> int:
    """``TIMETRACKER_LOG_LEVEL`` (debug/info/warning/error) or ``default``."""
    env = os.environ if environ is None else environ
    name = env.get("TIMETRACKER_LOG_LEVEL", "").strip().upper()
    value = logging.getLevelName(name) if name else default
    return value if isinstance(value, int) else default
