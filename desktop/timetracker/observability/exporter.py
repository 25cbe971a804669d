"""The Prometheus exporter: an HTTP server on the loopback interface only.

Off by default; turned on with the ``metrics_port`` setting or ``TIMETRACKER_METRICS_PORT``.
The server runs in a daemon thread, so it never blocks the UI thread and dies with the app.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

from timetracker.core.errors import ValidationError

LOOPBACK = "127.0.0.1"


@dataclass
class Exporter:
    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/metrics"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_exporter(registry: CollectorRegistry, port: int, host: str = LOOPBACK) -> Exporter:
    """Serve ``registry`` on ``host:port`` (port 0 picks a free one). Loopback only.

    Raises ValidationError for a non-loopback address or a bad port, OSError when the port is
    taken.
    """
    if not ipaddress.ip_address(host).is_loopback:
        raise ValidationError(f"metrics exporter must listen on loopback, not {host}")
    if not 0 <= port <= 65535:
        raise ValidationError(f"metrics port must be between 0 and 65535 (got {port})")
    server, thread = start_http_server(port, addr=host, registry=registry)
    return Exporter(server, thread)
