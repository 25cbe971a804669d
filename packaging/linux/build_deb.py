"""Build the TimeTracker .deb from a PyInstaller one-folder bundle (with dpkg-deb).

    python packaging/linux/build_deb.py --bundle dist/pyinstaller/timetracker \\
        --icons build/icons --out dist

Layout of the package:
    /opt/timetracker/                      the PyInstaller bundle
    /usr/bin/timetracker                   launcher (exec /opt/timetracker/timetracker)
    /usr/share/applications/org.timetracker.TimeTracker.desktop
    /usr/share/metainfo/org.timetracker.TimeTracker.metainfo.xml
    /usr/share/icons/hicolor/*/apps/timetracker.{png,svg}
    /usr/share/doc/timetracker/{copyright,changelog.gz}, /usr/share/man/man1/timetracker.1.gz
    /usr/share/lintian/overrides/timetracker

The version comes from the bundle's stamped build_info (``--source``, default build/src). The
run-time Depends are computed by dpkg-shlibdeps over the bundle's ELF files (libraries the
bundle carries itself are not dependencies). Prints the path of the .deb on its last line.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE = "timetracker"
APP_ID = "org.timetracker.TimeTracker"
MAINTAINER = "TimeTracker developers <maintainers@timetracker.invalid>"
HOMEPAGE = "https://github.com/timetracker-desktop/timetracker"
#: Always needed at run time, whatever dpkg-shlibdeps finds: Qt loads OpenGL/EGL with dlopen,
#: and PyInstaller never bundles these driver-facing libraries.
EXTRA_DEPENDS = ("libegl1", "libgl1")
#: The bundled fontconfig reads the system's font configuration; Qt needs at least one font.
RECOMMENDS = "fontconfig-config, fonts-dejavu-core"
SUMMARY = "privacy-first desktop time tracker"
DESCRIPTION = """\
 TimeTracker tracks the time you spend on projects and tasks: a one-click
 timer, editable entries, clients, tags and reports with CSV and JSON export,
 in a desktop window and on the command line. Data stays in a local database.
 .
 Usage statistics are opt-in and never include names, descriptions or paths."""


class DebError(Exception):
    """The package cannot be built; the message says why."""


def read_build_info(source: Path) -> dict[str, str]:
    """The stamped constants of ``source/timetracker/build_info.py``."""
    path = source / PACKAGE / "build_info.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError) as exc:
        raise DebError(f"{path}: cannot read the stamped build info ({exc})") from exc
    values: dict[str, str] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else (
            node.target if isinstance(node, ast.AnnAssign) else None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            values[target.id] = str(value.value)
    if "VERSION" not in values:
        raise DebError(f"{path}: no VERSION")
    return values


def debian_version(version: str) -> str:
    """PEP 440 -> Debian: ``1.2.3.dev4+gabc`` -> ``1.2.3~dev4+gabc`` (dev sorts first)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:\.?(dev|a|b|rc)(\d+))?(?:\+([A-Za-z0-9.]+))?",
                         version)
    if match is None:
        raise DebError(f"version '{version}' is not a PEP 440 version this script understands")
    base, pre, number, local = match.groups()
    out = base + (f"~{pre}{number}" if pre else "")
    return out + (f"+{local}" if local else "")


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def shlib_depends(opt_dir: Path, work: Path) -> list[str]:
    """The Depends for the system libraries the bundle's ELF files link against."""
    elves = [p for p in opt_dir.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    lib_dirs = sorted({str(p.parent) for p in elves if ".so" in p.name})
    debian = work / "debian"
    debian.mkdir(parents=True, exist_ok=True)
    (debian / "control").write_text(f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\n"
                                    "Architecture: any\n", encoding="utf-8")
    command = ["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0",
               *(f"-l{d}" for d in lib_dirs), *(str(p) for p in elves)]
    result = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        raise DebError("dpkg-shlibdeps failed:\n" + result.stderr[-3000:])
    line = next((x for x in result.stdout.splitlines() if x.startswith("shlibs:Depends=")), "")
    depends = [d.strip() for d in line.partition("=")[2].split(",") if d.strip()]
    # The bootloader puts the bundle first on the library path: a system package whose
    # library the bundle carries itself is not a dependency.
    carried = packages_providing(sorted({p.name for p in elves if ".so" in p.name}))
    return [d for d in depends if _package_name(d) not in carried]


def _package_name(dependency: str) -> str:
    return re.split(r"[\s(:]", dependency, maxsplit=1)[0]


def packages_providing(library_names: list[str]) -> set[str]:
    """The installed system packages that ship a library file with one of these names."""
    if not library_names:
        return set()
    result = subprocess.run(["dpkg", "-S", *(f"*/{name}" for name in library_names)],
                            capture_output=True, text=True)
    packages: set[str] = set()
    for line in result.stdout.splitlines():  # "pkg:arch, pkg2:arch: /usr/lib/…/libfoo.so.1"
        owners, _, _path = line.rpartition(": ")
        packages.update(_package_name(owner.strip()) for owner in owners.split(","))
    return packages


def clean_runpaths(opt_dir: Path) -> int:
    """Drop build-machine RUNPATH entries (e.g. a pyenv prefix) from the bundle's ELF files.

    The PyInstaller bootloader points the loader at the bundle itself, so only ``$ORIGIN``
    entries are kept. Returns how many files were changed.
    """
    patchelf = shutil.which("patchelf")
    if patchelf is None:
        raise DebError("patchelf is not installed (apt-get install patchelf)")
    changed = 0
    for path in sorted(opt_dir.rglob("*")):
        if not path.is_file() or path.is_symlink() or not _is_elf(path):
            continue
        found = subprocess.run([patchelf, "--print-rpath", str(path)], capture_output=True,
                               text=True)
        entries = [e for e in found.stdout.strip().split(":") if e]
        if found.returncode != 0 or all(e.startswith("$ORIGIN") for e in entries):
            continue
        keep = ":".join(e for e in entries if e.startswith("$ORIGIN"))
        command = [patchelf, "--set-rpath", keep, str(path)] if keep else [
            patchelf, "--remove-rpath", str(path)]
        subprocess.run(command, check=True, capture_output=True)
        changed += 1
    return changed


def merge_depends(found: list[str], extra: tuple[str, ...] = EXTRA_DEPENDS) -> str:
    names = {_package_name(d) for d in found}
    return ", ".join(sorted(set(found) | {e for e in extra if e not in names}))


def _normalise_modes(root: Path) -> None:
    """Directories 0755; executables (ELF programs, scripts) 0755; everything else 0644."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
            continue
        executable = bool(path.stat().st_mode & stat.S_IXUSR)
        shared_lib = ".so" in path.name and not path.name.endswith(".py")
        path.chmod(0o755 if executable and not shared_lib else 0o644)


def _gzip(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9,
                                                  mtime=0, filename="") as handle:
        handle.write(data)


def _installed_size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            total += (path.stat().st_size + 1023) // 1024
    return total


def stage(bundle: Path, icons: Path, root: Path, version: str, deb_version: str) -> None:
    """Lay out the package's files under ``root`` (no DEBIAN/ yet)."""
    if not (bundle / PACKAGE).is_file():
        raise DebError(f"{bundle}: no '{PACKAGE}' executable; build the PyInstaller bundle first")
    if not (icons / "hicolor").is_dir():
        raise DebError(f"{icons}: no hicolor/ icons; run packaging/icons.py first")
    shutil.copytree(bundle, root / "opt" / PACKAGE, symlinks=True)
    launcher = root / "usr" / "bin" / PACKAGE
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f'#!/bin/sh\nexec /opt/{PACKAGE}/{PACKAGE} "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(HERE / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    (share / "metainfo").mkdir(parents=True)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    metainfo = (HERE / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8").replace(
        "<!-- @RELEASES@ -->", f'<release version="{version}" date="{today}"/>')
    (share / "metainfo" / f"{APP_ID}.metainfo.xml").write_text(metainfo, encoding="utf-8")
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copyfile(HERE / "copyright", doc / "copyright")
    changelog = (f"{PACKAGE} ({deb_version}) unstable; urgency=medium\n\n"
                 f"  * Built from TimeTracker {version}.\n\n"
                 f" -- {MAINTAINER}  "
                 f"{dt.datetime.now(dt.UTC).strftime('%a, %d %b %Y %H:%M:%S +0000')}\n")
    _gzip(changelog.encode("utf-8"), doc / "changelog.gz")
    _gzip((HERE / "timetracker.1").read_bytes(), share / "man" / "man1" / "timetracker.1.gz")
    overrides = share / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(HERE / "lintian-overrides", overrides / PACKAGE)


