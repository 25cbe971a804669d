"""Writes the Grafana dashboards in ./dashboards/ from the definitions below.

The JSON files are committed (Grafana provisioning and the images read them); edit this script
and run ``python monitoring/grafana/generate_dashboards.py`` to change them. A test checks the
committed files equal this script's output, and evaluates every PromQL expression against a
real Prometheus scraping the app's exporter.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
SEL = 'job="timetracker", instance=~"$instance"'


def _instance_variable() -> dict[str, Any]:
    return {
        "name": "instance", "label": "Instance", "type": "query", "datasource": PROMETHEUS,
        "query": {"query": "label_values(timetracker_app_info, instance)", "refId": "instance"},
        "definition": "label_values(timetracker_app_info, instance)",
        "includeAll": True, "allValue": ".*", "multi": False, "refresh": 2,
        "current": {"selected": True, "text": "All", "value": "$__all"},
        "options": [], "sort": 1, "hide": 0,
    }


class Board:
    def __init__(self, uid: str, title: str, description: str, tags: list[str]) -> None:
        self.uid, self.title, self.description, self.tags = uid, title, description, tags
        self.panels: list[dict[str, Any]] = []
        self._x = 0
        self._y = 0
        self._row_h = 0
        self.variables: list[dict[str, Any]] = []

    def _place(self, w: int, h: int) -> dict[str, int]:
        if self._x + w > 24:
            self._x, self._y, self._row_h = 0, self._y + self._row_h, 0
        pos = {"x": self._x, "y": self._y, "w": w, "h": h}
        self._x += w
        self._row_h = max(self._row_h, h)
        return pos

    def panel(self, kind: str, title: str, targets: list[tuple[str, str]], *, w: int = 12,
              h: int = 8, unit: str | None = None, datasource: dict[str, str] = PROMETHEUS,
              description: str = "", options: dict[str, Any] | None = None,
              instant: bool = False) -> None:
        panel_id = len(self.panels) + 1
        query_targets = []
        for index, (expr, legend) in enumerate(targets):
            target: dict[str, Any] = {"refId": chr(ord("A") + index), "expr": expr,
                                      "datasource": datasource}
            if legend:
                target["legendFormat"] = legend
            if instant:
                target["instant"] = True
                target["range"] = False
            query_targets.append(target)
        defaults: dict[str, Any] = {}
        if unit:
            defaults["unit"] = unit
        panel: dict[str, Any] = {
            "id": panel_id, "type": kind, "title": title, "description": description,
            "datasource": datasource, "gridPos": self._place(w, h), "targets": query_targets,
            "fieldConfig": {"defaults": defaults, "overrides": []},
        }
        if options:
            panel["options"] = options
        self.panels.append(panel)

    def json(self) -> dict[str, Any]:
        return {
            "uid": self.uid, "title": self.title, "description": self.description,
            "tags": self.tags, "timezone": "browser", "schemaVersion": 39, "version": 1,
            "editable": True, "graphTooltip": 1, "refresh": "30s",
            "time": {"from": "now-6h", "to": "now"},
            "templating": {"list": self.variables}, "annotations": {"list": []},
            "links": [], "panels": self.panels,
        }


def app_dashboard() -> Board:
    b = Board("timetracker-app", "TimeTracker — app",
              "Usage and health of a TimeTracker Desktop install (its loopback exporter).",
              ["timetracker"])
    b.variables.append(_instance_variable())
    b.panel("stat", "Exporter up", [(f'up{{{SEL}}}', "{{instance}}")], w=4, h=4,
            description="1 while Prometheus can scrape the app's exporter.")
    b.panel("stat", "Version", [(f'timetracker_app_info{{{SEL}}}',
                                 "{{version}} ({{deployment_method}})")], w=4, h=4,
            options={"textMode": "name", "reduceOptions": {"calcs": ["lastNotNull"]}})
    b.panel("stat", "Timer running", [(f'max(timetracker_timer_running{{{SEL}}})', "")],
            w=4, h=4)
    b.panel("stat", "Tracked today", [(f'sum(timetracker_tracked_seconds_today{{{SEL}}})', "")],
            w=4, h=4, unit="s")
    b.panel("stat", "Entries", [(f'sum(timetracker_entries{{{SEL}}})', "")], w=4, h=4)
    b.panel("stat", "Startup time", [(f'max(timetracker_startup_seconds{{{SEL}}})', "")],
            w=4, h=4, unit="s")
    b.panel("timeseries", "Tracked seconds today",
            [(f'sum by (instance) (timetracker_tracked_seconds_today{{{SEL}}})',
              "{{instance}}")], unit="s")
    b.panel("timeseries", "Timer running",
            [(f'max by (instance) (timetracker_timer_running{{{SEL}}})', "{{instance}}")])
    b.panel("timeseries", "DB query latency p95 by operation",
            [('histogram_quantile(0.95, sum by (le, operation) '
              f'(rate(timetracker_db_query_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))',
              "{{operation}}")], unit="s")
    b.panel("timeseries", "DB queries per second by operation",
            [('sum by (operation) '
              f'(rate(timetracker_db_query_duration_seconds_count{{{SEL}}}[$__rate_interval]))',
              "{{operation}}")], unit="ops")
    b.panel("bargauge", "Backups kept by reason",
            [(f'sum by (reason) (timetracker_backups{{{SEL}}})', "{{reason}}")], instant=True)
    b.panel("stat", "Newest backup age",
            [(f'time() - max(timetracker_backup_newest_timestamp_seconds{{{SEL}}})', "")],
            unit="s")
    b.panel("timeseries", "Resident memory",
            [(f'process_resident_memory_bytes{{{SEL}}}', "{{instance}}")], unit="bytes",
            description="Process metrics exist where the platform has them (Linux).")
    b.panel("timeseries", "CPU",
            [(f'rate(process_cpu_seconds_total{{{SEL}}}[$__rate_interval])', "{{instance}}")],
            unit="percentunit")
    return b


def telemetry_dashboard() -> Board:
    b = Board("timetracker-telemetry", "TimeTracker — telemetry pipeline",
              "Capture rate, outbox depth, send results and latency of the privacy-first "
              "telemetry pipeline.", ["timetracker", "telemetry"])
    b.variables.append(_instance_variable())
    rate = "[$__rate_interval]"
    b.panel("timeseries", "Events captured per second by level",
            [('sum by (level) '
              f'(rate(timetracker_telemetry_events_captured_total{{{SEL}}}{rate}))',
              "{{level}}")], unit="ops")
    b.panel("timeseries", "Outbox depth",
            [(f'sum by (instance) (timetracker_telemetry_outbox_events{{{SEL}}})',
              "{{instance}}")])
    b.panel("timeseries", "Outbox size",
            [(f'sum by (instance) (timetracker_telemetry_outbox_bytes{{{SEL}}})',
              "{{instance}}")], unit="bytes")
    b.panel("timeseries", "Batches per second by result",
            [(f'sum by (result) (rate(timetracker_telemetry_batches_total{{{SEL}}}{rate}))',
              "{{result}}")], unit="ops")
    b.panel("stat", "Send success ratio",
            [(f'sum(rate(timetracker_telemetry_batches_total{{{SEL}, result="success"}}{rate}))'
              f' / sum(rate(timetracker_telemetry_batches_total{{{SEL}}}{rate}))', "")],
            unit="percentunit", w=6)
    b.panel("stat", "Events dropped (range)",
            [(f'sum(increase(timetracker_telemetry_events_dropped_total{{{SEL}}}[$__range]))',
              "")], w=6)
    b.panel("timeseries", "Send latency",
            [('histogram_quantile(0.5, sum by (le) (rate('
              f'timetracker_telemetry_send_duration_seconds_bucket{{{SEL}}}{rate})))', "p50"),
             ('histogram_quantile(0.95, sum by (le) (rate('
              f'timetracker_telemetry_send_duration_seconds_bucket{{{SEL}}}{rate})))', "p95")],
            unit="s")
    b.panel("timeseries", "Events dropped by reason",
            [('sum by (reason) '
              f'(increase(timetracker_telemetry_events_dropped_total{{{SEL}}}{rate}))',
              "{{reason}}")])
    b.panel("timeseries", "Flag fetches by result",
            [(f'sum by (result) (increase(timetracker_flags_fetches_total{{{SEL}}}{rate}))',
              "{{result}}")])
    return b


def logs_dashboard() -> Board:
    b = Board("timetracker-logs", "TimeTracker — logs",
              "The app's JSON log lines shipped to Loki: error rate and recent errors.",
              ["timetracker", "logs"])
    stream = '{app="timetracker"}'
    errors = '{app="timetracker", level=~"ERROR|CRITICAL"}'
    b.panel("timeseries", "Error rate", [
        (f'sum by (level) (count_over_time({errors} [$__interval]))', "{{level}}")],
        datasource=LOKI, unit="short")
    b.panel("timeseries", "Log lines by level", [
        (f'sum by (level) (count_over_time({stream} [$__interval]))', "{{level}}")],
        datasource=LOKI)
    b.panel("table", "Top events", [
        (f'topk(10, sum by (event) (count_over_time({stream} | json event=\"event\" [$__range])))',
         "{{event}}")], datasource=LOKI, instant=True, w=8)
    b.panel("logs", "Recent errors", [
        (f'{errors} | json | line_format "{{{{.logger}}}} {{{{.event}}}}: {{{{.message}}}}"',
         "")], datasource=LOKI, w=16, h=12,
        options={"showTime": True, "sortOrder": "Descending", "wrapLogMessage": True})
    b.panel("logs", "All lines", [(stream, "")], datasource=LOKI, w=24, h=12,
            options={"showTime": True, "sortOrder": "Descending"})
    return b


BOARDS = {
    "timetracker-app.json": app_dashboard,
    "timetracker-telemetry.json": telemetry_dashboard,
    "timetracker-logs.json": logs_dashboard,
}


def render() -> dict[str, str]:
    return {name: json.dumps(build().json(), indent=2, ensure_ascii=False) + "\n"
            for name, build in BOARDS.items()}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
