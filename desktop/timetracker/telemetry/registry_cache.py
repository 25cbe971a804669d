"""A pre-parsed copy of the event registry in the cache folder, so a CLI run skips PyYAML.

Parsing events.yaml and flags.yaml needs PyYAML (an import of ~11 ms) and the parse itself
(~6 ms) — most of a short ``timetracker report``. The parsed :class:`Registry` is stored as
JSON (never pickle) in ``<cache folder>/telemetry-registry.json`` with a key made of each
source file's path, size and ``mtime_ns`` plus the app version. A matching key loads the JSON
without importing yaml; a changed file, another version, or a missing, unreadable or malformed
cache runs the real parse (whose errors name file, line and field) and rewrites the cache.
Errors are never cached: a broken file is parsed — and reported — on every run.

The cache lives in the cache folder, not the telemetry folder: nothing is created there while
consent is off.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from timetracker import build_info
from timetracker.core.atomic import atomic_write_bytes
from timetracker.core.resources import resource
from timetracker.telemetry.registry import (
    EventSpec,
    PropertyFamily,
    PropertyType,
    Registry,
    default_registry_path,
    load_registry,
)

CACHE_FILE_NAME = "telemetry-registry.json"
#: Bumped whenever the JSON layout below changes.
CACHE_FORMAT = 1


def load_cached_registry(cache_dir: Path, path: Path | None = None) -> Registry:
    """The registry at ``path`` (default: the shipped events.yaml), from the cache when it is
    current, else parsed (raising :class:`RegistryError` as ``load_registry`` does) and cached."""
    source = Path(path) if path is not None else default_registry_path()
    cache_file = Path(cache_dir) / CACHE_FILE_NAME
    key = cache_key(source)
    if key is not None:
        cached = _read(cache_file, key)
        if cached is not None:
            return cached
    registry = load_registry(source)
    if key is not None and key == cache_key(source):  # unchanged while it was parsed
        _write(cache_file, key, registry)
    return registry


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


def _read(cache_file: Path, key: Mapping[str, Any]) -> Registry | None:
    try:
        doc = json.loads(cache_file.read_bytes())
        if not isinstance(doc, dict) or doc.get("key") != key:
            return None
        return registry_from_json(doc["registry"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable or malformed: parse the source again


def _write(cache_file: Path, key: Mapping[str, Any], registry: Registry) -> None:
    try:
        data = json.dumps({"key": key, "registry": registry_to_json(registry)},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return  # something in the registry is not plain JSON: do without the cache
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cache_file, data)
    except OSError:
        pass  # a read-only cache folder only costs the parse


# -- the JSON layout -------------------------------------------------------------------------

def _type_to_json(ptype: PropertyType) -> dict[str, Any]:
    return {"kind": ptype.kind, "name": ptype.name, "values": list(ptype.values),
            "edges": list(ptype.edges), "unit": ptype.unit, "description": ptype.description,
            "booleans": ptype.booleans}


def _type_from_json(raw: Mapping[str, Any]) -> PropertyType:
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
