"""The flag registry: which feature flags exist, their kinds, variants, defaults and schemas.

Loaded from ``resources/telemetry/flags.yaml``. A malformed file raises
:class:`FlagRegistryError` naming the file, line and field. The constants module
``flag_keys.py`` is generated from it::

    python -m timetracker.telemetry.flags_registry --write   # rewrite flag_keys.py
    python -m timetracker.telemetry.flags_registry --check   # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timetracker.core.resources import resource
from timetracker.telemetry.yaml_source import YamlSource

KINDS: tuple[str, ...] = ("release", "experiment", "kill-switch", "remote-config")
TYPES: tuple[str, ...] = ("boolean", "multivariate")
FlagValue = bool | str
_KEY = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_VARIANT = re.compile(r"^[a-z][a-z0-9_-]*$")


class FlagRegistryError(Exception):
    """flags.yaml is malformed (names file, line and field)."""


@dataclass(frozen=True)
class FlagSpec:
    key: str
    kind: str
    type: str
    default: FlagValue
    owner: str
    description: str
    variants: tuple[str, ...] = ()
    reason: str = ""
    requires: str = ""
    payload_schema: Mapping[str, Any] | None = None
    default_payload: Any = None
    line: int = 0

    @property
    def is_kill_switch(self) -> bool:
        return self.kind == "kill-switch"

    @property
    def allowed(self) -> str:
        """The values this flag can take, for help texts."""
        if self.type == "multivariate":
            return "|".join(self.variants)
        return "true|false"

    def accepts(self, value: object) -> bool:
        """Is ``value`` one this flag can take (a variant, or a boolean)?"""
        if self.type == "multivariate":
            return isinstance(value, str) and value in self.variants
        return isinstance(value, bool)


@dataclass(frozen=True)
class FlagRegistry:
    schema_version: int
    flags: Mapping[str, FlagSpec]
    path: Path | None = None
    _order: tuple[str, ...] = field(default=())

    def spec(self, key: str) -> FlagSpec:
        try:
            return self.flags[key]
        except KeyError:
            known = ", ".join(self.flags)
            raise KeyError(f"flag '{key}' is not declared in flags.yaml (known: {known})"
                           ) from None

    def kill_switches(self) -> list[FlagSpec]:
        return [spec for spec in self.flags.values() if spec.is_kill_switch]


def default_flags_path() -> Path:
    return resource("telemetry", "flags.yaml")


def load_flag_registry(path: Path | None = None, check_payloads: bool = True) -> FlagRegistry:
    """The flag registry at ``path`` (default: the shipped flags.yaml).

    ``check_payloads=False`` skips checking the remote-config payload schemas with
    jsonschema (an import of ~80 ms): for readers that only need flag keys and variants —
    the event registry's flag-derived types. Whoever uses payloads (the flag client, the
    tests, the docs generator) loads with the check."""
    source = Path(path) if path is not None else default_flags_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlagRegistryError(f"{source}: cannot read the flag registry ({exc})") from exc
    return parse_flag_registry(text, source, check_payloads)


def parse_flag_registry(text: str, source: Path | str = "flags.yaml",
                        check_payloads: bool = True) -> FlagRegistry:
    doc = YamlSource(text, source, FlagRegistryError, "flag registry")
    data, lines, fail = doc.data, doc.lines, doc.fail

    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail(("schema_version",), "must be a positive integer")
    raw_flags = data.get("flags")
    if not isinstance(raw_flags, dict) or not raw_flags:
        raise fail(("flags",), "must be a non-empty mapping of flag keys")
    flags: dict[str, FlagSpec] = {}
    for key, raw in raw_flags.items():
        path = ("flags", str(key))
        flags[str(key)] = _parse_flag(str(key), raw, path, fail, lines.get(path, 0),
                                      check_payloads)
    for spec in flags.values():
        if spec.requires:
            target = flags.get(spec.requires)
            if target is None or not target.is_kill_switch:
                raise fail(("flags", spec.key, "requires"),
                           f"'{spec.requires}' is not a declared kill switch")
    return FlagRegistry(version, flags, Path(source), tuple(flags))


def _parse_flag(key: str, raw: object, path: tuple[str, ...], fail: Any,
                line: int, check_payloads: bool = True) -> FlagSpec:
    if not _KEY.match(key):
        raise fail(path, "flag keys are lower-case words joined by '-', e.g. timer-ui")
    if not isinstance(raw, dict):
        raise fail(path, "must be a mapping with kind, type, default, owner, description")
    known = {"kind", "type", "variants", "default", "owner", "description", "reason",
             "requires", "payload_schema", "default_payload"}
    for name in raw:
        if name not in known:
            raise fail((*path, str(name)), f"unknown field (use {', '.join(sorted(known))})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise fail((*path, "kind"), f"must be one of {', '.join(KINDS)}")
    ftype = raw.get("type")
    if ftype not in TYPES:
        raise fail((*path, "type"), f"must be one of {', '.join(TYPES)}")
    description = raw.get("description")
    if not isinstance(description, str) or len(description.strip()) < 10:
        raise fail((*path, "description"), "must say what the flag switches and why")
    owner = raw.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        raise fail((*path, "owner"), "must name the owning area")
    variants: tuple[str, ...] = ()
    default = raw.get("default")
    if ftype == "multivariate":
        raw_variants = raw.get("variants")
        if not isinstance(raw_variants, list) or len(raw_variants) < 2 or not all(
                isinstance(v, str) and _VARIANT.match(v) for v in raw_variants):
            raise fail((*path, "variants"), "a multivariate flag lists at least two "
                                            "lower-case variant keys")
        if len(set(raw_variants)) != len(raw_variants):
            raise fail((*path, "variants"), "variants repeat")
        variants = tuple(raw_variants)
        if default not in variants:
            raise fail((*path, "default"), "must be one of the variants")
    else:
        if "variants" in raw:
            raise fail((*path, "variants"), "only multivariate flags have variants")
        if not isinstance(default, bool):
            raise fail((*path, "default"), "a boolean flag's default is true or false")
    if kind == "experiment" and ftype != "multivariate":
        raise fail((*path, "type"), "an experiment is multivariate (one variant per arm)")
    reason = raw.get("reason") or ""
    if kind == "kill-switch":
        if ftype != "boolean" or default is not True:
            raise fail((*path, "default"), "a kill switch is boolean and on (true) by default")
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            raise fail((*path, "reason"), "a kill switch needs the short sentence users see "
                                          "when it is off")
    elif reason:
        raise fail((*path, "reason"), "only kill switches have a user-facing reason")
    requires = raw.get("requires") or ""
    if not isinstance(requires, str):
        raise fail((*path, "requires"), "must be the key of a kill switch")
    schema = raw.get("payload_schema")
    payload = raw.get("default_payload")
    if kind == "remote-config":
        if not isinstance(schema, dict):
            raise fail((*path, "payload_schema"), "a remote-config flag declares a JSON "
                                                  "Schema (a mapping) for its payload")
        if check_payloads:
            _check_schema(schema, payload, path, fail)
        elif payload is None:
            raise fail((*path, "default_payload"), "a remote-config flag needs a default "
                                                   "payload")
    elif schema is not None or payload is not None:
        raise fail((*path, "payload_schema"), "only remote-config flags have a payload")
    return FlagSpec(key, str(kind), str(ftype), default, owner.strip(),
                    " ".join(description.split()), variants, " ".join(str(reason).split()),
                    requires, schema, payload, line)


def _check_schema(schema: dict[str, Any], payload: object, path: tuple[str, ...],
                  fail: Any) -> None:
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        raise fail((*path, "payload_schema"),
                   f"not a valid JSON Schema at {where}: {exc.message}") from None
    if payload is None:
        raise fail((*path, "default_payload"), "a remote-config flag needs a default payload")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(payload))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise fail((*path, "default_payload"),
                   f"does not match payload_schema at {where}: {error.message}")


# -- the generated constants module -----------------------------------------------------------

CONSTANTS_HEADER = ('"""GENERATED from resources/telemetry/flags.yaml by\n'
                    '``python -m timetracker.telemetry.flags_registry --write`` — do not edit '
                    'by hand."""')


