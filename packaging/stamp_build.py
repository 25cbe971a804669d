"""Stamp build facts into ``timetracker/build_info.py`` before an installer is built.

Dev build (push to main; no analytics key, ever):

    python packaging/stamp_build.py --deployment-method deb --dev-number 42 --commit 1a2b3c4d

    -> VERSION "0.1.0.dev42+g1a2b3c4", ENVIRONMENT "development", POSTHOG_API_KEY ""

Release build (tag vX.Y.Z; key and host come from the environment, i.e. CI secrets):

    TIMETRACKER_POSTHOG_API_KEY=phc_… TIMETRACKER_POSTHOG_HOST=https://eu.i.posthog.com \\
    python packaging/stamp_build.py --deployment-method exe --release-tag v0.1.0

    -> fails unless the tag equals pyproject's version and the key is a real key (not empty,
       not a placeholder).

By default the package is copied first (``--source desktop --output build/src``) so the checkout
stays untouched; ``--in-place`` rewrites ``desktop/timetracker/build_info.py`` itself (CI runners).
The file is written atomically: a failed stamp never leaves a half-written build_info.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "timetracker"
DEPLOYMENT_METHODS = ("deb", "exe", "dmg", "appimage", "source")
KEY_ENV = "TIMETRACKER_POSTHOG_API_KEY"
HOST_ENV = "TIMETRACKER_POSTHOG_HOST"
DEFAULT_HOST = "https://eu.i.posthog.com"
_RELEASE_TAG = re.compile(r"^v(\d+\.\d+\.\d+)$")
_BASE_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")
#: PostHog project API keys: "phc_" and a long random token.
_KEY_FORMAT = re.compile(r"phc_[A-Za-z0-9]{20,}")
#: Values that mean "nobody filled the secret in".
_PLACEHOLDER = re.compile(r"placeholder|changeme|change_me|replace_?me|your_?key|example|dummy|"
                          r"(.)\1{7,}", re.IGNORECASE)
#: The constants this script owns, in file order.
FIELDS = ("VERSION", "DEPLOYMENT_METHOD", "ENVIRONMENT", "POSTHOG_API_KEY", "POSTHOG_HOST")


class StampError(Exception):
    """A build that must not go ahead; the message says what to fix."""


@dataclass(frozen=True)
class Stamp:
    version: str
    deployment_method: str
    environment: str
    posthog_api_key: str
    posthog_host: str

    def values(self) -> dict[str, str]:
        return {"VERSION": self.version, "DEPLOYMENT_METHOD": self.deployment_method,
                "ENVIRONMENT": self.environment, "POSTHOG_API_KEY": self.posthog_api_key,
                "POSTHOG_HOST": self.posthog_host}


def project_version(pyproject: Path = REPO / "pyproject.toml") -> str:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        version = str(data["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise StampError(f"{pyproject}: cannot read [project] version ({exc})") from exc
    if not _BASE_VERSION.match(version):
        raise StampError(f"{pyproject}: [project] version '{version}' is not X.Y.Z")
    return version


def dev_version(base: str, number: int, commit: str) -> str:
    """``X.Y.Z.devN+gSHA`` (PEP 440: sorts before the X.Y.Z release)."""
    if not _BASE_VERSION.match(base):
        raise StampError(f"base version '{base}' is not X.Y.Z")
    if number < 0:
        raise StampError(f"--dev-number must be 0 or more, got {number}")
    if not _SHA.match(commit):
        raise StampError(f"--commit '{commit}' is not a git commit hash")
    return f"{base}.dev{number}+g{commit[:7].lower()}"


def release_version(tag: str, base: str) -> str:
    """The version of a release tag ``vX.Y.Z``, which must equal pyproject's version."""
    match = _RELEASE_TAG.match(tag.removeprefix("refs/tags/"))
    if match is None:
        raise StampError(f"release tag '{tag}' is not of the form vX.Y.Z")
    if match.group(1) != base:
        raise StampError(f"release tag '{tag}' does not match pyproject.toml's version {base}; "
                         "bump [project] version first")
    return match.group(1)


