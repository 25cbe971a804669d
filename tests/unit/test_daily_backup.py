"""The daily automatic backup: made when the database is opened (the CLI), or later when the
front end asks (the window does it on a worker thread once it is shown)."""

from __future__ import annotations

from pathlib import Path

from timetracker.app import App
from timetracker.core.paths import AppPaths


def _app(home: Path, **environ: str) -> App:
    return App(paths=AppPaths.under(home),
               environ={"TIMETRACKER_HOME": str(home), "TIMETRACKER_TELEMETRY": "off",
                        **environ})


def test_opening_the_database_makes_the_days_backup_once(home: Path) -> None:
    first = _app(home)
    first.daily_backup_on_open = False
    first.entries.add(first.clock() - 60, first.clock(), description="x")
    assert first.backups.list() == []
    first.close()

    for _ in range(2):  # two CLI runs on the same day: one backup
        cli = _app(home)
        cli.db  # noqa: B018 - opening it is the point
        cli.close()
    assert [b.reason for b in cli.backups.list()] == ["daily"]


def test_the_window_makes_it_when_it_asks_and_the_setting_can_turn_it_off(home: Path) -> None:
    app = _app(home)
    app.daily_backup_on_open = False
    app.entries.add(app.clock() - 60, app.clock(), description="x")
    app.config.set("backup_daily", False)
    app.make_daily_backup()
    assert app.backups.list() == []
    app.config.set("backup_daily", True)
    app.make_daily_backup()
    assert [b.reason for b in app.backups.list()] == ["daily"]
    app.close()
