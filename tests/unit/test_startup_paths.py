"""The quick start-up path of a CLI run: one command module, no SQLAlchemy or Alembic when the
schema is current, the integrity check started early — and still every safety check."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from timetracker.cli import COMMAND_MODULES, _command_modules, build_parser
from timetracker.core.backup import BackupManager
from timetracker.core.db import Database, head_revision, known_head, stored_revisions
from timetracker.core.errors import DatabaseCorruptError
from timetracker.core.integrity import IntegrityProbe


def _commands_of(module: object) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    module.register(sub)  # type: ignore[attr-defined]
    return set(sub.choices)


def test_the_command_table_names_the_module_that_registers_each_command() -> None:
    seen: dict[str, str] = {}
    for module in _command_modules():
        for command in _commands_of(module):
            seen[command] = module.__name__.rsplit(".", 1)[1]
    assert seen, "commands are registered"
    assert {c: COMMAND_MODULES.get(c) for c in seen} == seen
    for command, name in COMMAND_MODULES.items():
        if command not in seen:  # an optional module that is not there: falls back
            with pytest.raises(ModuleNotFoundError):
                importlib.import_module(f"timetracker.cli.{name}")


def test_a_single_command_parser_parses_like_the_full_one() -> None:
    argv = ["report", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "tag"]
    quick, full = build_parser("report").parse_args(argv), build_parser().parse_args(argv)
    assert vars(quick) == vars(full)
    with pytest.raises(SystemExit):  # only "report" is registered: others fall back in run()
        build_parser("report").parse_args(["status"])


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert known_head() == head_revision()


def test_a_current_schema_is_recognised_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "tt.sqlite3"
    backups = BackupManager(path, tmp_path / "backups")
    assert stored_revisions(path) == []
    Database.open(path, backups).dispose()
    assert stored_revisions(path) == [head_revision()]
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from timetracker.core.backup import BackupManager\n"
            "from timetracker.core.db import Database\n"
            f"path = Path({str(path)!r})\n"
            "db = Database.open(path, BackupManager(path, path.parent / 'backups'))\n"
            "rows = db.read('SELECT count(*) FROM time_entries')\n"
            "db.dispose()\n"
            "print(rows[0][0], 'alembic' in sys.modules, 'sqlalchemy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["0", "False", "False"]


def test_a_report_run_imports_neither_sqlalchemy_nor_alembic(cli_env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "timetracker", "add", "Website", "--start",
                    "2025-03-03 09:00", "--end", "2025-03-03 10:30"], env=cli_env, check=True,
                   capture_output=True)
    code = ("import sys, json\n"
            "from timetracker.cli import run\n"
            "code = run(['report', '--from', '2025-03-01', '--to', '2025-03-31', '--json'])\n"
            "loaded = sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules)\n"
            "print(json.dumps({'code': code, 'loaded': loaded}))\n")
    done = subprocess.run([sys.executable, "-c", code], env=cli_env, capture_output=True,
                          text=True, check=True)
    lines = done.stdout.strip().splitlines()
    report, outcome = json.loads("\n".join(lines[:-1])), json.loads(lines[-1])
    assert report["total_seconds"] == 5400
    assert outcome == {"code": 0, "loaded": []}


def test_the_early_check_refuses_a_damaged_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tt.sqlite3"
    backups = BackupManager(path, tmp_path / "backups")
    db = Database.open(path, backups)
    db.dispose()
    data = bytearray(path.read_bytes())
    data[100:] = b"\x5a" * (len(data) - 100)
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()
    probe = IntegrityProbe(path)
    with pytest.raises(DatabaseCorruptError):
        Database.open(path, backups, probe=probe)
    assert path.read_bytes() == damaged


def test_the_cli_refuses_a_damaged_database_with_one_clear_line(
        cli_env: dict[str, str], home: Path) -> None:
    subprocess.run([sys.executable, "-m", "timetracker", "report"], env=cli_env, check=True,
                   capture_output=True)
    db_path = home / "data" / "timetracker.sqlite3"
    data = bytearray(db_path.read_bytes())
    data[100:] = b"\x5a" * (len(data) - 100)
    db_path.write_bytes(bytes(data))
    done = subprocess.run([sys.executable, "-m", "timetracker", "report"], env=cli_env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("timetracker: error:")
    assert len(done.stderr.strip().splitlines()) == 1
    assert db_path.read_bytes() == bytes(data)


def test_a_file_that_appeared_after_the_early_check_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "tt.sqlite3"
    probe = IntegrityProbe(path)  # no file yet: nothing to check
    assert probe.result() is None and probe.covers(path)
    path.write_bytes(b"this is not sqlite at all" * 100)  # another process wrote a file
    assert not probe.covers(path)
    with pytest.raises(DatabaseCorruptError):
        Database.open(path, BackupManager(path, tmp_path / "backups"), probe=probe)
    path.unlink()
    assert probe.covers(path) and not probe.covers(tmp_path / "other.sqlite3")
