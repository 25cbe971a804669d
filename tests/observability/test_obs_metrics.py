"""The registry: stable names, bounded labels, values read from the real services."""

from __future__ import annotations

import logging
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from obs_helpers import free_port, read_json_lines
from prometheus_client.parser import text_string_to_metric_families
from timetracker.core.errors import ValidationError
from timetracker.observability.db_timing import statement_operation
from timetracker.observability.exporter import start_exporter
from timetracker.observability.metrics import AppMetrics
from timetracker.observability.telemetry_collector import (
    MAX_LABEL_VALUES,
    TelemetryStatsCollector,
    bounded_counts,
    histogram_buckets,
)

#: Every metric family the app exports (dashboards and alerts rely on these names).
APP_FAMILIES = {
    "timetracker_app_info": "gauge",
    "timetracker_timer_running": "gauge",
    "timetracker_tracked_seconds_today": "gauge",
    "timetracker_entries": "gauge",
    "timetracker_startup_seconds": "gauge",
    "timetracker_db_query_duration_seconds": "histogram",
    "timetracker_backups": "gauge",
    "timetracker_telemetry_events_captured": "counter",
    "timetracker_telemetry_outbox_events": "gauge",
    "timetracker_telemetry_outbox_bytes": "gauge",
    "timetracker_telemetry_events_dropped": "counter",
    "timetracker_telemetry_batches": "counter",
    "timetracker_telemetry_send_duration_seconds": "histogram",
    "timetracker_flags_fetches": "counter",
}


def families(text: bytes | str) -> dict[str, Any]:
    raw = text.decode() if isinstance(text, bytes) else text
    return {family.name: family for family in text_string_to_metric_families(raw)}


def sample(found: dict[str, Any], family: str, name: str | None = None,
           **labels: str) -> float:
    for s in found[family].samples:
        if s.name == (name or family) and all(s.labels.get(k) == v for k, v in labels.items()):
            return float(s.value)
    raise AssertionError(f"no sample {name or family} {labels}")


def test_every_family_is_exported_with_its_type(make_app: Any) -> None:
    app = make_app()
    obs = app.start_observability()
    obs.mark_ready()
    found = families(obs.metrics.exposition())
    for name, kind in APP_FAMILIES.items():
        assert name in found, name
        assert found[name].type == kind, name
    assert sample(found, "timetracker_app_info", deployment_method="source") == 1.0
    assert sample(found, "timetracker_startup_seconds") > 0
    if sys.platform.startswith("linux"):
        assert "process_resident_memory_bytes" in found
    assert "python_info" in found


def test_domain_gauges_follow_the_services(make_app: Any) -> None:
    now = [int(time.time())]
    app = make_app(clock=lambda: now[0])
    obs = app.start_observability()
    found = families(obs.metrics.exposition())
    assert sample(found, "timetracker_timer_running") == 0
    assert sample(found, "timetracker_entries") == 0
    assert sample(found, "timetracker_tracked_seconds_today") == 0

    app.entries.add(now[0] - 600, now[0] - 300)
    app.entries.start()
    now[0] += 100
    found = families(obs.metrics.exposition())
    assert sample(found, "timetracker_timer_running") == 1
    assert sample(found, "timetracker_entries") == 2
    # 300 s finished + 100 s running, unless the test straddles local midnight
    assert sample(found, "timetracker_tracked_seconds_today") in (400, 100, 0) or \
        sample(found, "timetracker_tracked_seconds_today") <= 400

    app.entries.stop()
    app.backups.create("manual")
    found = families(obs.metrics.exposition())
    assert sample(found, "timetracker_timer_running") == 0
    assert sample(found, "timetracker_backups", reason="manual") >= 1
    labels = {s.labels["reason"] for s in found["timetracker_backups"].samples}
    assert labels <= {"manual", "daily", "pre-migration", "pre-restore", "pre-import"}
    assert sample(found, "timetracker_backup_newest_timestamp_seconds") == \
        pytest.approx(time.time(), abs=60)


