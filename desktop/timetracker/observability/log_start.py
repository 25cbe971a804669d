"""Logging installed at start and built on the first record (what ``Observability.start`` uses).

Building the real handlers (:func:`timetracker.observability.logs.build_handlers`: the scrub
guard, the JSON-lines file handler, the console handler) imports the scrubber's patterns, the
formatters and their dataclasses — milliseconds a short CLI command that logs nothing should
not pay. :func:`install_deferred` therefore sets the levels right away (the root logger's, the
quiet libraries') so exactly the same records are created, and puts one stand-in handler on
the root logger. The first record that reaches it builds the real handlers, and it hands every
record to them — the same handlers, levels, filters and format as an eager set-up, so no
record is lost or changed. Nothing is built, created or imported when nothing is logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timetracker.observability.logs import LoggingHandle

#: Loggers of libraries that are chatty at INFO.
QUIET_LOGGERS = ("sqlalchemy", "alembic", "urllib3", "posthog", "backoff", "requests", "asyncio")
#: Set on every handler this package installs on the root logger (replaced on a new set-up).
HANDLER_MARK = "_timetracker_handler"


def level_from_environment(environ: Mapping[str, str] | None = None,
                           default: int = logging.INFO) -> int:
    """``TIMETRACKER_LOG_LEVEL`` (debug/info/warning/error) or ``default``."""
    env = os.environ if environ is None else environ
    name = env.get("TIMETRACKER_LOG_LEVEL", "").strip().upper()
    value = logging.getLevelName(name) if name else default
    return value if isinstance(value, int) else default


def remove_installed(root: logging.Logger) -> None:
    """Remove (and close) the handlers an earlier set-up installed."""
    for handler in list(root.handlers):
        if getattr(handler, HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()


def set_levels(root: logging.Logger, file_level: int, console_level: int) -> int:
    """The root level (the lower of the two) and the quiet libraries'; returns the old root
    level."""
    previous = root.level
    root.setLevel(min(file_level, console_level))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, file_level))
    return previous


class DeferredLogging(logging.Handler):
    """The one root handler until the first record: then ``build()`` makes the real handlers
    (not installed on the root) and every record is handed to them, level by level."""

    def __init__(self, build: Callable[[], LoggingHandle], level: int,
                 previous_root_level: int) -> None:
        super().__init__(level)
        self._build = build
        self.real: LoggingHandle | None = None
        self.previous_root_level = previous_root_level
        setattr(self, HANDLER_MARK, True)

    @property
    def built(self) -> bool:
        return self.real is not None

    def emit(self, record: logging.LogRecord) -> None:
        real = self.real
        if real is None:
            try:
                real = self.real = self._build()
            except Exception:  # logging must never raise into the app
                self.handleError(record)
                return
        for handler in real.handlers:
            if record.levelno >= handler.level:
                handler.handle(record)

    def flush(self) -> None:
        if self.real is not None:
            for handler in self.real.handlers:
                handler.flush()

    def close(self) -> None:
        if self.real is not None:
            for handler in self.real.handlers:
                handler.close()
        super().close()

    def shutdown(self) -> None:
        """Undo the set-up: close the handlers, restore the root level."""
        root = logging.getLogger()
        root.removeHandler(self)
        self.close()
        root.setLevel(self.previous_root_level)


def install_deferred(build: Callable[[], LoggingHandle], file_level: int,
                     console_level: int) -> DeferredLogging:
    """Replace an earlier set-up with a :class:`DeferredLogging` on the root logger."""
    root = logging.getLogger()
    remove_installed(root)
    previous = set_levels(root, file_level, console_level)
    handler = DeferredLogging(build, min(file_level, console_level), previous)
    root.addHandler(handler)
    return handler
