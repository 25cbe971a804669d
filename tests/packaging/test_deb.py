"""The Linux package: built from this checkout, unpacked into a temporary root, run, validated.

Slow (a PyInstaller build, ~2-3 minutes on 2 cores): the .deb is built once per session by the
``built_deb`` fixture (or reused from PREBUILT_TIMETRACKER_DEB).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pkg_helpers import REPO, require_tool

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

APP_ID = "org.timetracker.TimeTracker"
#: The unpacked bundle must stay within this (the issue's goal for the one-folder app).
MAX_INSTALLED_MIB = 190


def _tools() -> None:
    for tool in ("dpkg-deb", "dpkg-shlibdeps", "patchelf"):
        require_tool(tool)


@pytest.fixture(scope="module")
def installed(built_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package's files unpacked into a temporary root (as ``dpkg -i`` would lay them)."""
    _tools()
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(built_deb), str(root)], check=True)
    yield root


def _field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_control_fields_describe_a_dev_build(built_deb: Path, installed: Path) -> None:
    assert _field(built_deb, "Package") == "timetracker"
    # pyproject version + the fixture's --dev-number 7 --commit abcdef1…, dev sorting first
    assert re.fullmatch(r"\d+\.\d+\.\d+~dev7\+gabcdef1", _field(built_deb, "Version"))
    depends = [d.split()[0] for d in _field(built_deb, "Depends").split(", ")]
    for needed in ("libc6", "libegl1", "libgl1"):
        assert needed in depends
    # libraries the bundle carries (e.g. libpng16.so.16) are not system dependencies
    carried = {p.name for p in (installed / "opt/timetracker/_internal").glob("lib*.so*")}
    assert "libpng16.so.16" in carried and "libpng16-16" not in depends
    installed_kib = int(_field(built_deb, "Installed-Size"))
    print(f"installed size {installed_kib / 1024:.1f} MiB, "
          f".deb {built_deb.stat().st_size / 2**20:.1f} MiB")
    assert installed_kib <= MAX_INSTALLED_MIB * 1024


def test_layout_opt_bundle_launcher_and_desktop_integration(installed: Path) -> None:
    assert (installed / "opt/timetracker/timetracker").stat().st_mode & 0o111
    launcher = installed / "usr/bin/timetracker"
    assert launcher.stat().st_mode & 0o111
    assert 'exec /opt/timetracker/timetracker "$@"' in launcher.read_text()
    assert (installed / f"usr/share/applications/{APP_ID}.desktop").is_file()
    assert (installed / f"usr/share/metainfo/{APP_ID}.metainfo.xml").is_file()
    for size in (16, 32, 48, 64, 128, 256, 512):
        icon = installed / f"usr/share/icons/hicolor/{size}x{size}/apps/timetracker.png"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", icon
    assert (installed / "usr/share/doc/timetracker/copyright").is_file()
    # the frozen app finds its shipped registry and migrations
    internal = installed / "opt/timetracker/_internal"
    assert (internal / "resources/telemetry/events.yaml").is_file()
    assert sorted(p.name for p in (internal / "timetracker/core/migrations/versions").glob(
        "0*.py")) == sorted(p.name for p in (
            REPO / "desktop/timetracker/core/migrations/versions").glob("0*.py"))


def test_only_used_qt_modules_are_bundled(installed: Path) -> None:
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in (REPO / "desktop/timetracker").rglob("*.py"))
    imported = set(re.findall(r"\bPySide6\.(Qt\w+)", source))
    for names in re.findall(r"^\s*from PySide6 import (\([^)]*\)|[^\n]+)", source, re.M):
        code = "\n".join(line.split("#")[0] for line in names.splitlines())  # (no comments)
        imported |= {name for name in (n.strip(" ()\n") for n in code.split(","))
                     if name.startswith("Qt")}
    pyside = installed / "opt/timetracker/_internal/PySide6"
    bundled = {p.name.split(".")[0] for p in pyside.glob("Qt*.so")}
    assert bundled == imported | {"QtCore", "QtGui", "QtWidgets"}
    assert not list(pyside.rglob("libQt6Quick*")) and not list(pyside.rglob("libQt6Qml*"))
    assert not list(pyside.rglob("translations"))


def test_installed_self_test_passes_through_the_launcher(installed: Path,
                                                         tmp_path: Path) -> None:
    # The launcher execs /opt/timetracker/...; run it against the temporary root instead.
    script = (installed / "usr/bin/timetracker").read_text().replace(
        "/opt/timetracker", str(installed / "opt/timetracker"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(["sh", "-c", script, "timetracker", "--self-test"], env=env,
                            capture_output=True, text=True, timeout=180, cwd=tmp_path)
    print(result.stdout, result.stderr[-3000:])
    assert result.returncode == 0
    out = result.stdout
    assert "ok   resources: " + str(installed / "opt/timetracker/_internal/resources") in out
    assert re.search(r"ok   build info: version \S+dev7\+gabcdef1, deb, development, "
                     r"analytics key none", out)
    assert "ok   database: migrated to" in out
    assert "ok   telemetry registry:" in out
    if (REPO / "desktop/timetracker/ui/self_test.py").is_file():
        assert "ok   main window:" in out
    # nothing was written outside the self-test's temporary home
    assert not any(tmp_path.iterdir())


def test_installed_cli_runs_a_command(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(TIMETRACKER_HOME=str(tmp_path / "home"), TIMETRACKER_TELEMETRY="off")
    program = str(installed / "opt/timetracker/timetracker")
    result = subprocess.run([program, "projects", "list", "--json"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_desktop_file_validates(installed: Path) -> None:
    tool = require_tool("desktop-file-validate")
    desktop = installed / f"usr/share/applications/{APP_ID}.desktop"
    result = subprocess.run([tool, str(desktop)], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(desktop)
    assert (installed / "usr/bin" / entry["Desktop Entry"]["Exec"].split()[0]).is_file()
    icon = entry["Desktop Entry"]["Icon"]
    assert list((installed / "usr/share/icons/hicolor").glob(f"*/apps/{icon}.*"))


def test_appstream_metainfo_validates(installed: Path) -> None:
    tool = require_tool("appstreamcli")
    metainfo = installed / f"usr/share/metainfo/{APP_ID}.metainfo.xml"
    result = subprocess.run([tool, "validate", "--no-net", str(metainfo)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<release version=" in metainfo.read_text()


def test_lintian_reports_no_errors(built_deb: Path) -> None:
    tool = require_tool("lintian")
    result = subprocess.run([tool, "--no-tag-display-limit", str(built_deb)],
                            capture_output=True, text=True, timeout=600)
    print(result.stdout)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stderr
