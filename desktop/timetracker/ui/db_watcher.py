"""Notices changes other programs (the CLI) make to the database while the window is open.

Every ``interval_ms`` it asks SQLite for ``PRAGMA data_version`` — a counter that moves when
another connection commits, answered from memory without reading the file — and also looks at
the database file's identity (a restored backup replaces the file). Cheap: one tiny query.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from timetracker.core.entry_reads import EntryReads


class DatabaseWatcher(QObject):
    changed = Signal()

    def __init__(self, reads: EntryReads, path: Path, interval_ms: int = 1500,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reads = reads
        self.path = Path(path)
        self._version = self._read_version()
        self._identity = self._file_identity()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _read_version(self) -> int | None:
        try:
            return self.reads.data_version()
        except Exception:  # a file being swapped by a restore; try again next time
            return None

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_ino, stat.st_dev

    def check(self) -> bool:
        """Emit ``changed`` when the data moved since the last check; True if it did."""
        version, identity = self._read_version(), self._file_identity()
        moved = version != self._version or identity != self._identity
        self._version, self._identity = version, identity
        if moved:
            self.changed.emit()
        return moved
