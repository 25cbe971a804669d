"""Where TimeTracker keeps its files.

``TIMETRACKER_HOME`` puts every folder under one directory (tests, portable installs);
otherwise the platform's conventional folders from platformdirs are used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import platformdirs

from timetracker.build_info import APP_ID, ORG_NAME

HOME_ENV = "TIMETRACKER_HOME"


class AppPaths(NamedTuple):
    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "timetracker.sqlite3"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def telemetry_dir(self) -> Path:
        return self.data_dir / "telemetry"

    def ensure(self) -> AppPaths:
        for folder in (self.data_dir, self.config_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        home = Path(home)
        return cls(home / "data", home / "config", home / "cache", home / "logs")

    @classmethod
    def from_environment(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> AppPaths:
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV, "").strip()
        if home:
            return cls.under(Path(home).expanduser())
        return cls(
            Path(platformdirs.user_data_dir(APP_ID, ORG_NAME)),
            Path(platformdirs.user_config_dir(APP_ID, ORG_NAME)),
            Path(platformdirs.user_cache_dir(APP_ID, ORG_NAME)),
            Path(platformdirs.user_log_dir(APP_ID, ORG_NAME)),
        )
