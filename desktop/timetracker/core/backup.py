"""Rotating backups of the time-data database with SQLite's online backup API.

Backups are made before every migration, once a day and on request. Only the newest ``keep``
automatic backups are kept. Restoring never destroys data: a healthy current database is
backed up first; a damaged one is moved aside, not overwritten.
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from timetracker.core.errors import NotFoundError, ValidationError
from timetracker.core.hooks import EventSink, null_sink
from timetracker.core.integrity import check_integrity

_PREFIX = "timetracker-"
_SUFFIX = ".sqlite3"
REASONS = ("manual", "daily", "pre-migration", "pre-restore", "pre-import")
DAY_SECONDS = 24 * 3600


class BackupInfo(NamedTuple):
    path: Path
    created: datetime
    reason: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


class BackupManager:
    def __init__(self, database: Path, folder: Path, keep: int = 10,
                 sink: EventSink = null_sink) -> None:
        self.database = Path(database)
        self.folder = Path(folder)
        self.keep = keep
        self.sink = sink

    def list(self) -> builtins.list[BackupInfo]:
        """All backups, newest first."""
        if not self.folder.exists():
            return []
        found = []
        for path in self.folder.glob(f"{_PREFIX}*{_SUFFIX}"):
            stem = path.name[len(_PREFIX):-len(_SUFFIX)]
            stamp, _, reason = stem.partition("-")
            try:
                created = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append(BackupInfo(path, created, reason or "manual", path.stat().st_size))
        return sorted(found, key=lambda b: b.created, reverse=True)

    def newest(self) -> BackupInfo | None:
        backups = self.list()
        return backups[0] if backups else None

    def create(self, reason: str = "manual") -> BackupInfo | None:
        """Copy the live database into a new backup file; None when there is no database."""
        if reason not in REASONS:
            raise ValidationError(f"unknown backup reason '{reason}'")
        if not self.database.exists() or self.database.stat().st_size == 0:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z"
        target = self.folder / f"{_PREFIX}{stamp}-{reason}{_SUFFIX}"
        partial = target.with_suffix(".partial")
        source = sqlite3.connect(self.database, timeout=15)
        try:
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        os.replace(partial, target)
        self.prune()
        self.sink("backup.created", {"reason": reason})
        return BackupInfo(target, now, reason, target.stat().st_size)

    def prune(self) -> builtins.list[Path]:
        """Delete the oldest automatic backups beyond ``keep``; manual ones are kept."""
        removed = []
        automatic = [b for b in self.list() if b.reason != "manual"]
        for old in automatic[self.keep:]:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
        return removed

    def daily_due(self, now: float | None = None) -> bool:
        newest = self.newest()
        current = time.time() if now is None else now
        return newest is None or current - newest.created.timestamp() >= DAY_SECONDS

    def create_daily_if_due(self) -> BackupInfo | None:
        return self.create("daily") if self.daily_due() else None

    def find(self, name: str) -> BackupInfo:
        for backup in self.list():
            if backup.name == name or str(backup.path) == name:
                return backup
        raise NotFoundError(f"No backup named '{name}'. See 'timetracker backup list'.")

    def restore(self, name: str) -> BackupInfo:
        """Make the named backup the live database. Returns what was restored."""
        backup = self.find(name)
        problem = check_integrity(backup.path)
        if problem is not None:
            raise ValidationError(f"Backup {backup.name} is itself damaged ({problem}).")
        if check_integrity(self.database) is None and self.database.exists():
            self.create("pre-restore")
            source = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
            try:
                live = sqlite3.connect(self.database, timeout=15)
                try:
                    source.backup(live)
                finally:
                    live.close()
            finally:
                source.close()
        else:
            self._move_damaged_aside()
            dest = sqlite3.connect(self.database)
            try:
                source = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
                try:
                    source.backup(dest)
                finally:
                    source.close()
            finally:
                dest.close()
        self.sink("backup.restored", {})
        return backup

    def _move_damaged_aside(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for suffix in ("", "-wal", "-shm"):
            path = Path(str(self.database) + suffix)
            if path.exists():
                os.replace(path, path.with_name(f"{path.name}.damaged-{stamp}"))
