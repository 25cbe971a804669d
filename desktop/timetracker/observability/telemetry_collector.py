"""Prometheus view of the telemetry pipeline, read from a plain ``stats()`` callable.

Observability never imports telemetry (nor the reverse): the composition root hands this
collector a zero-argument callable returning a mapping of plain numbers. Expected shape (every
key optional; missing ones read as zero)::

    {
      "captured": {"basic": 12, "full": 3},        # events accepted into the outbox, by level
      "outbox_depth": 4,                            # events waiting in the outbox now
      "outbox_bytes": 2048,                         # size of the outbox file / payloads now
      "dropped": {"invalid": 1, "outbox_full": 0},  # events dropped, by reason (or a plain int)
      "batches": {"success": 5, "failure": 1},      # batch uploads, by result
      "send_duration_seconds": {                    # batch send latency, since start
          "count": 6, "sum": 1.7,
          "buckets": {0.1: 2, 0.5: 5, 1.0: 6},      # cumulative counts by upper bound
      },                                            # … or a list of every duration observed
      "flags_fetches": {"success": 2, "failure": 0},# /flags/ fetches, by result
    }

Counters must only grow while the process runs. Label values are bounded: each label keeps at
most :data:`MAX_LABEL_VALUES` token-shaped values; anything else is folded into ``other``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

StatsSource = Callable[[], Mapping[str, Any]]

MAX_LABEL_VALUES = 12
_LABEL_VALUE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: Label values always exported (as 0 until they happen), so dashboards and alerts see series.
LEVELS = ("basic", "full")
BATCH_RESULTS = ("success", "failure")
DROP_REASONS = ("invalid", "outbox_full")
FLAG_RESULTS = ("success", "failure")
SEND_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def bounded_counts(raw: Any, known: Iterable[str]) -> dict[str, float]:
    """``{label value: count}`` with the known values first, at most MAX_LABEL_VALUES, rest
    folded into ``other``. A plain number counts as ``other``."""
    counts: dict[str, float] = {value: 0.0 for value in known}
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        counts["other"] = float(raw)
        return counts
    if not isinstance(raw, Mapping):
        return counts
    for key, value in raw.items():
        number = _number(value)
        name = str(key).lower()
        if name in counts:
            counts[name] += number
        elif _LABEL_VALUE.match(name) and len(counts) < MAX_LABEL_VALUES:
            counts[name] = number
        else:
            counts["other"] = counts.get("other", 0.0) + number
    return counts


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return 0.0


def histogram_buckets(raw: Any) -> tuple[list[tuple[str, float]], float]:
    """Prometheus histogram buckets (cumulative, ending in +Inf) and the sum."""
    if isinstance(raw, Mapping):
        count = _number(raw.get("count"))
        total = _number(raw.get("sum"))
        given = raw.get("buckets")
        pairs = given.items() if isinstance(given, Mapping) else []
        bounds = sorted((bound, _number(v)) for k, v in pairs
                        if (bound := _bound(k)) is not None)
        buckets = [(_le(bound), value) for bound, value in bounds]
        count = max([count, *(v for _, v in bounds)])
        buckets.append(("+Inf", count))
        return buckets, total
    values = [_number(v) for v in raw] if isinstance(raw, list | tuple) else []
    buckets = [(_le(bound), float(sum(1 for v in values if v <= bound)))
               for bound in SEND_BUCKETS]
    buckets.append(("+Inf", float(len(values))))
    return buckets, float(sum(values))


def _bound(key: Any) -> float | None:
    try:
        value = float(key)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _le(bound: float) -> str:
    return repr(float(bound))


class TelemetryStatsCollector(Collector):
    """Exports the telemetry pipeline's numbers under stable ``timetracker_telemetry_*`` names."""

    def __init__(self, stats: StatsSource) -> None:
        self._stats = stats

    def describe(self) -> Iterable[Metric]:
        """The families without reading the source (used when registering)."""
        return list(self._families({}))

    def collect(self) -> Iterable[Metric]:
        try:
            raw = self._stats()
            data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        except Exception:  # a broken source must not break the whole scrape
            log.warning("telemetry stats unavailable", exc_info=True,
                        extra={"event": "metrics.telemetry_stats_failed"})
            data = {}
        return list(self._families(data))

    def _families(self, data: Mapping[str, Any]) -> Iterable[Metric]:
        yield _labelled_counter(
            "timetracker_telemetry_events_captured",
            "Telemetry events accepted into the outbox, by consent level.", "level",
            bounded_counts(data.get("captured"), LEVELS))

        yield GaugeMetricFamily("timetracker_telemetry_outbox_events",
                                "Telemetry events waiting in the outbox.",
                                value=_number(data.get("outbox_depth")))
        yield GaugeMetricFamily("timetracker_telemetry_outbox_bytes",
                                "Size of the telemetry outbox in bytes.",
                                value=_number(data.get("outbox_bytes")))

        yield _labelled_counter(
            "timetracker_telemetry_events_dropped",
            "Telemetry events dropped before sending, by reason.", "reason",
            bounded_counts(data.get("dropped"), DROP_REASONS))
        yield _labelled_counter(
            "timetracker_telemetry_batches", "Telemetry batch uploads, by result.", "result",
            bounded_counts(data.get("batches"), BATCH_RESULTS))

        buckets, total = histogram_buckets(data.get("send_duration_seconds"))
        yield HistogramMetricFamily(
            "timetracker_telemetry_send_duration_seconds",
            "Duration of telemetry batch uploads.", buckets=buckets, sum_value=total)

        yield _labelled_counter(
            "timetracker_flags_fetches", "Feature-flag fetches, by result.", "result",
            bounded_counts(data.get("flags_fetches"), FLAG_RESULTS))


def _labelled_counter(name: str, documentation: str, label: str,
                      counts: Mapping[str, float]) -> CounterMetricFamily:
    """A counter family with one sample per value of its single ``label``."""
    family = CounterMetricFamily(name, documentation, labels=[label])
    for value, count in counts.items():
        family.add_metric([value], count)
    return family
