"""A loopback PostHog-compatible capture server for tests, benchmarks and local inspection.

Serves ``POST /batch/`` (gzip-aware, like PostHog's capture endpoint) and ``POST /flags/``
(returns the flags it was given) on 127.0.0.1, records everything that arrives and can be told
to misbehave: scripted statuses (500/502/503, 429 with Retry-After, 408, 401, …), 413 above a
body size, 400 for batches holding a given event uuid, slow responses, dropped connections
(with or without having recorded the batch), garbage 200 bodies.

Run it alone to watch what the app sends::

    python tests/support/capture_server.py --port 8765
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as it arrived."""

    at: float
    path: str
    status: int
    api_key: str
    body_bytes: int
    gzip: bool
    payload: dict[str, Any] | None
    accepted: bool

    @property
    def events(self) -> list[dict[str, Any]]:
        if not self.payload:
            return []
        return list(self.payload.get("batch", []))


@dataclass
class Fault:
    """One scripted reaction to the next /batch/ request."""

    status: int = 200
    retry_after: str | None = None
    delay: float = 0.0
    #: "respond", "drop" (close before recording), "lose_response" (record, then close),
    #: "garbage" (200 with a non-JSON body).
    mode: str = "respond"


@dataclass
class ServerState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[Received] = field(default_factory=list)
    script: list[Fault] = field(default_factory=list)
    too_large_above: int | None = None
    reject_uuids: set[str] = field(default_factory=set)
    valid_keys: set[str] | None = None
    delay: float = 0.0
    flags: dict[str, Any] = field(default_factory=dict)
    flag_payloads: dict[str, Any] = field(default_factory=dict)
    flags_status: int = 200
    arrived: threading.Condition = field(default_factory=threading.Condition)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> tuple[bytes, bool]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        zipped = (self.headers.get("Content-Encoding") or "").lower() == "gzip"
        return raw, zipped

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self._write(status, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout tests)

    def _write(self, status: int, body: bytes, headers: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        """``/_stats``: counts of what arrived (benchmarks run the server in another process)."""
        if self.path.rstrip("/") != "/_stats":
            self._reply(404, b'{"detail": "not found"}')
            return
        with self.server.state.lock:
            items = list(self.server.state.received)
        batches = [r for r in items if r.path.rstrip("/") == "/batch" and r.accepted]
        uuids = {str(e.get("uuid")) for r in batches for e in r.events}
        body = {"requests": len(items), "batches": len(batches),
                "events": sum(len(r.events) for r in batches), "unique_events": len(uuids)}
        self._reply(200, json.dumps(body).encode())

    def do_POST(self) -> None:
        raw, zipped = self._read_body()
        path = self.path.split("?", 1)[0]
        state = self.server.state
        try:
            decoded = gzip.decompress(raw) if zipped else raw
            payload = json.loads(decoded.decode("utf-8")) if decoded else {}
        except (OSError, ValueError):
            payload = None
            decoded = raw
        if path.rstrip("/") == "/flags":
            self._flags(payload, len(raw), zipped)
            return
        if path.rstrip("/") not in ("/batch", "/capture", "/e"):
            self._reply(404, b'{"detail": "not found"}')
            return
        with state.lock:
            fault = state.script.pop(0) if state.script else Fault()
            delay = state.delay + fault.delay
        if delay:
            time.sleep(delay)
        api_key = str((payload or {}).get("api_key", ""))
        events = (payload or {}).get("batch", []) if isinstance(payload, dict) else []
        status, mode = fault.status, fault.mode
        headers: dict[str, str] = {}
        if payload is None:
            status = 400
        elif state.valid_keys is not None and api_key not in state.valid_keys:
            status = 401
        elif status == 200 and state.too_large_above is not None \
                and len(decoded) > state.too_large_above:
            status = 413
        elif status == 200 and any(e.get("uuid") in state.reject_uuids for e in events):
            status = 400
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        if mode == "drop":
            self._record(path, 0, api_key, len(raw), zipped, payload, accepted=False)
            self._drop()
            return
        accepted = 200 <= status < 300
        self._record(path, status, api_key, len(raw), zipped, payload, accepted)
        if mode == "lose_response":
            self._drop()
            return
        if mode == "garbage":
            self._reply(status, b"\x00\xffthis is not json<html>", headers)
            return
        body = b'{"status": 1}' if accepted else json.dumps(
            {"type": "validation_error", "detail": f"scripted {status}"}).encode()
        self._reply(status, body, headers)

    def _flags(self, payload: dict[str, Any] | None, size: int, zipped: bool) -> None:
        state = self.server.state
        api_key = str((payload or {}).get("api_key", ""))
        status = state.flags_status
        if state.valid_keys is not None and api_key not in state.valid_keys:
            status = 401
        self._record("/flags/", status, api_key, size, zipped, payload, status == 200)
        if status != 200:
            self._reply(status, json.dumps({"detail": f"scripted {status}"}).encode())
            return
        body = {
            "featureFlags": dict(state.flags),
            "featureFlagPayloads": {k: json.dumps(v) for k, v in state.flag_payloads.items()},
            "flags": {key: {"key": key, "enabled": bool(value),
                            "variant": value if isinstance(value, str) else None,
                            "metadata": {"payload": json.dumps(state.flag_payloads[key])
                                         if key in state.flag_payloads else None}}
                      for key, value in state.flags.items()},
            "errorsWhileComputingFlags": False,
        }
        self._reply(200, json.dumps(body).encode())

    def _record(self, path: str, status: int, api_key: str, size: int, zipped: bool,
                payload: dict[str, Any] | None, accepted: bool) -> None:
        state = self.server.state
        item = Received(time.time(), path, status, api_key, size, zipped, payload, accepted)
        with state.lock:
            state.received.append(item)
        if self.server.verbose and payload:
            for event in item.events:
                print(json.dumps(event, indent=2, sort_keys=True), flush=True)
        with state.arrived:
            state.arrived.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, verbose: bool) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = ServerState()
        self.verbose = verbose


