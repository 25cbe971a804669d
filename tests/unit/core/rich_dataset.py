"""A varied data set for the export/import round-trip tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from timetracker.app import App
from transfer_support import DATA

DAY = 86400
BASE = 1_709_539_200  # 2024-03-04 08:00 UTC


def build_rich_dataset(app: App) -> None:
    """Clients, projects with colour/rate/currency, tasks, archived things, many kinds of
    entries (tags, tasks, billable overrides, several zones, a running one, a deleted one and
    imported ones)."""
    cat = app.catalog
    cat.add_client("Acme Corp")
    cat.add_client("Globex, Inc.")
    cat.add_client("Old Client")
    cat.archive_client("Old Client")
    cat.add_project("Website", client="Acme Corp", color="#112233", billable=True,
                    rate="85.50", currency="EUR")
    cat.add_project("Support", client="Globex, Inc.", color="#AA00FF", billable=True,
                    rate="120", currency="USD")
    cat.add_project("Internal", color="#00FF00")
    cat.add_project("Legacy", client="Old Client", rate="10", currency="GBP")
    cat.archive_project("Legacy")
    cat.add_task("Website", "Design")
    cat.add_task("Website", "Development")
    done = cat.add_task("Support", "Tickets")
    cat.update_task(done.id, done=True)
    cat.add_tag("unused tag")
    cat.add_tag("old")
    cat.archive_tag("old")

    entries = app.entries
    entries.add(BASE, BASE + 5400, project="Website", task="Design",
                description='Homepage "hero" mockups, v2', tags=["design", "client, work"])
    entries.add(BASE + 6000, BASE + 9000, project="Website", task="Development",
                description="Header", tags=["dev"], billable=False)
    entries.add(BASE + DAY, BASE + DAY + 1200, project="Support", task="Tickets",
                description="Ticket #4711 – Zugangsdaten", tags=["support", "ünïcode"])
    entries.add(BASE + DAY + 3600, BASE + DAY + 7200, project="Internal",
                description="Planning")
    entries.add(BASE + 2 * DAY, BASE + 2 * DAY + 600, description="No project at all")
    entries.add(BASE + 3 * DAY, BASE + 3 * DAY + 3600, project="Legacy", tags=["old"])
    tokyo = entries.add(BASE + 4 * DAY, BASE + 4 * DAY + 1800, project="Internal",
                        description="Call with Tokyo")
    with app.db.session() as s:  # an entry recorded in another zone
        from timetracker.core.models import TimeEntry

        row = s.get(TimeEntry, tokyo.entry.id)
        assert row is not None
        row.tz = "Asia/Tokyo"
    gone = entries.add(BASE + 5 * DAY, BASE + 5 * DAY + 60, description="deleted one")
    entries.delete(gone.entry.id)
    app.importer.run(DATA / "watson_frames.json", "watson", "America/New_York")
    entries.start(project="Website", description="Still going", tags=["dev"],
                  at=app.clock() - 1800)


def export_text(app: App, fmt: str, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.{fmt}"
    app.exporter.write_file(path, fmt)
    return path.read_text(encoding="utf-8")
