"""The machine's time zone: TZ and the /etc/localtime link read directly, the rest by tzlocal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from timetracker.core.timezones import detected_timezone, resolve_timezone, system_timezone


@pytest.fixture
def zones(tmp_path: Path) -> Path:
    """A zoneinfo-like folder (the real one's files, linked) and a place for a localtime link."""
    folder = tmp_path / "share" / "zoneinfo" / "Europe"
    folder.mkdir(parents=True)
    import zoneinfo

    source = next(Path(p) / "Europe" / "Berlin" for p in zoneinfo.TZPATH
                  if (Path(p) / "Europe" / "Berlin").exists())
    (folder / "Berlin").write_bytes(source.read_bytes())
    return tmp_path


@pytest.mark.parametrize(("tz", "expected"), [
    ("Europe/Berlin", "Europe/Berlin"), (":America/New_York", "America/New_York"),
    ("UTC", "UTC"), ("Asia/Kolkata", "Asia/Kolkata"),
])
def test_a_zone_name_in_tz_is_the_answer(tz: str, expected: str, zones: Path) -> None:
    assert system_timezone({"TZ": tz}, localtime=zones / "missing") == expected


def test_tz_naming_a_zone_file_gives_the_files_zone_name(zones: Path) -> None:
    berlin = zones / "share" / "zoneinfo" / "Europe" / "Berlin"
    assert system_timezone({"TZ": f":{berlin}"}, localtime=zones / "missing") \
        == "Europe/Berlin"


def test_the_localtime_link_into_a_zoneinfo_folder_names_the_zone(zones: Path) -> None:
    link = zones / "localtime"
    os.symlink(zones / "share" / "zoneinfo" / "Europe" / "Berlin", link)
    assert system_timezone({}, localtime=link) == "Europe/Berlin"
    chained = zones / "localtime2"  # (links to links are followed)
    os.symlink(link, chained)
    assert system_timezone({}, localtime=chained) == "Europe/Berlin"


def test_anything_else_is_asked_of_tzlocal_and_unknown_is_utc(
        zones: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tzlocal

    plain = zones / "localtime"
    plain.write_bytes(b"TZif not a link")  # a copied zone file: no name in its path
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Asia/Tokyo")
    assert system_timezone({}, localtime=plain) == "Asia/Tokyo"
    assert system_timezone({"TZ": "EST5EDT,M3.2.0,M11.1.0-not-a-name"},
                           localtime=plain) == "Asia/Tokyo"
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Not/AZone")
    assert system_timezone({}, localtime=plain) == "UTC"
    assert detected_timezone({}, localtime=plain) is None  # (telemetry says "unknown")

    def broken() -> str:
        raise OSError("no zone configured")

    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    assert system_timezone({}, localtime=zones / "missing") == "UTC"


def test_a_set_zone_wins_over_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_timezone("Pacific/Auckland") == "Pacific/Auckland"
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    assert resolve_timezone("system") == "Europe/Lisbon"