class CaptureServer:
    """Start with ``with CaptureServer() as server:``; ``server.url`` is the PostHog host."""

    def __init__(self, port: int = 0, verbose: bool = False) -> None:
        self._server = _Server(port, verbose)
        self.state = self._server.state
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> CaptureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------------
    def script(self, *faults: Fault) -> None:
        """Reactions for the next /batch/ requests, in order (then normal 200s)."""
        with self.state.lock:
            self.state.script.extend(faults)

    def fail(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self.script(*[Fault(status, retry_after) for _ in range(times)])

    def set(self, **settings: Any) -> None:
        """too_large_above, reject_uuids, valid_keys, delay, flags, flag_payloads, …"""
        with self.state.lock:
            for name, value in settings.items():
                if not hasattr(self.state, name):
                    raise AttributeError(name)
                setattr(self.state, name, value)

    # -- what arrived ------------------------------------------------------------------------
    def requests(self, path: str | None = None) -> list[Received]:
        with self.state.lock:
            items = list(self.state.received)
        return [r for r in items if path is None or r.path.rstrip("/") == path.rstrip("/")]

    def batches(self) -> list[Received]:
        """Accepted /batch/ requests."""
        return [r for r in self.requests("/batch/") if r.accepted]

    def events(self) -> list[dict[str, Any]]:
        return [event for batch in self.batches() for event in batch.events]

    def uuids(self) -> list[str]:
        return [str(event["uuid"]) for event in self.events()]

    def wait_for_events(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.state.arrived:
            while len(self.events()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.state.arrived.wait(left)
        return self.events()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.state.arrived:
            while len(self.requests()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.state.arrived.wait(left)
        return self.requests()


def uuids_of(items: Iterable[Received]) -> list[str]:
    return [str(e["uuid"]) for item in items for e in item.events]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--quiet", action="store_true", help="do not print arriving events")
    args = parser.parse_args()
    server = CaptureServer(args.port, verbose=not args.quiet).start()
    print(f"capture server on {server.url} — set TIMETRACKER_POSTHOG_HOST={server.url} "
          "and TIMETRACKER_POSTHOG_API_KEY=phc_local; Ctrl+C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