def check_release_key(key: str, host: str) -> None:
    """Fail a release whose analytics key or host was not filled in from the secrets."""
    if not key.strip():
        raise StampError(f"release build without an analytics key: set {KEY_ENV} "
                         "from the POSTHOG_API_KEY secret")
    if _PLACEHOLDER.search(key) or not _KEY_FORMAT.fullmatch(key):
        raise StampError(f"{KEY_ENV} looks like a placeholder, not a PostHog project key "
                         "(phc_ followed by the project token)")
    if not re.fullmatch(r"https://[A-Za-z0-9.\-]+(:\d+)?/?", host):
        raise StampError(f"{HOST_ENV} '{host}' is not an https:// host URL")


def render(text: str, stamp: Stamp, source: Path | str = "build_info.py") -> str:
    """``text`` with each of FIELDS set to the stamp's value; every field must be present once."""
    for name, value in stamp.values().items():
        pattern = re.compile(rf"^{name}\s*(:\s*str\s*)?=.*$", re.MULTILINE)
        found = list(pattern.finditer(text))
        if len(found) != 1:
            raise StampError(f"{source}: expected one line assigning {name}, found {len(found)}")
        start, end = found[0].span()
        text = f"{text[:start]}{name} = {json.dumps(value)}{text[end:]}"
    return text


def write_stamp(build_info: Path, stamp: Stamp) -> None:
    """Rewrite ``build_info`` atomically (temporary file + rename)."""
    try:
        text = build_info.read_text(encoding="utf-8")
    except OSError as exc:
        raise StampError(f"{build_info}: cannot read ({exc})") from exc
    stamped = render(text, stamp, build_info)
    compile(stamped, str(build_info), "exec")  # never write a file Python cannot load
    temporary = build_info.with_name(build_info.name + ".stamping")
    temporary.write_text(stamped, encoding="utf-8")
    os.replace(temporary, build_info)


def make_stamp(args: argparse.Namespace, environ: dict[str, str]) -> Stamp:
    base = project_version(args.pyproject)
    if args.release_tag:
        version = release_version(args.release_tag, base)
        key = environ.get(KEY_ENV, "").strip()
        host = environ.get(HOST_ENV, "").strip() or DEFAULT_HOST
        check_release_key(key, host)
        return Stamp(version, args.deployment_method, "production", key, host.rstrip("/"))
    if args.dev_number is not None or args.commit:
        if args.dev_number is None or not args.commit:
            raise StampError("a dev build needs both --dev-number and --commit")
        version = dev_version(base, args.dev_number, args.commit)
    else:
        version = base  # a local build of the checkout's version
    return Stamp(version, args.deployment_method, "development", "", "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Stamp version, deployment method and "
                                     "(releases only) the analytics key into build_info.py.")
    parser.add_argument("--deployment-method", required=True, choices=DEPLOYMENT_METHODS)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--release-tag", help="release build for tag vX.Y.Z (key from env)")
    kind.add_argument("--dev-number", type=int, help="dev build number N (X.Y.Z.devN+gSHA)")
    parser.add_argument("--commit", help="commit hash of a dev build")
    parser.add_argument("--pyproject", type=Path, default=REPO / "pyproject.toml")
    parser.add_argument("--source", type=Path, default=REPO / "desktop",
                        help="folder holding the timetracker package (default: desktop)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--output", type=Path, default=REPO / "build" / "src",
                       help="copy the package here and stamp the copy (default: build/src)")
    where.add_argument("--in-place", action="store_true",
                       help="stamp SOURCE/timetracker/build_info.py itself")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    args = parse_args(argv)
    try:
        stamp = make_stamp(args, dict(os.environ if environ is None else environ))
        package = args.source / PACKAGE
        if not (package / "build_info.py").is_file():
            raise StampError(f"{package}: no build_info.py (is --source the desktop folder?)")
        if args.in_place:
            target = package / "build_info.py"
        else:
            copy = args.output / PACKAGE
            if copy.exists():
                shutil.rmtree(copy)
            shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            target = copy / "build_info.py"
        write_stamp(target, stamp)
    except StampError as exc:
        print(f"stamp_build: error: {exc}", file=sys.stderr)
        return 2
    key = "embedded" if stamp.posthog_api_key else "none"
    print(f"stamp_build: {target}: version {stamp.version}, {stamp.deployment_method}, "
          f"{stamp.environment}, analytics key {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
