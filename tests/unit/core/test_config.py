from __future__ import annotations

from pathlib import Path

import pytest
from timetracker.core.config import Config
from timetracker.core.errors import ValidationError


def test_defaults_when_no_file(tmp_path: Path) -> None:
    config = Config.load(tmp_path / "settings.toml", environ={})
    assert config.get("week_start") == "monday"
    assert config.get("backup_keep") == 10
    assert config.problems == []


def test_bad_value_names_key_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('week_start = "friday"\ntheme = "dark"\nbackup_keep = 0\n', encoding="utf-8")
    config = Config.load(path, environ={})
    assert config.get("theme") == "dark"
    assert config.get("week_start") == "monday"
    assert config.get("backup_keep") == 10
    keys = sorted(p.key for p in config.problems)
    assert keys == ["backup_keep", "week_start"]
    assert "friday" in str(next(p for p in config.problems if p.key == "week_start"))


def test_invalid_toml_falls_back_without_touching_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    config = Config.load(path, environ={})
    assert config.get("theme") == "system"
    assert config.problems and "not valid TOML" in str(config.problems[0])
    assert path.read_text(encoding="utf-8") == "this is = = not toml"


def test_set_persists_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    config = Config.load(path, environ={})
    assert config.set("close_to_tray", "no") is False
    assert config.set("default_currency", "usd") == "USD"
    with pytest.raises(ValidationError, match="week_start"):
        config.set("week_start", "someday")
    with pytest.raises(ValidationError, match="Unknown setting 'colour'"):
        config.set("colour", "red")
    again = Config.load(path, environ={})
    assert again.get("close_to_tray") is False
    assert again.get("default_currency") == "USD"


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("metrics_port = 9100\n", encoding="utf-8")
    config = Config.load(path, environ={"TIMETRACKER_METRICS_PORT": "9200"})
    assert config.get("metrics_port") == 9200
    assert config.overridden == {"metrics_port": "TIMETRACKER_METRICS_PORT"}
    bad = Config.load(path, environ={"TIMETRACKER_METRICS_PORT": "lots"})
    assert bad.get("metrics_port") == 9100
    assert bad.problems[0].key == "metrics_port"


def test_timezone_setting_is_validated(tmp_path: Path) -> None:
    config = Config.load(tmp_path / "s.toml", environ={})
    assert config.set("timezone", "America/New_York") == "America/New_York"
    with pytest.raises(ValidationError, match="IANA"):
        config.set("timezone", "Mars/Olympus")
