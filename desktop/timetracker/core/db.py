"""Opening the time-data database: pragmas, integrity check, migrations.

The database is a SQLite file in WAL mode with foreign keys on and a generous busy timeout, so
the CLI and the GUI can use it at the same time. On open it runs ``PRAGMA quick_check``: a
damaged file is never written to; the error names the newest backup to restore.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from timetracker.core.backup import BackupManager
from timetracker.core.errors import DatabaseCorruptError
from timetracker.core.integrity import BUSY_TIMEOUT_MS, check_integrity


def _migrations_dir() -> str:
    return str(resources.files("timetracker.core") / "migrations")


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", _migrations_dir())
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
    dbapi_connection.isolation_level = None
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
        self.engine: Engine = self._make_engine()
        self._writer: Engine = self.engine.execution_options(immediate=True)
        self._sessions = sessionmaker(self._writer, expire_on_commit=False)

    def _make_engine(self) -> Engine:
        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    @classmethod
    def open(cls, path: Path, backups: BackupManager, *, migrate: bool = True) -> Database:
        """Check, open and (by default) migrate the database at ``path``.

        Raises DatabaseCorruptError without touching the file when the check fails.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        problem = check_integrity(path)
        if problem is not None:
            newest = backups.newest()
            raise DatabaseCorruptError(str(path), problem, newest.name if newest else None)
        db = cls(path, backups)
        if migrate:
            db.migrate()
        return db

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def migrate(self, target: str = "head") -> bool:
        """Bring the schema to ``target``; back up first when there is data. True if it ran.

        The check and the migration run under one write lock (BEGIN IMMEDIATE), so several
        processes opening a new or outdated database at once migrate it exactly once.
        """
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

    def _run_alembic(self, direction: str, target: str) -> bool:
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

    def dispose(self) -> None:
        self.engine.dispose()
