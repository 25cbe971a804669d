"""One test per server fault, against the real loopback capture server and the real uploader.

Each proves: nothing lost, nothing sent twice (except a batch whose 2xx was lost), backoff
bounded (and Retry-After honoured), logs quiet (at most one warning per outage).
"""

from __future__ import annotations

import logging
import time
from collections import Counter

import pytest
from support.capture_server import CaptureServer, Fault
from support.telemetry_kit import FAST, TIMER_STARTED, TelemetryFactory, drain_until_empty
from timetracker.telemetry.uploader import UploaderSettings


def _track(tele, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids = [tele.track("timer.started", **TIMER_STARTED) for _ in range(count)]
    assert all(ids)
    return [str(i) for i in ids]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "timetracker.telemetry" and r.levelno >= logging.WARNING]


def _assert_exactly_once(server: CaptureServer, tracked: list[str]) -> None:
    arrived = Counter(server.uuids())
    assert set(arrived) == set(tracked), "every tracked event arrives"
    assert max(arrived.values()) == 1, "no event is accepted twice"


@pytest.mark.parametrize("status", [500, 502, 503, 408])
def test_retryable_status_is_retried_with_bounded_backoff(
        make_telemetry: TelemetryFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture, status: int) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 12)
    server.fail(status, times=3)
    caplog.set_level(logging.DEBUG, logger="timetracker.telemetry")

    before = time.time()
    report = tele.uploader.drain()
    assert report.stopped_because == "failed"
    backoff = float(tele.outbox.get_state("backoff_until")) - before
    assert 0 <= backoff <= FAST.backoff_cap + 0.05
    assert tele.outbox.depth()[0] == 12, "nothing leaves the outbox without a 2xx"
    assert tele.uploader.drain().stopped_because in ("backing_off", "failed")

    drain_until_empty(tele)
    _assert_exactly_once(server, tracked)
    failed = [r for r in server.requests("/batch/") if r.status == status]
    assert len(failed) == 3
    assert len(_warnings(caplog)) == 1, "one warning per outage, not one per failure"
    assert tele.outbox.get_state("failures") == "0"
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_429_honours_retry_after(make_telemetry: TelemetryFactory, server: CaptureServer,
                                 caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 5)
    server.script(Fault(429, retry_after="0.6"))
    caplog.set_level(logging.INFO, logger="timetracker.telemetry")
    started = time.time()
    assert tele.uploader.drain().stopped_because == "failed"
    waited_until = float(tele.outbox.get_state("backoff_until"))
    assert waited_until - started >= 0.6, "Retry-After is a floor for the backoff"
    # Asking again before Retry-After passed sends nothing.
    assert tele.uploader.drain().stopped_because == "backing_off"
    assert len(server.requests("/batch/")) == 1
    time.sleep(max(0.0, waited_until - time.time()) + 0.01)
    assert tele.uploader.drain().stopped_because == "done"
    _assert_exactly_once(server, tracked)
    assert len(_warnings(caplog)) == 1


def test_retry_after_is_capped(make_telemetry: TelemetryFactory, server: CaptureServer) -> None:
    tele = make_telemetry()
    _track(tele, 1)
    server.script(Fault(503, retry_after="86400"))
    started = time.time()
    tele.uploader.drain()
    assert float(tele.outbox.get_state("backoff_until")) - started <= FAST.retry_after_cap + 0.1


def test_413_splits_the_batch(make_telemetry: TelemetryFactory, server: CaptureServer,
                              caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 40)
    single = len(server.events()) or 700  # one event is well under 2 kB
    server.set(too_large_above=single * 12)
    caplog.set_level(logging.WARNING, logger="timetracker.telemetry")
    report = tele.uploader.drain()
    assert report.stopped_because == "done"
    _assert_exactly_once(server, tracked)
    sizes = [len(b.events) for b in server.batches()]
    assert max(sizes) < 40 and sum(sizes) == 40
    assert any(r.status == 413 for r in server.requests("/batch/"))
    assert _warnings(caplog) == []


def test_413_for_a_single_event_drops_only_it(make_telemetry: TelemetryFactory,
                                              server: CaptureServer) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 3)
    server.set(too_large_above=10)  # every body is too large
    tele.uploader.drain()
    assert tele.outbox.depth()[0] == 0
    assert server.uuids() == []
    assert tele.outbox.counters()["dropped_too_large"] == 3
    assert tele.stats()["dropped"]["too_large"] == 3
    assert len(tracked) == 3


