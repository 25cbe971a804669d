"""One run's observability: logging configured once, the metrics registry, the exporter.

The composition root (``App.start_observability``) builds one :class:`Observability`, hands it
the callables the metrics read, and calls :meth:`start` once per run; the CLI and GUI only call
that method.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from timetracker.observability.log_start import (
    DeferredLogging,
    install_deferred,
    level_from_environment,
)

if TYPE_CHECKING:  # imported lazily: a CLI run with the exporter off never loads them
    from sqlalchemy import Engine

    from timetracker.observability.db_timing import EngineTimer
    from timetracker.observability.exporter import Exporter
    from timetracker.observability.logs import LoggingHandle
    from timetracker.observability.metrics import AppMetrics

MetricsWiring = Callable[["AppMetrics"], None]

log = logging.getLogger("timetracker.observability")

FRONT_ENDS = ("cli", "gui", "exporter")
_IMPORTED_AT = time.monotonic()


def process_start_monotonic() -> float:
    """``time.monotonic()`` at process start where the OS tells it, else at first import."""
    if sys.platform.startswith("linux"):
        try:
            fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            started_after_boot = int(fields[19]) / ticks
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            age = uptime - started_after_boot
            if age >= 0:
                return time.monotonic() - age
        except (OSError, ValueError, IndexError):
            pass
    return _IMPORTED_AT


class Observability:
    """Logging is configured by :meth:`start` (its handlers built on the first record, see
    :mod:`~timetracker.observability.log_start`); the metrics registry is built on first use
    (exporter started, ``metrics show``), so runs that log or export nothing do not pay for
    either."""

    def __init__(self, log_dir: Path, session_id: str, version: str, deployment_method: str,
                 environment: str) -> None:
        self.log_dir = Path(log_dir)
        self.session_id = session_id
        self.version = version
        self.deployment_method = deployment_method
        self.environment = environment
        self.logging: DeferredLogging | None = None
        self.exporter: Exporter | None = None
        self._wiring: list[MetricsWiring] = []
        self._engines: list[Engine] = []
        self._engine_timers: list[EngineTimer] = []

    @cached_property
    def process_started(self) -> float:
        """``time.monotonic()`` at process start (read when startup time is recorded)."""
        return process_start_monotonic()

    @cached_property
    def metrics(self) -> AppMetrics:
        from timetracker.observability.metrics import AppMetrics

        metrics = AppMetrics(self.version, self.deployment_method, self.environment)
        for wire in self._wiring:
            wire(metrics)
        for engine in self._engines:
            self._time_engine(engine, metrics)
        return metrics

    def wire_metrics(self, wire: MetricsWiring) -> None:
        """Run ``wire(metrics)`` when the registry is built (now, if it already is)."""
        self._wiring.append(wire)
        if "metrics" in self.__dict__:
            wire(self.metrics)

    @property
    def started(self) -> bool:
        return self.logging is not None

    def start(self, front_end: str, *, console_json: bool = False, secrets: Iterable[str] = (),
              environ: Mapping[str, str] | None = None, metrics_port: int = 0) -> None:
        """Configure logging (once) and start the exporter when ``metrics_port`` is non-zero."""
        if self.started:
            return
        env = dict(os.environ if environ is None else environ)
        file_level = level_from_environment(env, logging.INFO)
        development = self.environment != "production"
        console_default = logging.INFO if development and front_end != "cli" else logging.WARNING
        console_level = (level_from_environment(env, console_default)
                         if front_end != "cli" else console_default)
        kept = [s for s in secrets if s]

        def build() -> LoggingHandle:  # on the first record: imports formatters, scrubber
            from timetracker.observability.logs import LoggingSettings, build_handlers

            return build_handlers(LoggingSettings(
                log_dir=self.log_dir, session_id=self.session_id, app_version=self.version,
                file_level=file_level, console_level=console_level,
                console_json=console_json, secrets=kept))

        self.logging = install_deferred(build, file_level, console_level)
        # A CLI command is short and frequent: its start is not worth a line in the file (and
        # skipping it keeps the file handler, and its imports, off runs that log nothing).
        log.log(logging.DEBUG if front_end == "cli" else logging.INFO, "observability started",
                extra={
                    "event": "app.started",
                    "front_end": front_end if front_end in FRONT_ENDS else "other",
                    "environment": self.environment,
                })
        if metrics_port:
            self.start_exporter(metrics_port)

    def start_exporter(self, port: int) -> Exporter | None:
        """Start the loopback exporter; a busy port is logged, never fatal."""
        from timetracker.observability.exporter import start_exporter

        if self.exporter is not None:
            return self.exporter
        try:
            self.exporter = start_exporter(self.metrics.registry, port)
        except OSError as exc:
            log.warning("metrics exporter could not start", extra={
                "event": "metrics.exporter_failed", "port": port,
                "exc_type": type(exc).__name__})
            return None
        log.info("metrics exporter listening", extra={
            "event": "metrics.exporter_started", "port": self.exporter.port})
        return self.exporter

    def instrument_engine(self, engine: Engine) -> None:
        """Time ``engine``'s statements into the query histogram (once metrics exist)."""
        if any(known is engine for known in self._engines):
            return
        self._engines.append(engine)
        if "metrics" in self.__dict__:
            self._time_engine(engine, self.metrics)

    def observe_statement(self, statement: str, seconds: float) -> None:
        """Record one SQL statement run outside SQLAlchemy (a no-op until metrics exist)."""
        if "metrics" not in self.__dict__:
            return
        from timetracker.observability.db_timing import statement_operation

        self.metrics.observe_db_query(statement_operation(statement), seconds)

    def _time_engine(self, engine: Engine, metrics: AppMetrics) -> None:
        from timetracker.observability.db_timing import instrument_engine

        self._engine_timers.append(instrument_engine(engine, metrics.observe_db_query))

    def mark_ready(self) -> float:
        """Record how long startup took (call when the window is shown / command parsed)."""
        return self.metrics.mark_ready(self.process_started)

    def close(self) -> None:
        if self.exporter is not None:
            self.exporter.stop()
            self.exporter = None
        for timer in self._engine_timers:
            timer.remove()
        self._engine_timers.clear()
        self._engines.clear()
        if self.logging is not None:
            self.logging.shutdown()
            self.logging = None

