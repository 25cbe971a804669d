from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from timetracker.core.backup import BackupManager
from timetracker.core.errors import NotFoundError


def make_db(path: Path, rows: int) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    con.execute("DELETE FROM t")
    con.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(rows)])
    con.commit()
    con.close()


def count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        con.close()


def test_create_list_and_prune_keeps_last_n_automatic(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    make_db(db, 5)
    manager = BackupManager(db, tmp_path / "b", keep=3)
    manual = manager.create("manual")
    for _ in range(5):
        manager.create("daily")
    names = [b.reason for b in manager.list()]
    assert names.count("daily") == 3
    assert manual is not None and manual.path.exists()  # manual backups are never pruned
    assert count(manager.newest().path) == 5  # type: ignore[union-attr]


def test_daily_due(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    make_db(db, 1)
    manager = BackupManager(db, tmp_path / "b")
    assert manager.daily_due()
    assert manager.create_daily_if_due() is not None
    assert not manager.daily_due()
    assert manager.create_daily_if_due() is None
    assert manager.daily_due(now=time.time() + 25 * 3600)


def test_restore_healthy_db_backs_up_current_first(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    make_db(db, 10)
    manager = BackupManager(db, tmp_path / "b")
    ten = manager.create("manual")
    make_db(db, 3)
    assert ten is not None
    manager.restore(ten.name)
    assert count(db) == 10
    pre = [b for b in manager.list() if b.reason == "pre-restore"]
    assert len(pre) == 1 and count(pre[0].path) == 3


def test_restore_unknown_name(tmp_path: Path) -> None:
    manager = BackupManager(tmp_path / "db.sqlite3", tmp_path / "b")
    with pytest.raises(NotFoundError, match="backup list"):
        manager.restore("nope.sqlite3")


def test_no_database_no_backup(tmp_path: Path) -> None:
    manager = BackupManager(tmp_path / "absent.sqlite3", tmp_path / "b")
    assert manager.create("manual") is None
    assert manager.list() == []