def write_control(root: Path, deb_version: str, depends: str) -> None:
    control_dir = root / "DEBIAN"
    control_dir.mkdir(exist_ok=True)
    sums = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    (control_dir / "md5sums").write_text("".join(sums), encoding="utf-8")
    control = (f"Package: {PACKAGE}\nVersion: {deb_version}\nArchitecture: {architecture()}\n"
               f"Maintainer: {MAINTAINER}\nInstalled-Size: {_installed_size_kib(root)}\n"
               f"Depends: {depends}\nRecommends: {RECOMMENDS}\n"
               "Section: utils\nPriority: optional\n"
               f"Homepage: {HOMEPAGE}\nDescription: {SUMMARY}\n{DESCRIPTION}\n")
    (control_dir / "control").write_text(control, encoding="utf-8")


def build_deb(bundle: Path, icons: Path, source: Path, out_dir: Path) -> Path:
    info = read_build_info(source)
    version = info["VERSION"]
    deb_version = debian_version(version)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{deb_version}_{architecture()}.deb"
    with tempfile.TemporaryDirectory(prefix="timetracker-deb-") as temp:
        root = Path(temp) / "root"
        stage(bundle, icons, root, version, deb_version)
        clean_runpaths(root / "opt" / PACKAGE)
        _normalise_modes(root)
        # DEBIAN/ marks the package build tree: dpkg-shlibdeps then treats the bundle's own
        # libraries as private (no dependency) instead of mapping them to system packages.
        (root / "DEBIAN").mkdir()
        depends = merge_depends(shlib_depends(root / "opt" / PACKAGE, Path(temp) / "shlibs"))
        write_control(root, deb_version, depends)
        _normalise_modes(root / "DEBIAN")
        partial = target.with_suffix(".deb.partial")
        result = subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build",
                                 str(root), str(partial)], capture_output=True, text=True)
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise DebError("dpkg-deb failed:\n" + result.stderr)
        os.replace(partial, target)  # never leave a half-written .deb under the final name
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the TimeTracker .deb.")
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "pyinstaller" / PACKAGE)
    parser.add_argument("--icons", type=Path, default=REPO / "build" / "icons")
    parser.add_argument("--source", type=Path, default=REPO / "build" / "src",
                        help="folder with the stamped timetracker package")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args(argv)
    try:
        deb = build_deb(args.bundle, args.icons, args.source, args.out)
    except DebError as exc:
        print(f"build_deb: error: {exc}", file=sys.stderr)
        return 2
    size = deb.stat().st_size / 2**20
    print(f"build_deb: {deb.name}: {size:.1f} MiB")
    print(deb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
