"""telemetry status | enable basic|full | disable | preview | events | queue | batches | flush |
reset-id | endpoint."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime

from timetracker.app import App
from timetracker.cli.output import print_json, table, warn
from timetracker.core.errors import ValidationError
from timetracker.telemetry.consent import ConsentError
from timetracker.telemetry.endpoint import EndpointError
from timetracker.telemetry.registry import TelemetryValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("telemetry", help="see and control what usage data is sent")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    status = actions.add_parser("status", help="level, destination and what waits to be sent")
    status.add_argument("--json", action="store_true")
    enable = actions.add_parser("enable", help="opt in at a level: basic or full")
    enable.add_argument("level", choices=["basic", "full"])
    actions.add_parser("disable", help="opt out: stop sending, delete queued events and the id")
    preview = actions.add_parser("preview", help="the exact JSON an opt-in would send now")
    preview.add_argument("--level", choices=["basic", "full"])
    preview.add_argument("--json", action="store_true", help="(the output is always JSON)")
    events = actions.add_parser("events", help="every event that can be sent, and why")
    events.add_argument("--json", action="store_true")
    queue = actions.add_parser("queue", help="events waiting to be sent, with their exact JSON")
    queue.add_argument("--json", action="store_true")
    queue.add_argument("--delete", nargs="+", metavar="UUID", help="delete these queued events")
    queue.add_argument("--clear", action="store_true", help="delete every queued event")
    batches = actions.add_parser("batches", help="the last batches sent, with their JSON")
    batches.add_argument("--json", action="store_true")
    batches.add_argument("--limit", type=int, default=10)
    flush = actions.add_parser("flush", help="send queued events now")
    flush.add_argument("--timeout", type=float, default=10.0)
    actions.add_parser("reset-id", help="replace the random install id with a new one")
    endpoint = actions.add_parser(
        "endpoint", help="use a self-hosted PostHog (the key goes to the OS keyring)")
    endpoint.add_argument("op", nargs="?", choices=["show", "set", "clear"], default="show")
    endpoint.add_argument("host", nargs="?", help="https URL of the PostHog instance")
    endpoint.add_argument("--key-stdin", action="store_true",
                          help="read the project API key from standard input")
    p.set_defaults(handler=telemetry, action=None)


def telemetry(app: App, args: argparse.Namespace) -> int:
    try:
        return _HANDLERS[args.action or "status"](app, args)
    except (ConsentError, EndpointError, TelemetryValidationError) as exc:
        raise ValidationError(str(exc)) from None


def _when(at: float | None) -> str:
    if not at:
        return "never"
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _status(app: App, args: argparse.Namespace) -> int:
    status = app.telemetry.status()
    if getattr(args, "json", False):
        print_json(status.as_dict())
        return 0
    source = {"user": "your choice", "default": "default — you have not chosen yet",
              }.get(status.level_source, f"forced by {status.level_source}")
    print(f"Level:        {status.level} ({source})")
    print(f"Schema:       accepted {status.accepted_schema}, current {status.schema_version}"
          + ("  — new events need your consent" if status.needs_prompt and status.decided
             else ""))
    print(f"Destination:  {status.endpoint}")
    if status.install_id:
        print(f"Install id:   {status.install_id} (random; 'telemetry reset-id' replaces it)")
    print(f"Queued:       {status.queued} events ({status.queued_bytes} bytes)")
    if status.paused:
        print("Sending:      paused — the server refused the key (change key or host)")
    elif status.backoff_until:
        print(f"Sending:      retrying after {_when(status.backoff_until)}")
    dropped = {k: v for k, v in status.counters.items() if v}
    if dropped:
        print("Dropped:      " + ", ".join(f"{k}={v}" for k, v in sorted(dropped.items())))
    return 0


def _enable(app: App, args: argparse.Namespace) -> int:
    effective = app.telemetry.set_level(args.level)
    print(f"Telemetry level set to {args.level}.")
    if effective.level != args.level:
        warn(f"{effective.source} forces the level '{effective.level}' in this environment")
    print("See exactly what is sent with 'timetracker telemetry preview' and "
          "'timetracker telemetry queue'.")
    return 0


def _disable(app: App, args: argparse.Namespace) -> int:
    effective = app.telemetry.set_level("off")
    print("Telemetry is off: nothing will be sent; queued events and the install id "
          "were deleted.")
    if effective.level != "off":
        warn(f"{effective.source} forces the level '{effective.level}' in this environment")
    return 0


def _preview(app: App, args: argparse.Namespace) -> int:
    print_json(app.telemetry.preview(args.level))
    return 0


def _events(app: App, args: argparse.Namespace) -> int:
    rows = app.telemetry.events()
    if args.json:
        print_json([{
            "name": e.name, "level": e.level, "since": e.since, "owner": e.owner,
            "description": e.description, "sent_count": e.sent_count, "last_sent": e.last_sent,
            "properties": {p.name: {"type": p.kind, "allowed": p.allowed}
                           for p in e.properties}} for e in rows])
        return 0
    print(table(["Event", "Level", "Since", "Sent", "Last sent", "Properties"], [
        [e.name, e.level, e.since, e.sent_count, _when(e.last_sent),
         ", ".join(p.name for p in e.properties)] for e in rows], align_right=[2, 3]))
    return 0


def _queue(app: App, args: argparse.Namespace) -> int:
    if args.clear or args.delete:
        removed = app.telemetry.delete_queued(None if args.clear else list(args.delete))
        print(f"Deleted {removed} queued event(s).")
        return 0
    items = app.telemetry.queued()
    if args.json:
        print_json([json.loads(item.json) for item in items])
        return 0
    if not items:
        print("Nothing is waiting to be sent.")
        return 0
    for item in items:
        print(f"# {item.event} ({item.level}) queued {_when(item.created)}")
        print(json.dumps(json.loads(item.json), indent=2, sort_keys=True))
    return 0


def _batches(app: App, args: argparse.Namespace) -> int:
    items = app.telemetry.sent_batches(args.limit)
    if args.json:
        print_json([{"at": b.at, "count": b.count, "status": b.status, "outcome": b.outcome,
                     "seconds": b.seconds, "body": json.loads(b.json) if b.json else None}
                    for b in items])
        return 0
    if not items:
        print("No batch was sent yet.")
        return 0
    print(table(["When", "Events", "HTTP", "Outcome", "Seconds"], [
        [_when(b.at), b.count, b.status, b.outcome, f"{b.seconds:.3f}"] for b in items],
        align_right=[1, 2, 4]))
    return 0


def _flush(app: App, args: argparse.Namespace) -> int:
    telemetry = app.telemetry
    if telemetry.level == "off":
        print("Telemetry is off: nothing to send.")
        return 0
    endpoint = telemetry.endpoint()
    if not endpoint.usable:
        print(f"Not sending: {endpoint.describe()}.")
        return 0
    finished = telemetry.flush(args.timeout)
    left = len(telemetry.queued())
    state = "done" if finished else "still running when the timeout passed"
    print(f"Flush {state}; {left} event(s) still queued.")
    return 0 if left == 0 else 1


def _reset_id(app: App, args: argparse.Namespace) -> int:
    new = app.telemetry.reset_id()
    print(f"New install id: {new}" if new else "Telemetry is off: there is no install id.")
    return 0


def _endpoint(app: App, args: argparse.Namespace) -> int:
    store = app.telemetry.endpoints
    if args.op == "set":
        if not args.host:
            raise ValidationError("give the https URL of your PostHog: "
                                  "telemetry endpoint set https://posthog.example.org")
        key = (sys.stdin.readline() if args.key_stdin
               else getpass.getpass("Project API key (stored in the OS keyring): "))
        try:
            host = store.configure(args.host, key)
        except Exception as exc:
            if isinstance(exc, EndpointError):
                raise
            from keyring.errors import KeyringError

            if isinstance(exc, KeyringError):
                raise ValidationError(f"the OS keyring refused the key ({type(exc).__name__}); "
                                      "nothing was stored") from None
            raise
        print(f"Events go to {host}; the key is in the OS keyring.")
        return 0
    if args.op == "clear":
        store.clear()
        print("Self-hosted endpoint removed (key deleted from the keyring).")
        return 0
    print(app.telemetry.endpoint().describe())
    return 0


_HANDLERS = {
    "status": _status, "enable": _enable, "disable": _disable, "preview": _preview,
    "events": _events, "queue": _queue, "batches": _batches, "flush": _flush,
    "reset-id": _reset_id, "endpoint": _endpoint,
}