def test_tracked_today_exact(make_app: Any) -> None:
    # Noon UTC on a fixed day, in a UTC settings zone: 300 s done + 100 s running.
    noon = 1_750_000_000 - 1_750_000_000 % 86400 + 43200
    now = [noon]
    app = make_app({"TZ": "UTC"}, clock=lambda: now[0])
    app.config.set("timezone", "UTC")
    obs = app.start_observability()
    app.entries.add(noon - 600, noon - 300)
    app.entries.start()
    now[0] += 100
    found = families(obs.metrics.exposition())
    assert sample(found, "timetracker_tracked_seconds_today") == 400


def test_db_queries_are_timed_by_operation(make_app: Any) -> None:
    app = make_app()
    obs = app.start_observability()
    assert obs.metrics  # the registry exists (as when the exporter runs): timing starts
    app.entries.add(int(time.time()) - 60, int(time.time()) - 30)
    found = families(obs.metrics.exposition())
    family = "timetracker_db_query_duration_seconds"
    assert sample(found, family, f"{family}_count", operation="insert") >= 1
    assert sample(found, family, f"{family}_count", operation="select") >= 1
    operations = {s.labels["operation"] for s in found[family].samples}
    assert operations == {"select", "insert", "update", "delete", "pragma", "other"}


def test_db_opened_before_observability_is_timed_too(make_app: Any) -> None:
    app = make_app()
    app.entries.count()
    obs = app.start_observability()
    assert obs.metrics
    app.entries.count()
    family = "timetracker_db_query_duration_seconds"
    found = families(obs.metrics.exposition())
    assert sample(found, family, f"{family}_count", operation="select") >= 1


@pytest.mark.parametrize(("sql", "operation"), [
    ("SELECT 1", "select"), ("  insert into t values (1)", "insert"),
    ("UPDATE t SET a=1", "update"), ("DELETE FROM t", "delete"), ("PRAGMA foo", "pragma"),
    ("WITH x AS (SELECT 1) SELECT * FROM x", "select"),
    ("WITH x AS (SELECT 1)\nINSERT INTO t SELECT * FROM x", "insert"),
    ("CREATE TABLE t (a)", "other"), ("", "other"),
])
def test_statement_operation(sql: str, operation: str) -> None:
    assert statement_operation(sql) == operation


def test_telemetry_stats_shape(make_app: Any) -> None:
    stats = {
        "captured": {"basic": 12, "full": 3},
        "outbox_depth": 4, "outbox_bytes": 2048,
        "dropped": {"invalid": 1, "outbox_full": 2},
        "batches": {"success": 5, "failure": 1},
        "send_duration_seconds": {"count": 6, "sum": 1.7,
                                  "buckets": {0.1: 2, 0.5: 5, 1.0: 6}},
        "flags_fetches": {"success": 2, "failure": 1},
    }
    metrics = AppMetrics("1", "source", "development", process_metrics=False)
    metrics.track_telemetry(lambda: stats)
    found = families(metrics.exposition())
    assert sample(found, "timetracker_telemetry_events_captured",
                  "timetracker_telemetry_events_captured_total", level="basic") == 12
    assert sample(found, "timetracker_telemetry_outbox_events") == 4
    assert sample(found, "timetracker_telemetry_outbox_bytes") == 2048
    assert sample(found, "timetracker_telemetry_events_dropped",
                  "timetracker_telemetry_events_dropped_total", reason="outbox_full") == 2
    assert sample(found, "timetracker_telemetry_batches",
                  "timetracker_telemetry_batches_total", result="failure") == 1
    hist = "timetracker_telemetry_send_duration_seconds"
    assert sample(found, hist, f"{hist}_bucket", le="0.5") == 5
    assert sample(found, hist, f"{hist}_bucket", le="+Inf") == 6
    assert sample(found, hist, f"{hist}_sum") == pytest.approx(1.7)
    assert sample(found, "timetracker_flags_fetches", "timetracker_flags_fetches_total",
                  result="success") == 2


def test_telemetry_durations_as_a_list() -> None:
    buckets, total = histogram_buckets([0.04, 0.2, 3.0])
    assert dict(buckets)["0.05"] == 1
    assert dict(buckets)["0.25"] == 2
    assert dict(buckets)["+Inf"] == 3
    assert total == pytest.approx(3.24)


@pytest.mark.parametrize("bad", [None, {}, {"captured": "lots", "outbox_depth": "x",
                                           "send_duration_seconds": {"buckets": {"x": 1}}}])