def constant_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _class_name(key: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", key) if part)


def render_constants(registry: FlagRegistry) -> str:
    out = [CONSTANTS_HEADER, "", "from __future__ import annotations", "", "",
           "class FeatureFlags:", '    """Every declared flag key."""', ""]
    for spec in registry.flags.values():
        out.append(f"    {constant_name(spec.key)} = {json.dumps(spec.key)}")
    for spec in registry.flags.values():
        if spec.type != "multivariate":
            continue
        out += ["", "", f"class {_class_name(spec.key)}Variant:",
                f'    """The variants of ``{spec.key}``."""', ""]
        for variant in spec.variants:
            out.append(f"    {constant_name(variant)} = {json.dumps(variant)}")
    out += ["", "", "ALL_FLAGS: frozenset[str] = frozenset({"]
    out += [f"    {json.dumps(k)}," for k in registry.flags]
    out += ["})", "KILL_SWITCHES: frozenset[str] = frozenset({"]
    out += [f"    {json.dumps(s.key)}," for s in registry.kill_switches()]
    out += ["})", ""]
    return "\n".join(out)


def constants_path() -> Path:
    return Path(__file__).with_name("flag_keys.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="generate flag_keys.py from flags.yaml")
    parser.add_argument("--write", action="store_true", help="rewrite flag_keys.py")
    parser.add_argument("--check", action="store_true", help="exit 1 when it is stale")
    args = parser.parse_args(argv)
    text = render_constants(load_flag_registry())
    target = constants_path()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run python -m timetracker.telemetry.flags_registry "
                  "--write", file=sys.stderr)
            return 1
        return 0
    if args.write:
        from timetracker.core.atomic import atomic_write_bytes

        atomic_write_bytes(target, text.encode("utf-8"))
        target.chmod(0o644)  # a source file, readable like the others
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
