"""Alloy and Promtail configs against real lines the app wrote.

Each config's pipeline is applied here the way the config says (file path, JSON expressions,
timestamp layout, labels, dropped labels) to lines written by the real app, so a change to the
app's log format or to a shipper config that breaks shipping fails this test.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from obs_helpers import MONITORING, REPO
from timetracker.observability.logs import LOG_FILE_NAME

LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
#: Labels a stream may carry: everything else (ids, messages, events) must not be a label.
ALLOWED_LABELS = {"app", "level"}


@dataclass
class Pipeline:
    path: str
    static_labels: dict[str, str]
    expressions: dict[str, str]
    timestamp_source: str
    timestamp_format: str
    labels: set[str]
    structured_metadata: set[str]
    dropped: set[str]
    push_url: str


def _block(text: str, header: str) -> str:
    """The body of ``header { … }`` in an Alloy file (balanced braces)."""
    start = text.index(header)
    opening = text.index("{", start)
    depth = 0
    for index in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[opening + 1:index]
    raise AssertionError(f"unbalanced block {header}")


def _pairs(body: str) -> dict[str, str]:
    return dict(re.findall(r'"?([\w_]+)"?\s*=\s*"([^"]*)"', body))


def alloy_pipeline() -> Pipeline:
    text = (MONITORING / "alloy" / "config.alloy").read_text(encoding="utf-8")
    text = "\n".join(line.split("//", 1)[0] if not line.strip().startswith("url") else line
                     for line in text.splitlines())
    targets = _pairs(_block(text, 'local.file_match "timetracker"'))
    path = targets.pop("__path__")
    process = _block(text, 'loki.process "timetracker"')
    expressions = _pairs(_block(process, "stage.json"))
    timestamp = _pairs(_block(process, "stage.timestamp"))
    labels = set(_pairs(_block(process, "stage.labels")))
    metadata = set(_pairs(_block(process, "stage.structured_metadata")))
    dropped = set(re.findall(r'"([^"]+)"', _block(process, "stage.label_drop")))
    url = re.search(r'url\s*=\s*"([^"]+)"', _block(text, 'loki.write "local"'))
    assert url is not None
    targets.pop("sync_period", None)
    return Pipeline(path, targets, expressions, timestamp["source"], timestamp["format"],
                    labels, metadata, dropped, url.group(1))


def promtail_pipeline() -> Pipeline:
    config = yaml.safe_load((MONITORING / "promtail" / "promtail.yml").read_text())
    (job,) = config["scrape_configs"]
    (static,) = job["static_configs"]
    labels = dict(static["labels"])
    path = labels.pop("__path__")
    stages: dict[str, Any] = {}
    for stage in job["pipeline_stages"]:
        stages.update(stage)
    return Pipeline(
        path, labels, stages["json"]["expressions"], stages["timestamp"]["source"],
        stages["timestamp"]["format"], set(stages["labels"]),
        set(stages["structured_metadata"]), set(stages["labeldrop"]),
        config["clients"][0]["url"])


_GO_TOKENS = [
    ("2006", r"(?P<Y>\d{4})"), ("01", r"(?P<m>\d{2})"), ("02", r"(?P<d>\d{2})"),
    ("15", r"(?P<H>\d{2})"), ("04", r"(?P<M>\d{2})"), ("05", r"(?P<S>\d{2})"),
    (".000", r"\.(?P<ms>\d{3})"), ("Z07:00", r"(?P<tz>Z|[+-]\d{2}:\d{2})"),
]


def parse_go_time(layout: str, value: str) -> datetime:
    """Parse ``value`` with a Go reference-time ``layout`` (the subset our configs use)."""
    pattern = ""
    rest = layout
    while rest:
        for token, regex in _GO_TOKENS:
            if rest.startswith(token):
                pattern += regex
                rest = rest[len(token):]
                break
        else:  # anything that is not a Go layout element is a literal
            pattern += re.escape(rest[0])
            rest = rest[1:]
    match = re.fullmatch(pattern, value)
    if match is None:
        raise ValueError(f"{value!r} does not match layout {layout!r}")
    parts = match.groupdict()
    tz = parts["tz"]
    offset = timedelta(0) if tz == "Z" else \
        (1 if tz[0] == "+" else -1) * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    naive = datetime(int(parts["Y"]), int(parts["m"]), int(parts["d"]), int(parts["H"]),
                     int(parts["M"]), int(parts["S"]), int(parts["ms"]) * 1000)
    return (naive - offset).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def app_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Lines written by the real app: a CLI process, plus an error logged in-process."""
    home = tmp_path_factory.mktemp("shipper-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETRACKER_")}
    env.update(TIMETRACKER_HOME=str(home), PYTHONPATH=str(REPO / "desktop"),
               TIMETRACKER_LOG_LEVEL="debug")
    result = subprocess.run([sys.executable, "-m", "timetracker", "metrics", "show"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    from timetracker.app import App
    from timetracker.core.paths import AppPaths

    app = App(paths=AppPaths.under(home), environ={"TIMETRACKER_HOME": str(home)})
    app.start_observability("gui")
    log = logging.getLogger("timetracker.ui.window")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("unexpected failure", extra={"event": "ui.unhandled_error"})
    log.warning("low disk space", extra={"event": "backup.skipped", "reason": "disk_full"})
    app.close()
    lines = (home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 3
    return lines


@pytest.fixture(params=["alloy", "promtail"])
def pipeline(request: pytest.FixtureRequest) -> Pipeline:
    return alloy_pipeline() if request.param == "alloy" else promtail_pipeline()


def test_shippers_are_equivalent() -> None:
    assert alloy_pipeline() == promtail_pipeline()


def test_path_matches_the_file_the_app_writes(pipeline: Pipeline) -> None:
    assert Path(pipeline.path).name == LOG_FILE_NAME
    assert Path(pipeline.path).parent.as_posix() == "/var/log/timetracker"


def test_every_line_parses_the_way_the_config_says(pipeline: Pipeline,
                                                   app_lines: list[str]) -> None:
    streams: set[tuple[tuple[str, str], ...]] = set()
    for raw in app_lines:
        line = json.loads(raw)
        extracted = {name: line.get(field) for name, field in pipeline.expressions.items()}
        assert all(value is not None for value in extracted.values()), (extracted, raw)
        stamp = parse_go_time(pipeline.timestamp_format, extracted[pipeline.timestamp_source])
        assert stamp == datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
        assert abs((datetime.now(UTC) - stamp).total_seconds()) < 600
        labels = dict(pipeline.static_labels)
        labels.update({name: str(extracted[name]) for name in pipeline.labels})
        labels["filename"] = pipeline.path  # added by the file source …
        for name in pipeline.dropped:  # … and dropped again
            labels.pop(name, None)
        assert set(labels) <= ALLOWED_LABELS, labels
        assert labels["level"] in LEVELS
        streams.add(tuple(sorted(labels.items())))
    levels = {dict(s)["level"] for s in streams}
    assert {"INFO", "ERROR", "WARNING"} <= levels
    assert len(streams) <= len(LEVELS)


def test_labels_and_metadata_are_bounded(pipeline: Pipeline) -> None:
    assert set(pipeline.static_labels) | pipeline.labels == ALLOWED_LABELS
    assert "filename" in pipeline.dropped
    for unbounded in ("session_id", "message", "timestamp", "app_version"):
        assert unbounded not in pipeline.labels | pipeline.structured_metadata
    loki = yaml.safe_load((MONITORING / "loki" / "loki.yml").read_text())
    assert loki["limits_config"]["max_label_names_per_series"] >= len(ALLOWED_LABELS) + 1
    assert loki["limits_config"]["allow_structured_metadata"] is True


def test_push_url_reaches_loki(pipeline: Pipeline) -> None:
    loki = yaml.safe_load((MONITORING / "loki" / "loki.yml").read_text())
    server = loki["server"]
    assert pipeline.push_url == \
        f"http://{server['http_listen_address']}:{server['http_listen_port']}/loki/api/v1/push"


def test_logs_dashboard_fields_exist_in_lines(app_lines: list[str]) -> None:
    board = json.loads((MONITORING / "grafana" / "dashboards" / "timetracker-logs.json")
                       .read_text(encoding="utf-8"))
    fields: set[str] = set()
    for panel in board["panels"]:
        for target in panel["targets"]:
            fields |= set(re.findall(r"\{\{\.(\w+)\}\}", target["expr"]))
            fields |= set(re.findall(r'json \w+="(\w+)"', target["expr"]))
    assert fields, "the logs dashboard reads no JSON fields"
    first = json.loads(app_lines[0])
    assert fields <= set(first), fields - set(first)


@pytest.mark.parametrize("value", ["2025-03-01T09:15:02Z", "2025-03-01T09:15:02.123456Z",
                                   "2025-03-01 09:15:02.123Z", "1740820502.123"])
def test_layout_rejects_other_formats(value: str) -> None:
    with pytest.raises(ValueError):
        parse_go_time(alloy_pipeline().timestamp_format, value)


def test_layout_accepts_offsets() -> None:
    parsed = parse_go_time("2006-01-02T15:04:05.000Z07:00", "2025-03-01T10:15:02.123+01:00")
    assert parsed == datetime(2025, 3, 1, 9, 15, 2, 123000, tzinfo=UTC)


ALLOY_COMPONENTS = {
    # component: exported fields other components may reference
    "local.file_match": {"targets"},
    "loki.source.file": set(),
    "loki.process": {"receiver"},
    "loki.write": {"receiver"},
}


def _alloy_code() -> str:
    text = (MONITORING / "alloy" / "config.alloy").read_text(encoding="utf-8")
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # strings cannot hide structure …
    return re.sub(r"//[^\n]*", "", text)  # … nor can comments


def test_alloy_file_is_balanced_and_uses_known_components() -> None:
    code = _alloy_code()
    depth = {"{": 0, "[": 0, "(": 0}
    pairs = {"}": "{", "]": "[", ")": "("}
    for char in code:
        if char in depth:
            depth[char] += 1
        elif char in pairs:
            depth[pairs[char]] -= 1
            assert depth[pairs[char]] >= 0, "closing bracket without an opening one"
    assert all(value == 0 for value in depth.values()), depth
    top = re.findall(r"^([a-z_.]+)\s+\"\"\s*\{", code, re.MULTILINE)
    assert top, "no components found"
    assert set(top) <= set(ALLOY_COMPONENTS), set(top) - set(ALLOY_COMPONENTS)


def test_alloy_references_point_at_defined_components() -> None:
    text = (MONITORING / "alloy" / "config.alloy").read_text(encoding="utf-8")
    text = re.sub(r"//[^\n]*", "", text)
    defined = {(kind, label) for kind, label in
               re.findall(r'^([a-z_.]+)\s+"([a-z_]+)"\s*\{', text, re.MULTILINE)}
    references = re.findall(r"\b((?:local|loki)\.[a-z_.]+)\.([a-z_]+)\.([a-z_]+)\b", text)
    assert references, "no component references found"
    for kind, label, field in references:
        assert (kind, label) in defined, f"{kind}.{label} is not defined"
        assert field in ALLOY_COMPONENTS[kind], f"{kind} exports no '{field}'"
    # the pipeline is connected end to end: file → process → write
    assert "local.file_match.timetracker.targets" in text
    assert "loki.process.timetracker.receiver" in text
    assert "loki.write.local.receiver" in text
