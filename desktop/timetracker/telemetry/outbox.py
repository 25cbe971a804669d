"""The durable outbox: captured events wait here until the server acknowledged them.

A SQLite database in its own file (never the time-data database). ``append`` commits before it
returns, so a ``kill -9`` right after loses nothing (WAL mode: a committed transaction survives
the death of the process). The queue is bounded by count and bytes; when full the oldest events
are dropped and counted. The same file keeps the uploader's small state (backoff, pause),
per-event sent counts and a log of the last sent batches with their exact JSON.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,  -- no AUTOINCREMENT: cheaper inserts; acks match id AND uuid
    uuid TEXT NOT NULL,
    event TEXT NOT NULL,
    level TEXT NOT NULL,
    payload TEXT NOT NULL,
    size INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent_stats (
    event TEXT PRIMARY KEY, count INTEGER NOT NULL, last_sent REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    count INTEGER NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    seconds REAL NOT NULL,
    body TEXT NOT NULL
);
"""

_INSERT = ("INSERT INTO events (uuid, event, level, payload, size, created) "
           "VALUES (?, ?, ?, ?, ?, ?)")
#: How many sent batches the log keeps (newest first), and the most JSON kept per batch.
BATCH_LOG_KEEP = 50
BATCH_LOG_MAX_BODY = 1_000_000


class OutboxDisabled(RuntimeError):
    """The outbox was destroyed because consent is off; nothing may recreate it."""


@dataclass(frozen=True)
class QueuedEvent:
    id: int
    uuid: str
    event: str
    level: str
    payload: str
    size: int
    created: float


@dataclass(frozen=True)
class SentBatch:
    at: float
    count: int
    status: int
    outcome: str
    seconds: float
    body: str


