"""A pre-parsed copy of the event registry in the cache folder, so a CLI run skips PyYAML.

Parsing events.yaml and flags.yaml needs PyYAML (an import of ~11 ms) and the parse itself
(~6 ms) — most of a short ``timetracker report``. The parsed :class:`Registry` is stored as
JSON (never pickle) in ``<cache folder>/telemetry-registry.json`` with a key made of each
source file's path, size and ``mtime_ns`` plus the app version. A matching key loads the JSON
without importing yaml; a changed file, another version, or a missing, unreadable or malformed
cache runs the real parse (whose errors name file, line and field) and rewrites the cache.
Errors are never cached: a broken file is parsed — and reported — on every run.

The file has two lines, each one JSON object: first the key and the registry's compact check
table (event -> property -> type parts, see :class:`~timetracker.telemetry.checks.EventChecks`),
then the registry itself. The consent-off path reads only the first line
(:func:`load_cached_checks`): a cache hit then parses ~3 KB instead of ~30 KB, imports neither
the registry module (its dataclasses and the flag registry) nor PyYAML, and builds no registry
objects.

The cache lives in the cache folder, not the telemetry folder: nothing is created there while
consent is off.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timetracker import build_info
from timetracker.core.resources import resource
from timetracker.telemetry.checks import EventChecks, TypeParts

if TYPE_CHECKING:  # imported when the cache misses: a hit needs none of it
    from timetracker.telemetry.registry import PropertyType, Registry

CACHE_FILE_NAME = "telemetry-registry.json"
#: Bumped whenever the JSON layout below changes.
CACHE_FORMAT = 3
#: What reading a cache of the right key but the wrong shape raises.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def load_cached_registry(cache_dir: Path, path: Path | None = None) -> Registry:
    """The registry at ``path`` (default: the shipped events.yaml), from the cache when it is
    current, else parsed (raising :class:`RegistryError` as ``load_registry`` does) and cached."""
    from timetracker.telemetry.registry import load_registry

    source = _source(path)
    cache_file = Path(cache_dir) / CACHE_FILE_NAME
    key = cache_key(source)
    if key is not None:
        found = _read(cache_file, key)
        if found is not None:
            try:
                checks_from_json(found[0]["checks"])  # the whole file must be of the right shape
                return registry_from_json(json.loads(found[1]))
            except _SHAPE_ERRORS:
                pass  # malformed: parse the source again
    registry = load_registry(source)
    if key is not None and key == cache_key(source):  # unchanged while it was parsed
        _write(cache_file, key, registry)
    return registry


def load_cached_checks(cache_dir: Path, path: Path | None = None) -> EventChecks:
    """The check table of the registry at ``path`` (default: the shipped events.yaml): read
    from the cache when it is current, else through :func:`load_cached_registry` (which
    parses, raises on a broken source and rewrites the cache)."""
    source = _source(path)
    key = cache_key(source)
    if key is not None:
        found = _read(Path(cache_dir) / CACHE_FILE_NAME, key)
        if found is not None:
            try:
                return EventChecks(checks_from_json(found[0]["checks"]))
            except _SHAPE_ERRORS:
                pass
    return EventChecks(checks_table(load_cached_registry(cache_dir, source)))


def _source(path: Path | None) -> Path:
    # the shipped file, as registry.default_registry_path() finds it (without importing it)
    return Path(path) if path is not None else resource("telemetry", "events.yaml")


def cache_key(source: Path) -> dict[str, Any] | None:
    """What the cached copy depends on; None when a source cannot be stat'ed (no caching)."""
    sibling = source.parent / "flags.yaml"
    flags = sibling if sibling.is_file() else resource("telemetry", "flags.yaml")
    files = []
    for file in (source, flags):
        try:
            stat = os.stat(file)
        except OSError:
            return None
        files.append([str(file), stat.st_size, stat.st_mtime_ns])
    return {"format": CACHE_FORMAT, "version": build_info.VERSION, "files": files}


def _read(cache_file: Path, key: Mapping[str, Any]) -> tuple[dict[str, Any], bytes] | None:
    """The cache's first line (parsed) and its second (not yet parsed), when the first is a
    JSON object of this key (else None)."""
    try:
        head, _, rest = cache_file.read_bytes().partition(b"\n")
        doc = json.loads(head)
    except (OSError, ValueError):
        return None  # missing, unreadable or not JSON: parse the source again
    if not isinstance(doc, dict) or doc.get("key") != key:
        return None
    return doc, rest


def _write(cache_file: Path, key: Mapping[str, Any], registry: Registry) -> None:
    from timetracker.core.atomic import atomic_write_bytes

    try:  # compact JSON has no raw newline: one object per line
        lines = [json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                 for doc in ({"key": key, "checks": checks_to_json(registry)},
                             registry_to_json(registry))]
        data = "\n".join(lines).encode("utf-8") + b"\n"
    except (TypeError, ValueError):
        return  # something in the registry is not plain JSON: do without the cache
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cache_file, data)
    except OSError:
        pass  # a read-only cache folder only costs the parse


