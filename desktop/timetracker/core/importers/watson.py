"""Watson (td-watson) ``frames`` file.

A JSON array of frames ``[start, stop, project, id, tags, updated_at]`` with Unix seconds in
UTC. Mapping: project → project, tags → tags; Watson has no descriptions, clients or tasks.
The path may be the ``frames`` file or the Watson folder (``WATSON_DIR``) holding it. The
frame being tracked right now lives in Watson's ``state`` file and is not imported; stop it in
Watson first. Entries get the zone the user chooses (``tz``) for display; instants stay exact.

Import key: ``watson:<frame id>`` — Watson's own stable id, so re-imports add nothing.
"""

from __future__ import annotations

from pathlib import Path

from timetracker.core.errors import ImportFormatError
from timetracker.core.importers.rows import (
    ImportRow,
    ParsedFile,
    RowProblems,
    Tick,
    check_order,
    name_field,
    no_tick,
    tag_names,
    timestamp_field,
)
from timetracker.core.importers.source import decode, json_array, read_bytes

FORMAT = "watson"


def frames_path(path: Path) -> Path:
    return path / "frames" if path.is_dir() else path


def parse(path: Path, tz: str, tick: Tick = no_tick) -> ParsedFile:
    path = frames_path(path)
    file = str(path)
    items = json_array(decode(read_bytes(path), file), file)
    parsed = ParsedFile(FORMAT, file)
    problems = RowProblems()
    for index, (line, frame) in enumerate(items):
        with problems.row(file, line):
            parsed.rows.append(_frame(frame, file, line, tz))
        if index % 500 == 499:
            tick(index + 1, len(items))
    problems.raise_if_any()
    tick(len(items), len(items))
    return parsed


def _frame(frame: object, file: str, line: int, tz: str) -> ImportRow:
    if not isinstance(frame, list) or len(frame) < 5:
        raise ImportFormatError(file, line, None,
                                "expected a frame [start, stop, project, id, tags, updated_at]")
    start = timestamp_field(frame[0], file, line, "start")
    end = timestamp_field(frame[1], file, line, "stop")
    check_order(start, end, file, line, "stop")
    project = name_field("project", frame[2], file, line, "project")
    frame_id = frame[3]
    if not isinstance(frame_id, str) or not frame_id.strip() or len(frame_id) > 100:
        raise ImportFormatError(file, line, "id", "expected the frame's id (text)")
    tags = tag_names(frame[4], file, line, "tags")
    updated = timestamp_field(frame[5], file, line, "updated_at") if len(frame) > 5 else None
    return ImportRow(line=line, key=f"watson:{frame_id.strip()}", start=start, end=end, tz=tz,
                     project=project, tags=tags, updated_at=updated)
