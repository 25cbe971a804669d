"""Watson frames import, from a sample file and from frames made by the real ``watson``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from timetracker.app import App
from timetracker.core.errors import ImportFormatError
from timetracker.core.importers import watson
from transfer_support import DATA, row_counts

WATSON = Path(sys.executable).parent / "watson"


def test_reads_frames_with_their_ids() -> None:
    parsed = watson.parse(DATA / "watson_frames.json", "Europe/Berlin")
    assert len(parsed.rows) == 5
    first = parsed.rows[0]
    assert first.key == "watson:3c1f9e0a8b6d4e2f9a7c5b3d1e0f2a4b"
    assert (first.start, first.end) == (1709539200, 1709544600)
    assert (first.project, first.tags, first.tz) == ("website", ("design", "acme"),
                                                     "Europe/Berlin")
    assert first.line == 2  # watson writes one value per line; the frame opens on line 2
    assert parsed.rows[2].tags == ()


def test_import_and_reimport(app: App) -> None:
    summary = app.importer.run(DATA / "watson_frames.json", "watson")
    assert (summary.new, summary.new_projects) == (5, ("admin", "open source", "website"))
    assert summary.new_tags == ("acme", "deploy", "design", "dev", "python", "review")
    totals: dict[str | None, int] = {}
    for entry in app.entries.list():
        totals[entry.project] = totals.get(entry.project, 0) + entry.duration(0)
    assert totals == {"website": 90 * 60 + 135 * 60 + 130 * 60, "admin": 20 * 60,
                      "open source": 45 * 60}
    before = row_counts(app)
    assert app.importer.run(DATA / "watson_frames.json", "watson").duplicates == 5
    assert row_counts(app) == before


@pytest.mark.parametrize(("frame", "field"), [
    ('[1709539200, 1709544600, "p", "id1"]', None),
    ('["2024-03-04", 1709544600, "p", "id1", []]', "start"),
    ('[1709539200, 1709530000, "p", "id1", []]', "stop"),
    ('[1709539200, 1709544600, "", "id1", []]', "project"),
    ('[1709539200, 1709544600, "p", 17, []]', "id"),
    ('[1709539200, 1709544600, "p", "id1", "tag"]', "tags"),
    ('[1709539200, 1709544600, "p", "id1", [], true]', "updated_at"),
    ('[-5, 1709544600, "p", "id1", []]', "start"),
])
def test_bad_frames_name_line_and_field(tmp_path: Path, frame: str, field: str | None) -> None:
    path = tmp_path / "frames"
    path.write_text('[\n [1709539200, 1709544600, "ok", "id0", []],\n ' + frame + "\n]\n")
    with pytest.raises(ImportFormatError) as caught:
        watson.parse(path, "UTC")
    assert (caught.value.line, caught.value.field) == (3, field)


def _watson(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(WATSON), *args], env=env, capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stdout


@pytest.fixture
def watson_env(tmp_path: Path) -> dict[str, str]:
    if not WATSON.exists():
        pytest.fail(f"td-watson is part of the test extra but {WATSON} is missing")
    folder = tmp_path / "watson"
    folder.mkdir()
    env = dict(os.environ, WATSON_DIR=str(folder), TZ="UTC")
    return env


def test_frames_made_by_real_watson(app: App, watson_env: dict[str, str]) -> None:
    _watson(watson_env, "add", "-f", "2024-03-04 08:00", "-t", "2024-03-04 09:30",
            "website", "+design", "+client work")
    _watson(watson_env, "add", "-f", "2024-03-04 10:00", "-t", "2024-03-04 11:15", "admin")
    _watson(watson_env, "start", "café", "+ünï")
    _watson(watson_env, "stop")
    folder = Path(watson_env["WATSON_DIR"])
    frames = json.loads((folder / "frames").read_text())
    summary = app.importer.run(folder, "watson", "UTC")  # the folder works as well as the file
    assert summary.new == 3
    entries = {e.project: e for e in app.entries.list()}
    assert entries["website"].tags == ("client work", "design")
    assert (entries["website"].start, entries["website"].end) == (1709539200, 1709544600)
    assert entries["admin"].end == 1709544600 + 30 * 60 + 75 * 60
    assert entries["café"].tags == ("ünï",)
    # One more frame in Watson, then the same folder again: only the new frame arrives.
    _watson(watson_env, "add", "-f", "2024-03-05 08:00", "-t", "2024-03-05 08:30", "admin")
    again = app.importer.run(folder, "watson", "UTC")
    assert (again.new, again.duplicates) == (1, len(frames))
    assert app.entries.count() == 4