def test_400_isolates_and_drops_only_the_bad_event(
        make_telemetry: TelemetryFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 30)
    bad = tracked[17]
    server.set(reject_uuids={bad})
    caplog.set_level(logging.WARNING, logger="timetracker.telemetry")
    assert tele.uploader.drain().stopped_because == "done"
    _assert_exactly_once(server, [u for u in tracked if u != bad])
    assert tele.outbox.counters()["dropped_rejected"] == 1
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert bad not in text and "timer.started" not in text, "logged without its content"
    # Bisection: a handful of requests, not one per event.
    assert len(server.requests("/batch/")) <= 2 * 5 + 1


def test_401_pauses_until_the_key_changes(make_telemetry: TelemetryFactory,
                                          server: CaptureServer,
                                          caplog: pytest.LogCaptureFixture) -> None:
    server.set(valid_keys={"phc_the_right_key"})
    tele = make_telemetry()
    tracked = _track(tele, 4)
    caplog.set_level(logging.WARNING, logger="timetracker.telemetry")
    assert tele.uploader.drain().stopped_because == "paused"
    for _ in range(3):
        assert tele.uploader.drain(force=True).stopped_because == "paused"
    assert len(server.requests("/batch/")) == 1, "no request while paused"
    assert tele.status().paused
    assert len(_warnings(caplog)) == 1

    fixed = make_telemetry(folder=tele.folder,
                           env={"TIMETRACKER_POSTHOG_API_KEY": "phc_the_right_key"})
    assert fixed.uploader.drain().stopped_because == "done"
    _assert_exactly_once(server, tracked)
    assert not fixed.status().paused


def test_403_also_pauses(make_telemetry: TelemetryFactory, server: CaptureServer) -> None:
    tele = make_telemetry()
    _track(tele, 2)
    server.fail(403)
    assert tele.uploader.drain().stopped_because == "paused"
    assert tele.outbox.depth()[0] == 2


def test_slow_server_times_out_and_retries(make_telemetry: TelemetryFactory,
                                           server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(
        batch_size=100, request_timeout=0.3, backoff_base=0.05, backoff_cap=0.2))
    tracked = _track(tele, 6)
    server.script(Fault(200, delay=1.0, mode="drop"))
    assert tele.uploader.drain().stopped_because == "failed"
    drain_until_empty(tele)
    _assert_exactly_once(server, tracked)


def test_slow_but_successful_response_is_not_resent(make_telemetry: TelemetryFactory,
                                                     server: CaptureServer) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 6)
    server.script(Fault(200, delay=0.5))
    assert tele.uploader.drain().stopped_because == "done"
    _assert_exactly_once(server, tracked)


def test_dropped_connection_before_the_server_took_the_batch(
        make_telemetry: TelemetryFactory, server: CaptureServer,
        caplog: pytest.LogCaptureFixture) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 8)
    server.script(Fault(mode="drop"), Fault(mode="drop"))
    caplog.set_level(logging.WARNING, logger="timetracker.telemetry")
    drain_until_empty(tele)
    _assert_exactly_once(server, tracked)
    assert len(_warnings(caplog)) == 1


def test_lost_2xx_is_the_only_source_of_duplicates(make_telemetry: TelemetryFactory,
                                                   server: CaptureServer) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 8)
    server.script(Fault(mode="lose_response"))
    drain_until_empty(tele)
    arrived = Counter(server.uuids())
    assert set(arrived) == set(tracked)
    assert set(arrived.values()) == {2}, "the batch whose response was lost arrives twice"
    assert len(server.batches()) == 2


def test_garbage_200_body_counts_as_sent(make_telemetry: TelemetryFactory,
                                         server: CaptureServer) -> None:
    tele = make_telemetry()
    tracked = _track(tele, 5)
    server.script(Fault(mode="garbage"))
    assert tele.uploader.drain().stopped_because == "done"
    _assert_exactly_once(server, tracked)
    assert tele.outbox.depth()[0] == 0


def test_unreachable_host_keeps_everything(make_telemetry: TelemetryFactory,
                                           caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tele = make_telemetry(env={"TIMETRACKER_POSTHOG_HOST": f"http://127.0.0.1:{port}"})
    _track(tele, 3)
    caplog.set_level(logging.WARNING, logger="timetracker.telemetry")
    for _ in range(3):
        tele.uploader.drain(force=True)
    assert tele.outbox.depth()[0] == 3
    assert len(_warnings(caplog)) == 1


def test_batches_respect_count_and_size_limits(make_telemetry: TelemetryFactory,
                                               server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(batch_size=7, max_batch_bytes=4000))
    tracked = _track(tele, 30)
    tele.uploader.drain()
    _assert_exactly_once(server, tracked)
    for batch in server.batches():
        assert len(batch.events) <= 7
        assert sum(len(str(e)) for e in batch.events) < 6000
    assert all(r.gzip for r in server.requests("/batch/")), "bodies are gzip-compressed"
    assert {r.api_key for r in server.requests("/batch/")} == {"phc_test_project_key"}
