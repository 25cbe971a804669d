"""The pre-parsed registry in the cache folder: same registry and validation as a fresh parse
(also through the compact check table the consent-off path reads), rebuilt when a source changes
or the cache is damaged, and neither PyYAML nor the registry module on a cached CLI run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from timetracker.core.paths import AppPaths
from timetracker.core.resources import resource
from timetracker.telemetry.registry import (
    RegistryError,
    TelemetryValidationError,
    load_registry,
)
from timetracker.telemetry.registry_cache import (
    CACHE_FILE_NAME,
    load_cached_checks,
    load_cached_registry,
)

CASES: list[tuple[str, dict[str, object]]] = [
    ("timer.stopped", {"source": "cli", "duration_seconds": 5000}),
    ("timer.stopped", {"source": "cli", "duration_seconds": "long"}),
    ("timer.stopped", {"source": "nowhere", "duration_seconds": 5}),
    ("timer.stopped", {"source": "cli"}),
    ("no.such_event", {}),
]


def _outcome(registry: object, event: str, props: dict[str, object]) -> object:
    try:
        return registry.validate(event, props)  # type: ignore[attr-defined]
    except TelemetryValidationError as exc:
        return f"error: {exc}"


def _lines(cache: Path) -> list[dict[str, object]]:
    """The cache file's two JSON lines: key and check table, then the registry."""
    return [json.loads(line) for line in
            (cache / CACHE_FILE_NAME).read_text(encoding="utf-8").splitlines()]


def _write_lines(cache: Path, docs: list[dict[str, object]]) -> None:
    (cache / CACHE_FILE_NAME).write_text("".join(json.dumps(d) + "\n" for d in docs),
                                         encoding="utf-8")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "res"
    folder.mkdir()
    shutil.copy(resource("telemetry", "events.yaml"), folder / "events.yaml")
    shutil.copy(resource("telemetry", "flags.yaml"), folder / "flags.yaml")
    return folder / "events.yaml"


