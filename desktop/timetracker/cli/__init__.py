"""The command-line front end over the same services the GUI uses.

Each command group lives in its own module exposing ``register(subparsers)``; a registered
command sets ``handler(app, args) -> int`` as its default. Errors meant for the user exit
non-zero with one clear line on stderr.

A run with a command imports only the module that registers it (``COMMAND_MODULES``), so a
quick ``timetracker report`` does not pay for importing every other command's dependencies.
When the table is wrong or incomplete the full parser is used, so it can only cost speed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from timetracker.build_info import VERSION
from timetracker.core.errors import TimeTrackerError

if TYPE_CHECKING:
    from timetracker.core.integrity import IntegrityProbe

#: Which module registers each command (a test keeps this in step with the modules).
COMMAND_MODULES = {
    "start": "timer_cmds", "stop": "timer_cmds", "continue": "timer_cmds",
    "status": "timer_cmds",
    "add": "entry_cmds", "edit": "entry_cmds", "delete": "entry_cmds", "undo": "entry_cmds",
    "log": "entry_cmds",
    "report": "report_cmds",
    "projects": "catalog_cmds", "clients": "catalog_cmds", "tags": "catalog_cmds",
    "config": "config_cmds",
    "backup": "backup_cmds",
    "export": "transfer_cmds", "import": "transfer_cmds",
    "telemetry": "telemetry_cmds",
    "flags": "flags_cmds",
    "metrics": "metrics_cmds",
}


def _command_modules() -> list[ModuleType]:
    from timetracker.cli import (
        backup_cmds,
        catalog_cmds,
        config_cmds,
        entry_cmds,
        report_cmds,
        timer_cmds,
    )

    modules = [timer_cmds, entry_cmds, report_cmds, catalog_cmds,
               config_cmds, backup_cmds]
    modules.extend(_optional_modules())
    return modules


def _optional_modules() -> list[ModuleType]:
    """Command groups of the telemetry/flags layers, registered when present."""
    import importlib

    found = []
    for name in ("transfer_cmds", "telemetry_cmds", "flags_cmds", "metrics_cmds"):
        try:
            found.append(importlib.import_module(f"timetracker.cli.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"timetracker.cli.{name}":
                raise
    return found


class _Parser(argparse.ArgumentParser):
    """Lets relative times such as ``--at -15m`` or ``--start -1h30m`` through as values."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._negative_number_matcher = re.compile(r"^-(\d+h)?(\d+m(in)?)?$|^-\d+(\.\d+)?$")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with ``command``, only that command's module is registered when the
    table knows it (falls back to every command otherwise)."""
    parser = _Parser(
        prog="timetracker",
        description="TimeTracker — track your time. Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"timetracker {VERSION}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    single = _single_module(command)
    if single is not None:
        single.register(subparsers)
        if command in subparsers.choices:
            return parser
        return build_parser()  # the table is out of date: use every command
    for module in _command_modules():
        module.register(subparsers)
    return parser


def _single_module(command: str | None) -> ModuleType | None:
    import importlib

    name = COMMAND_MODULES.get(command or "")
    if name is None:
        return None
    try:
        return importlib.import_module(f"timetracker.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"timetracker.cli.{name}":
            raise
        return None


#: Commands a kill switch can turn off; cli/flags_cmds.py maps them to their flags (a test
#: keeps the two in step). Only these pay for loading the flags.
KILL_SWITCHED = frozenset({"export", "import"})


def _refuse_if_switched_off(app: object, command: str) -> None:
    if command in KILL_SWITCHED:
        from timetracker.cli.flags_cmds import refuse_if_switched_off

        refuse_if_switched_off(app, command)  # type: ignore[arg-type]


def _start_integrity_check(command: str | None,
                           app_factory: object | None) -> IntegrityProbe | None:
    """Start checking the database now, so the check overlaps imports and parsing."""
    if command not in COMMAND_MODULES or app_factory is not None:
        return None
    from timetracker.core.integrity import IntegrityProbe
    from timetracker.core.paths import AppPaths

    return IntegrityProbe(AppPaths.from_environment().database)


def run(argv: Sequence[str], app_factory: object | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    argv = list(argv)
    command = argv[0] if argv and not argv[0].startswith("-") else None
    probe = _start_integrity_check(command, app_factory)
    try:
        return _run(argv, command, app_factory, probe)
    finally:
        if probe is not None:
            probe.result()  # never leave the check running at exit


def _run(argv: list[str], command: str | None, app_factory: object | None,
         probe: IntegrityProbe | None) -> int:
    from timetracker.app import App

    parser = build_parser(command)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    app = (App(integrity_probe=probe) if app_factory is None
           else app_factory())  # type: ignore[operator]
    try:
        app.start_observability("cli")
        _refuse_if_switched_off(app, str(getattr(args, "command", "") or ""))
        return int(handler(app, args) or 0)
    except TimeTrackerError as exc:
        print(f"timetracker: error: {exc}", file=sys.stderr)
        app.report_error(exc)  # shown to the user: its class only, when consent allows
        return 1
    except KeyboardInterrupt:
        print("timetracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `timetracker log --json | head`): stop quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        app.report_error(exc)  # the class name only, when consent allows
        raise
    finally:
        app.close()