class Outbox:
    def __init__(self, path: Path, max_events: int = 10_000,
                 max_bytes: int = 10 * 1024 * 1024) -> None:
        self.path = path
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._count = 0
        self._bytes = 0
        self._disabled = False
        self._cursor: sqlite3.Cursor | None = None

    # -- connection --------------------------------------------------------------------------
    def exists(self) -> bool:
        return not self._disabled and self.path.exists()

    def enable(self) -> None:
        """Allow the outbox to be created again (consent turned back on)."""
        self._disabled = False

    def approx_depth(self) -> int:
        """Events waiting as this process last saw them (cheap; 0 when there is no file)."""
        if self._db is None and not self.path.exists():
            return 0
        with self._lock:
            self._conn()
            return self._count

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            if self._disabled:
                raise OutboxDisabled("telemetry is off; the outbox is gone")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit is in the OS before it returns (safe against
            # kill -9); only a power loss can lose the last commits.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
            self._refresh_depth()
        return self._db

    def _refresh_depth(self) -> None:
        assert self._db is not None
        count, size = self._db.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM events").fetchone()
        self._count, self._bytes = int(count), int(size)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._cursor = None
                self._db.close()
                self._db = None

    def destroy(self) -> None:
        """Delete the outbox with everything in it (consent turned off)."""
        with self._lock:
            self.close()
            self._disabled = True
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- queue -------------------------------------------------------------------------------
    def append(self, uuid: str, event: str, level: str, payload: str) -> int:
        """Store one event durably; returns how many old events were dropped to make room."""
        size = len(payload)
        with self._lock:
            db = self._conn()
            if self._count + 1 <= self.max_events and self._bytes + size <= self.max_bytes:
                if self._cursor is None:
                    self._cursor = db.cursor()
                self._cursor.execute(_INSERT, (uuid, event, level, payload, size, time.time()))
                self._count += 1
                self._bytes += size
                return 0
            with self._transaction() as tx:
                tx.execute(_INSERT, (uuid, event, level, payload, size, time.time()))
                self._refresh_depth()
                dropped = 0
                while self._count > self.max_events or self._bytes > self.max_bytes:
                    rows = tx.execute("SELECT id, size FROM events ORDER BY id LIMIT ?",
                                      (max(1, self._count - self.max_events),)).fetchall()
                    for row_id, row_size in rows:
                        if self._count <= self.max_events and self._bytes <= self.max_bytes:
                            break
                        tx.execute("DELETE FROM events WHERE id = ?", (row_id,))
                        self._count -= 1
                        self._bytes -= int(row_size)
                        dropped += 1
                if dropped:
                    self._bump(tx, "dropped_queue_full", dropped)
            return dropped

    def peek(self, max_count: int, max_bytes: int) -> list[QueuedEvent]:
        """The oldest events, at most ``max_count`` and ``max_bytes`` of JSON (at least one)."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT id, uuid, event, level, payload, size, created FROM events "
                "ORDER BY id LIMIT ?", (max_count,)).fetchall()
        batch: list[QueuedEvent] = []
        total = 0
        for row in rows:
            total += int(row[5]) + 1
            if batch and total > max_bytes:
                break
            batch.append(QueuedEvent(*row))
        return batch

    def queued(self, limit: int | None = None) -> list[QueuedEvent]:
        with self._lock:
            rows = self._conn().execute(
                "SELECT id, uuid, event, level, payload, size, created FROM events "
                "ORDER BY id LIMIT ?", (-1 if limit is None else limit,)).fetchall()
        return [QueuedEvent(*row) for row in rows]

    def delete(self, ids: Iterable[int]) -> int:
        chosen = list(ids)
        if not chosen:
            return 0
        with self._transaction() as tx:
            removed = 0
            for start in range(0, len(chosen), 500):
                part = chosen[start:start + 500]
                marks = ",".join("?" * len(part))
                removed += tx.execute(f"DELETE FROM events WHERE id IN ({marks})",
                                      part).rowcount
            self._refresh_depth()
        return removed

    def delete_uuids(self, uuids: Iterable[str]) -> int:
        chosen = list(uuids)
        with self._transaction() as tx:
            removed = sum(tx.execute("DELETE FROM events WHERE uuid = ?", (u,)).rowcount
                          for u in chosen)
            self._refresh_depth()
        return removed

    def delete_level(self, level: str) -> int:
        with self._transaction() as tx:
            removed = tx.execute("DELETE FROM events WHERE level = ?", (level,)).rowcount
            self._refresh_depth()
        return removed

    def depth(self) -> tuple[int, int]:
        """(events, bytes) waiting, read from the file (other processes may add too)."""
        with self._lock:
            self._conn()
            self._refresh_depth()
            return self._count, self._bytes

    # -- counters and state -----------------------------------------------------------------
    @staticmethod
    def _bump(db: sqlite3.Connection, name: str, amount: int) -> None:
        db.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                   (name, amount))

    def bump(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._bump(self._conn(), name, amount)

    def counters(self) -> dict[str, int]:
        with self._lock:
            return {name: int(value) for name, value in
                    self._conn().execute("SELECT name, value FROM counters")}

    def get_state(self, key: str, default: str = "") -> str:
        with self._lock:
            row = self._conn().execute("SELECT value FROM state WHERE key = ?",
                                       (key,)).fetchone()
        return str(row[0]) if row else default

    def set_state(self, **values: str) -> None:
        with self._transaction() as tx:
            for key, value in values.items():
                tx.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", (key, value))

    def swap_state(self, key: str, decide: Callable[[str], str | None]) -> bool:
        """Atomically replace a state value: ``decide(current)`` returns the new value, or
        None to leave it (then False is returned)."""
        with self._transaction() as tx:
            row = tx.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            new = decide(str(row[0]) if row else "")
            if new is None:
                return False
            tx.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", (key, new))
            return True

    # -- acknowledged batches ---------------------------------------------------------------
    def acknowledge(self, batch: Sequence[QueuedEvent], status: int, seconds: float,
                    body: str) -> None:
        """The server took ``batch`` (2xx): delete it and record it in one transaction."""
        now = time.time()
        with self._transaction() as tx:
            tx.executemany("DELETE FROM events WHERE id = ? AND uuid = ?",
                           [(item.id, item.uuid) for item in batch])
            per_event: dict[str, int] = {}
            for item in batch:
                per_event[item.event] = per_event.get(item.event, 0) + 1
            tx.executemany(
                "INSERT INTO sent_stats (event, count, last_sent) VALUES (?, ?, ?) "
                "ON CONFLICT(event) DO UPDATE SET count = count + excluded.count, "
                "last_sent = excluded.last_sent",
                [(name, count, now) for name, count in per_event.items()])
            self._log_batch(tx, now, len(batch), status, "sent", seconds, body)
            self._refresh_depth()

    def log_batch(self, count: int, status: int, outcome: str, seconds: float,
                  body: str) -> None:
        with self._transaction() as tx:
            self._log_batch(tx, time.time(), count, status, outcome, seconds, body)

    @staticmethod
    def _log_batch(db: sqlite3.Connection, at: float, count: int, status: int, outcome: str,
                   seconds: float, body: str) -> None:
        if len(body) > BATCH_LOG_MAX_BODY:
            body = body[:BATCH_LOG_MAX_BODY] + "\n… (truncated in this log)"
        db.execute("INSERT INTO batches (at, count, status, outcome, seconds, body) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (at, count, status, outcome, seconds, body))
        db.execute("DELETE FROM batches WHERE id <= (SELECT max(id) FROM batches) - ?",
                   (BATCH_LOG_KEEP,))

    def sent_stats(self) -> dict[str, tuple[int, float]]:
        with self._lock:
            return {event: (int(count), float(last)) for event, count, last in
                    self._conn().execute("SELECT event, count, last_sent FROM sent_stats")}

    def batches(self, limit: int = BATCH_LOG_KEEP) -> list[SentBatch]:
        with self._lock:
            rows = self._conn().execute(
                "SELECT at, count, status, outcome, seconds, body FROM batches "
                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [SentBatch(*row) for row in rows]
