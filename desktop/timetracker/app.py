"""The one composition root: builds the services, wires them, starts the GUI or the CLI.

Nothing else in the code base constructs a service or reaches for a global; each part is handed
what it needs here. Everything is built lazily so a CLI command pays only for what it uses.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from functools import cached_property

from timetracker.core.backup import BackupManager
from timetracker.core.catalog import CatalogService
from timetracker.core.clock import Clock, system_clock
from timetracker.core.config import Config
from timetracker.core.db import Database
from timetracker.core.entries import EntryService
from timetracker.core.hooks import EventSink
from timetracker.core.paths import AppPaths
from timetracker.core.reports import ReportService


class App:
    """Owns the long-lived objects of one run of the program."""

    def __init__(
        self,
        paths: AppPaths | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.paths = (paths or AppPaths.from_environment(dict(self.environ))).ensure()
        self.clock = clock
        self.config = Config.load(self.paths.config_file, self.environ)
        #: A random id for this run of the program (never persisted).
        self.session_id = str(uuid.uuid4())
        self._sinks: list[EventSink] = []
        #: Which front end acts: "cli", or the GUI's current action source (bar, tray, …).
        self.event_source = "cli"

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
            self.paths.database, self.paths.backup_dir, keep=int(self.config.get("backup_keep"))
        )

    @cached_property
    def db(self) -> Database:
        database = Database.open(self.paths.database, self.backups)
        if self.config.get("backup_daily"):
            self.backups.create_daily_if_due()
        return database

    # -- domain services ---------------------------------------------------------------------
    @cached_property
    def timezone(self) -> str:
        from timetracker.core.timezones import resolve_timezone

        return resolve_timezone(str(self.config.get("timezone")))

    @cached_property
    def catalog(self) -> CatalogService:
        return CatalogService(self.db, clock=self.clock, sink=self.emit,
                              default_currency=str(self.config.get("default_currency")))

    @cached_property
    def entries(self) -> EntryService:
        return EntryService(self.db, self.catalog, clock=self.clock, sink=self.emit,
                            timezone=self.timezone)

    @cached_property
    def reports(self) -> ReportService:
        return ReportService(self.db, clock=self.clock, timezone=self.timezone,
                             week_start=str(self.config.get("week_start")))

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
