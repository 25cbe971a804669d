"""``timetracker metrics …``: look at or serve the Prometheus metrics of this install.

``metrics show`` prints the current exposition text; ``metrics serve`` runs the loopback
exporter in the foreground (for the monitoring stack or a quick look with curl) until
interrupted or until ``--duration`` seconds have passed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from timetracker.core.errors import ValidationError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("metrics", help="Prometheus metrics of this install")
    sub = parser.add_subparsers(dest="metrics_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print the current metrics in Prometheus text format")
    show.set_defaults(handler=_show)
    serve = sub.add_parser("serve", help="serve /metrics on 127.0.0.1 until interrupted")
    serve.add_argument("--port", type=int, default=None,
                       help="port (default: the metrics_port setting, or 9464 when it is 0; "
                            "0 picks a free port)")
    serve.add_argument("--duration", type=float, default=None,
                       help="stop after this many seconds")
    serve.set_defaults(handler=_serve)


def _show(app: Any, args: argparse.Namespace) -> int:
    obs = app.start_observability("cli")
    obs.mark_ready()
    sys.stdout.write(obs.metrics.exposition().decode("utf-8"))
    return 0


DEFAULT_PORT = 9464


def _serve(app: Any, args: argparse.Namespace) -> int:
    port = args.port
    if port is None:
        port = int(app.config.get("metrics_port")) or DEFAULT_PORT
    if not 0 <= port <= 65535:
        raise ValidationError(f"--port must be between 0 and 65535 (got {port})")
    obs = app.start_observability("exporter")
    exporter = obs.exporter or obs.start_exporter(port)
    if exporter is None:
        raise ValidationError(f"port {port} on 127.0.0.1 is in use; choose another with --port")
    obs.mark_ready()
    print(f"serving {exporter.url}", flush=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait(args.duration)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
