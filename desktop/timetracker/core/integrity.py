"""SQLite integrity checking shared by opening and restoring.

Every start checks the database before using it (:func:`check_at_open`). A full
``PRAGMA quick_check`` reads every page — tens of milliseconds on a large database, the biggest
part of a short CLI run — so a clean result is remembered together with the fingerprint (device,
inode, size, modification time) of the database and its WAL file. The next start skips the page
scan only when neither file has changed since, the remembered check is less than a day old and
the files were not modified within the timestamp resolution of the check. Anything that can
damage a database — a crash or power cut during a write, a sync tool or another program
replacing the file, a restore — changes the fingerprint and so triggers the full check; an
unchanged file is still re-verified at least daily. Restoring always checks in full.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000
#: A remembered clean check is trusted for at most this long.
VERIFIED_MAX_AGE = 24 * 3600
#: Files modified this close to the check may have changed within one timestamp tick.
MTIME_SLACK_NS = 2_000_000_000


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


def _verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _fingerprint(path: Path) -> list[list[int]]:
    prints: list[list[int]] = []
    for candidate in (path, Path(str(path) + "-wal")):
        try:
            st = candidate.stat()
        except FileNotFoundError:
            prints.append([])
            continue
        prints.append([st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns])
    return prints


def _still_verified(path: Path, fingerprint: list[list[int]], now_ns: int) -> bool:
    try:
        marker = json.loads(_verified_marker(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    checked_ns = int(marker.get("checked_ns", 0)) if isinstance(marker, dict) else 0
    if marker.get("fingerprint") != fingerprint:
        return False
    if now_ns - checked_ns > VERIFIED_MAX_AGE * 1_000_000_000 or checked_ns > now_ns:
        return False
    newest_write = max((f[3] for f in fingerprint if f), default=0)
    return checked_ns - newest_write > MTIME_SLACK_NS


def _remember_verified(path: Path, fingerprint: list[list[int]], checked_ns: int) -> None:
    marker = _verified_marker(path)
    tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "checked_ns": checked_ns}),
                       encoding="utf-8")
        os.replace(tmp, marker)
    except OSError:
        tmp.unlink(missing_ok=True)  # only an optimisation: the next start checks in full


def check_at_open(path: Path) -> str | None:
    """:func:`check_integrity` for opening the live database, skipping the page scan when the
    files are unchanged since a recent clean check (see the module docstring)."""
    if not _has_data(path):
        return None
    now_ns = time.time_ns()
    fingerprint = _fingerprint(path)  # taken before the check: a concurrent write voids it
    if _still_verified(path, fingerprint, now_ns):
        return None
    problem = check_integrity(path)
    if problem is None:
        _remember_verified(path, fingerprint, now_ns)
    else:
        _verified_marker(path).unlink(missing_ok=True)
    return problem


class IntegrityProbe:
    """:func:`check_at_open` started early on its own thread.

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
            self._problem = check_at_open(self.path)
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
