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
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from timetracker.observability.log_start import HANDLER_MARK, remove_installed, set_levels
from timetracker.observability.scrub import STANDARD_ATTRS, Scrubber, ScrubFilter

LOG_FILE_NAME = "timetracker.log"
#: Rotation: each file at most this many bytes, this many old files kept.
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
#: Field names of every JSON line, in order (extras follow).
CORE_FIELDS = ("timestamp", "level", "logger", "message", "event", "session_id", "app_version")
DEFAULT_EVENT = "log"


def rfc3339_utc_millis(created: float) -> str:
    """``created`` (a Unix time) as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC."""
    moment = datetime.fromtimestamp(created, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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


class DeferredFileHandler(logging.Handler):
    """The rotating JSON-lines file handler, built on the first record that reaches it.

    Building it imports ``logging.handlers`` and python-json-logger (~12 ms); a run that
    writes nothing to the file (e.g. a CLI command at file level WARNING) never pays for it.
    Records arrive here already scrubbed (the guard filter sits on this handler)."""

    def __init__(self, settings: LoggingSettings, log_file: Path) -> None:
        super().__init__()
        self.settings = settings
        self.baseFilename = str(log_file)
        self._real: logging.Handler | None = None

    @property
    def built(self) -> bool:
        return self._real is not None

    def _handler(self) -> logging.Handler:
        if self._real is None:
            from timetracker.observability.json_lines import rotating_json_handler

            self._real = rotating_json_handler(self.settings, Path(self.baseFilename))
        return self._real

    def emit(self, record: logging.LogRecord) -> None:
        try:
            handler = self._handler()
        except Exception:  # logging must never raise into the app
            self.handleError(record)
            return
        handler.emit(record)

    def flush(self) -> None:
        if self._real is not None:
            self._real.flush()

    def close(self) -> None:
        if self._real is not None:
            self._real.close()
        super().close()


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


def build_handlers(settings: LoggingSettings, stream: TextIO | None = None) -> LoggingHandle:
    """The file and console handlers (each with the scrub guard), not yet installed."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_file = settings.log_dir / LOG_FILE_NAME
    scrubber = Scrubber(settings.secrets)
    guard = ScrubFilter(scrubber)

    file_handler = DeferredFileHandler(settings, log_file)
    file_handler.setLevel(settings.file_level)

    console = logging.StreamHandler(stream if stream is not None else sys.stderr)
    console.setLevel(settings.console_level)
    if settings.console_json:
        from timetracker.observability.json_lines import TimeTrackerJsonFormatter

        console.setFormatter(TimeTrackerJsonFormatter(settings.session_id, settings.app_version))
    else:
        console.setFormatter(ReadableFormatter())

    handlers: list[logging.Handler] = [file_handler, console]
    for handler in handlers:
        handler.addFilter(guard)
        setattr(handler, HANDLER_MARK, True)
    return LoggingHandle(log_file, scrubber, handlers, logging.getLogger().level)


def configure_logging(settings: LoggingSettings, stream: TextIO | None = None) -> LoggingHandle:
    """Install the file and console handlers on the root logger (replacing earlier ones).

    ``Observability.start`` installs the same handlers on the first record instead
    (:mod:`timetracker.observability.log_start`)."""
    root = logging.getLogger()
    remove_installed(root)
    handle = build_handlers(settings, stream)
    for handler in handle.handlers:
        root.addHandler(handler)
    handle.previous_root_level = set_levels(root, settings.file_level, settings.console_level)
    return handle
