"""A real Prometheus on loopback scraping the app's exporter running in its own process.

Every PromQL expression of every dashboard and alert rule is evaluated through Prometheus'
HTTP API: each must parse; the dashboard ones must return data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from obs_helpers import MONITORING, REPO, free_port, require_tool

pytestmark = pytest.mark.slow

DASHBOARDS = MONITORING / "grafana" / "dashboards"
RULES = MONITORING / "prometheus" / "rules"
#: Grafana variables, replaced by values that fit the test's 1 s scrape interval.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m",
                "$instance": ".*"}


def dashboard_queries(datasource_type: str) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in _panels(board.get("panels", [])):
            for target in panel.get("targets", []):
                source = target.get("datasource") or panel.get("datasource") or {}
                if source.get("type") == datasource_type and target.get("expr"):
                    found.append((path.name, panel["title"], target["expr"]))
        for variable in board.get("templating", {}).get("list", []):
            query = variable.get("query")
            text = query.get("query") if isinstance(query, dict) else query
            if variable.get("datasource", {}).get("type") == datasource_type and text:
                found.append((path.name, f"variable {variable['name']}", text))
    return found


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def rule_expressions() -> list[tuple[str, str]]:
    found = []
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                found.append((rule.get("alert") or rule.get("record"), rule["expr"]))
    return found


def substitute(expr: str) -> str:
    for name, value in sorted(GRAFANA_VARS.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace(name, value)
    return expr


def as_promql(expr: str) -> str:
    """``label_values(metric, label)`` (a Grafana variable query) as plain PromQL."""
    if expr.startswith("label_values("):
        metric = expr[len("label_values("):].rsplit(",", 1)[0]
        return metric
    return expr


@dataclass
class Stack:
    prometheus: str
    exporter_port: int
    log_dir: Path

    def api(self, path: str, **params: str) -> dict[str, Any]:
        url = f"{self.prometheus}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            return dict(json.loads(exc.read()))

    def query(self, expr: str) -> dict[str, Any]:
        return self.api("/api/v1/query", query=expr)


def _seed(home: Path) -> None:
    from timetracker.app import App
    from timetracker.core.paths import AppPaths

    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home)})
    try:
        now = int(time.time())
        app.entries.add(now - 900, now - 300)
        app.entries.start()
        app.backups.create("manual")
    finally:
        app.close()


def _read_line(stream: Any, timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    prometheus_bin = require_tool("prometheus")
    base = tmp_path_factory.mktemp("prom-live")
    home = base / "home"
    home.mkdir()
    _seed(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETRACKER_")}
    env.update(TIMETRACKER_HOME=str(home), PYTHONPATH=str(REPO / "desktop"), TZ="UTC")
    exporter = subprocess.Popen(
        [sys.executable, "-m", "timetracker", "metrics", "serve", "--port", "0",
         "--duration", "600"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prometheus: subprocess.Popen[bytes] | None = None
    try:
        line = _read_line(exporter.stdout, 60)
        assert line.startswith("serving http://127.0.0.1:"), (line, exporter.poll())
        port = int(line.rsplit(":", 1)[1].split("/", 1)[0])

        config = yaml.safe_load((MONITORING / "prometheus" / "prometheus.yml").read_text())
        config["global"]["scrape_interval"] = "1s"
        config["global"]["evaluation_interval"] = "1s"
        config["rule_files"] = [str(RULES / "*.yml")]
        web_port = free_port()
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        jobs["timetracker"]["scrape_interval"] = "1s"
        jobs["timetracker"]["scrape_timeout"] = "1s"
        jobs["timetracker"]["static_configs"][0]["targets"] = [f"127.0.0.1:{port}"]
        jobs["prometheus"]["static_configs"][0]["targets"] = [f"127.0.0.1:{web_port}"]
        config_file = base / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(config))
        log = (base / "prometheus.log").open("wb")
        prometheus = subprocess.Popen(
            [prometheus_bin, f"--config.file={config_file}",
             f"--storage.tsdb.path={base / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{web_port}"],
            stdout=log, stderr=subprocess.STDOUT)
        result = Stack(f"http://127.0.0.1:{web_port}", port, home / "logs")

        def ready() -> bool:
            try:
                return urllib.request.urlopen(f"{result.prometheus}/-/ready",
                                              timeout=2).status == 200
            except OSError:
                return False

        _wait(ready, 60, "prometheus to be ready")

        def scraped_enough() -> bool:
            data = result.query('count_over_time(up{job="timetracker"}[1m])')["data"]["result"]
            return bool(data) and float(data[0]["value"][1]) >= 6

        _wait(scraped_enough, 60, "six scrapes of the exporter")

        def rules_evaluated() -> bool:
            groups = result.api("/api/v1/rules")["data"]["groups"]
            return bool(groups) and all(rule.get("lastEvaluation", "").startswith("20")
                                        for g in groups for rule in g["rules"])

        _wait(rules_evaluated, 30, "alert rules to be evaluated")
        yield result
    finally:
        for process in (prometheus, exporter):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_exporter_target_is_up(stack: Stack) -> None:
    targets = stack.api("/api/v1/targets")["data"]["activeTargets"]
    ours = [t for t in targets if t["labels"]["job"] == "timetracker"]
    assert len(ours) == 1 and ours[0]["health"] == "up", ours
    up = stack.query('up{job="timetracker"}')["data"]["result"]
    assert up[0]["value"][1] == "1"


def test_app_values_arrive_in_prometheus(stack: Stack) -> None:
    running = stack.query('timetracker_timer_running{job="timetracker"}')["data"]["result"]
    assert running[0]["value"][1] == "1"
    entries = stack.query('timetracker_entries{job="timetracker"}')["data"]["result"]
    assert entries[0]["value"][1] == "2"
    info = stack.query("timetracker_app_info")["data"]["result"][0]["metric"]
    assert info["deployment_method"] == "source" and info["version"]


@pytest.mark.parametrize(("board", "title", "expr"), dashboard_queries("prometheus"),
                         ids=lambda v: str(v)[:60])
def test_dashboard_expression_returns_data(stack: Stack, board: str, title: str,
                                           expr: str) -> None:
    answer = stack.query(substitute(as_promql(expr)))
    assert answer["status"] == "success", (board, title, answer.get("error"))
    assert answer["data"]["result"], f"{board} / {title}: no data for {expr}"


@pytest.mark.parametrize(("name", "expr"), rule_expressions(), ids=lambda v: str(v)[:40])
def test_rule_expression_parses(stack: Stack, name: str, expr: str) -> None:
    answer = stack.query(expr)
    assert answer["status"] == "success", (name, answer.get("error"))
    assert answer["data"]["resultType"] == "vector"


def test_rules_loaded_and_healthy(stack: Stack) -> None:
    groups = stack.api("/api/v1/rules")["data"]["groups"]
    rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert set(rules) == {name for name, _ in rule_expressions()}
    for name, rule in rules.items():
        assert rule["health"] == "ok", (name, rule.get("lastError"))
    assert rules["TimeTrackerExporterDown"]["state"] == "inactive"


def test_every_dashboard_and_rule_metric_is_exported(stack: Stack) -> None:
    """Names used by dashboards/rules exist in the scrape (catches a renamed metric)."""
    import re

    exported = {r["metric"]["__name__"] for r in stack.query(
        '{job="timetracker"}')["data"]["result"]}
    used: set[str] = set()
    exprs = [e for _, _, e in dashboard_queries("prometheus")] + \
        [e for _, e in rule_expressions()]
    for expr in exprs:
        used |= set(re.findall(r"\b((?:timetracker|process)_[a-z_]+)", expr))
    assert used, "no metric names found"
    assert used <= exported, used - exported