def test_a_cache_hit_equals_a_fresh_parse(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cached_registry(cache, sources)
    assert (cache / CACHE_FILE_NAME).is_file()
    hit = load_cached_registry(cache, sources)
    fresh = load_registry(sources)
    assert hit is not first and hit == fresh == first
    outcomes = [_outcome(hit, e, p) for e, p in CASES]
    assert outcomes == [_outcome(fresh, e, p) for e, p in CASES]
    assert any(isinstance(o, str) for o in outcomes) and any(isinstance(o, dict)
                                                              for o in outcomes)


def test_a_hit_reads_the_cache_not_the_yaml(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    head, registry = _lines(cache)
    registry["schema_version"] = 999  # only visible if the cache is what is read
    _write_lines(cache, [head, registry])
    assert load_cached_registry(cache, sources).schema_version == 999


def test_the_check_table_validates_like_the_registry(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    miss = load_cached_checks(cache, sources)  # parses and writes the cache
    hit = load_cached_checks(cache, sources)
    fresh = load_registry(sources)
    for checks in (miss, hit):
        assert [_outcome(checks, e, p) for e, p in CASES] == \
            [_outcome(fresh, e, p) for e, p in CASES]
    every_event = {name: {prop: (t.kind, t.values, t.edges, t.booleans)
                          for prop, t in spec.properties.items()}
                   for name, spec in fresh.events.items()}
    assert hit.table == every_event


def test_a_check_table_hit_reads_only_the_first_line(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_checks(cache, sources)
    head, _registry = _lines(cache)
    head["checks"]["extra.cached"] = {}  # type: ignore[index]
    (cache / CACHE_FILE_NAME).write_text(json.dumps(head) + "\nnot json\n", encoding="utf-8")
    assert load_cached_checks(cache, sources).validate("extra.cached", {}) == {}


@pytest.mark.parametrize("parts", [["enum", "abc", [], False], ["enum", [], [], "no"],
                                   ["bucket", [], [0, True], False], ["enum", []], "enum"])
def test_a_malformed_check_table_falls_back_to_the_registry(tmp_path: Path, sources: Path,
                                                            parts: object) -> None:
    cache = tmp_path / "cache"
    load_cached_checks(cache, sources)
    head, registry = _lines(cache)
    head["checks"]["timer.stopped"]["source"] = parts  # type: ignore[index]
    _write_lines(cache, [head, registry])
    checks = load_cached_checks(cache, sources)
    assert [_outcome(checks, e, p) for e, p in CASES] == \
        [_outcome(load_registry(sources), e, p) for e, p in CASES]
    assert load_cached_registry(cache, sources) == load_registry(sources)
    assert _lines(cache)[0]["checks"]["timer.stopped"]["source"][0] == "enum"  # type: ignore[index]


def test_a_changed_source_rebuilds(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    text = sources.read_text(encoding="utf-8").replace(
        "events:", "events:\n  extra.added:\n    level: basic\n    since: 1\n"
                   "    owner: tests\n    description: Added after the cache was written.\n", 1)
    sources.write_text(text, encoding="utf-8")
    stat = sources.stat()
    os.utime(sources, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    rebuilt = load_cached_registry(cache, sources)
    assert "extra.added" in rebuilt.events
    assert rebuilt == load_registry(sources)
    assert "extra.added" in load_cached_registry(cache, sources).events


def test_touching_flags_yaml_rebuilds(tmp_path: Path, sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    before = (cache / CACHE_FILE_NAME).read_text(encoding="utf-8")
    flags = sources.parent / "flags.yaml"
    stat = flags.stat()
    os.utime(flags, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    load_cached_registry(cache, sources)
    assert (cache / CACHE_FILE_NAME).read_text(encoding="utf-8") != before


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[]", b'{"key": 1}',
                                    b"\xff\xfe garbage"])
def test_a_corrupt_cache_falls_back_and_is_rewritten(tmp_path: Path, sources: Path,
                                                     damage: bytes) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    (cache / CACHE_FILE_NAME).write_bytes(damage)
    assert load_cached_registry(cache, sources) == load_registry(sources)
    assert len(_lines(cache)) == 2  # rewritten whole


def test_a_cache_of_the_right_key_but_wrong_shape_falls_back(tmp_path: Path,
                                                              sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    head, registry = _lines(cache)
    del registry["events"][0]["level"]  # type: ignore[index]
    _write_lines(cache, [head, registry])
    assert load_cached_registry(cache, sources) == load_registry(sources)


def test_a_broken_source_raises_with_file_and_line_even_after_a_hit(tmp_path: Path,
                                                                    sources: Path) -> None:
    cache = tmp_path / "cache"
    load_cached_registry(cache, sources)
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("level: basic", "level: loud", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(sources.read_text().splitlines(), 1)
                if "level: loud" in row)
    for _ in range(2):  # errors are never cached
        with pytest.raises(RegistryError, match=rf"events\.yaml:{line}: .*level"):
            load_cached_registry(cache, sources)


def test_a_cached_report_run_does_not_import_yaml(cli_env: dict[str, str], home: Path) -> None:
    code = ("import sys, json\n"
            "from timetracker.cli import run\n"
            "code = run(['report', '--json'])\n"
            "print(json.dumps({'code': code, 'yaml': 'yaml' in sys.modules,\n"
            "                  'registry': 'timetracker.telemetry.registry' in sys.modules}))\n")

    def report() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", code], env=cli_env, capture_output=True,
                              text=True, check=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    assert report()["code"] == 0  # first run: parses and writes the cache
    cached = list(home.rglob(CACHE_FILE_NAME))
    assert len(cached) == 1 and "telemetry" not in cached[0].parent.name
    assert cached[0].parent == AppPaths.under(home).cache_dir
    assert not AppPaths.under(home).telemetry_dir.exists()  # consent off: nothing there
    assert report() == {"code": 0, "yaml": False, "registry": False}
