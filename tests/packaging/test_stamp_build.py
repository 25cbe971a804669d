"""packaging/stamp_build.py: version, deployment method and (release only) the analytics key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from pkg_helpers import PACKAGING, REPO

SCRIPT = PACKAGING / "stamp_build.py"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
REAL_LOOKING_KEY = "phc_" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7" * 2


def run_stamp(*args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TIMETRACKER_POSTHOG")}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=60)


def stamped_values(out: Path) -> dict[str, str]:
    """Import the stamped build_info in a fresh interpreter, as the app would."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from timetracker import build_info as b; print(json.dumps({n: getattr(b, n) for n "
            "in ('VERSION','DEPLOYMENT_METHOD','ENVIRONMENT','POSTHOG_API_KEY','POSTHOG_HOST',"
            "'APP_NAME')}))")
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True,
                            text=True, check=True, env={"PATH": os.environ.get("PATH", "")})
    return dict(json.loads(result.stdout))


def test_dev_build_gets_a_dev_version_and_never_a_key(tmp_path: Path) -> None:
    result = run_stamp("--deployment-method", "deb", "--dev-number", "42", "--commit",
                       "1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B", "--output", str(tmp_path),
                       env={"TIMETRACKER_POSTHOG_API_KEY": REAL_LOOKING_KEY})
    assert result.returncode == 0, result.stderr
    values = stamped_values(tmp_path)
    assert values == {"VERSION": f"{VERSION}.dev42+g1a2b3c4", "DEPLOYMENT_METHOD": "deb",
                      "ENVIRONMENT": "development", "POSTHOG_API_KEY": "",
                      "POSTHOG_HOST": "", "APP_NAME": "TimeTracker"}
    # the checkout itself is untouched: only the copy was stamped
    assert 'DEPLOYMENT_METHOD = "source"' in (
        REPO / "desktop/timetracker/build_info.py").read_text()


def test_release_build_embeds_key_and_host_from_the_environment(tmp_path: Path) -> None:
    result = run_stamp("--deployment-method", "exe", "--release-tag", f"v{VERSION}",
                       "--output", str(tmp_path),
                       env={"TIMETRACKER_POSTHOG_API_KEY": REAL_LOOKING_KEY,
                            "TIMETRACKER_POSTHOG_HOST": "https://eu.i.posthog.com/"})
    assert result.returncode == 0, result.stderr
    values = stamped_values(tmp_path)
    assert values["VERSION"] == VERSION and values["ENVIRONMENT"] == "production"
    assert values["POSTHOG_API_KEY"] == REAL_LOOKING_KEY
    assert values["POSTHOG_HOST"] == "https://eu.i.posthog.com"
    assert REAL_LOOKING_KEY not in result.stdout + result.stderr  # never echoed into CI logs


@pytest.mark.parametrize("key", ["", "   ", "phc_placeholder", "phc_xxxxxxxxxxxxxxxxxxxxxxxx",
                                 "${{ secrets.POSTHOG_API_KEY }}", "CHANGEME", "phc_short"])
def test_release_fails_without_a_real_key(tmp_path: Path, key: str) -> None:
    result = run_stamp("--deployment-method", "deb", "--release-tag", f"v{VERSION}",
                       "--output", str(tmp_path), env={"TIMETRACKER_POSTHOG_API_KEY": key})
    assert result.returncode == 2
    assert "TIMETRACKER_POSTHOG_API_KEY" in result.stderr
    assert not (tmp_path / "timetracker").exists()  # nothing half-written


def test_release_tag_must_match_the_project_version(tmp_path: Path) -> None:
    result = run_stamp("--deployment-method", "deb", "--release-tag", "v99.0.0", "--output",
                       str(tmp_path), env={"TIMETRACKER_POSTHOG_API_KEY": REAL_LOOKING_KEY})
    assert result.returncode == 2
    assert "v99.0.0" in result.stderr and VERSION in result.stderr
    bad = run_stamp("--deployment-method", "deb", "--release-tag", "v1.2", "--output",
                    str(tmp_path), env={"TIMETRACKER_POSTHOG_API_KEY": REAL_LOOKING_KEY})
    assert bad.returncode == 2 and "vX.Y.Z" in bad.stderr


def test_release_host_must_be_https(tmp_path: Path) -> None:
    result = run_stamp("--deployment-method", "deb", "--release-tag", f"v{VERSION}",
                       "--output", str(tmp_path),
                       env={"TIMETRACKER_POSTHOG_API_KEY": REAL_LOOKING_KEY,
                            "TIMETRACKER_POSTHOG_HOST": "http://insecure.example"})
    assert result.returncode == 2 and "https://" in result.stderr


def test_dev_build_needs_number_and_commit(tmp_path: Path) -> None:
    result = run_stamp("--deployment-method", "deb", "--dev-number", "3", "--output",
                       str(tmp_path))
    assert result.returncode == 2 and "--commit" in result.stderr
    result = run_stamp("--deployment-method", "deb", "--dev-number", "3", "--commit",
                       "not-a-sha", "--output", str(tmp_path))
    assert result.returncode == 2 and "not-a-sha" in result.stderr


def test_in_place_stamp_rewrites_only_the_owned_constants(tmp_path: Path,
                                                          stamp_build: ModuleType) -> None:
    package = tmp_path / "src" / "timetracker"
    package.mkdir(parents=True)
    original = (REPO / "desktop/timetracker/build_info.py").read_text()
    (package / "build_info.py").write_text(original)
    result = run_stamp("--deployment-method", "dmg", "--source", str(tmp_path / "src"),
                       "--in-place")
    assert result.returncode == 0, result.stderr
    stamped = (package / "build_info.py").read_text()
    assert 'DEPLOYMENT_METHOD = "dmg"' in stamped
    changed = [a for a, b in zip(original.splitlines(), stamped.splitlines(), strict=True)
               if a != b]
    assert 'DEPLOYMENT_METHOD = "source"' in changed
    # docstring, comments and APP_* are kept; only the constants the script owns change
    assert all(line.split(" =")[0] in stamp_build.FIELDS for line in changed), changed
    assert not list(package.glob("*.stamping"))


def test_a_build_info_missing_a_field_is_refused_untouched(tmp_path: Path) -> None:
    package = tmp_path / "timetracker"
    package.mkdir()
    broken = 'VERSION = "0.1.0"\nDEPLOYMENT_METHOD = "source"\nENVIRONMENT = "development"\n'
    (package / "build_info.py").write_text(broken)
    result = run_stamp("--deployment-method", "deb", "--source", str(tmp_path), "--in-place")
    assert result.returncode == 2
    assert str(package / "build_info.py") in result.stderr and "POSTHOG_API_KEY" in result.stderr
    assert (package / "build_info.py").read_text() == broken


def test_version_helpers(stamp_build: ModuleType) -> None:
    assert stamp_build.dev_version("1.4.0", 0, "abcdef0123") == "1.4.0.dev0+gabcdef0"
    assert stamp_build.release_version("refs/tags/v1.4.0", "1.4.0") == "1.4.0"
    with pytest.raises(stamp_build.StampError, match=r"X\.Y\.Z"):
        stamp_build.dev_version("1.4", 1, "abcdef0")
