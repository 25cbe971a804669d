"""The at-open integrity check: a full scan, remembered only while the files are unchanged."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from timetracker.core import integrity
from timetracker.core.integrity import check_at_open


def make_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [(f"row {i}" * 20,) for i in range(3000)])
    con.commit()
    con.close()
    old = time.time_ns() - 60 * 1_000_000_000  # written a minute ago
    os.utime(path, ns=(old, old))


def damage_keeping_fingerprint(path: Path) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 8192):
        data[i] = 0x5A
    with open(path, "r+b") as handle:  # same inode, same size
        handle.write(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_clean_check_is_remembered_and_reused(tmp_path: Path) -> None:
    db = tmp_path / "tt.sqlite3"
    make_db(db)
    assert check_at_open(db) is None
    marker = json.loads((tmp_path / "tt.sqlite3.verified").read_text(encoding="utf-8"))
    assert marker["fingerprint"][0][2] == db.stat().st_size
    damage_keeping_fingerprint(db)
    # Unchanged fingerprint, recent clean check: the page scan is skipped (the trade-off) ...
    assert check_at_open(db) is None
    # ... while the full check still sees the damage.
    assert integrity.check_integrity(db) is not None


def test_any_write_triggers_a_full_check(tmp_path: Path) -> None:
    db = tmp_path / "tt.sqlite3"
    make_db(db)
    assert check_at_open(db) is None
    damage_keeping_fingerprint(db)
    later = time.time_ns() - 30 * 1_000_000_000
    os.utime(db, ns=(later, later))  # modified since the check
    assert check_at_open(db) is not None
    assert not (tmp_path / "tt.sqlite3.verified").exists()


def test_an_old_check_is_not_trusted(tmp_path: Path, monkeypatch: object) -> None:
    db = tmp_path / "tt.sqlite3"
    make_db(db)
    assert check_at_open(db) is None
    damage_keeping_fingerprint(db)
    marker_path = tmp_path / "tt.sqlite3.verified"
    marker = json.loads(marker_path.read_text(encoding="utf-8"))
    marker["checked_ns"] -= (integrity.VERIFIED_MAX_AGE + 60) * 1_000_000_000
    marker_path.write_text(json.dumps(marker), encoding="utf-8")
    assert check_at_open(db) is not None


def test_a_write_just_before_the_check_is_not_trusted(tmp_path: Path) -> None:
    db = tmp_path / "tt.sqlite3"
    make_db(db)
    now = time.time_ns()
    os.utime(db, ns=(now, now))  # within the timestamp slack of the check
    assert check_at_open(db) is None
    damage_keeping_fingerprint(db)
    assert check_at_open(db) is not None


def test_garbage_marker_means_full_check(tmp_path: Path) -> None:
    db = tmp_path / "tt.sqlite3"
    make_db(db)
    (tmp_path / "tt.sqlite3.verified").write_text("{not json", encoding="utf-8")
    damage_keeping_fingerprint(db)
    assert check_at_open(db) is not None
