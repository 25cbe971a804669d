"""SQLite integrity checking shared by opening and restoring."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000


def _has_data(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def check_integrity(path: Path) -> str | None:
    """Return None when ``path`` is a healthy SQLite database (or absent), else a description."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    problems = [row[0] for row in rows if row[0] != "ok"]
    return "; ".join(problems[:3]) if problems else None


class IntegrityProbe:
    """:func:`check_integrity` started early on its own thread.

    SQLite releases the GIL while it checks, so a short CLI run can import and parse its
    arguments meanwhile; :meth:`result` waits for the answer. Opening the database uses the
    probe instead of checking again, so the check still happens before anything is read or
    written, and a damaged file is still refused in the same place.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._problem: str | None = None
        self._error: BaseException | None = None
        self._saw_data = False
        self._thread = threading.Thread(target=self._run, name="integrity-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._saw_data = _has_data(self.path)
            self._problem = check_integrity(self.path)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def covers(self, path: Path) -> bool:
        """True when this probe checked ``path`` as it is now (a file that appeared since the
        probe looked — another process created it — must be checked again)."""
        self._thread.join()
        return self.path == Path(path) and self._saw_data == _has_data(Path(path))

    def result(self) -> str | None:
        """None when the file is healthy (or absent), else what is wrong."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._problem
