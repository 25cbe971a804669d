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
from sqlalchemy import Engine, create_engine, event
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
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed start of a timer survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


class Database:
    """The open time-data database, with its session factory."""

    def __init__(self, path: Path, backups: BackupManager) -> None:
        self.path = Path(path)
        self.backups = backups
        self.engine: Engine = self._make_engine()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _make_engine(self) -> Engine:
        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_connect)
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
        """Bring the schema to ``target``; back up first when there is data. True if it ran."""
        current = self.current_revision()
        wanted = head_revision() if target == "head" else target
        if current == wanted:
            return False
        if current is not None:
            self.backups.create(reason="pre-migration")
        self._run_alembic("upgrade", wanted)
        return True

    def downgrade(self, target: str) -> None:
        self.backups.create(reason="pre-migration")
        self._run_alembic("downgrade", target)

    def _run_alembic(self, direction: str, target: str) -> None:
        cfg = _alembic_config()
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            if direction == "upgrade":
                command.upgrade(cfg, target)
            else:
                command.downgrade(cfg, target)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
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
