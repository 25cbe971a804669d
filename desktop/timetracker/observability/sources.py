"""Read-only values from the core services that the metrics gauges show.

These functions are what the composition root passes to :class:`AppMetrics` as callables; they
run at scrape time on the exporter's thread.
"""

from __future__ import annotations

from timetracker.core.backup import BackupManager
from timetracker.core.clock import Clock
from timetracker.core.ranges import DateRange, local_date
from timetracker.core.reports import ReportService
from timetracker.observability.metrics import BackupSnapshot


def tracked_seconds_today(reports: ReportService, clock: Clock, timezone: str) -> float:
    """Seconds tracked on the current local day, a running timer included."""
    now = clock()
    today = local_date(now, timezone)
    rows = reports.daily(DateRange(today, today, timezone, "today"), now=now)
    return float(sum(seconds for _day, seconds in rows))


def backup_snapshot(backups: BackupManager) -> BackupSnapshot:
    counts: dict[str, int] = {}
    found = backups.list()
    for backup in found:
        counts[backup.reason] = counts.get(backup.reason, 0) + 1
    newest = found[0].created.timestamp() if found else None
    return BackupSnapshot(counts, newest)
