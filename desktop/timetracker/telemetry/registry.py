"""The event registry: what may be sent, at which consent level, with which properties.

Loaded from ``resources/telemetry/events.yaml``. A property is an enum (listed values), a
boolean, an integer bucket (declared edges; raw integers are turned into bucket labels here),
or a version/platform string taken from the app itself. Free text cannot be declared.
A malformed registry raises :class:`RegistryError` naming the file, line and field.

PostHog's own ``$`` names may be declared only where they are PostHog concepts the app uses:
the event ``$feature_flag_called`` with ``$feature_flag`` / ``$feature_flag_response``, and the
``$feature/<flag key>`` family of properties added to every event. Their allowed values are
derived from ``resources/telemetry/flags.yaml`` (types ``flag_key`` and ``flag_value``), so
they are enums too. A property may carry its own ``since`` (added to an older event): it is
left out of events until the user accepted that schema version.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timetracker.core.resources import resource
from timetracker.telemetry.checks import (  # re-exported: the registry's public names
    LEVELS,
    PLATFORMS,
    TelemetryValidationError,
    bucket_label,
    convert,
    describe_flag_values,
    undeclared_event,
    validate_properties,
)
from timetracker.telemetry.flags_registry import (
    FlagRegistry,
    FlagRegistryError,
    load_flag_registry,
)
from timetracker.telemetry.yaml_source import YamlSource

SENDING_LEVELS: tuple[str, ...] = ("basic", "full")
_LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: PostHog's reserved names the registry may declare (PostHog concepts the app really uses).
POSTHOG_EVENTS: frozenset[str] = frozenset({"$feature_flag_called"})
POSTHOG_PROPERTIES: frozenset[str] = frozenset({"$feature_flag", "$feature_flag_response"})
#: The property families the registry may declare: name pattern -> the prefix of its members.
POSTHOG_FAMILIES: Mapping[str, str] = {"$feature/<flag key>": "$feature/"}


def level_rank(level: str) -> int:
    return _LEVEL_RANK[level]


class RegistryError(Exception):
    """The registry file is malformed (names file, line and field)."""


@dataclass(frozen=True)
class PropertyType:
    """One declared property type."""

    kind: str  # enum | boolean | bucket | version | platform | flag_value
    name: str = ""
    values: tuple[str, ...] = ()
    edges: tuple[int, ...] = ()
    unit: str = ""
    description: str = ""
    #: flag_value only: true/false are allowed besides the listed variants.
    booleans: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        """The values a bucket can take, in order."""
        return tuple(bucket_label(self.edges, i) for i in range(len(self.edges)))

    def convert(self, value: object) -> object:
        """The value as sent, or ``TelemetryValidationError`` naming what is wrong."""
        return convert(self.kind, self.values, self.edges, self.booleans, value)

    def describe(self) -> str:
        """A short human description of the allowed values (docs, settings pane)."""
        if self.kind == "enum":
            return "one of " + ", ".join(f"`{v}`" for v in self.values)
        if self.kind == "bucket":
            unit = f" ({self.unit})" if self.unit else ""
            return "bucket" + unit + ": " + ", ".join(f"`{label}`" for label in self.labels)
        if self.kind == "boolean":
            return "`true` or `false`"
        if self.kind == "version":
            return "a TimeTracker version string (from the app itself)"
        if self.kind == "flag_value":
            return describe_flag_values(self.values, self.booleans)
        return "the OS family: " + ", ".join(f"`{p}`" for p in PLATFORMS)


@dataclass(frozen=True)
class EventSpec:
    name: str
    level: str
    since: int
    owner: str
    description: str
    properties: Mapping[str, PropertyType]
    line: int = 0
    #: Properties added after the event itself: name -> the schema version that added it.
    property_since: Mapping[str, int] = field(default_factory=dict)

    def newer_properties(self, accepted: int) -> tuple[str, ...]:
        """Properties the user has not accepted yet (left out of the event)."""
        return tuple(name for name, since in self.property_since.items() if since > accepted)


@dataclass(frozen=True)
class PropertyFamily:
    """Properties added to every event by a property provider, e.g. ``$feature/<flag key>``.

    ``members`` maps each full property name to its type; the names and the values are
    derived from a declared file (flags.yaml), never free text."""

    pattern: str
    prefix: str
    since: int
    description: str
    members: Mapping[str, PropertyType]
    line: int = 0


@dataclass(frozen=True)
class Registry:
    schema_version: int
    events: Mapping[str, EventSpec]
    types: Mapping[str, PropertyType]
    common_properties: Mapping[str, str] = field(default_factory=dict)
    person_properties: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    groups: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None
    families: tuple[PropertyFamily, ...] = ()

    def spec(self, event: str) -> EventSpec:
        try:
            return self.events[event]
        except KeyError:
            raise undeclared_event(event) from None

    def validate(self, event: str, properties: Mapping[str, object]) -> dict[str, object]:
        """Checked properties with raw integers turned into bucket labels."""
        return validate_properties(event, self.spec(event).properties, properties,
                                   PropertyType.convert)

    def provided(self, name: str, value: object) -> tuple[object, int]:
        """A property from a provider (``Telemetry.add_property_provider``): the value as sent
        and the schema version that declared it, or ``TelemetryValidationError``."""
        for family in self.families:
            if name.startswith(family.prefix):
                ptype = family.members.get(name)
                if ptype is None:
                    break
                try:
                    return ptype.convert(value), family.since
                except TelemetryValidationError as exc:
                    raise TelemetryValidationError(f"property '{name}': {exc}") from None
        raise TelemetryValidationError(
            f"property '{name}' is not declared in a property family of the registry")

    def events_since(self, version: int) -> list[EventSpec]:
        """Events added after ``version`` (what a re-consent dialog shows)."""
        return [spec for spec in self.events.values() if spec.since > version]


# -- loading ---------------------------------------------------------------------------------

_BUILTIN = {
    "boolean": PropertyType("boolean", "boolean"),
    "version": PropertyType("version", "version"),
    "platform": PropertyType("platform", "platform"),
}


def default_registry_path() -> Path:
    return resource("telemetry", "events.yaml")


def load_registry(path: Path | None = None, flags: FlagRegistry | None = None) -> Registry:
    """The registry at ``path`` (default: the shipped events.yaml). Flag-derived types read
    ``flags`` or else the flags.yaml next to the file (the shipped one when there is none)."""
    source = Path(path) if path is not None else default_registry_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"{source}: cannot read the telemetry registry ({exc})") from exc
    if flags is None:
        sibling = source.parent / "flags.yaml"
        return parse_registry(text, source, sibling if sibling.is_file() else None)
    return parse_registry(text, source, flags)


def parse_registry(text: str, source: Path | str = "events.yaml",
                   flags: FlagRegistry | Path | None = None) -> Registry:
    """Parse registry text. ``flags`` (a registry or the path of a flags.yaml; default the
    shipped one) is read only when a flag-derived type or family is declared."""
    where = str(source)
    flag_registry: list[FlagRegistry] = [flags] if isinstance(flags, FlagRegistry) else []

    def flag_source() -> FlagRegistry:
        if not flag_registry:
            try:
                # keys and variants only: the payload schemas are checked by their users
                flag_registry.append(load_flag_registry(
                    flags if isinstance(flags, Path) else None, check_payloads=False))
            except FlagRegistryError as exc:
                raise RegistryError(f"{where}: flag-derived types need a valid flags.yaml: "
                                    f"{exc}") from exc
        return flag_registry[0]

    doc = YamlSource(text, source, RegistryError, "registry")
    data, lines, fail = doc.data, doc.lines, doc.fail

    schema_version = data.get("schema_version")
    if isinstance(schema_version, bool) or not isinstance(schema_version, int) \
            or schema_version < 1:
        raise fail(("schema_version",), "must be a positive integer")

    types: dict[str, PropertyType] = {}
    for name, raw in (data.get("types") or {}).items():
        types[name] = _parse_type(raw, ("types", str(name)), fail, str(name), flag_source)

    events: dict[str, EventSpec] = {}
    raw_events = data.get("events")
    if not isinstance(raw_events, dict) or not raw_events:
        raise fail(("events",), "must be a non-empty mapping of event names")
    for name, raw in raw_events.items():
        path = ("events", str(name))
        if str(name).startswith("$") and name not in POSTHOG_EVENTS:
            raise fail(path, "names starting with $ are PostHog's; only "
                             f"{', '.join(sorted(POSTHOG_EVENTS))} may be declared")
        if name not in POSTHOG_EVENTS and not _EVENT_NAME.match(str(name)):
            raise fail(path, "event names are dotted lower-case words, e.g. timer.started")
        if not isinstance(raw, dict):
            raise fail(path, "must be a mapping with level, since, owner, description")
        level = raw.get("level")
        if level not in SENDING_LEVELS:
            raise fail((*path, "level"), f"must be one of {', '.join(SENDING_LEVELS)}")
        since = raw.get("since")
        if isinstance(since, bool) or not isinstance(since, int) or not 1 <= since \
                <= schema_version:
            raise fail((*path, "since"),
                       f"must be an integer between 1 and schema_version ({schema_version})")
        description = raw.get("description")
        if not isinstance(description, str) or len(description.strip()) < 10:
            raise fail((*path, "description"), "must say why the event is collected")
        owner = raw.get("owner")
        if not isinstance(owner, str) or not owner.strip():
            raise fail((*path, "owner"), "must name the owning area")
        props: dict[str, PropertyType] = {}
        props_since: dict[str, int] = {}
        raw_props = raw.get("properties") or {}
        if not isinstance(raw_props, dict):
            raise fail((*path, "properties"), "must be a mapping of property names to types")
        for pname, ptype in raw_props.items():
            ppath = (*path, "properties", str(pname))
            if str(pname).startswith("$"):
                if pname not in POSTHOG_PROPERTIES or name not in POSTHOG_EVENTS:
                    raise fail(ppath, "property names starting with $ are PostHog's; only "
                                      f"{', '.join(sorted(POSTHOG_PROPERTIES))} may be "
                                      "declared, on PostHog's own events")
            elif not _PROPERTY_NAME.match(str(pname)):
                raise fail(ppath, "property names are lower_case_words")
            if isinstance(ptype, str):
                resolved = _BUILTIN.get(ptype) or types.get(ptype)
                if resolved is None:
                    raise fail(ppath, f"unknown type '{ptype}' (declare it under types:, or "
                                      "use boolean, version or platform)")
                props[str(pname)] = resolved
            else:
                props[str(pname)] = _parse_type(ptype, ppath, fail, str(pname), flag_source)
                added = ptype.get("since", since) if isinstance(ptype, dict) else since
                if isinstance(added, bool) or not isinstance(added, int) \
                        or not since <= added <= schema_version:
                    raise fail((*ppath, "since"), f"must be an integer between the event's "
                                                  f"since ({since}) and schema_version "
                                                  f"({schema_version})")
                if added > since:
                    props_since[str(pname)] = added
        events[str(name)] = EventSpec(str(name), str(level), since, owner.strip(),
                                      " ".join(description.split()), props,
                                      lines.get(path, 0), props_since)
    families = _parse_families(data.get("property_families"), schema_version, fail, lines,
                               flag_source)
    return Registry(
        schema_version=schema_version,
        events=events,
        types=types,
        common_properties=dict(data.get("common_properties") or {}),
        person_properties=dict(data.get("person_properties") or {}),
        groups=dict(data.get("groups") or {}),
        path=Path(source) if not isinstance(source, Path) else source,
        families=families,
    )


def _parse_families(raw: object, schema_version: int, fail: Any,
                    lines: Mapping[tuple[str, ...], int],
                    flags: Callable[[], FlagRegistry]) -> tuple[PropertyFamily, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise fail(("property_families",), "must be a mapping of family patterns")
    families: list[PropertyFamily] = []
    for pattern, spec in raw.items():
        path = ("property_families", str(pattern))
        prefix = POSTHOG_FAMILIES.get(str(pattern))
        if prefix is None:
            raise fail(path, "the only property family is "
                             f"{', '.join(POSTHOG_FAMILIES)} (values from flags.yaml)")
        if not isinstance(spec, dict):
            raise fail(path, "must be a mapping with since and description")
        since = spec.get("since")
        if isinstance(since, bool) or not isinstance(since, int) \
                or not 1 <= since <= schema_version:
            raise fail((*path, "since"),
                       f"must be an integer between 1 and schema_version ({schema_version})")
        description = spec.get("description")
        if not isinstance(description, str) or len(description.strip()) < 10:
            raise fail((*path, "description"), "must say why the properties are collected")
        members = {prefix + flag.key: PropertyType(
            "flag_value", prefix + flag.key, flag.variants, booleans=flag.type != "multivariate",
            description=f"The value of the flag {flag.key}.")
            for flag in flags().flags.values()}
        families.append(PropertyFamily(str(pattern), prefix, since,
                                       " ".join(description.split()), members,
                                       lines.get(path, 0)))
    return tuple(families)


def _parse_type(raw: object, path: tuple[str, ...], fail: Any, name: str,
                flags: Callable[[], FlagRegistry]) -> PropertyType:
    if not isinstance(raw, dict):
        raise fail(path, "a type is a mapping with `type:` enum or bucket")
    kind = raw.get("type")
    description = " ".join(str(raw.get("description") or "").split())
    if kind == "enum":
        values = raw.get("values")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, str) and v for v in values):
            raise fail((*path, "values"), "an enum lists its values as non-empty strings "
                                           "(quote words such as 'off' or 'yes')")
        if len(set(values)) != len(values):
            raise fail((*path, "values"), "values repeat")
        return PropertyType("enum", name, tuple(values), description=description)
    if kind == "bucket":
        edges = raw.get("edges")
        if not isinstance(edges, list) or len(edges) < 2 or not all(
                isinstance(e, int) and not isinstance(e, bool) for e in edges):
            raise fail((*path, "edges"), "a bucket lists at least two integer edges")
        if any(b <= a for a, b in itertools.pairwise(edges)):
            raise fail((*path, "edges"), "edges must be strictly increasing")
        return PropertyType("bucket", name, edges=tuple(edges), unit=str(raw.get("unit") or ""),
                            description=description)
    if kind in ("boolean", "version", "platform"):
        return PropertyType(str(kind), name, description=description)
    if kind == "flag_key":  # an enum of the keys declared in flags.yaml
        return PropertyType("enum", name, tuple(flags().flags), description=description)
    if kind == "flag_value":  # every declared variant, or true/false
        variants = dict.fromkeys(v for flag in flags().flags.values() for v in flag.variants)
        return PropertyType("flag_value", name, tuple(variants), booleans=True,
                            description=description)
    raise fail((*path, "type"), "must be enum, bucket, boolean, version, platform, flag_key "
                                 "or flag_value (free text cannot be declared)")

