"""A file with several bad rows is refused with every problem named (file, line, field), not
just the first; reading goes on past a bad row, and nothing is imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from timetracker.app import App
from timetracker.core.errors import ImportFormatError, ImportProblems
from timetracker.core.importers import native_json, timewarrior, toggl, watson
from timetracker.core.importers.rows import PROBLEMS_LISTED
from transfer_support import DATA, row_counts

GOOD = "A,a@x,,P,,d,Yes,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0"
HEADER = ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
          "End time,Duration,Tags,Amount ()")


def _toggl(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "toggl.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_bad_toggl_row_is_named_in_file_order(tmp_path: Path) -> None:
    path = _toggl(tmp_path, GOOD,
                  "A,a@x,,P,,d,Maybe,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0",
                  GOOD,
                  "A,a@x,,P,,d,Yes,2024-13-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0",
                  "A,a@x,,P,,d,Yes,2024-01-02",
                  GOOD)
    with pytest.raises(ImportProblems) as caught:
        toggl.parse(path, "UTC")
    error = caught.value
    assert error.count == 3
    assert [(p.line, p.field) for p in error.problems] == [
        (3, "Billable"), (5, "Start date"), (6, None)]
    # the error itself is the first problem (what a single-problem report would show) …
    assert (error.file, error.line, error.field) == (str(path), 3, "Billable")
    assert isinstance(error, ImportFormatError)
    # … and its one-line message says how many more there are, and where
    assert str(error).startswith(f"{path}:3: field 'Billable'")
    assert str(error).endswith("— and 2 more problems, on lines 5 and 6")


def test_one_bad_row_is_reported_as_before(tmp_path: Path) -> None:
    path = _toggl(tmp_path, GOOD, "A,a@x,,P,,d,Yes,2024-01-02")
    with pytest.raises(ImportFormatError) as caught:
        toggl.parse(path, "UTC")
    assert not isinstance(caught.value, ImportProblems)
    assert str(caught.value) == f"{path}:3: expected 14 fields, found 8"


def test_a_long_list_of_problems_is_capped_but_counted(tmp_path: Path) -> None:
    bad = "A,a@x,,P,,d,Maybe,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0"
    path = _toggl(tmp_path, *([bad] * (PROBLEMS_LISTED + 25)))
    with pytest.raises(ImportProblems) as caught:
        toggl.parse(path, "UTC")
    error = caught.value
    assert error.count == PROBLEMS_LISTED + 25
    assert len(error.problems) == PROBLEMS_LISTED
    assert [p.line for p in error.problems] == list(range(2, PROBLEMS_LISTED + 2))
    assert str(error).endswith(
        f"— and {PROBLEMS_LISTED + 24} more problems, on lines "
        "3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and more")


def test_watson_frames_and_timewarrior_lines_are_all_checked(tmp_path: Path) -> None:
    frames = json.loads((DATA / "watson_frames.json").read_text(encoding="utf-8"))
    frames[1][0] = "not a time"
    frames[3] = "not a frame"
    path = tmp_path / "frames"
    path.write_text(json.dumps(frames, indent=1), encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        watson.parse(path, "UTC")
    assert caught.value.count == 2
    assert len({p.line for p in caught.value.problems}) == 2

    folder = tmp_path / "timew" / "data"
    folder.mkdir(parents=True)
    (folder / "2024-03.data").write_text(
        "inc 20240304T080000Z - 20240304T090000Z # P\nnonsense\n"
        "inc 20240305T080000Z - 20240305T090000Z # P\n", encoding="utf-8")
    (folder / "2024-04.data").write_text("inc 2024XX04T080000Z # P\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        timewarrior.parse(folder, "UTC")
    assert [(Path(p.file).name, p.line) for p in caught.value.problems] == [
        ("2024-03.data", 2), ("2024-04.data", 1)]
    # the other file is named where the one-line message lists the problem
    assert str(caught.value).endswith("— and 1 more problem, on line 2024-04.data:1")


def test_native_json_checks_every_record_of_every_list(tmp_path: Path) -> None:
    document = json.loads((DATA / "native_sample.json").read_text(encoding="utf-8"))
    document["clients"].append({"name": ""})
    document["projects"].append("not an object")
    document["entries"][0]["start_utc"] = "yesterday"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        native_json.parse(path)
    fields = [p.field for p in caught.value.problems]
    assert caught.value.count == 3
    assert fields[0] == "clients.name" and fields[1] == "projects"
    assert fields[2] is not None and fields[2].startswith("entries.")


def test_a_refused_file_imports_nothing_and_the_dry_run_says_the_same(
        app: App, tmp_path: Path) -> None:
    path = _toggl(tmp_path, GOOD,
                  "A,a@x,,P,,d,Maybe,2024-01-02,10:00:00,2024-01-02,11:00:00,1:00:00,,0",
                  "A,a@x,,P,,d,Yes,2024-01-02")
    before = row_counts(app)
    for run in (app.importer.preview, app.importer.run):
        with pytest.raises(ImportProblems, match=r"and 1 more problem, on line 4$"):
            run(path, "toggl", "UTC")
    assert row_counts(app) == before
