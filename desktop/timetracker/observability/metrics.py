"""The app's one Prometheus registry and every metric it exports.

Names are stable (dashboards and alert rules in monitoring/ depend on them; a test checks both
against this module) and labels are bounded enums — never ids, names or paths. Values that
live in the database are read by callables the composition root hands in, evaluated at scrape
time, so nothing here imports the domain services.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from timetracker.observability.telemetry_collector import StatsSource, TelemetryStatsCollector

log = logging.getLogger(__name__)

#: DB statement kinds (the ``operation`` label of the query histogram).
DB_OPERATIONS = ("select", "insert", "update", "delete", "pragma", "other")
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True)
class BackupSnapshot:
    """What the backup folder holds, by reason, for the backups gauges."""

    count_by_reason: Mapping[str, int]
    newest_timestamp: float | None


BackupSource = Callable[[], BackupSnapshot]


def _safe_call(source: Callable[[], float], name: str) -> float | None:
    try:
        return float(source())
    except Exception:
        log.warning("metric source failed", exc_info=True,
                    extra={"event": "metrics.source_failed", "metric": name})
        return None


class _DomainCollector(Collector):
    """Gauges computed at scrape time from the callables the App registered."""

    def __init__(self) -> None:
        self.timer_running: Callable[[], float] | None = None
        self.tracked_today: Callable[[], float] | None = None
        self.entries: Callable[[], float] | None = None
        self.backups: BackupSource | None = None
        self.backup_reasons: Sequence[str] = ()

    def collect(self) -> Iterable[Metric]:
        gauges = (
            ("timetracker_timer_running", "1 while a timer is running, else 0.",
             self.timer_running),
            ("timetracker_tracked_seconds_today",
             "Seconds tracked today (local day), including a running timer.", self.tracked_today),
            ("timetracker_entries", "Time entries stored (not deleted).", self.entries),
        )
        for name, doc, source in gauges:
            if source is None:
                continue
            value = _safe_call(source, name)
            if value is not None:
                yield GaugeMetricFamily(name, doc, value=value)
        if self.backups is not None:
            try:
                snapshot = self.backups()
            except Exception:
                log.warning("backup listing failed", exc_info=True,
                            extra={"event": "metrics.source_failed"})
                return
            family = GaugeMetricFamily("timetracker_backups",
                                       "Database backups kept, by reason.", labels=["reason"])
            reasons = list(self.backup_reasons) or sorted(snapshot.count_by_reason)
            for reason in reasons:
                family.add_metric([reason], float(snapshot.count_by_reason.get(reason, 0)))
            yield family
            if snapshot.newest_timestamp is not None:
                yield GaugeMetricFamily(
                    "timetracker_backup_newest_timestamp_seconds",
                    "Unix time of the newest database backup.",
                    value=snapshot.newest_timestamp)


class AppMetrics:
    """Owns the registry. One instance per run, made by the composition root."""

    def __init__(self, version: str, deployment_method: str, environment: str,
                 process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.app_info = Info("timetracker_app", "The running app build.",
                             registry=self.registry)
        self.app_info.info({"version": version, "deployment_method": deployment_method,
                            "environment": environment})
        self.startup_seconds = Gauge(
            "timetracker_startup_seconds",
            "Seconds from process start until the app was ready.", registry=self.registry)
        self.db_query_seconds = Histogram(
            "timetracker_db_query_duration_seconds", "Duration of database statements.",
            labelnames=["operation"], buckets=DB_BUCKETS, registry=self.registry)
        for operation in DB_OPERATIONS:
            self.db_query_seconds.labels(operation=operation)
        self._domain = _DomainCollector()
        self.registry.register(self._domain)
        self._telemetry: TelemetryStatsCollector | None = None
        if process_metrics:
            self._register_process_collectors()

    def _register_process_collectors(self) -> None:
        # Fresh instances bound to this registry (the module-level defaults belong to the
        # global REGISTRY, which this app does not use).
        ProcessCollector(registry=self.registry)  # Linux only: empty elsewhere
        PlatformCollector(registry=self.registry)
        if sys.implementation.name == "cpython":
            GCCollector(registry=self.registry)

    # -- wiring from the composition root ------------------------------------------------------
    def track_timer(self, running: Callable[[], bool]) -> None:
        self._domain.timer_running = lambda: 1.0 if running() else 0.0

    def track_tracked_today(self, seconds: Callable[[], float]) -> None:
        self._domain.tracked_today = seconds

    def track_entries(self, count: Callable[[], int]) -> None:
        self._domain.entries = count

    def track_backups(self, snapshot: BackupSource, reasons: Sequence[str] = ()) -> None:
        self._domain.backups = snapshot
        self._domain.backup_reasons = tuple(reasons)

    def track_telemetry(self, stats: StatsSource) -> None:
        """Export the telemetry pipeline's ``stats()`` (see telemetry_collector for its shape)."""
        if self._telemetry is not None:
            self.registry.unregister(self._telemetry)
        self._telemetry = TelemetryStatsCollector(stats)
        self.registry.register(self._telemetry)

    def mark_ready(self, process_started: float) -> float:
        """Record the startup time; ``process_started`` is a ``time.monotonic()`` reading."""
        elapsed = max(0.0, time.monotonic() - process_started)
        self.startup_seconds.set(elapsed)
        return elapsed

    def observe_db_query(self, operation: str, seconds: float) -> None:
        label = operation if operation in DB_OPERATIONS else "other"
        self.db_query_seconds.labels(operation=label).observe(seconds)

    def exposition(self) -> bytes:
        """The current metrics in Prometheus text format."""
        return generate_latest(self.registry)
