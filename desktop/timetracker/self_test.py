"""``timetracker --self-test``: a headless smoke test of an installed copy of the app.

Every built package (.deb, .exe, .dmg) runs this before it is uploaded. It proves that the frozen
app starts, finds its resources, can open and migrate a database, can load the telemetry
registries, and can render its main window — all without touching the user's data: it works in
a temporary TIMETRACKER_HOME that is removed afterwards, with telemetry forced off.

Prints one line per check and exits 0 only when every check passed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

#: What a check returns: a short detail for the report line.
Check = Callable[[], str]


class SkipCheck(Exception):
    """A check that cannot run in this build (said so in the output, not counted as passed)."""


def _check_build_info() -> str:
    from timetracker import build_info

    return (f"version {build_info.VERSION}, {build_info.DEPLOYMENT_METHOD}, "
            f"{build_info.ENVIRONMENT}, analytics key "
            f"{'embedded' if build_info.POSTHOG_API_KEY else 'none'}")


def _check_resources() -> str:
    from timetracker.core.resources import resources_dir

    folder = resources_dir()
    for name in ("telemetry/events.yaml", "telemetry/flags.yaml"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name} is missing from the bundle")
    return str(folder)


def _check_database() -> str:
    from timetracker.app import App
    from timetracker.core.db import head_revision

    app = App()
    try:
        revision = app.db.current_revision()
        head = head_revision()
        if revision != head:
            raise RuntimeError(f"database at revision {revision}, expected head {head}")
        app.catalog.add_project("Self-test")
        names = [project.name for project in app.catalog.projects()]
        if names != ["Self-test"]:
            raise RuntimeError(f"wrote one project, read back {names}")
        return f"migrated to {revision}, write and read back ok"
    finally:
        app.close()


def _check_telemetry_registry() -> str:
    if importlib.util.find_spec("timetracker.telemetry.registry") is None:
        raise SkipCheck("this build has no telemetry registry loader")
    from timetracker.telemetry.registry import load_registry

    registry = load_registry()
    parts = [f"{len(registry.events)} events"]
    if importlib.util.find_spec("timetracker.telemetry.flags_registry") is not None:
        from timetracker.telemetry.flags_registry import load_flag_registry

        parts.append(f"{len(load_flag_registry().flags)} flags")
    return ", ".join(parts)


def _check_main_window() -> str:
    if importlib.util.find_spec("timetracker.ui.self_test") is None:
        raise SkipCheck("this build has no GUI self-test (timetracker.ui.self_test)")
    from timetracker.ui.self_test import run_self_test

    code = run_self_test()
    if code != 0:
        raise RuntimeError(f"the GUI self-test exited with {code}")
    return "rendered offscreen"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("build info", _check_build_info),
    ("resources", _check_resources),
    ("database", _check_database),
    ("telemetry registry", _check_telemetry_registry),
    ("main window", _check_main_window),
)


def run_checks(checks: tuple[tuple[str, Check], ...] = CHECKS) -> int:
    """Run ``checks`` in order, print one line each; 0 when none failed."""
    failed = 0
    for name, check in checks:
        try:
            detail = check()
        except SkipCheck as skip:
            print(f"SKIP {name}: {skip}", flush=True)
        except Exception as exc:  # report every failure, keep checking the rest
            failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
        else:
            print(f"ok   {name}: {detail}", flush=True)
    print("self-test " + ("passed" if not failed else f"FAILED ({failed} check(s))"), flush=True)
    return 0 if not failed else 1


def main() -> int:
    """Run the self-test in a throwaway home, headless, with telemetry off."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    saved = {name: os.environ.get(name) for name in ("TIMETRACKER_HOME", "TIMETRACKER_TELEMETRY")}
    with tempfile.TemporaryDirectory(prefix="timetracker-self-test-") as home:
        os.environ["TIMETRACKER_HOME"] = str(Path(home))
        os.environ["TIMETRACKER_TELEMETRY"] = "off"
        try:
            return run_checks()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
