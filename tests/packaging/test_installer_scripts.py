"""The installer sources that cannot be built here (Windows, macOS) checked as data, and the
small pure parts of the Linux packaging."""

from __future__ import annotations

import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from types import ModuleType

import pytest
from pkg_helpers import PACKAGING, require_tool

APP_ID = "org.timetracker.TimeTracker"


def iss_setup() -> dict[str, str]:
    text = (PACKAGING / "windows/timetracker.iss").read_text(encoding="utf-8")
    section = text.split("[Setup]", 1)[1].split("\n[", 1)[0]
    return dict(line.split("=", 1) for line in section.splitlines()
                if "=" in line and not line.startswith(";"))


def test_inno_setup_is_per_user_with_start_menu_and_uninstaller() -> None:
    setup = iss_setup()
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{autopf}\TimeTracker"  # %LOCALAPPDATA%\Programs
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup.get("Uninstallable", "yes") == "yes"
    assert setup["UninstallDisplayIcon"] == r"{app}\TimeTracker.exe"
    text = (PACKAGING / "windows/timetracker.iss").read_text(encoding="utf-8")
    assert r'Name: "{autoprograms}\TimeTracker"; Filename: "{app}\TimeTracker.exe"' in text
    assert r'Source: "{#BundleDir}\*"' in text and "recursesubdirs" in text
    for define in ("AppVersion", "NumericVersion", "BundleDir", "OutputDir", "IconFile"):
        assert f"#ifndef {define}" in text  # every {#...} has a default


def test_info_plist_template_matches_the_app_id() -> None:
    template = (PACKAGING / "macos/Info.plist").read_bytes()
    plist = plistlib.loads(template.replace(b"@VERSION@", b"1.2.3"))
    assert plist["CFBundleIdentifier"] == APP_ID
    assert plist["CFBundleShortVersionString"] == "1.2.3"
    assert plist["NSHighResolutionCapable"] is True
    entitlements = plistlib.loads((PACKAGING / "macos/entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True


@pytest.mark.parametrize("script", ["macos/build_dmg.sh", "linux/build_appimage.sh"])
def test_shell_scripts_parse(script: str) -> None:
    result = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_spec_is_valid_python() -> None:
    source = (PACKAGING / "timetracker.spec").read_text(encoding="utf-8")
    compile(source, "timetracker.spec", "exec")
    assert "console=False" in source and "COLLECT(" in source and "BUNDLE(" in source


def test_desktop_entry_and_metainfo_validate_from_source() -> None:
    desktop = PACKAGING / f"linux/{APP_ID}.desktop"
    metainfo = PACKAGING / f"linux/{APP_ID}.metainfo.xml"
    result = subprocess.run([require_tool("desktop-file-validate"), str(desktop)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    result = subprocess.run([require_tool("appstreamcli"), "validate", "--no-net",
                             str(metainfo)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"


@pytest.mark.parametrize(("pep440", "debian"), [
    ("1.2.3", "1.2.3"),
    ("1.2.3.dev42+g1a2b3c4", "1.2.3~dev42+g1a2b3c4"),
    ("2.0.0rc1", "2.0.0~rc1"),
])
def test_debian_version(build_deb_script: ModuleType, pep440: str, debian: str) -> None:
    assert build_deb_script.debian_version(pep440) == debian


def test_debian_versions_sort_dev_before_release(build_deb_script: ModuleType) -> None:
    dev = build_deb_script.debian_version("1.2.3.dev42+g1a2b3c4")
    result = subprocess.run([require_tool("dpkg"), "--compare-versions", dev, "lt", "1.2.3"])
    assert result.returncode == 0


def test_unknown_version_is_refused(build_deb_script: ModuleType) -> None:
    with pytest.raises(build_deb_script.DebError, match="not a PEP 440"):
        build_deb_script.debian_version("one.two")
