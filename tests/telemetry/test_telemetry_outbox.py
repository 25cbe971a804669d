"""The durable outbox, the uploader thread's triggers, and the endpoint/keyring rules."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from support.capture_server import CaptureServer, Fault
from support.telemetry_kit import API_KEY, TIMER_STARTED, TelemetryFactory
from timetracker.telemetry.endpoint import (
    KEYRING_SERVICE,
    EndpointError,
    EndpointStore,
    check_host,
    resolve_endpoint,
)
from timetracker.telemetry.outbox import Outbox
from timetracker.telemetry.uploader import UploaderSettings, backoff_delay


def test_event_is_on_disk_when_track_returns(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry()
    ident = tele.track("timer.started", **TIMER_STARTED)
    # A separate connection (as after a crash) sees the committed row.
    with sqlite3.connect(tele.outbox.path) as other:
        rows = other.execute("SELECT uuid, payload FROM events").fetchall()
    assert [r[0] for r in rows] == [ident]
    message = json.loads(rows[0][1])
    assert message["uuid"] == ident and message["timestamp"].endswith("+00:00")


def test_bounded_by_count_drops_oldest_and_counts(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(max_events=5)
    ids = [tele.track("timer.started", **TIMER_STARTED) for _ in range(8)]
    assert [q.uuid for q in tele.queued()] == ids[3:]
    assert tele.outbox.counters()["dropped_queue_full"] == 3
    assert tele.stats()["dropped"]["outbox_full"] == 3


def test_bounded_by_bytes(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(max_bytes=3000)
    ids = [tele.track("timer.started", **TIMER_STARTED) for _ in range(10)]
    count, size = tele.outbox.depth()
    assert size <= 3000 and 0 < count < 10
    assert [q.uuid for q in tele.queued()] == ids[-count:]


def test_outbox_survives_reopen_and_counts_match(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", max_events=100)
    for i in range(10):
        box.append(f"u{i}", "timer.started", "full", json.dumps({"i": i}))
    box.close()
    again = Outbox(tmp_path / "o.sqlite3", max_events=100)
    assert again.depth()[0] == 10
    assert [q.uuid for q in again.peek(4, 10**6)] == ["u0", "u1", "u2", "u3"]
    assert len(again.peek(100, 30)) == 3, "byte limit applies (each row is 8 bytes + 1)"
    assert len(again.peek(100, 1)) == 1, "at least one event per batch"


def test_backoff_is_full_jitter_and_bounded() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 1.0, 30.0, rng) for n in range(1, 200)]
    assert all(0 <= d <= 30.0 for d in delays)
    assert max(delays[:3]) <= 4.0
    assert max(delays[10:]) > 15.0, "grows towards the cap"
    assert len({round(d, 3) for d in delays}) > 150, "jittered, not fixed"
    assert backoff_delay(1, 1.0, 30.0, rng, retry_after=12.0) >= 12.0
    assert backoff_delay(1, 1.0, 30.0, rng, retry_after=99999.0, retry_after_cap=60) <= 60


def _timer_events(server: CaptureServer) -> list[dict[str, object]]:
    return [e for e in server.events() if e["event"] == "timer.started"]


def test_thread_sends_when_threshold_reached(make_telemetry: TelemetryFactory,
                                             server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(threshold=5, interval=30.0))
    tele.uploader.start()
    time.sleep(0.3)  # the start-up round (lifecycle pings) is over
    for _ in range(4):
        tele.track("timer.started", **TIMER_STARTED)
    time.sleep(0.5)
    assert _timer_events(server) == [], "below the threshold nothing is sent before the interval"
    tele.track("timer.started", **TIMER_STARTED)
    deadline = time.monotonic() + 5
    while len(_timer_events(server)) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_timer_events(server)) == 5


def test_thread_sends_on_interval(make_telemetry: TelemetryFactory,
                                  server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(threshold=1000, interval=0.3))
    tele.uploader.start()
    time.sleep(0.1)
    tele.track("timer.started", **TIMER_STARTED)
    deadline = time.monotonic() + 5
    while not _timer_events(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_timer_events(server)) == 1


def test_network_back_retries_at_once(make_telemetry: TelemetryFactory,
                                      server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(
        threshold=1, interval=60.0, backoff_base=60.0, backoff_cap=60.0))
    server.script(Fault(mode="drop"))
    tele.uploader.start()
    tele.track("timer.started", **TIMER_STARTED)
    server.wait_for_requests(1, timeout=5)
    time.sleep(0.1)
    assert server.events() == [], "first attempt failed; next one is far away"
    tele.network_up()
    deadline = time.monotonic() + 5
    while not _timer_events(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_timer_events(server)) == 1


def test_flush_on_request_ignores_backoff(make_telemetry: TelemetryFactory,
                                          server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(backoff_base=60.0, backoff_cap=60.0))
    tele.track("timer.started", **TIMER_STARTED)
    server.fail(503)
    tele.uploader.drain()
    assert tele.uploader.drain().stopped_because == "backing_off"
    assert tele.flush(5.0)
    assert len(server.events()) == 1


def test_exit_flush_is_bounded_and_keeps_the_rest(make_telemetry: TelemetryFactory,
                                                  server: CaptureServer) -> None:
    tele = make_telemetry(uploader=UploaderSettings(interval=60.0, threshold=10**6))
    tele.start()
    for _ in range(3):
        tele.track("timer.started", **TIMER_STARTED)
    server.set(delay=2.0)
    began = time.monotonic()
    tele.shutdown(1.0)
    assert time.monotonic() - began < 1.5, "exit is bounded"
    with sqlite3.connect(tele.outbox.path) as other:
        waiting = other.execute(
            "SELECT count(*) FROM events WHERE event = 'timer.started'").fetchone()[0]
    assert waiting == 3, "what was not acknowledged stays for the next start"
    thread = tele.uploader._thread
    if thread is not None:
        thread.join(5)  # the abandoned request ends (the process would simply exit)
    server.set(delay=0.0)
    later = make_telemetry(folder=tele.folder)
    later.uploader.drain(force=True)
    assert later.outbox.depth()[0] == 0
    assert {e["event"] for e in server.events()} >= {"timer.started"}


def test_two_processes_do_not_drain_at_once(make_telemetry: TelemetryFactory,
                                            server: CaptureServer) -> None:
    first = make_telemetry()
    second = make_telemetry(folder=first.folder)
    for _ in range(3):
        first.track("timer.started", **TIMER_STARTED)
    assert first.uploader._take_lease()
    assert second.uploader.drain(force=True).stopped_because == "busy"
    first.uploader._release_lease()
    assert second.uploader.drain(force=True).stopped_because == "done"
    assert len(server.events()) == 3


# -- endpoint ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://posthog.example.org", "ftp://x", "posthog.com",
                                 "https://user:pw@example.org", "http://10.0.0.5:8000"])
def test_non_loopback_hosts_must_be_https(url: str) -> None:
    with pytest.raises(EndpointError):
        check_host(url)


@pytest.mark.parametrize("url", ["https://eu.i.posthog.com", "http://127.0.0.1:8000/",
                                 "http://localhost:9", "http://[::1]:8000"])
def test_allowed_hosts(url: str) -> None:
    assert check_host(url) == url.rstrip("/")


def test_plain_http_host_in_environment_is_not_used(make_telemetry: TelemetryFactory) -> None:
    tele = make_telemetry(env={"TIMETRACKER_POSTHOG_HOST": "http://analytics.example.org"})
    tele.track("timer.started", **TIMER_STARTED)
    assert tele.uploader.drain(force=True).stopped_because == "local_only"
    assert "https" in tele.endpoint().describe()


def test_no_key_keeps_events_local_and_says_so(make_telemetry: TelemetryFactory,
                                               server: CaptureServer) -> None:
    tele = make_telemetry(env={"TIMETRACKER_POSTHOG_HOST": "", "TIMETRACKER_POSTHOG_API_KEY": ""})
    tele.track("timer.started", **TIMER_STARTED)
    assert tele.uploader.drain(force=True).stopped_because == "local_only"
    assert "stay in the local outbox" in tele.status().endpoint
    assert server.requests() == [] and len(tele.queued()) == 1


def test_self_hosted_key_lives_only_in_the_keyring(tmp_path: Path, server: CaptureServer,
                                                   file_keyring: PlaintextKeyring,
                                                   make_telemetry: TelemetryFactory) -> None:
    folder = tmp_path / "telemetry"
    store = EndpointStore(folder / "endpoint.json")
    store.configure(server.url, "phc_self_hosted_secret")
    assert keyring.get_password(KEYRING_SERVICE, server.url) == "phc_self_hosted_secret"
    for path in folder.rglob("*"):
        assert "phc_self_hosted_secret" not in path.read_text(encoding="utf-8")
    endpoint = resolve_endpoint({}, store)
    assert (endpoint.host, endpoint.api_key, endpoint.source) == (
        server.url, "phc_self_hosted_secret", "keyring")
    # The environment wins over the stored endpoint.
    assert resolve_endpoint({"TIMETRACKER_POSTHOG_API_KEY": API_KEY,
                             "TIMETRACKER_POSTHOG_HOST": server.url}, store).api_key == API_KEY

    tele = make_telemetry(folder=folder, env={"TIMETRACKER_POSTHOG_HOST": "",
                                              "TIMETRACKER_POSTHOG_API_KEY": ""})
    tele.track("timer.started", **TIMER_STARTED)
    tele.uploader.drain()
    assert {r.api_key for r in server.requests("/batch/")} == {"phc_self_hosted_secret"}
    store.clear()
    assert keyring.get_password(KEYRING_SERVICE, server.url) is None
    assert resolve_endpoint({}, store).source == "none"


class _CountingKeyring(PlaintextKeyring):
    """The plaintext file backend, counting the reads it serves."""

    reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        type(self).reads += 1
        return super().get_password(service, username)


def test_the_key_is_read_from_the_keyring_again_only_when_the_endpoint_changes(
        tmp_path: Path, server: CaptureServer) -> None:
    previous = keyring.get_keyring()
    backend = _CountingKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    try:
        store = EndpointStore(tmp_path / "endpoint.json")
        store.configure(server.url, "phc_first")
        _CountingKeyring.reads = 0
        for _ in range(5):  # the privacy pane's status every two seconds
            assert resolve_endpoint({}, store).api_key == "phc_first"
        assert _CountingKeyring.reads == 1
        # another process (the CLI) saves a new key for the same host: read again
        EndpointStore(tmp_path / "endpoint.json").configure(server.url, "phc_second")
        assert resolve_endpoint({}, store).api_key == "phc_second"
        assert _CountingKeyring.reads == 2
        store.clear()
        assert resolve_endpoint({}, store).source == "none"
    finally:
        keyring.set_keyring(previous)
