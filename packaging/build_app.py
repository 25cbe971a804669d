"""Build the app end to end: stamp, icons, PyInstaller bundle and, on Linux, the .deb.

    python packaging/build_app.py                                  # local build
    python packaging/build_app.py --dev-number 7 --commit 1a2b3c4  # CI dev build
    python packaging/build_app.py --release-tag v1.2.0             # CI release (key from env)
    python packaging/build_app.py --deployment-method exe          # Windows (then Inno Setup)

Run with the project's virtualenv Python (PyInstaller comes from requirements.lock's
``package`` extra). Outputs: OUT/pyinstaller/timetracker/ (Linux, Windows) or
OUT/pyinstaller/TimeTracker.app (macOS), and OUT/*.deb on Linux; scratch files go to WORK.
``make package-linux`` runs this. Prints the bundle size (and build_deb.py the .deb size).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    print("+ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=REPO, env=env)
    if result.returncode != 0:
        raise SystemExit(f"build_app: step failed ({result.returncode}): {command[1]}")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build")
    default_method = {"win32": "exe", "darwin": "dmg"}.get(sys.platform, "deb")
    parser.add_argument("--deployment-method", default=default_method)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--release-tag")
    kind.add_argument("--dev-number")
    parser.add_argument("--commit")
    parser.add_argument("--no-deb", action="store_true", help="Linux: stop after the bundle")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("build_app: PyInstaller is not installed; install the lock "
                         "(requirements.lock includes the 'package' extra)") from None
    python = sys.executable
    out, work = args.out.resolve(), args.work.resolve()
    source, icons = work / "src", work / "icons"
    stamp = [python, str(HERE / "stamp_build.py"), "--deployment-method",
             args.deployment_method, "--output", str(source)]
    if args.release_tag:
        stamp += ["--release-tag", args.release_tag]
    elif args.dev_number is not None:
        stamp += ["--dev-number", args.dev_number, "--commit", args.commit or ""]
    _run(stamp)
    _run([python, str(HERE / "icons.py"), str(icons)])
    # PYTHONPATH too, so PyInstaller's helper subprocesses import the stamped copy as well.
    env = dict(os.environ, TIMETRACKER_SOURCE=str(source), TIMETRACKER_ICONS=str(icons),
               PYTHONPATH=os.pathsep.join(filter(None, [str(source),
                                                        os.environ.get("PYTHONPATH")])))
    _run([python, "-m", "PyInstaller", str(HERE / "timetracker.spec"), "--noconfirm",
          "--distpath", str(out / "pyinstaller"), "--workpath", str(work / "pyinstaller")], env)
    bundle = out / "pyinstaller" / ("TimeTracker.app" if sys.platform == "darwin"
                                     else "timetracker")
    print(f"build_app: bundle {bundle}: {folder_size(bundle) / 2**20:.1f} MiB unpacked")
    if sys.platform.startswith("linux") and not args.no_deb:
        _run([python, str(HERE / "linux" / "build_deb.py"), "--bundle", str(bundle),
              "--icons", str(icons), "--source", str(source), "--out", str(out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
