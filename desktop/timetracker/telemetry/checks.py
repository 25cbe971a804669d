"""The rules that check one event against the registry, without loading the registry.

:mod:`timetracker.telemetry.registry` (the parsed events.yaml, dataclasses, flag registry)
validates through these functions, and so does the consent-off path
(:mod:`timetracker.telemetry.off_path`) over the compact table the registry cache keeps: both
accept and refuse exactly the same events, with the same messages. Importing this module costs
next to nothing (no dataclasses, no YAML, no file access).

A property's type is given here by its parts — ``kind`` (enum, boolean, bucket, version,
platform, flag_value), the enum/flag ``values``, the bucket ``edges``, and ``booleans``
(flag_value: true/false allowed besides the listed variants).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

LEVELS: tuple[str, ...] = ("off", "basic", "full")
#: Operating-system families the `platform` type accepts (platform.system() spellings).
PLATFORMS: tuple[str, ...] = ("Linux", "Windows", "Darwin", "FreeBSD", "OpenBSD", "NetBSD",
                              "other")
#: Compiled on first use (re caches it): most runs never check a version.
_VERSION = r"^[0-9]+(\.[0-9]+){0,3}([.+-]?[A-Za-z0-9]+){0,4}$"

T = TypeVar("T")


class TelemetryValidationError(ValueError):
    """An event or property does not match the registry."""


def bucket_label(edges: Sequence[int], index: int) -> str:
    low = edges[index]
    if index == len(edges) - 1:
        return f"{low}+"
    high = edges[index + 1] - 1
    return str(low) if high == low else f"{low}-{high}"


def describe_flag_values(values: Sequence[str], booleans: bool) -> str:
    listed = [f"`{v}`" for v in values] + (["`true`", "`false`"] if booleans else [])
    return "one of " + ", ".join(listed)


def convert(kind: str, values: Sequence[str], edges: Sequence[int], booleans: bool,
            value: object) -> object:
    """``value`` as sent for a property of this type, or ``TelemetryValidationError`` naming
    what is wrong."""
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        raise TelemetryValidationError(f"expected a boolean, got {type(value).__name__}")
    if kind == "enum":
        if isinstance(value, str) and value in values:
            return value
        raise TelemetryValidationError(
            f"expected one of {', '.join(values)}, got a value not in the list")
    if kind == "bucket":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TelemetryValidationError(
                f"expected an integer to bucket, got {type(value).__name__}")
        if value < edges[0]:
            raise TelemetryValidationError(
                f"expected an integer >= {edges[0]}, got a smaller one")
        return bucket_label(edges, bisect_right(edges, value) - 1)
    if kind == "version":
        if isinstance(value, str) and len(value) <= 40 and re.match(_VERSION, value):
            return value
        raise TelemetryValidationError("expected a version string such as 1.2.3")
    if kind == "platform":
        if isinstance(value, str) and value in PLATFORMS:
            return value
        raise TelemetryValidationError(f"expected one of {', '.join(PLATFORMS)}")
    if kind == "flag_value":
        if isinstance(value, bool) and booleans:
            return value
        if isinstance(value, str) and value in values:
            return value
        raise TelemetryValidationError(
            f"expected {describe_flag_values(values, booleans)}, got a value not declared in "
            "flags.yaml")
    raise TelemetryValidationError(f"unknown property type {kind}")


def undeclared_event(event: str) -> TelemetryValidationError:
    return TelemetryValidationError(
        f"event '{event}' is not declared in the telemetry registry")


def validate_properties(event: str, declared: Mapping[str, T],
                        properties: Mapping[str, object],
                        convert_one: Callable[[T, object], object]) -> dict[str, object]:
    """``properties`` of ``event`` checked against its ``declared`` property types (each
    converted by ``convert_one(type, value)``): every key declared, every declared key given."""
    out: dict[str, object] = {}
    for key, value in properties.items():
        ptype = declared.get(key)
        if ptype is None:
            raise TelemetryValidationError(
                f"event '{event}': property '{key}' is not declared in the registry")
        try:
            out[key] = convert_one(ptype, value)
        except TelemetryValidationError as exc:
            raise TelemetryValidationError(
                f"event '{event}': property '{key}': {exc}") from None
    missing = [key for key in declared if key not in out]
    if missing:
        raise TelemetryValidationError(
            f"event '{event}': missing declared properties {', '.join(missing)}")
    return out


#: One property type as the compact table holds it: (kind, values, edges, booleans).
TypeParts = tuple[str, tuple[str, ...], tuple[int, ...], bool]


def _convert_parts(parts: TypeParts, value: object) -> object:
    return convert(parts[0], parts[1], parts[2], parts[3], value)


class EventChecks:
    """Validates events like ``Registry.validate`` from a compact table
    ``{event: {property: TypeParts}}`` (kept by :mod:`timetracker.telemetry.registry_cache`)."""

    def __init__(self, table: Mapping[str, Mapping[str, TypeParts]]) -> None:
        self.table = table

    def validate(self, event: str, properties: Mapping[str, object]) -> dict[str, object]:
        declared = self.table.get(event)
        if declared is None:
            raise undeclared_event(event)
        return validate_properties(event, declared, properties, _convert_parts)
