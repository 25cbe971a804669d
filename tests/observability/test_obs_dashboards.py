"""Grafana provisioning and dashboards: fixed uids, known datasources, generated files."""

from __future__ import annotations

import importlib.util
import json
import re
from typing import Any

import yaml
from obs_helpers import MONITORING

GRAFANA = MONITORING / "grafana"
EXPECTED = {
    "timetracker-app": "TimeTracker — app",
    "timetracker-telemetry": "TimeTracker — telemetry pipeline",
    "timetracker-logs": "TimeTracker — logs",
}


def boards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((GRAFANA / "dashboards").glob("*.json"))}


def datasources() -> dict[str, dict[str, Any]]:
    provisioning = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "datasources.yml").read_text())
    return {source["uid"]: source for source in provisioning["datasources"]}


def test_datasources_have_fixed_uids() -> None:
    sources = datasources()
    assert sources["prometheus"]["type"] == "prometheus"
    assert sources["prometheus"]["url"] == "http://127.0.0.1:9090"
    assert sources["loki"]["type"] == "loki"
    assert sources["loki"]["url"] == "http://127.0.0.1:3100"


def test_dashboards_have_fixed_uids_and_titles() -> None:
    found = {board["uid"]: board["title"] for board in boards().values()}
    assert found == EXPECTED


def test_committed_dashboards_match_the_generator() -> None:
    spec = importlib.util.spec_from_file_location("generate_dashboards",
                                                  GRAFANA / "generate_dashboards.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, text in module.render().items():
        committed = (GRAFANA / "dashboards" / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is stale: run monitoring/grafana/generate_dashboards.py"


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for panel in panels:
        out.append(panel)
        out.extend(_panels(panel.get("panels", [])))
    return out


def test_panels_use_provisioned_datasources_and_unique_ids() -> None:
    sources = datasources()
    for name, board in boards().items():
        panels = _panels(board["panels"])
        assert panels, name
        ids = [panel["id"] for panel in panels]
        assert len(ids) == len(set(ids)), name
        for panel in panels:
            for target in panel["targets"]:
                source = target.get("datasource") or panel["datasource"]
                assert source["uid"] in sources, (name, panel["title"])
                assert sources[source["uid"]]["type"] == source["type"]
                assert target["expr"].strip(), (name, panel["title"])
            grid = panel["gridPos"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, (name, panel["title"])


def test_logs_dashboard_uses_only_bounded_labels() -> None:
    """LogQL stream selectors may only use the labels the shippers set."""
    board = boards()["timetracker-logs.json"]
    for panel in _panels(board["panels"]):
        for target in panel["targets"]:
            for selector in re.findall(r"\{([^{}]*)\}", target["expr"].split("|")[0]):
                labels = set(re.findall(r"(\w+)\s*(?:=~|!=|!~|=)", selector))
                assert labels <= {"app", "level"}, (panel["title"], labels)


def test_provider_path_matches_the_image() -> None:
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    dockerfile = (MONITORING / "images" / "grafana" / "Dockerfile").read_text()
    assert re.search(rf"^COPY\s+grafana/dashboards/\s+{re.escape(path)}/?\s*$", dockerfile,
                     re.MULTILINE), path
