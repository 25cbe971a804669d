"""Our own JSON export read back: lossless round trip, dedupe, bad documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich_dataset import build_rich_dataset, export_text
from timetracker.app import App
from timetracker.core.errors import ImportFormatError
from timetracker.core.paths import AppPaths
from transfer_support import row_counts


@pytest.fixture
def other_app(tmp_path: Path, clock: Any) -> Any:
    second = App(paths=AppPaths.under(tmp_path / "other"), environ={"TZ": "UTC"}, clock=clock)
    second.config.values["timezone"] = "UTC"
    yield second
    second.close()


def _without_ids(document: dict[str, Any]) -> dict[str, Any]:
    def strip(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k != "id"} for item in items]

    return {key: strip(value) if isinstance(value, list) else value
            for key, value in document.items()}


def test_round_trip_is_lossless(app: App, other_app: App, tmp_path: Path) -> None:
    build_rich_dataset(app)
    first = export_text(app, "json", tmp_path, "first")
    source = tmp_path / "first.json"

    summary = other_app.importer.run(source, "json")
    assert summary.new == 13 and summary.running == 1
    second = export_text(other_app, "json", tmp_path, "second")

    a, b = json.loads(first), json.loads(second)
    assert _without_ids(a) == _without_ids(b)
    # Spot checks that the compared document really carries the rich data.
    projects = {p["name"]: p for p in b["projects"]}
    assert projects["Website"] | {"id": 0, "created_at": 0} == {
        "id": 0, "name": "Website", "client": "Acme Corp", "color": "#112233",
        "billable": True, "rate_cents": 8550, "rate": "85.50", "currency": "EUR",
        "archived": False, "created_at": 0}
    assert projects["Legacy"]["archived"] and projects["Legacy"]["currency"] == "GBP"
    assert {c["name"]: c["archived"] for c in b["clients"]} == {
        "Acme Corp": False, "Globex, Inc.": False, "Old Client": True}
    assert {(t["project"], t["name"], t["done"]) for t in b["tasks"]} == {
        ("Website", "Design", False), ("Website", "Development", False),
        ("Support", "Tickets", True)}
    assert {t["name"] for t in b["tags"] if t["archived"]} == {"old"}
    assert "unused tag" in {t["name"] for t in b["tags"]}
    zones = {e["description"]: e["tz"] for e in b["entries"]}
    assert zones["Call with Tokyo"] == "Asia/Tokyo"
    assert "deleted one" not in zones
    running = [e for e in b["entries"] if e["running"]]
    assert [e["description"] for e in running] == ["Still going"]
    assert other_app.entries.current() is not None


def test_reimport_adds_nothing_in_either_database(app: App, other_app: App,
                                                  tmp_path: Path) -> None:
    build_rich_dataset(app)
    export_text(app, "json", tmp_path, "doc")
    doc = tmp_path / "doc.json"
    before = row_counts(app)
    own = app.importer.run(doc, "json")  # into the database it came from
    assert (own.new, own.duplicates) == (0, 13)
    assert row_counts(app) == before
    other_app.importer.run(doc, "json")
    again = other_app.importer.run(doc, "json")
    assert (again.new, again.duplicates) == (0, 13)


def test_existing_projects_keep_their_settings(app: App, other_app: App,
                                               tmp_path: Path) -> None:
    build_rich_dataset(app)
    export_text(app, "json", tmp_path, "doc")
    other_app.catalog.add_project("Website", color="#000000", rate="1", currency="CHF")
    other_app.importer.run(tmp_path / "doc.json", "json")
    website = other_app.catalog.project("Website")
    assert (website.color, website.rate_cents, website.currency) == ("#000000", 100, "CHF")
    assert other_app.catalog.project("Support").currency == "USD"


@pytest.mark.parametrize(("document", "line", "field", "problem"), [
    ('{"format": "other", "version": 1}', 1, "format", "not a TimeTracker export"),
    ('{"format": "timetracker-export",\n "version": 99}', 2, "version", "unsupported"),
    ('{"format": "timetracker-export", "version": 1,\n "entries": [\n'
     '  {"key": "a", "start_utc": 100, "end_utc": 50}\n]}', 3, "entries.end_utc", "before"),
    ('{"format": "timetracker-export", "version": 1,\n "projects": [\n'
     '  {"name": "P", "color": "red"}\n]}', 3, "projects.color", "#4F7DF3"),
    ('{"format": "timetracker-export", "version": 1,\n "entries": [\n'
     '  {"key": "a", "start_utc": 100, "tz": "Mars/Base"}\n]}', 3, "entries.tz", "Unknown"),
    ('{"format": "timetracker-export", "version": 1,\n "entries": [\n'
     '  {"start_utc": 100}\n]}', 3, "entries.key", "missing"),
    ('{"format": "timetracker-export", "version": 1,\n "entries": [\n'
     '  {"key": "a", "start_utc": 100, "task": "T"}\n]}', 3, "entries.task", "needs a project"),
    ('{"format": "timetracker-export", "version": 1,\n "entries": [\n {"key": "a",,}\n]}',
     3, None, "not valid JSON"),
])
def test_bad_documents_name_line_and_field(app: App, tmp_path: Path, document: str, line: int,
                                           field: str | None, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(document)
    before = row_counts(app)
    with pytest.raises(ImportFormatError) as caught:
        app.importer.run(path, "json")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert problem in str(caught.value)
    assert row_counts(app) == before
