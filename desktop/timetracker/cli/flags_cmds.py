"""flags list | get KEY | refresh | override KEY VALUE | clear-override KEY — and the kill
switches in front of CLI commands (``COMMAND_FLAGS``, consulted by ``cli.run``)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from timetracker.app import App
from timetracker.cli.output import print_json, table
from timetracker.core.errors import ValidationError
from timetracker.telemetry.flag_keys import FeatureFlags
from timetracker.telemetry.flags import Evaluation

#: CLI commands that a kill switch can turn off; the refusal is the flag's declared reason,
#: the same sentence the GUI shows next to the disabled action.
COMMAND_FLAGS: dict[str, str] = {
    "export": FeatureFlags.EXPORT_ENABLED,
    "import": FeatureFlags.IMPORT_ENABLED,
}
#: A guarded command asks PostHog first when the answer in hand is older than the refresh
#: interval — bounded by this timeout (only at consent full; otherwise nothing is sent).
GUARD_REFRESH_TIMEOUT = 2.0


def refuse_if_switched_off(app: App, command: str) -> None:
    """Raise FeatureDisabledError (exit 1, one line) when ``command``'s kill switch is off."""
    key = COMMAND_FLAGS.get(command)
    if key is None:
        return
    flags = app.flags
    flags.refresh_if_older(flags.settings.refresh_every, timeout=GUARD_REFRESH_TIMEOUT)
    flags.require(key)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("flags", help="feature flags, experiments and kill switches")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    lst = actions.add_parser("list", help="every declared flag with its value and reason")
    lst.add_argument("--json", action="store_true")
    get = actions.add_parser("get", help="one flag's value, payload and reason")
    get.add_argument("key")
    get.add_argument("--json", action="store_true")
    refresh = actions.add_parser("refresh", help="ask the analytics host now (telemetry "
                                                 "level full only)")
    refresh.add_argument("--timeout", type=float, default=5.0)
    refresh.add_argument("--json", action="store_true")
    override = actions.add_parser(
        "override", help="set a developer override (true/false, a variant, or a JSON payload "
                         "for remote-config flags)")
    override.add_argument("key")
    override.add_argument("value")
    override.add_argument("--json", action="store_true")
    clear = actions.add_parser("clear-override", help="remove a developer override")
    clear.add_argument("key")
    p.set_defaults(handler=flags_command, action=None)


def flags_command(app: App, args: argparse.Namespace) -> int:
    return _HANDLERS[args.action or "list"](app, args)


def _shown(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _when(at: float | None) -> str:
    if not at:
        return ""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _row(app: App, evaluation: Evaluation) -> dict[str, object]:
    spec = app.flags.registry.spec(evaluation.key)
    row = evaluation.as_dict()
    row.update(kind=spec.kind, allowed=spec.allowed, default=spec.default)
    return row


def _list(app: App, args: argparse.Namespace) -> int:
    evaluations = app.flags.all()
    if getattr(args, "json", False):
        print_json([_row(app, e) for e in evaluations])
        return 0
    rows = []
    for e in evaluations:
        spec = app.flags.registry.spec(e.key)
        rows.append([e.key, spec.kind, _shown(e.value), e.reason, e.note])
    print(table(["Flag", "Kind", "Value", "Reason", "Note"], rows))
    return 0


def _key(app: App, key: str) -> str:
    if key not in app.flags.registry.flags:
        raise ValidationError(f"flag '{key}' is not declared (known: "
                              f"{', '.join(app.flags.registry.flags)})")
    return key


def _get(app: App, args: argparse.Namespace) -> int:
    evaluation = app.flags.evaluate(_key(app, args.key))
    if args.json:
        print_json(_row(app, evaluation))
        return 0
    spec = app.flags.registry.spec(evaluation.key)
    print(f"{evaluation.key} = {_shown(evaluation.value)}  ({evaluation.reason}"
          + (f": {evaluation.note}" if evaluation.note else "") + ")")
    print(f"kind {spec.kind}, values {spec.allowed}, default {_shown(spec.default)}")
    if evaluation.fetched_at:
        print(f"last answer fetched {_when(evaluation.fetched_at)}")
    if spec.kind == "remote-config":
        print("payload: " + json.dumps(evaluation.payload, sort_keys=True))
    if spec.is_kill_switch and evaluation.value is False:
        print(f"off: {spec.reason}")
    return 0


def _refresh(app: App, args: argparse.Namespace) -> int:
    result = app.flags.refresh(timeout=args.timeout)
    if args.json:
        print_json({"outcome": result.outcome, "detail": result.detail,
                    "changed": list(result.changed)})
        return 0 if result.outcome != "failed" else 1
    detail = f" ({result.detail})" if result.detail else ""
    print(f"{result.outcome}{detail}")
    if result.changed:
        print("changed: " + ", ".join(result.changed))
    return 0 if result.outcome != "failed" else 1


def _override(app: App, args: argparse.Namespace) -> int:
    evaluation = app.flags.set_override(args.key, args.value)
    if args.json:
        print_json(_row(app, evaluation))
        return 0
    print(f"{evaluation.key} = {_shown(evaluation.value)} (developer override)")
    return 0


def _clear(app: App, args: argparse.Namespace) -> int:
    had = app.flags.clear_override(args.key)
    print(f"override of {args.key} removed" if had else f"{args.key} had no override")
    return 0


_HANDLERS = {"list": _list, "get": _get, "refresh": _refresh, "override": _override,
             "clear-override": _clear}