# -- the check table -------------------------------------------------------------------------

def checks_table(registry: Registry) -> dict[str, dict[str, TypeParts]]:
    """``{event: {property: (kind, values, edges, booleans)}}`` of ``registry``."""
    return {name: {prop: (t.kind, t.values, t.edges, t.booleans)
                   for prop, t in spec.properties.items()}
            for name, spec in registry.events.items()}


def checks_to_json(registry: Registry) -> dict[str, dict[str, list[Any]]]:
    return {name: {prop: [kind, list(values), list(edges), booleans]
                   for prop, (kind, values, edges, booleans) in props.items()}
            for name, props in checks_table(registry).items()}


def _parts_from_json(raw: Any) -> TypeParts:
    kind, values, edges, booleans = raw
    if not (isinstance(kind, str) and isinstance(booleans, bool)
            and isinstance(values, list) and isinstance(edges, list)
            and all(isinstance(v, str) for v in values)
            and all(isinstance(e, int) and not isinstance(e, bool) for e in edges)):
        raise ValueError("not a property type")
    return kind, tuple(values), tuple(edges), booleans


def checks_from_json(raw: Mapping[str, Any]) -> dict[str, dict[str, TypeParts]]:
    """The table :func:`checks_to_json` wrote (KeyError/TypeError/ValueError/AttributeError
    when the data is not of that shape)."""
    return {str(name): {str(prop): _parts_from_json(t) for prop, t in props.items()}
            for name, props in raw.items()}


# -- the JSON layout -------------------------------------------------------------------------

def _type_to_json(ptype: PropertyType) -> dict[str, Any]:
    return {"kind": ptype.kind, "name": ptype.name, "values": list(ptype.values),
            "edges": list(ptype.edges), "unit": ptype.unit, "description": ptype.description,
            "booleans": ptype.booleans}


def _type_from_json(raw: Mapping[str, Any]) -> PropertyType:
    from timetracker.telemetry.registry import PropertyType

    return PropertyType(str(raw["kind"]), str(raw["name"]), tuple(map(str, raw["values"])),
                        tuple(map(int, raw["edges"])), str(raw["unit"]),
                        str(raw["description"]), bool(raw["booleans"]))


def registry_to_json(registry: Registry) -> dict[str, Any]:
    """``registry`` as plain JSON data (see :func:`registry_from_json`)."""
    return {
        "schema_version": registry.schema_version,
        "types": {name: _type_to_json(t) for name, t in registry.types.items()},
        "events": [{
            "name": spec.name, "level": spec.level, "since": spec.since, "owner": spec.owner,
            "description": spec.description, "line": spec.line,
            "properties": {name: _type_to_json(t) for name, t in spec.properties.items()},
            "property_since": dict(spec.property_since),
        } for spec in registry.events.values()],
        "common_properties": dict(registry.common_properties),
        "person_properties": {k: dict(v) for k, v in registry.person_properties.items()},
        "groups": dict(registry.groups),
        "path": None if registry.path is None else str(registry.path),
        "families": [{
            "pattern": f.pattern, "prefix": f.prefix, "since": f.since,
            "description": f.description, "line": f.line,
            "members": {name: _type_to_json(t) for name, t in f.members.items()},
        } for f in registry.families],
    }


def registry_from_json(raw: Mapping[str, Any]) -> Registry:
    """The :class:`Registry` :func:`registry_to_json` wrote (KeyError/TypeError/ValueError
    when the data is not of that shape)."""
    from timetracker.telemetry.registry import EventSpec, PropertyFamily, Registry

    events = {}
    for spec in raw["events"]:
        events[str(spec["name"])] = EventSpec(
            str(spec["name"]), str(spec["level"]), int(spec["since"]), str(spec["owner"]),
            str(spec["description"]),
            {name: _type_from_json(t) for name, t in spec["properties"].items()},
            int(spec["line"]),
            {name: int(v) for name, v in spec["property_since"].items()})
    families = tuple(PropertyFamily(
        str(f["pattern"]), str(f["prefix"]), int(f["since"]), str(f["description"]),
        {name: _type_from_json(t) for name, t in f["members"].items()}, int(f["line"]))
        for f in raw["families"])
    return Registry(
        schema_version=int(raw["schema_version"]),
        events=events,
        types={name: _type_from_json(t) for name, t in raw["types"].items()},
        common_properties=dict(raw["common_properties"]),
        person_properties={k: dict(v) for k, v in raw["person_properties"].items()},
        groups=dict(raw["groups"]),
        path=None if raw["path"] is None else Path(raw["path"]),
        families=families,
    )
