"""backup list|create|restore."""

from __future__ import annotations

import argparse

from timetracker.app import App
from timetracker.cli.output import print_json, table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="list, create and restore backups")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    ls = actions.add_parser("list", help="backups, newest first")
    ls.add_argument("--json", action="store_true")
    mk = actions.add_parser("create", help="back up the database now")
    mk.add_argument("--json", action="store_true")
    rs = actions.add_parser("restore", help="make a backup the live database")
    rs.add_argument("name", help="backup file name (see 'backup list')")
    p.set_defaults(handler=backup, action=None)


def backup(app: App, args: argparse.Namespace) -> int:
    action = args.action or "list"
    manager = app.backups  # works even when the database is damaged
    if action == "create":
        app.db  # noqa: B018 - open (and check) the database before copying it
        info = manager.create("manual")
        if info is None:
            print("There is no database yet; nothing to back up.")
            return 0
        if getattr(args, "json", False):
            print_json({"name": info.name, "path": str(info.path), "size": info.size})
        else:
            print(f"Created {info.name} ({info.size:,} bytes) in {manager.folder}")
        return 0
    if action == "restore":
        restored = manager.restore(args.name)
        print(f"Restored {restored.name}. The previous database was kept "
              f"(see 'timetracker backup list').")
        return 0
    backups = manager.list()
    if getattr(args, "json", False):
        print_json([{"name": b.name, "created": b.created.isoformat(), "reason": b.reason,
                     "size": b.size} for b in backups])
        return 0
    if not backups:
        print(f"No backups yet in {manager.folder}.")
        return 0
    print(table(["Name", "Created (UTC)", "Reason", "Size"], [
        [b.name, b.created.strftime("%Y-%m-%d %H:%M:%S"), b.reason, f"{b.size:,}"]
        for b in backups], align_right=(3,)))
    return 0
