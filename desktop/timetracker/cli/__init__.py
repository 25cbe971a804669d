"""The command-line front end over the same services the GUI uses.

Each command group lives in its own module exposing ``register(subparsers)``; a registered
command sets ``handler(app, args) -> int`` as its default. Errors meant for the user exit
non-zero with one clear line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from types import ModuleType

from timetracker.build_info import VERSION
from timetracker.core.errors import TimeTrackerError


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="timetracker",
        description="TimeTracker — track your time. Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"timetracker {VERSION}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(subparsers)
    return parser


def run(argv: Sequence[str], app_factory: object | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    from timetracker.app import App

    parser = build_parser()
    args = parser.parse_args(list(argv))
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    app = App() if app_factory is None else app_factory()  # type: ignore[operator]
    try:
        return int(handler(app, args) or 0)
    except TimeTrackerError as exc:
        print(f"timetracker: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("timetracker: interrupted", file=sys.stderr)
        return 130
    finally:
        app.close()
