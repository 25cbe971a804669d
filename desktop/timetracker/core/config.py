"""The one typed settings store.

Settings live in a TOML file in the config folder. Loading validates every key: a bad value
is reported (naming the key) and replaced by its default without losing the other keys.
Environment variables listed in ``Setting.env`` override the file. Secrets never go here.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from timetracker.core.atomic import atomic_write_bytes
from timetracker.core.errors import ValidationError

Parser = Callable[[Any], Any]


def _choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return text

    return parse


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _int_range(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def _currency(value: Any) -> str:
    text = str(value).strip().upper()
    if len(text) != 3 or not text.isalpha():
        raise ValueError("must be a three-letter currency code such as EUR")
    return text


def _timezone(value: Any) -> str:
    text = str(value).strip()
    if text == "system":
        return text
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be 'system' or an IANA time zone such as Europe/Berlin") from None
    return text


class Setting(NamedTuple):
    key: str
    default: Any
    parse: Parser
    help: str
    env: str | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("week_start", "monday", _choice("monday", "sunday", "saturday"),
            "First day of the week in reports"),
    Setting("time_format", "24h", _choice("24h", "12h"), "Clock format"),
    Setting("timezone", "system", _timezone, "Time zone for new entries and reports"),
    Setting("theme", "system", _choice("system", "light", "dark"), "Colour theme"),
    Setting("close_to_tray", True, _boolean, "Closing the window keeps the app in the tray"),
    Setting("start_minimised", False, _boolean, "Start hidden in the tray"),
    Setting("default_currency", "EUR", _currency, "Currency for new projects"),
    Setting("backup_keep", 10, _int_range(1, 365), "How many automatic backups to keep"),
    Setting("backup_daily", True, _boolean, "Make a backup once a day"),
    Setting("metrics_port", 0, _int_range(0, 65535),
            "Prometheus exporter port on 127.0.0.1 (0 = off)", env="TIMETRACKER_METRICS_PORT"),
    Setting("json_logs_console", False, _boolean,
            "Write JSON instead of plain text to the console"),
)

_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass
class ConfigProblem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"setting '{self.key}': {self.message}"


@dataclass
class Config:
    """Validated settings, with their sources and any problems found while loading."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    stored: dict[str, Any] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        config = cls(path=path)
        raw: dict[str, Any] = {}
        if path.exists():
            import tomllib  # only when there is a file to read

            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                config.problems.append(ConfigProblem("*", f"{path} is not valid TOML ({exc}); "
                                                          "using defaults, file left as it is"))
                raw = {}
        for key, value in raw.items():
            setting = _BY_KEY.get(key)
            if setting is None:
                config.problems.append(ConfigProblem(key, "unknown setting, ignored"))
                continue
            try:
                config.stored[key] = setting.parse(value)
            except ValueError as exc:
                config.problems.append(ConfigProblem(
                    key, f"{exc} (found {value!r}); using default {setting.default!r}"))
        for setting in SETTINGS:
            value = config.stored.get(setting.key, setting.default)
            if setting.env and env.get(setting.env, "").strip():
                try:
                    value = setting.parse(env[setting.env])
                    config.overridden[setting.key] = setting.env
                except ValueError as exc:
                    config.problems.append(ConfigProblem(
                        setting.key, f"{setting.env}: {exc}; ignored"))
            config.values[setting.key] = value
        return config

    def get(self, key: str) -> Any:
        if key not in _BY_KEY:
            raise ValidationError(f"Unknown setting '{key}'. Known: {', '.join(_BY_KEY)}")
        return self.values[key]

    def set(self, key: str, value: Any) -> Any:
        """Validate, store and persist one setting; returns the parsed value."""
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ValidationError(f"Unknown setting '{key}'. Known: {', '.join(_BY_KEY)}")
        try:
            parsed = setting.parse(value)
        except ValueError as exc:
            raise ValidationError(f"setting '{key}': {exc}") from None
        self.stored[key] = parsed
        if key not in self.overridden:
            self.values[key] = parsed
        self.save()
        return parsed

    def save(self) -> None:
        import tomli_w  # only when saving

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, tomli_w.dumps(self.stored).encode("utf-8"))

    def items(self) -> list[tuple[Setting, Any, str]]:
        """Every setting with its value and where the value came from."""
        rows = []
        for setting in SETTINGS:
            if setting.key in self.overridden:
                source = f"env {self.overridden[setting.key]}"
            elif setting.key in self.stored:
                source = "file"
            else:
                source = "default"
            rows.append((setting, self.values[setting.key], source))
        return rows
