from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from timetracker.core.backup import BackupManager
from timetracker.core.db import Database, head_revision
from timetracker.core.errors import DatabaseCorruptError


def open_db(tmp_path: Path) -> Database:
    path = tmp_path / "tt.sqlite3"
    return Database.open(path, BackupManager(path, tmp_path / "backups"))


def test_upgrade_from_empty_creates_schema_with_pragmas(tmp_path: Path) -> None:
    db = open_db(tmp_path)
    assert db.current_revision() == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert {"clients", "projects", "tasks", "tags", "time_entries", "entry_tags",
            "journal", "alembic_version"} <= tables
    with db.engine.connect() as con:
        assert con.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert con.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert con.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    db.dispose()


def test_downgrade_upgrade_round_trip_keeps_a_valid_schema(tmp_path: Path) -> None:
    db = open_db(tmp_path)
    db.downgrade("base")
    assert db.current_revision() is None
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    assert db.migrate() is True
    assert db.current_revision() == head_revision()
    assert db.migrate() is False  # already at head: nothing to do
    db.dispose()


def test_schema_changes_back_up_the_data_first(tmp_path: Path) -> None:
    db = open_db(tmp_path)
    with db.engine.begin() as con:
        con.execute(text("INSERT INTO tags (name, archived, created_at) VALUES ('keep', 0, 1)"))
    assert db.backups.list() == []  # a fresh database needs no backup
    db.downgrade("base")  # destroys the tables: must back up first
    backups = db.backups.list()
    assert [b.reason for b in backups] == ["pre-migration"]
    con = sqlite3.connect(backups[0].path)
    assert con.execute("SELECT name FROM tags").fetchall() == [("keep",)]
    con.close()
    db.migrate()  # only an empty alembic_version table left: nothing to back up
    assert len(db.backups.list()) == 1
    db.dispose()


def test_one_running_entry_is_enforced_by_the_database(tmp_path: Path) -> None:
    db = open_db(tmp_path)
    with db.engine.begin() as con:
        con.execute(text("INSERT INTO time_entries (start, tz, description, billable, "
                         "running_marker, created_at, updated_at) "
                         "VALUES (1, 'UTC', '', 0, 1, 1, 1)"))
    with pytest.raises(Exception, match="UNIQUE"), db.engine.begin() as con:
        con.execute(text("INSERT INTO time_entries (start, tz, description, billable, "
                         "running_marker, created_at, updated_at) "
                         "VALUES (2, 'UTC', '', 0, 1, 2, 2)"))
    db.dispose()


def test_end_before_start_is_rejected_by_the_schema_too(tmp_path: Path) -> None:
    db = open_db(tmp_path)
    with pytest.raises(Exception, match="CHECK"), db.engine.begin() as con:
        con.execute(text('INSERT INTO time_entries (start, "end", tz, description, billable, '
                         "created_at, updated_at) VALUES (10, 5, 'UTC', '', 0, 1, 1)"))
    db.dispose()


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    # Overwrite the middle of the file (b-tree pages) with garbage, keep the header.
    for i in range(len(data) // 2, len(data)):
        data[i] = 0x5A
    path.write_bytes(bytes(data))


def test_corrupt_database_is_refused_untouched_and_names_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "tt.sqlite3"
    backups = BackupManager(path, tmp_path / "backups")
    db = Database.open(path, backups)
    with db.engine.begin() as con:
        for i in range(300):
            con.execute(text("INSERT INTO tags (name, archived, created_at) "
                             "VALUES (:n, 0, 1)"), {"n": f"tag-{i}"})
    good = backups.create("manual")
    assert good is not None
    db.dispose()
    _corrupt(path)
    damaged = path.read_bytes()
    with pytest.raises(DatabaseCorruptError) as info:
        Database.open(path, backups)
    assert good.name in str(info.value)
    assert "timetracker backup restore" in str(info.value)
    assert path.read_bytes() == damaged  # never written to

    backups.restore(good.name)
    restored = Database.open(path, backups)
    with restored.engine.connect() as con:
        assert con.execute(text("SELECT count(*) FROM tags")).scalar() == 300
    restored.dispose()
    aside = list(tmp_path.glob("tt.sqlite3.damaged-*"))
    assert aside and aside[0].read_bytes() == damaged  # the damaged file was kept


def test_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "tt.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseCorruptError, match="No backup was found"):
        Database.open(path, BackupManager(path, tmp_path / "backups"))
    assert sqlite3.sqlite_version  # the check ran through the real sqlite3 module
