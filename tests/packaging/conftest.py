"""Fixtures for the packaging tests: the packaging/ scripts loaded as modules, a built .deb."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pkg_helpers import PACKAGING, REPO, load_script


@pytest.fixture(scope="session")
def stamp_build() -> ModuleType:
    return load_script("stamp_build.py")


@pytest.fixture(scope="session")
def icons_script() -> ModuleType:
    return load_script("icons.py")


@pytest.fixture(scope="session")
def build_deb_script() -> ModuleType:
    return load_script("linux/build_deb.py")


@pytest.fixture(scope="session")
def built_deb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A dev .deb built from this checkout by packaging/build_app.py (the same path as
    ``make package-linux``), as build number 7 of commit abcdef1….

    PREBUILT_TIMETRACKER_DEB reuses one instead; it must be built the same way
    (``packaging/build_app.py --dev-number 7 --commit abcdef1234567``) for the version checks.
    """
    prebuilt = os.environ.get("PREBUILT_TIMETRACKER_DEB")
    if prebuilt:
        yield Path(prebuilt)
        return
    root = tmp_path_factory.mktemp("deb-build")
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build_app.py"), "--out", str(root / "dist"),
         "--work", str(root / "build"), "--dev-number", "7", "--commit", "abcdef1234567"],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    debs = sorted((root / "dist").glob("timetracker_*.deb"))
    assert len(debs) == 1, f"expected one .deb, found {debs}"
    for line in result.stdout.splitlines():
        if line.startswith(("build_app: bundle", "build_deb: ")):
            print(line)
    yield debs[0]
