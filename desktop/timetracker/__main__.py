"""``timetracker``: no arguments opens the window; a command runs the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--self-test"]:  # smoke test of a built package (packaging/, docs/building.md)
        from timetracker.self_test import main as self_test

        return self_test()
    if not args:
        import gc

        # No cyclic garbage collection while the window starts (~60 passes over the start-up's
        # objects otherwise); the launcher freezes what start-up made and turns it back on.
        gc.disable()
        from timetracker.ui.launch import launch_gui

        return launch_gui()
    from timetracker.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
