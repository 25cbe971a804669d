"""Opening the time-data database: pragmas, integrity check, migrations.

The database is a SQLite file in WAL mode with foreign keys on and a generous busy timeout, so
the CLI and the GUI can use it at the same time. On open it runs ``PRAGMA quick_check``: a
damaged file is never written to; the error names the newest backup to restore.

Start-up stays cheap for short CLI runs: SQLAlchemy and Alembic are imported only when used.
Whether migrations are due is first decided with a plain sqlite3 query of the stored revision
against the head read from the migration files; Alembic runs only when they differ. Read-only
queries that must be fast (reports) go through :meth:`Database.read`, a plain sqlite3
connection with the same pragmas as the engine's.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timetracker.core.backup import BackupManager
from timetracker.core.errors import DatabaseCorruptError
from timetracker.core.integrity import BUSY_TIMEOUT_MS, IntegrityProbe, check_at_open

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

#: Called after each :meth:`Database.read` with the statement and its duration in seconds.
ReadObserver = Callable[[str, float], None]

_REVISION_LINE = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*["']([^"']+)["']\s*$""", re.M)
_DOWN_LINE = re.compile(
    r"""^down_revision\s*(?::[^=]*)?=\s*(None|["']([^"']+)["'])\s*$""", re.M)


def _migrations_dir() -> str:
    beside = Path(__file__).parent / "migrations"  # a normal install: no importlib.resources
    if beside.is_dir():
        return str(beside)
    from importlib import resources

    return str(resources.files("timetracker.core") / "migrations")


def known_head() -> str | None:
    """The single head revision read from the migration files, without importing Alembic.

    None when the files do not give exactly one head in plain syntax (merges, branches):
    callers then ask Alembic itself.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (Path(_migrations_dir()) / "versions").glob("*.py"):
        if script.name.startswith("__"):
            continue
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION_LINE.search(text), _DOWN_LINE.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(2):
            parents.add(down.group(2))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revisions(path: Path) -> list[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new or unversioned file)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return [row[0] for row in con.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.OperationalError:  # no alembic_version table yet
        return []
    finally:
        con.close()


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", _migrations_dir())
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
    dbapi_connection.isolation_level = None
    # Case-insensitive name matching must fold every alphabet, not only ASCII (SQLite's own
    # lower() leaves "Ü" alone, so "Über" and "über" would count as different projects).
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed start of a timer survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # Write units take the write lock up front, so "read, decide, write" (e.g. stop the
    # running timer, then start one) cannot interleave with another process doing the same.
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The open time-data database, with its session factory."""

    def __init__(self, path: Path, backups: BackupManager) -> None:
        self.path = Path(path)
        self.backups = backups
        #: Observers of :meth:`read` (the composition root times queries with them).
        self.read_observers: list[ReadObserver] = []
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()
        self._engine_callbacks: list[Callable[[Engine], None]] = []

    # The engine (and SQLAlchemy itself) is created on first use: a report never needs it.
    @cached_property
    def engine(self) -> Engine:
        engine = self._make_engine()
        for callback in self._engine_callbacks:
            callback(engine)
        return engine

    def on_engine(self, callback: Callable[[Engine], None]) -> None:
        """Call ``callback(engine)`` once the engine exists (now, if it already does)."""
        if "engine" in self.__dict__:
            callback(self.engine)
        else:
            self._engine_callbacks.append(callback)

    @cached_property
    def _writer(self) -> Engine:
        return self.engine.execution_options(immediate=True)

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self._writer, expire_on_commit=False)

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    @classmethod
    def open(cls, path: Path, backups: BackupManager, *, migrate: bool = True,
             probe: IntegrityProbe | None = None) -> Database:
        """Check, open and (by default) migrate the database at ``path``.

        Raises DatabaseCorruptError without touching the file when the check fails. ``probe``
        is the same check already started for ``path`` (see IntegrityProbe).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        if probe is not None and probe.covers(path):
            problem = probe.result()
        else:
            problem = check_at_open(path)
        if problem is not None:
            newest = backups.newest()
            raise DatabaseCorruptError(str(path), problem, newest.name if newest else None)
        db = cls(path, backups)
        if migrate:
            db.migrate()
        return db

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def migrate(self, target: str = "head") -> bool:
        """Bring the schema to ``target``; back up first when there is data. True if it ran.

        The check and the migration run under one write lock (BEGIN IMMEDIATE), so several
        processes opening a new or outdated database at once migrate it exactly once.
        """
        if target == "head" and self._at_known_head():
            return False
        wanted = head_revision() if target == "head" else target
        if self.current_revision() == wanted:
            return False
        return self._run_alembic("upgrade", wanted)

    def downgrade(self, target: str) -> None:
        self._run_alembic("downgrade", target)

    def _has_tables(self, connection: Connection) -> bool:
        names = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
        return any(name != "alembic_version" for name in names)

    def _at_known_head(self) -> bool:
        """True when the file is at the head revision, decided without Alembic or SQLAlchemy."""
        head = known_head()
        return head is not None and stored_revisions(self.path) == [head]

    def _run_alembic(self, direction: str, target: str) -> bool:
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        cfg = _alembic_config()
        with self._writer.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current == target or (direction == "downgrade" and target == "base"
                                     and current is None):
                connection.rollback()
                return False
            if current is not None or self._has_tables(connection):
                self.backups.create(reason="pre-migration")
            cfg.attributes["connection"] = connection
            if direction == "upgrade":
                command.upgrade(cfg, target)
            else:
                command.downgrade(cfg, target)
            connection.commit()
        return True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work under the write lock: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def read(self, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()
             ) -> list[tuple[Any, ...]]:
        """All rows of one read-only statement, through a plain sqlite3 connection.

        Used where speed matters (reports): no SQLAlchemy import, no ORM. The connection is
        opened once with the engine's pragmas and shared under a lock, so any thread may read.
        """
        with self._reader_lock:
            if self._reader is None:
                reader = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                         check_same_thread=False)
                _on_connect(reader, None)
                self._reader = reader
            started = time.perf_counter()
            rows = self._reader.execute(sql, params).fetchall()
            elapsed = time.perf_counter() - started
        for observe in self.read_observers:
            observe(sql, elapsed)
        return rows

    def dispose(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        if "engine" in self.__dict__:
            self.engine.dispose()
