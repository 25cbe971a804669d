"""CSV and JSON export: every field, ranges, streaming, progress, atomic files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich_dataset import BASE, DAY, build_rich_dataset
from timetracker.app import App
from timetracker.core.errors import ValidationError
from timetracker.core.export import CSV_COLUMNS


def _csv(app: App, **kwargs: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    app.exporter.write(out, "csv", **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_csv_has_every_field_in_local_and_utc(app: App) -> None:
    build_rich_dataset(app)
    rows = _csv(app)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 13
    first = rows[0]
    assert first["start"] == "2024-03-04 09:00:00"  # the entry's zone: Europe/Berlin
    assert first["start_utc"] == "2024-03-04T08:00:00Z"
    assert first["end_utc"] == "2024-03-04T09:30:00Z"
    assert first["tz"] == "Europe/Berlin"
    assert (first["duration_seconds"], first["duration"]) == ("5400", "1:30:00")
    assert first["description"] == 'Homepage "hero" mockups, v2'
    assert (first["client"], first["project"], first["task"]) == ("Acme Corp", "Website",
                                                                  "Design")
    assert first["tags"] == "client, work, design"
    assert (first["billable"], first["rate"], first["currency"], first["amount"]) == (
        "true", "85.50", "EUR", "128.25")
    assert first["running"] == "false" and first["import_key"].startswith("tt:")
    by_description = {r["description"]: r for r in rows}
    assert by_description["Header"]["amount"] == ""  # billable switched off on the entry
    assert by_description["Call with Tokyo"]["start"] == "2024-03-08 17:00:00"
    assert by_description["No project at all"]["project"] == ""
    assert "deleted one" not in by_description
    running = by_description["Still going"]
    assert (running["running"], running["end"], running["duration_seconds"]) == (
        "true", "", "1800")
    watson = [r for r in rows if r["import_key"].startswith("watson:")]
    assert len(watson) == 5 and watson[0]["tz"] == "America/New_York"


def test_range_keeps_overlapping_entries(app: App) -> None:
    build_rich_dataset(app)
    rows = _csv(app, start=BASE + DAY, end=BASE + 2 * DAY)
    assert sorted((r["project"], r["description"]) for r in rows) == [
        ("Internal", "Planning"), ("Support", "Ticket #4711 – Zugangsdaten"),
        ("Website", ""),  # Watson "website" 22:30-00:40 UTC (names match case-insensitively)
        ("open source", ""),  # Watson 07:45-08:30 UTC crosses the range start
    ]
    # an entry crossing the range start is kept
    rows = _csv(app, start=BASE + 6500, end=BASE + 6501)
    assert [r["description"] for r in rows] == ["Header"]
    assert app.exporter.count(BASE + DAY, BASE + 2 * DAY) == 4


def test_large_export_streams_with_progress(app: App) -> None:
    with app.db.session() as s:
        from timetracker.core.models import TimeEntry

        s.add_all(TimeEntry(start=BASE + i * 600, end=BASE + i * 600 + 300, tz="UTC",
                            description=f"n{i}", billable=False, created_at=BASE,
                            updated_at=BASE) for i in range(3500))

    class CountingStream(io.StringIO):
        writes = 0

        def write(self, text: str) -> int:
            CountingStream.writes += 1
            return super().write(text)

    seen: list[tuple[int, int]] = []
    out = CountingStream()
    result = app.exporter.write(out, "csv", progress=lambda done, total: seen.append((done, total)))
    assert result.rows == 3500
    assert seen[-1] == (3500, 3500) and len(seen) >= 4
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert CountingStream.writes >= 4  # written chunk by chunk, not all at the end
    assert len(out.getvalue().splitlines()) == 3501

    doc = io.StringIO()
    app.exporter.write(doc, "json")
    assert len(json.loads(doc.getvalue())["entries"]) == 3500


def test_empty_database_exports_valid_documents(app: App) -> None:
    out = io.StringIO()
    app.exporter.write(out, "json")
    document = json.loads(out.getvalue())
    assert document["entries"] == [] and document["projects"] == []
    assert document["format"] == "timetracker-export"
    assert _csv(app) == []


def test_failed_file_export_leaves_nothing_behind(app: App, tmp_path: Path) -> None:
    build_rich_dataset(app)
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()
    target.write_text("previous content")

    def boom(done: int, total: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        app.exporter.write_file(target, "csv", progress=boom)
    assert target.read_text() == "previous content"
    assert [p.name for p in target.parent.iterdir()] == ["export.csv"]


def test_export_event_has_counts_only(app: App, events: list[tuple[str, dict[str, object]]]
                                      ) -> None:
    build_rich_dataset(app)
    app.exporter.write(io.StringIO(), "json")
    name, props = events[-1]
    assert name == "export.completed"
    assert set(props) == {"format", "rows", "duration_ms"}
    assert props["format"] == "json" and props["rows"] == 13


def test_unknown_format_is_rejected(app: App) -> None:
    with pytest.raises(ValidationError, match="Use csv or json"):
        app.exporter.write(io.StringIO(), "xml")
