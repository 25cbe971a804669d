"""The one composition root: builds the services, wires them, starts the GUI or the CLI.

Nothing else in the code base constructs a service or reaches for a global; each part is handed
what it needs here. Everything is built lazily so a CLI command pays only for what it uses.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from timetracker.core.backup import BackupManager
from timetracker.core.clock import Clock, system_clock
from timetracker.core.config import Config
from timetracker.core.hooks import EventSink
from timetracker.core.ids import new_uuid
from timetracker.core.paths import AppPaths

# Services are imported where they are built: a short CLI run (e.g. a report) then never
# imports SQLAlchemy's ORM or Alembic (see tests/benchmarks/bench_cli_report.py).
if TYPE_CHECKING:
    from timetracker.core.catalog import CatalogService
    from timetracker.core.db import Database
    from timetracker.core.entries import EntryService
    from timetracker.core.export import ExportService
    from timetracker.core.importers import ImportService
    from timetracker.core.integrity import IntegrityProbe
    from timetracker.core.reports import ReportService
    from timetracker.observability.metrics import AppMetrics
    from timetracker.observability.runtime import Observability
    from timetracker.telemetry.flags import Flags
    from timetracker.telemetry.off_path import OffSink
    from timetracker.telemetry.service import Telemetry


class App:
    """Owns the long-lived objects of one run of the program."""

    #: Make the daily backup (when due) as the database is opened — the CLI. The window turns
    #: this off and calls :meth:`make_daily_backup` on a worker thread once it is shown.
    daily_backup_on_open = True

    def __init__(
        self,
        paths: AppPaths | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Clock = system_clock,
        integrity_probe: IntegrityProbe | None = None,
    ) -> None:
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        #: The database check, when the front end started it early (see IntegrityProbe).
        self.integrity_probe = integrity_probe
        self.paths = (paths or AppPaths.from_environment(dict(self.environ))).ensure()
        self.clock = clock
        self.config = Config.load(self.paths.config_file, self.environ)
        #: A random id for this run of the program (never persisted).
        self.session_id = new_uuid()
        self._sinks: list[EventSink] = []
        #: Per thread: a GUI action's source holds on the thread doing its work only (the UI
        #: thread, or the worker of a background job), so parallel work never mixes sources.
        self._source_slot = threading.local()
        self.add_sink(self._telemetry_sink)

    @property
    def event_source(self) -> str:
        """Which front end acts: "cli", or the GUI's current action source (bar, tray, …)."""
        return str(getattr(self._source_slot, "value", "cli"))

    @event_source.setter
    def event_source(self, source: str) -> None:
        self._source_slot.value = source

    # -- the domain's event hook -------------------------------------------------------------
    def add_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def emit(self, event: str, properties: Mapping[str, object]) -> None:
        for sink in self._sinks:
            sink(event, properties)

    # -- storage -----------------------------------------------------------------------------
    @cached_property
    def backups(self) -> BackupManager:
        return BackupManager(
            self.paths.database, self.paths.backup_dir, keep=int(self.config.get("backup_keep")),
            sink=self.emit,
        )

    @cached_property
    def db(self) -> Database:
        from timetracker.core.db import Database

        database = Database.open(self.paths.database, self.backups, probe=self.integrity_probe)
        if "observability" in self.__dict__:  # time queries once observability is on
            self._time_queries(database)
        if self.daily_backup_on_open:
            self.make_daily_backup()
        return database

    def make_daily_backup(self) -> None:
        """The day's automatic backup, if the setting is on and none was made today."""
        if self.config.get("backup_daily"):
            self.backups.create_daily_if_due()

    # -- domain services ---------------------------------------------------------------------
    @cached_property
    def timezone(self) -> str:
        from timetracker.core.timezones import resolve_timezone

        return resolve_timezone(str(self.config.get("timezone")))

    @cached_property
    def catalog(self) -> CatalogService:
        from timetracker.core.catalog import CatalogService

        return CatalogService(self.db, clock=self.clock, sink=self.emit,
                              default_currency=str(self.config.get("default_currency")))

    @cached_property
    def entries(self) -> EntryService:
        from timetracker.core.entries import EntryService

        return EntryService(self.db, self.catalog, clock=self.clock, sink=self.emit,
                            timezone=self.timezone)

    @cached_property
    def reports(self) -> ReportService:
        from timetracker.core.reports import ReportService

        return ReportService(self.db, clock=self.clock, timezone=self.timezone,
                             week_start=str(self.config.get("week_start")))

    @cached_property
    def importer(self) -> ImportService:
        from timetracker.core.importers import ImportService

        return ImportService(self.db, self.catalog, self.backups, clock=self.clock,
                             sink=self.emit, timezone=self.timezone)

    @cached_property
    def exporter(self) -> ExportService:
        from timetracker.core.export import ExportService

        return ExportService(self.db, clock=self.clock, sink=self.emit)

    # -- observability (JSON logs, Prometheus metrics) --------------------------------------
    @cached_property
    def observability(self) -> Observability:
        from timetracker import build_info
        from timetracker.observability.runtime import Observability

        return Observability(self.paths.log_dir, self.session_id, build_info.VERSION,
                             build_info.DEPLOYMENT_METHOD, build_info.ENVIRONMENT)

    def start_observability(self, front_end: str = "cli") -> Observability:
        """Configure logging once per run, wire the gauges, start the exporter if enabled.

        The CLI calls this before running a command, the GUI at start (front_end="gui").
        """
        from timetracker import build_info

        obs = self.observability
        if obs.started:
            return obs
        obs.wire_metrics(self._wire_metrics)
        if "db" in self.__dict__:
            self._time_queries(self.db)
        obs.start(front_end, console_json=bool(self.config.get("json_logs_console")),
                  secrets=[self.environ.get("TIMETRACKER_POSTHOG_API_KEY", ""),
                           build_info.POSTHOG_API_KEY],
                  environ=self.environ, metrics_port=int(self.config.get("metrics_port")))
        return obs

    def _time_queries(self, database: Database) -> None:
        """Time every statement: the engine's and the plain sqlite3 reads (reports)."""
        database.on_engine(self.observability.instrument_engine)  # not created before use
        if not database.read_observers:
            database.read_observers.append(self.observability.observe_statement)

    def _wire_metrics(self, metrics: AppMetrics) -> None:
        """Hand the metrics the read-only callables they show (evaluated at scrape time)."""
        from timetracker.core.backup import REASONS
        from timetracker.observability.sources import backup_snapshot, tracked_seconds_today

        metrics.track_timer(lambda: self.entries.current() is not None)
        metrics.track_entries(lambda: self.entries.count())
        metrics.track_tracked_today(
            lambda: tracked_seconds_today(self.reports, self.clock, self.timezone))
        metrics.track_backups(lambda: backup_snapshot(self.backups), REASONS)
        metrics.track_telemetry(self._telemetry_stats)

    def _telemetry_stats(self) -> Mapping[str, object]:
        """The telemetry pipeline's numbers for the exporter (empty until telemetry runs)."""
        telemetry = self.__dict__.get("telemetry") or self.__dict__.get("_off_sink")
        stats = getattr(telemetry, "stats", None)
        numbers = dict(stats()) if callable(stats) else {}
        if "flags" in self.__dict__:
            numbers["flags_fetches"] = self.flags.fetch_counts()
        return numbers

    # -- telemetry (consent off: nothing is created, no thread, no request) ------------------
    @cached_property
    def telemetry(self) -> Telemetry:
        from timetracker.telemetry.service import Telemetry

        return Telemetry(self.paths.telemetry_dir, self.environ, self.session_id)

    @cached_property
    def _off_sink(self) -> OffSink | None:
        """Consent off and nothing to purge: events are validated and dropped without
        building the telemetry service (decided once per run, as the service does)."""
        from timetracker.telemetry.off_path import OffSink, off_and_clean

        if off_and_clean(self.paths.telemetry_dir, self.environ):
            return OffSink(self.environ, cache_dir=self.paths.cache_dir)
        return None

    def _telemetry_sink(self, event: str, properties: Mapping[str, object]) -> None:
        properties = {**properties, "source": self.event_source}
        if "telemetry" not in self.__dict__ and self._off_sink is not None:
            self._off_sink.track(event, properties)
            return
        self.telemetry.track(event, **properties)

    def start_telemetry(self) -> None:
        """GUI launch: lifecycle pings and the background uploader (nothing when off)."""
        self.telemetry.start()
        self.flags.start()

    # -- feature flags (fetched on a background thread, only at consent full) ---------------
    @cached_property
    def flags(self) -> Flags:
        from timetracker.telemetry.flags_telemetry import build_flags

        return build_flags(self.telemetry, self.paths.config_dir, self.environ)

    def stop_telemetry(self, timeout: float = 1.0) -> None:
        """Exit: one send attempt bounded to ``timeout``; the rest waits for next start."""
        if "flags" in self.__dict__:
            self.flags.stop(timeout)
        if "telemetry" in self.__dict__:
            self.telemetry.shutdown(timeout)

    def report_error(self, error: BaseException) -> None:
        """An error summary (class name only) for telemetry, when consent allows."""
        self.telemetry.report_error(error, source=self.event_source)

    def close(self) -> None:
        self.stop_telemetry(1.0)
        if "observability" in self.__dict__:
            self.observability.close()
        if "db" in self.__dict__:
            self.db.dispose()
