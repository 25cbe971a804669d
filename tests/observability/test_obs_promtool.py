"""Prometheus config and alert rules, checked and unit-tested with the real promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from obs_helpers import MONITORING, require_tool

PROM = MONITORING / "prometheus"
RULE_FILE = PROM / "rules" / "timetracker.rules.yml"
RULE_TESTS = PROM / "tests" / "timetracker.rules.test.yml"
REQUIRED_ALERTS = {"TimeTrackerExporterDown", "TimeTrackerOutboxBacklogGrowing",
                   "TimeTrackerTelemetrySendsFailing", "TimeTrackerTelemetryEventsDropped"}


def promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess[str]:
    return subprocess.run([require_tool("promtool"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_check_config() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout + result.stderr


def test_check_rules() -> None:
    result = promtool("check", "rules", str(RULE_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(REQUIRED_ALERTS)} rules found" in result.stdout + result.stderr


def test_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rule_unit_tests_can_fail(tmp_path: Path) -> None:
    """The same runner reports a wrong expectation (so the passing run above means something)."""
    tests = yaml.safe_load(RULE_TESTS.read_text())
    tests["rule_files"] = [str(RULE_FILE)]
    for case in tests["tests"]:
        for check in case["alert_rule_test"]:
            if check["exp_alerts"]:
                check["exp_alerts"][0]["exp_labels"]["severity"] = "page"
    broken = tmp_path / "broken.test.yml"
    broken.write_text(yaml.safe_dump(tests))
    result = promtool("test", "rules", str(broken))
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_test() -> None:
    rules = yaml.safe_load(RULE_FILE.read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]
              if "alert" in rule}
    assert alerts == REQUIRED_ALERTS
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for check in case["alert_rule_test"]:
            (fires if check["exp_alerts"] else quiet).add(check["alertname"])
    assert fires == alerts, alerts - fires
    assert quiet == alerts, alerts - quiet


def test_alerts_have_severity_and_text() -> None:
    rules = yaml.safe_load(RULE_FILE.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"info", "warning", "critical"}, rule["alert"]
            assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_invalid_rule_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: up ==\n")
    result = promtool("check", "rules", str(bad))
    assert result.returncode != 0
