"""config get|set|list."""

from __future__ import annotations

import argparse

from timetracker.app import App
from timetracker.cli.output import print_json, table, warn


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="read and change settings")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    ls = actions.add_parser("list", help="every setting with its value and source")
    ls.add_argument("--json", action="store_true")
    get = actions.add_parser("get", help="print one setting")
    get.add_argument("key")
    get.add_argument("--json", action="store_true")
    put = actions.add_parser("set", help="change one setting")
    put.add_argument("key")
    put.add_argument("value")
    p.set_defaults(handler=config, action=None)


def config(app: App, args: argparse.Namespace) -> int:
    for problem in app.config.problems:
        warn(str(problem))
    action = args.action or "list"
    if action == "get":
        value = app.config.get(args.key)
        if args.json:
            print_json({args.key: value})
        else:
            print(str(value).lower() if isinstance(value, bool) else value)
        return 0
    if action == "set":
        value = app.config.set(args.key, args.value)
        app.emit("settings.changed", {"key": args.key})
        shown = str(value).lower() if isinstance(value, bool) else value
        note = ""
        if args.key in app.config.overridden:
            note = f" (saved; {app.config.overridden[args.key]} overrides it in this environment)"
        print(f"{args.key} = {shown}{note}")
        return 0
    rows = app.config.items()
    if getattr(args, "json", False):
        print_json({s.key: {"value": v, "source": src, "help": s.help} for s, v, src in rows})
        return 0
    print(table(["Setting", "Value", "Source", "Meaning"], [
        [s.key, str(v).lower() if isinstance(v, bool) else v, src, s.help]
        for s, v, src in rows]))
    print(f"\nFile: {app.config.path}")
    return 0
