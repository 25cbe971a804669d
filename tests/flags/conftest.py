"""Fixtures for the feature-flag tests: the loopback capture server (which serves /flags/),
a misbehaving /flags/ server, and real Telemetry + Flags pairs built like app.py builds them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import API_KEY, FAST
from timetracker.telemetry.flags import Flags, FlagSettings
from timetracker.telemetry.flags_telemetry import build_flags
from timetracker.telemetry.service import Telemetry, TelemetrySettings

#: Short timings: a fetch times out after 0.5 s, the thread ticks every 50 ms.
FAST_FLAGS = FlagSettings(refresh_every=0.2, stale_after=3600, expire_after=7 * 24 * 3600,
                          request_timeout=0.5, tick=0.05)


@dataclass
class Pair:
    telemetry: Telemetry
    flags: Flags
    environ: dict[str, str]


@dataclass
class FakeClock:
    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now


PairFactory = Callable[..., Pair]


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as running:
        yield running


@pytest.fixture
def make_pair(tmp_path: Path, server: CaptureServer) -> Iterator[PairFactory]:
    """``make_pair(level="full", env=None, host=None, settings=FAST_FLAGS, clock=None)`` —
    a real Telemetry and its Flags in ``tmp_path`` (the same folder on every call, so a
    second call is a restart)."""
    made: list[Pair] = []

    def make(level: str | None = "full", env: dict[str, str] | None = None,
             host: str | None = None, settings: FlagSettings = FAST_FLAGS,
             clock: Callable[[], float] | None = None) -> Pair:
        environ = {"TIMETRACKER_POSTHOG_HOST": host or server.url,
                   "TIMETRACKER_POSTHOG_API_KEY": API_KEY}
        if level is not None:
            environ["TIMETRACKER_TELEMETRY"] = level
        environ.update(env or {})
        tele = Telemetry(tmp_path / "telemetry", environ, "flags-session", strict=True,
                         settings=TelemetrySettings(uploader=FAST))
        flags = build_flags(tele, tmp_path / "config", environ, settings=settings,
                            **({"clock": clock} if clock else {}))
        pair = Pair(tele, flags, environ)
        made.append(pair)
        return pair

    yield make
    for pair in made:
        pair.flags.stop(1.0)
        pair.telemetry.uploader.stop(0.5)
        pair.telemetry.outbox.close()


def dead_url() -> str:
    """A loopback URL nothing listens on (connection refused): "offline"."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def flag_requests(server: CaptureServer) -> list[Any]:
    return server.requests("/flags/")


# -- a /flags/ endpoint that misbehaves on purpose ----------------------------------------------

class FaultyFlagsServer:
    """Answers POST /flags/ with ``mode``: "slow" (waits ``delay`` then answers false for
    everything), "garbage" (200, not JSON), "wrong-shape" (200, JSON without flags),
    "bad-values" (200, kill switches answered with strings/null) or "status" (``status``)."""

    def __init__(self) -> None:
        self.mode = "garbage"
        self.delay = 2.0
        self.status = 500
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.hits += 1
                all_false = {"featureFlags": {"export-enabled": False,
                                              "import-enabled": False,
                                              "telemetry-sending-enabled": False,
                                              "ui-variants-enabled": False}}
                if outer.mode == "slow":
                    time.sleep(outer.delay)
                    self._send(200, json.dumps(all_false).encode())
                elif outer.mode == "garbage":
                    self._send(200, b"\x00\xff<html>not json")
                elif outer.mode == "wrong-shape":
                    self._send(200, json.dumps({"export-enabled": False}).encode())
                elif outer.mode == "bad-values":
                    self._send(200, json.dumps({"featureFlags": {
                        "export-enabled": "false", "import-enabled": None,
                        "telemetry-sending-enabled": 0, "ui-variants-enabled": "off"}}
                    ).encode())
                else:
                    self._send(outer.status, json.dumps({"detail": "scripted"}).encode())

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultyFlagsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def faulty() -> Iterator[FaultyFlagsServer]:
    with FaultyFlagsServer() as running:
        yield running
