"""projects, clients, tags (list/add/rename/archive/unarchive) and project tasks."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from timetracker.app import App
from timetracker.cli.output import print_json, table
from timetracker.core.naming import format_cents


def _common(p: argparse.ArgumentParser, kind: str) -> argparse._SubParsersAction:
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    ls = actions.add_parser("list", help=f"list {kind}s")
    ls.add_argument("--all", action="store_true", help="include archived")
    ls.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help=f"add a {kind}")
    add.add_argument("name")
    add.add_argument("--json", action="store_true")
    rename = actions.add_parser("rename", help=f"rename a {kind}")
    rename.add_argument("ref", help="name or id")
    rename.add_argument("new_name")
    rename.add_argument("--json", action="store_true")
    for verb in ("archive", "unarchive"):
        a = actions.add_parser(verb, help=f"{verb} a {kind}")
        a.add_argument("ref", help="name or id")
        a.add_argument("--json", action="store_true")
    return actions


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("projects", help="list and manage projects")
    actions = _common(p, "project")
    add = actions.choices["add"]
    add.add_argument("--client")
    add.add_argument("--color", help="#RRGGBB")
    add.add_argument("--billable", action="store_true")
    add.add_argument("--rate", help="hourly rate, e.g. 85 or 85.50")
    add.add_argument("--currency", help="three-letter code, e.g. EUR")
    upd = actions.add_parser("set", help="change a project's client, colour, billing")
    upd.add_argument("ref")
    upd.add_argument("--client")
    upd.add_argument("--no-client", action="store_true")
    upd.add_argument("--color")
    upd.add_argument("--billable", action=argparse.BooleanOptionalAction, default=None)
    upd.add_argument("--rate")
    upd.add_argument("--currency")
    upd.add_argument("--json", action="store_true")
    tasks = actions.add_parser("tasks", help="list a project's tasks")
    tasks.add_argument("ref")
    tasks.add_argument("--json", action="store_true")
    task_add = actions.add_parser("add-task", help="add a task to a project")
    task_add.add_argument("ref")
    task_add.add_argument("task")
    task_add.add_argument("--json", action="store_true")
    done = actions.add_parser("task-done", help="mark a task done (or --undone)")
    done.add_argument("task_id", type=int)
    done.add_argument("--undone", action="store_true")
    done.add_argument("--json", action="store_true")
    p.set_defaults(handler=projects, action=None)

    for kind in ("client", "tag"):
        p = sub.add_parser(f"{kind}s", help=f"list and manage {kind}s")
        _common(p, kind)
        p.set_defaults(handler=clients if kind == "client" else tags, action=None)


def _emit(result: object, as_json: bool, text: str) -> int:
    if as_json:
        print_json(asdict(result) if not isinstance(result, list)  # type: ignore[call-overload]
                   else [asdict(r) for r in result])
    else:
        print(text)
    return 0


def projects(app: App, args: argparse.Namespace) -> int:
    c = app.catalog
    action = args.action or "list"
    if action == "list":
        rows = c.projects(include_archived=getattr(args, "all", False))
        if getattr(args, "json", False):
            return _emit(rows, True, "")
        print(table(["Id", "Project", "Client", "Billable", "Rate", "Archived"], [
            [p.id, p.name, p.client or "", "yes" if p.billable else "",
             f"{format_cents(p.rate_cents)} {p.currency}" if p.rate_cents else "",
             "archived" if p.archived else ""] for p in rows]) if rows else "No projects yet.")
        return 0
    if action == "add":
        r = c.add_project(args.name, client=args.client, color=args.color,
                          billable=args.billable, rate=args.rate, currency=args.currency)
        return _emit(r, args.json, f"Added project #{r.id} {r.name}")
    if action == "rename":
        r = c.update_project(args.ref, name=args.new_name)
        return _emit(r, args.json, f"Renamed project #{r.id} to {r.name}")
    if action in ("archive", "unarchive"):
        r = c.archive_project(args.ref, archived=action == "archive")
        return _emit(r, args.json, f"Project {r.name} {action}d")
    if action == "set":
        r = c.update_project(args.ref, client=args.client, clear_client=args.no_client,
                             color=args.color, billable=args.billable, rate=args.rate,
                             currency=args.currency)
        return _emit(r, args.json, f"Updated project #{r.id} {r.name}")
    if action == "tasks":
        task_rows = c.tasks(args.ref)
        if args.json:
            return _emit(task_rows, True, "")
        print(table(["Id", "Task", "Done"], [[t.id, t.name, "done" if t.done else ""]
                                             for t in task_rows]) if task_rows else "No tasks.")
        return 0
    if action == "add-task":
        t = c.add_task(args.ref, args.task)
        return _emit(t, args.json, f"Added task #{t.id} {t.name} to {t.project}")
    t = c.update_task(args.task_id, done=not args.undone)
    return _emit(t, args.json, f"Task #{t.id} {t.name} {'done' if t.done else 'open'}")


def _named_items(kind: str, app: App, args: argparse.Namespace) -> int:
    """list/add/rename/archive/unarchive for clients and tags (same shape, same output)."""
    c = app.catalog
    listing: Callable[..., Any] = {"client": c.clients, "tag": c.tags}[kind]
    adding: Callable[..., Any] = {"client": c.add_client, "tag": c.add_tag}[kind]
    renaming: Callable[..., Any] = {"client": c.rename_client, "tag": c.rename_tag}[kind]
    archiving: Callable[..., Any] = {"client": c.archive_client, "tag": c.archive_tag}[kind]
    action = args.action or "list"
    if action == "list":
        rows = listing(include_archived=getattr(args, "all", False))
        if getattr(args, "json", False):
            return _emit(rows, True, "")
        print(table(["Id", kind.capitalize(), "Archived"], [
            [r.id, r.name, "archived" if r.archived else ""] for r in rows])
            if rows else f"No {kind}s yet.")
        return 0
    if action == "add":
        r = adding(args.name)
        return _emit(r, args.json, f"Added {kind} #{r.id} {r.name}")
    if action == "rename":
        r = renaming(args.ref, args.new_name)
        return _emit(r, args.json, f"Renamed {kind} #{r.id} to {r.name}")
    r = archiving(args.ref, archived=action == "archive")
    return _emit(r, args.json, f"{kind.capitalize()} {r.name} {action}d")


def clients(app: App, args: argparse.Namespace) -> int:
    return _named_items("client", app, args)


def tags(app: App, args: argparse.Namespace) -> int:
    return _named_items("tag", app, args)