def test_missing_or_bad_stats_read_as_zero(bad: Any) -> None:
    metrics = AppMetrics("1", "source", "development", process_metrics=False)
    metrics.track_telemetry(lambda: bad)
    found = families(metrics.exposition())
    assert sample(found, "timetracker_telemetry_outbox_events") == 0
    assert sample(found, "timetracker_telemetry_batches", "timetracker_telemetry_batches_total",
                  result="success") == 0


def test_failing_stats_source_does_not_break_the_scrape(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> dict[str, int]:
        raise RuntimeError("outbox locked")

    collector = TelemetryStatsCollector(broken)
    with caplog.at_level(logging.WARNING):
        names = [family.name for family in collector.collect()]
    assert "timetracker_telemetry_outbox_events" in names
    assert any(r.__dict__.get("event") == "metrics.telemetry_stats_failed" for r in caplog.records)


def test_label_values_are_bounded() -> None:
    raw = {f"reason_{i}": 1 for i in range(50)} | {"Has Spaces": 2, "user@example.org": 3}
    counts = bounded_counts(raw, ("invalid",))
    assert len(counts) <= MAX_LABEL_VALUES + 1
    assert sum(counts.values()) == 55
    assert "other" in counts
    assert all(" " not in k and "@" not in k for k in counts)


def test_exporter_serves_on_loopback_only() -> None:
    metrics = AppMetrics("1", "source", "development", process_metrics=False)
    exporter = start_exporter(metrics.registry, 0)
    try:
        assert exporter.server.server_address[0] == "127.0.0.1"
        body = urllib.request.urlopen(exporter.url, timeout=5).read()
        assert b"timetracker_app_info" in body
    finally:
        exporter.stop()
    with pytest.raises(ValidationError):
        start_exporter(metrics.registry, 0, host="0.0.0.0")
    with pytest.raises(ValidationError):
        start_exporter(metrics.registry, 70000)


def test_exporter_off_by_default(make_app: Any) -> None:
    obs = make_app().start_observability()
    assert obs.exporter is None


def test_exporter_on_with_environment_port(make_app: Any) -> None:
    port = free_port()
    app = make_app({"TIMETRACKER_METRICS_PORT": str(port)})
    obs = app.start_observability()
    assert obs.exporter is not None and obs.exporter.port == port
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    assert b"timetracker_timer_running 0.0" in body
    app.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_port_in_use_is_logged_not_fatal(make_app: Any, home: Path) -> None:
    first = make_app().start_observability()
    taken = first.start_exporter(0)
    assert taken is not None
    second_app = make_app({"TIMETRACKER_METRICS_PORT": str(taken.port)})
    second = second_app.start_observability()
    assert second.exporter is None
    second_app.close()
    lines = read_json_lines(home / "logs" / "timetracker.log")
    assert any(line["event"] == "metrics.exporter_failed" for line in lines)


def test_start_is_once_per_run(make_app: Any) -> None:
    app = make_app()
    first = app.start_observability()
    handlers = list(logging.getLogger().handlers)
    assert app.start_observability() is first
    assert logging.getLogger().handlers == handlers


def test_telemetry_pipeline_numbers_reach_the_exporter(make_app: Any) -> None:
    """End to end with the real telemetry service: a domain event is captured into the outbox
    and the exporter shows it (no network: no analytics host is configured)."""
    app = make_app({"TIMETRACKER_TELEMETRY": "full"})
    obs = app.start_observability()
    app.entries.start()
    app.entries.stop()
    found = families(obs.metrics.exposition())
    captured = sample(found, "timetracker_telemetry_events_captured",
                      "timetracker_telemetry_events_captured_total", level="full")
    assert captured >= 2
    assert sample(found, "timetracker_telemetry_outbox_events") >= 2
    assert sample(found, "timetracker_telemetry_outbox_bytes") > 0


def test_registry_is_built_only_when_needed(make_app: Any) -> None:
    app = make_app()
    obs = app.start_observability()
    app.entries.count()
    assert "metrics" not in obs.__dict__  # exporter off: nothing to export, nothing built
    found = families(obs.metrics.exposition())  # first use wires the App's sources
    assert sample(found, "timetracker_entries") == 0
