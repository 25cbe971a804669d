"""Telemetry benchmark: TimeTracker's pipeline vs posthog-python, measured in the same run.

    .venv/bin/python tests/benchmarks/bench_telemetry.py [--events 100000] [--samples 20000]

Prints:
1. median ``track()`` cost (validated, durable in the SQLite outbox) vs ``Posthog.capture()``
   (in-memory queue) — goal: ≤ 0.5× (as a ratio track/capture);
2. time to drain a backlog of N events to the loopback capture server: our uploader vs a
   posthog-python ``Posthog`` client sending the same events to the same server — goal ≥ 2×
   throughput.

The capture server runs in its own process so its parsing does not compete with the measured
code for the GIL. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "desktop"))

from posthog import Posthog  # noqa: E402
from timetracker.telemetry.service import Telemetry, TelemetrySettings  # noqa: E402
from timetracker.telemetry.uploader import UploaderSettings  # noqa: E402

PROPS = {"source": "bar", "stopped_running": False, "has_project": True, "has_task": False,
         "tag_count": 2, "billable": True}
API_KEY = "phc_benchmark"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "support" / "capture_server.py"),
             "--port", str(self.port), "--quiet"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.stats()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("capture server did not start")

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url + "/_stats", timeout=30) as response:
            return dict(json.loads(response.read()))

    def wait_events(self, count: int, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while self.stats()["unique_events"] < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.stats()} arrived")
            time.sleep(0.01)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def make_telemetry(folder: Path, url: str, max_events: int) -> Telemetry:
    env = {"TIMETRACKER_POSTHOG_HOST": url, "TIMETRACKER_POSTHOG_API_KEY": API_KEY,
           "TIMETRACKER_TELEMETRY": "full"}
    settings = TelemetrySettings(max_events=max_events, max_bytes=1 << 30,
                                 uploader=UploaderSettings(batch_size=1000))
    return Telemetry(folder, env, "bench-session", strict=False, settings=settings)


def bench_capture(samples: int, url: str) -> tuple[float, float, float]:
    """Median seconds per call: track(), Posthog.capture(send=True), (send=False)."""
    folder = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    try:
        tele = make_telemetry(folder / "telemetry", url, max_events=samples * 2)
        tele.track("timer.started", **PROPS)  # open the outbox
        ours = []
        for _ in range(samples):
            began = time.perf_counter()
            tele.track("timer.started", **PROPS)
            ours.append(time.perf_counter() - began)
        tele.outbox.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def peer(send: bool) -> float:
        client = Posthog(API_KEY, host=url, send=send, gzip=True, max_queue_size=samples * 2,
                         flush_at=100)
        client.capture("warmup", distinct_id="bench-install", properties=dict(PROPS))
        times = []
        for _ in range(samples):
            began = time.perf_counter()
            client.capture("timer.started", distinct_id="bench-install",
                           properties=dict(PROPS))
            times.append(time.perf_counter() - began)
        client.shutdown()
        return statistics.median(times)

    return statistics.median(ours), peer(True), peer(False)


def bench_drain(events: int) -> tuple[float, float, float, float]:
    """(our drain s, our track-all s, posthog capture+deliver s, posthog capture s)."""
    server = ServerProcess()
    folder = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    try:
        tele = make_telemetry(folder / "telemetry", server.url, max_events=events + 10)
        began = time.perf_counter()
        for _ in range(events):
            tele.track("timer.started", **PROPS)
        track_all = time.perf_counter() - began
        base = server.stats()["unique_events"]
        began = time.perf_counter()
        report = tele.uploader.drain()
        server.wait_events(base + events)
        ours = time.perf_counter() - began
        assert report.sent == events, report
        tele.outbox.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        server.stop()

    server = ServerProcess()
    try:
        client = Posthog(API_KEY, host=server.url, gzip=True, max_queue_size=events + 10)
        began = time.perf_counter()
        for _ in range(events):
            client.capture("timer.started", distinct_id="bench-install",
                           properties=dict(PROPS))
        captured = time.perf_counter() - began
        client.flush()
        server.wait_events(events)
        theirs = time.perf_counter() - began
        client.shutdown()
    finally:
        server.stop()
    return ours, track_all, theirs, captured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")

    server = ServerProcess()
    try:
        ours, peer_send, peer_memory = bench_capture(args.samples, server.url)
    finally:
        server.stop()
    print(f"\n1. per-event capture cost, median of {args.samples:,} calls")
    print(f"   track() (validated + durable SQLite commit): {ours * 1e6:8.1f} µs")
    print(f"   Posthog.capture() (in-memory queue, sending): {peer_send * 1e6:8.1f} µs")
    print(f"   Posthog.capture() (send=False, no queue):     {peer_memory * 1e6:8.1f} µs")
    print(f"   ratio track/capture: {ours / peer_send:.2f}x (vs send=False: "
          f"{ours / peer_memory:.2f}x)   goal <= 0.5x")

    drain, track_all, theirs, captured = bench_drain(args.events)
    print(f"\n2. delivering {args.events:,} events to the loopback capture server")
    print(f"   our uploader draining the outbox backlog:   {drain:8.2f} s "
          f"({args.events / drain:,.0f} events/s)")
    print(f"   (filling that backlog with track():          {track_all:8.2f} s)")
    print(f"   Posthog client, capture + flush until all arrived: {theirs:8.2f} s "
          f"({args.events / theirs:,.0f} events/s; its capture loop alone {captured:.2f} s)")
    print(f"   throughput ratio (ours drain / Posthog): {theirs / drain:.2f}x   goal >= 2x")
    print(f"   end-to-end incl. capture (ours track+drain vs Posthog): "
          f"{theirs / (drain + track_all):.2f}x")


if __name__ == "__main__":
    main()
