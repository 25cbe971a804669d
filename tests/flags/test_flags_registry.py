"""flags.yaml: loading, clear errors, the generated constants, and code ↔ registry agreement."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from timetracker.cli import KILL_SWITCHED
from timetracker.cli.flags_cmds import COMMAND_FLAGS
from timetracker.core.ranges import RANGE_KINDS
from timetracker.telemetry import flag_keys
from timetracker.telemetry.flags_registry import (
    FlagRegistryError,
    constants_path,
    load_flag_registry,
    parse_flag_registry,
    render_constants,
)

PACKAGE = Path(flag_keys.__file__).resolve().parents[1]

#: Declared flags whose code is still to come. When code starts using one, this test fails and
#: asks for it to be removed here — so the list can only shrink (empty: every flag is used).
AWAITING_UI: set[str] = set()

_API_CALL = re.compile(
    r"\b(?:evaluate|value|is_enabled|variant|payload|exposed|guard|require|requires_flag|"
    r"set_override|clear_override)\(\s*[\"']([^\"']+)[\"']")


def test_the_shipped_registry_loads() -> None:
    registry = load_flag_registry()
    kinds = {spec.key: spec.kind for spec in registry.flags.values()}
    assert kinds["timer-ui"] == "experiment"
    assert registry.spec("timer-ui").variants == ("classic", "compact")
    assert {s.key for s in registry.kill_switches()} >= {
        "export-enabled", "import-enabled", "telemetry-sending-enabled", "ui-variants-enabled"}
    assert all(s.default is True and s.reason for s in registry.kill_switches())
    assert kinds["reports-config"] == "remote-config"


def test_generated_constants_are_current() -> None:
    expected = render_constants(load_flag_registry())
    assert constants_path().read_text(encoding="utf-8") == expected, (
        "flag_keys.py is stale: run python -m timetracker.telemetry.flags_registry --write")


def test_reports_config_ranges_come_from_core_ranges() -> None:
    spec = load_flag_registry().spec("reports-config")
    assert spec.payload_schema is not None
    declared = spec.payload_schema["properties"]["default_range"]["enum"]
    assert declared == [k for k in RANGE_KINDS if k != "custom"]


def test_cli_guard_tables_agree() -> None:
    assert set(COMMAND_FLAGS) == set(KILL_SWITCHED)
    assert set(COMMAND_FLAGS.values()) <= flag_keys.KILL_SWITCHES


def _code_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name != "flag_keys.py"]


def test_every_flag_used_in_code_is_declared_and_every_declared_flag_is_used() -> None:
    registry = load_flag_registry()
    constants = {name: value for name, value in vars(flag_keys.FeatureFlags).items()
                 if not name.startswith("_")}
    used: dict[str, list[str]] = {}
    undeclared: list[str] = []
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "FeatureFlags"):
                if node.attr not in constants:
                    undeclared.append(f"{path.name}:{node.lineno}: FeatureFlags.{node.attr}")
                else:
                    used.setdefault(constants[node.attr], []).append(path.name)
        for match in _API_CALL.finditer(text):
            key = match.group(1)
            line = text.count("\n", 0, match.start()) + 1
            if key not in registry.flags:
                undeclared.append(f"{path.name}:{line}: '{key}'")
            else:
                used.setdefault(key, []).append(path.name)
    for spec in registry.flags.values():  # a kill switch that gates other flags is in use
        if spec.requires:
            used.setdefault(spec.requires, []).append("flags.yaml")
    assert undeclared == [], "flags used in code but not declared in flags.yaml"
    unused = set(registry.flags) - set(used)
    assert unused - AWAITING_UI == set(), "declared flags that no code uses"
    now_used = AWAITING_UI & set(used)
    assert now_used == set(), (f"{sorted(now_used)} are used in code now: remove them from "
                               "AWAITING_UI in this test")


GOOD = """
schema_version: 1
flags:
  my-flag:
    kind: release
    type: boolean
    default: false
    owner: core
    description: A flag that switches something on.
"""


@pytest.mark.parametrize(("edit", "message"), [
    (("kind: release", "kind: rollout"), ":5: flags.my-flag.kind: must be one of release"),
    (("default: false", "default: maybe"), ":7: flags.my-flag.default: a boolean flag's "
                                           "default is true or false"),
    (("my-flag:", "My_Flag:"), ":4: flags.My_Flag: flag keys are lower-case"),
    (("owner: core", "owner: core\n    colour: red"), ":9: flags.my-flag.colour: unknown field"),
    (("kind: release", "kind: kill-switch"), ":7: flags.my-flag.default: a kill switch is "
                                             "boolean and on (true) by default"),
    (("kind: release\n    type: boolean", "kind: experiment\n    type: boolean"),
     ":6: flags.my-flag.type: an experiment is multivariate"),
    (("owner: core", "owner: core\n    requires: nope"),
     ":9: flags.my-flag.requires: 'nope' is not a declared kill switch"),
])
def test_malformed_registry_names_file_line_and_field(edit: tuple[str, str],
                                                      message: str) -> None:
    text = GOOD.replace(*edit)
    with pytest.raises(FlagRegistryError) as caught:
        parse_flag_registry(text, "flags.yaml")
    assert str(caught.value).startswith("flags.yaml" + message), str(caught.value)


def test_remote_config_schema_and_default_payload_are_checked() -> None:
    text = GOOD.replace("kind: release", "kind: remote-config") + (
        "    payload_schema:\n"
        "      type: object\n"
        "      properties:\n"
        "        size: {type: integer, minimum: 1}\n"
        "    default_payload: {size: 0}\n")
    with pytest.raises(FlagRegistryError, match=r":14: flags\.my-flag\.default_payload: does "
                                                r"not match payload_schema at size"):
        parse_flag_registry(text, "flags.yaml")
    broken = text.replace("type: integer", "type: wholenumber")
    with pytest.raises(FlagRegistryError, match=r"payload_schema: not a valid JSON Schema"):
        parse_flag_registry(broken, "flags.yaml")
    good = parse_flag_registry(text.replace("{size: 0}", "{size: 3}"), "flags.yaml")
    assert good.spec("my-flag").default_payload == {"size": 3}
