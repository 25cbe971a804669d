"""``timetracker --self-test`` (run from source here; test_deb.py runs it in the built package)
and packaging/icons.py's icon files."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pkg_helpers import REPO
from timetracker import self_test


def test_self_test_passes_from_source_and_leaves_the_users_home_alone(
        cli_env: dict[str, str], home: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "timetracker", "--self-test"], env=cli_env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "ok   build info: version " in out
    assert f"ok   resources: {REPO / 'resources'}" in out
    assert "ok   database: migrated to " in out and "write and read back ok" in out
    assert "ok   telemetry registry: " in out and " events" in out
    if (REPO / "desktop/timetracker/ui/self_test.py").is_file():
        assert "ok   main window:" in out
    else:
        assert "SKIP main window:" in out
    assert out.rstrip().endswith("self-test passed")
    assert not any(home.iterdir())  # the self-test used its own temporary home


def test_a_failing_check_fails_the_run_and_the_rest_still_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[str] = []

    def broken() -> str:
        ran.append("broken")
        raise FileNotFoundError("events.yaml is missing")

    def fine() -> str:
        ran.append("fine")
        return "all good"

    def skipped() -> str:
        raise self_test.SkipCheck("not in this build")

    code = self_test.run_checks((("registry", broken), ("skipped", skipped), ("db", fine)))
    out = capsys.readouterr().out
    assert code == 1 and ran == ["broken", "fine"]
    assert "FAIL registry: FileNotFoundError: events.yaml is missing" in out
    assert "SKIP skipped: not in this build" in out and "ok   db: all good" in out
    assert "self-test FAILED (1 check(s))" in out


def test_self_test_restores_the_environment(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("TIMETRACKER_HOME", str(tmp_path))
    monkeypatch.delenv("TIMETRACKER_TELEMETRY", raising=False)
    assert self_test.main() == 0
    assert os.environ["TIMETRACKER_HOME"] == str(tmp_path)
    assert "TIMETRACKER_TELEMETRY" not in os.environ
    assert not any(tmp_path.iterdir())


def test_icons_hicolor_pngs_ico_and_icns(tmp_path: Path, icons_script: ModuleType) -> None:
    svg = tmp_path / "app.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                   '<rect width="10" height="10" fill="#123456"/></svg>')
    written = icons_script.build_icons(tmp_path / "out", svg)
    assert (tmp_path / "out/hicolor/scalable/apps/timetracker.svg").read_text() == \
        svg.read_text()
    for size in icons_script.HICOLOR_SIZES:
        png = (tmp_path / f"out/hicolor/{size}x{size}/apps/timetracker.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)  # IHDR width, height
    ico = (tmp_path / "out/timetracker.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(icons_script.ICO_SIZES))
    for index, size in enumerate(sorted(icons_script.ICO_SIZES)):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * index:22 + 16 * index])
        assert width == (0 if size >= 256 else size)  # 0 stands for 256 in an ICO entry
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
    icns = (tmp_path / "out/timetracker.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic10" in icns  # the 1024 px entry macOS uses for Retina
    assert len(written) == len(icons_script.HICOLOR_SIZES) + 4


def test_icons_placeholder_when_no_svg(tmp_path: Path, icons_script: ModuleType) -> None:
    assert icons_script.find_source_svg(tmp_path) is None
    icons_script.build_icons(tmp_path / "out", None)
    png = (tmp_path / "out/timetracker.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (256, 256)
    assert not (tmp_path / "out/hicolor/scalable").exists()
