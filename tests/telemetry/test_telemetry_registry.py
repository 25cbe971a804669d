"""The registry: loading, validation, bucket conversion, code scan and the generated docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from timetracker.core.config import SETTINGS
from timetracker.telemetry import docgen
from timetracker.telemetry.flags_registry import load_flag_registry, parse_flag_registry
from timetracker.telemetry.registry import (
    RegistryError,
    TelemetryValidationError,
    load_registry,
    parse_registry,
)

REPO = Path(__file__).resolve().parents[2]
CODE = REPO / "desktop" / "timetracker"
#: The call forms through which code emits events: app.emit("…"), sink("…"), self._emit("…"),
#: self.sink("…"), track("…"), self._track("…").
_EMIT = re.compile(r"""\b_?(?:emit|sink|track)\(\s*["']([A-Za-z0-9_.$-]+)["']""")


def emitted_names() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(CODE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in _EMIT.findall(line):
                found.setdefault(name, []).append(f"{path.relative_to(REPO)}:{number}")
    return found


def test_every_emitted_event_is_declared() -> None:
    registry = load_registry()
    emitted = emitted_names()
    undeclared = {n: where for n, where in emitted.items() if n not in registry.events}
    assert not undeclared, f"events emitted in code but not in events.yaml: {undeclared}"


def test_every_declared_event_is_emitted_somewhere() -> None:
    registry = load_registry()
    emitted = emitted_names()
    never = sorted(set(registry.events) - set(emitted))
    assert not never, f"events declared in events.yaml that no code emits: {never}"


def test_the_scan_sees_every_call_form(tmp_path: Path) -> None:
    sample = ('app.emit("a.b", {})\nself.sink("c.d", {})\nself._emit("e.f", {})\n'
              'tele.track("g.h")\nself._track("i.j", {})\nprint("k.l")\n')
    assert _EMIT.findall(sample) == ["a.b", "c.d", "e.f", "g.h", "i.j"]


def test_settings_enum_matches_the_settings_store() -> None:
    registry = load_registry()
    assert registry.types["setting_key"].values == tuple(s.key for s in SETTINGS)


def test_buckets_turn_raw_values_into_declared_labels() -> None:
    registry = load_registry()
    props = registry.validate("timer.stopped", {"source": "tray", "duration_seconds": 0})
    assert props == {"source": "tray", "duration_seconds": "0-59"}
    assert registry.validate("timer.stopped", {"source": "tray", "duration_seconds": 3600})[
        "duration_seconds"] == "3600-7199"
    assert registry.validate("timer.stopped", {"source": "tray", "duration_seconds": 10**7})[
        "duration_seconds"] == "86400+"
    assert registry.validate("entry.edited", {"source": "cli", "field_count": 1})[
        "field_count"] == "1"
    assert registry.validate("entry.edited", {"source": "cli", "field_count": 4})[
        "field_count"] == "3-4"


@pytest.mark.parametrize(("event", "props", "message"), [
    ("timer.exploded", {}, "not declared"),
    ("timer.stopped", {"source": "cli", "duration_seconds": 5, "note": "x"},
     "property 'note' is not declared"),
    ("timer.stopped", {"source": "cli", "duration_seconds": "5"}, "expected an integer"),
    ("timer.stopped", {"source": "cli", "duration_seconds": True}, "expected an integer"),
    ("timer.stopped", {"source": "cli", "duration_seconds": -1}, ">= 0"),
    ("timer.stopped", {"source": "web", "duration_seconds": 5}, "expected one of"),
    ("timer.stopped", {"source": "cli"}, "missing declared properties duration_seconds"),
    ("project.created", {"source": "cli", "billable": 1, "has_client": False},
     "expected a boolean"),
    ("telemetry.update", {"old_version": "my laptop", "new_version": "1.0"}, "version"),
])
def test_track_input_that_does_not_match_is_rejected(event: str, props: dict[str, object],
                                                     message: str) -> None:
    with pytest.raises(TelemetryValidationError, match=re.escape(message)):
        load_registry().validate(event, props)


def test_rejected_enum_value_is_not_echoed() -> None:
    with pytest.raises(TelemetryValidationError) as caught:
        load_registry().validate("entry.undone", {"source": "cli", "action": "secret-name"})
    assert "secret-name" not in str(caught.value)


_MINIMAL = """\
schema_version: 2
types:
  mode: {type: enum, values: [a, b]}
events:
  thing.done:
    level: basic
    since: 1
    owner: test
    description: Something happened that we need to count.
    properties:
      mode: mode
"""


def test_a_minimal_registry_parses() -> None:
    registry = parse_registry(_MINIMAL, "mini.yaml")
    assert registry.schema_version == 2
    assert registry.events["thing.done"].properties["mode"].values == ("a", "b")


@pytest.mark.parametrize(("change", "where"), [
    (("type: enum, values: [a, b]", "type: text"), "mini.yaml:3: types.mode.type"),
    (("since: 1", "since: 3"), "mini.yaml:7: events.thing.done.since"),
    (("level: basic", "level: always"), "mini.yaml:6: events.thing.done.level"),
    (("      mode: mode", "      mode: free_text"),
     "mini.yaml:11: events.thing.done.properties.mode"),
    (("thing.done:", "ThingDone:"), "mini.yaml:5: events.ThingDone"),
    (("Something happened that we need to count.", "x"),
     "mini.yaml:9: events.thing.done.description"),
    (("values: [a, b]", "values: [a, a]"), "mini.yaml:3: types.mode.values"),
])
def test_registry_errors_name_file_line_and_field(change: tuple[str, str], where: str) -> None:
    with pytest.raises(RegistryError, match=re.escape(where)):
        parse_registry(_MINIMAL.replace(*change), "mini.yaml")


def test_free_text_cannot_be_declared_even_inline() -> None:
    text = _MINIMAL.replace("      mode: mode", "      note: {type: string}")
    with pytest.raises(RegistryError, match="free text cannot be declared"):
        parse_registry(text, "mini.yaml")


def test_yaml_boolean_words_in_enums_are_caught() -> None:
    text = _MINIMAL.replace("values: [a, b]", "values: [off, basic]")
    with pytest.raises(RegistryError, match="quote words"):
        parse_registry(text, "mini.yaml")


def test_events_since_lists_what_a_reconsent_shows() -> None:
    text = _MINIMAL + """\
  thing.new:
    level: full
    since: 2
    owner: test
    description: A newer event that needs fresh consent.
"""
    registry = parse_registry(text, "mini.yaml")
    assert [e.name for e in registry.events_since(1)] == ["thing.new"]


def test_generated_events_doc_is_current() -> None:
    expected = docgen.render(load_registry())
    current = (REPO / "docs" / "telemetry" / "events.md").read_text(encoding="utf-8")
    assert current == expected, ("docs/telemetry/events.md is stale: run "
                                 "python -m timetracker.telemetry.docgen")


def test_docgen_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "events.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docgen.main(["--check", "--output", str(stale)]) == 1
    assert docgen.main(["--output", str(stale)]) == 0
    assert docgen.main(["--check", "--output", str(stale)]) == 0
    for name in load_registry().events:
        assert f"### {name}" in stale.read_text(encoding="utf-8")


# -- PostHog's $ names, flag-derived values, property families, property since -------------

_FLAGS = """\
schema_version: 1
flags:
  layout:
    kind: experiment
    type: multivariate
    variants: [left, right]
    default: left
    owner: ui
    description: Where the panel sits, to see which side people prefer.
  saving-enabled:
    kind: kill-switch
    type: boolean
    default: true
    owner: core
    reason: Saving is switched off for now.
    description: Stops saving at once if a release corrupts files.
"""

_WITH_FLAGS = _MINIMAL.replace("  mode: {type: enum, values: [a, b]}\n", """\
  mode: {type: enum, values: [a, b]}
  flag_key: {type: flag_key, description: A declared flag.}
  flag_response: {type: flag_value, description: A declared flag value.}
""") + """\
  $feature_flag_called:
    level: full
    since: 2
    owner: test
    description: A flag variant was shown to the user.
    properties:
      $feature_flag: flag_key
      $feature_flag_response: flag_response
property_families:
  $feature/<flag key>:
    since: 2
    description: The flag variants this run has shown.
"""


def _with_flags(text: str = _WITH_FLAGS) -> object:
    return parse_registry(text, "mini.yaml", parse_flag_registry(_FLAGS, "flags.yaml"))


def test_flag_values_are_enums_derived_from_the_flags_file() -> None:
    registry = _with_flags()
    spec = registry.events["$feature_flag_called"]  # type: ignore[attr-defined]
    assert spec.properties["$feature_flag"].values == ("layout", "saving-enabled")
    assert registry.validate("$feature_flag_called",  # type: ignore[attr-defined]
                             {"$feature_flag": "layout", "$feature_flag_response": "right"}
                             ) == {"$feature_flag": "layout", "$feature_flag_response": "right"}
    assert registry.validate("$feature_flag_called",  # type: ignore[attr-defined]
                             {"$feature_flag": "saving-enabled",
                              "$feature_flag_response": False})["$feature_flag_response"] is False
    for key, response in (("timer-ui", "left"), ("layout", "middle"), ("layout", "Right"),
                          ("layout", 1), ("layout", None)):
        with pytest.raises(TelemetryValidationError):
            registry.validate("$feature_flag_called",  # type: ignore[attr-defined]
                              {"$feature_flag": key, "$feature_flag_response": response})


def test_the_shipped_registry_derives_flag_values_from_flags_yaml() -> None:
    registry, flags = load_registry(), load_flag_registry()
    props = registry.events["$feature_flag_called"].properties
    assert props["$feature_flag"].values == tuple(flags.flags)
    variants = {v for spec in flags.flags.values() for v in spec.variants}
    assert set(props["$feature_flag_response"].values) == variants
    family = registry.families[0]
    assert set(family.members) == {f"$feature/{key}" for key in flags.flags}
    for spec in flags.flags.values():
        name = f"$feature/{spec.key}"
        if spec.type == "multivariate":
            assert registry.provided(name, spec.variants[-1]) == (spec.variants[-1], 2)
            with pytest.raises(TelemetryValidationError, match=re.escape(name)):
                registry.provided(name, True)
        else:
            assert registry.provided(name, False) == (False, 2)
            with pytest.raises(TelemetryValidationError, match=re.escape(name)):
                registry.provided(name, "false")
    for name in ("$feature/undeclared-flag", "$feature_flag", "$active_feature_flags",
                 "app_version"):
        with pytest.raises(TelemetryValidationError, match="not declared"):
            registry.provided(name, True)


@pytest.mark.parametrize(("change", "where"), [
    (("  $feature_flag_called:", "  $pageview:"), "mini.yaml:14: events.$pageview: names "
                                                  "starting with $ are PostHog's"),
    (("      mode: mode", "      $feature_flag: flag_key"),
     "mini.yaml:13: events.thing.done.properties.$feature_flag: property names starting"),
    (("      $feature_flag_response: flag_response", "      $set: flag_response"),
     "events.$feature_flag_called.properties.$set: property names starting with $"),
    (("  $feature/<flag key>:", "  $anything/<x>:"),
     "property_families.$anything/<x>: the only property family"),
    (("    since: 2\n    description: The flag", "    since: 3\n    description: The flag"),
     "property_families.$feature/<flag key>.since"),
    (("flag_key: {type: flag_key", "flag_key: {type: flag_keys"), "types.flag_key.type"),
])
def test_dollar_names_are_limited_to_posthog_concepts(change: tuple[str, str],
                                                      where: str) -> None:
    assert change[0] in _WITH_FLAGS
    with pytest.raises(RegistryError, match=re.escape(where)):
        _with_flags(_WITH_FLAGS.replace(*change))


def test_a_property_added_later_carries_its_own_since() -> None:
    text = _MINIMAL.replace("      mode: mode", """\
      mode: mode
      extra: {type: enum, since: 2, values: [x, y]}""")
    spec = parse_registry(text, "mini.yaml").events["thing.done"]
    assert spec.property_since == {"extra": 2}
    assert spec.newer_properties(1) == ("extra",) and spec.newer_properties(2) == ()
    for bad in ("since: 3", "since: 0", "since: yes"):
        with pytest.raises(RegistryError, match=re.escape(
                "mini.yaml:12: events.thing.done.properties.extra.since")):
            parse_registry(text.replace("since: 2,", bad + ","), "mini.yaml")
