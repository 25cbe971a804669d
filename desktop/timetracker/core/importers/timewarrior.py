"""Timewarrior data files (``~/.timewarrior/data/YYYY-MM.data``).

One interval per line::

    inc 20240304T080000Z - 20240304T093000Z # alpha "with space" "quo\\"te" # "annotation"
    inc 20240306T100000Z # gamma                      (open: still being tracked)

Times are UTC. Tags are separated by spaces; a tag with spaces or quotes is double-quoted with
``\\"`` (and ``\\\\``) escapes. The path may be one ``.data`` file, the ``data`` folder or the
Timewarrior folder (``TIMEWARRIORDB``) — a folder imports every ``YYYY-MM.data`` in it.

Mapping (Timewarrior has no projects), chosen with ``tags_mode``:

- ``project`` (default): the FIRST tag becomes the project, the other tags stay tags.
  Timewarrior stores an interval's tags sorted by their bytes (as ``timew export`` shows
  them), so "first" is first in that order: capitalised tags sort before lower-case ones,
  which suits the common habit of a capitalised project tag (``ProjectX dev``).
- ``tags``: every tag stays a tag; entries get no project.

The annotation becomes the description. An open interval becomes the running entry only if no
timer runs here; otherwise it is skipped with a warning (see the import service).

Import key: ``timew:<hash of start, sorted tags and annotation>`` — the same for the data file
and ``timew export`` JSON, so importing both adds nothing twice. The end is left out on purpose:
an interval imported while open and re-imported once closed is the same interval, and the
re-import closes the running entry instead of adding a second one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from pathlib import Path

from timetracker.core.errors import ImportFormatError
from timetracker.core.importers.rows import (
    ImportRow,
    ParsedFile,
    RowProblems,
    Tick,
    check_order,
    description_field,
    digest,
    no_tick,
    tag_names,
)
from timetracker.core.importers.source import ImportFileError, decode, read_bytes

FORMAT = "timewarrior"
TAGS_MODES = ("project", "tags")
_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")
_DATA_FILE = re.compile(r"^\d{4}-\d{2}\.data$")


def data_files(path: Path) -> list[Path]:
    """The data files to read for ``path`` (a file, the data folder or the database folder)."""
    if not path.is_dir():
        return [path]
    folder = path / "data" if (path / "data").is_dir() else path
    found = sorted(p for p in folder.iterdir() if _DATA_FILE.match(p.name) and p.is_file())
    if not found:
        raise ImportFileError(f"{path}: no Timewarrior data files (YYYY-MM.data) found.")
    return found


def parse(path: Path, tz: str, tags_mode: str = "project", tick: Tick = no_tick) -> ParsedFile:
    files = data_files(path)
    parsed = ParsedFile(FORMAT, str(path))
    texts = [(str(p), decode(read_bytes(p), str(p))) for p in files]
    total = sum(text.count("\n") + 1 for _, text in texts)
    done = 0
    problems = RowProblems()  # (across the files: each problem names its file)
    for file, text in texts:
        for number, raw in enumerate(text.splitlines(), start=1):
            done += 1
            if raw.strip():
                with problems.row(file, number):
                    parsed.rows.append(parse_line(raw, file, number, tz, tags_mode))
            if done % 1000 == 0:
                tick(done, total)
    problems.raise_if_any()
    tick(total, total)
    return parsed


def stamp(text: str, file: str, line: int | None, fieldname: str) -> int:
    """``20240304T080000Z`` → Unix seconds."""
    match = _STAMP.match(text)
    if not match:
        raise ImportFormatError(file, line, fieldname,
                                f"expected a time like 20240304T080000Z, got '{text[:40]}'")
    parts = [int(g) for g in match.groups()]
    year, month, day, hour, minute, second = parts
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 1, month)[1]
            and hour < 24 and minute < 60 and second < 61 and year >= 1970):
        raise ImportFormatError(file, line, fieldname, f"'{text}' is not a valid time")
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def interval_key(start: int, tags: Sequence[str], annotation: str) -> str:
    return f"timew:{digest(start, *sorted(tags), '#', annotation)}"


def make_row(file: str, line: int, tz: str, tags_mode: str, start: int, end: int | None,
             tags: object, annotation: object) -> ImportRow:
    """A row from an interval's parts, with the tag mapping applied."""
    check_order(start, end, file, line, "end")
    clean_tags = tag_names(tags, file, line, "tags")
    description = description_field(annotation, file, line, "annotation")
    project: str | None = None
    kept = clean_tags
    if tags_mode == "project" and clean_tags:
        project, kept = clean_tags[0], clean_tags[1:]
    return ImportRow(line=line, key=interval_key(start, clean_tags, description), start=start,
                     end=end, tz=tz, description=description, project=project, tags=kept)


def parse_line(raw: str, file: str, line: int, tz: str, tags_mode: str = "project") -> ImportRow:
    text = raw.strip()
    if not text.startswith("inc ") and text != "inc":
        raise ImportFormatError(file, line, None,
                                f"expected an interval line starting with 'inc', got '{text[:40]}'")
    tokens = _tokens(text[3:], file, line)
    if not tokens or tokens[0][1]:
        raise ImportFormatError(file, line, "start", "the interval has no start time")
    start = stamp(tokens[0][0], file, line, "start")
    position = 1
    end: int | None = None
    if position < len(tokens) and tokens[position] == ("-", False):
        if position + 1 >= len(tokens) or tokens[position + 1][1]:
            raise ImportFormatError(file, line, "end", "a '-' must be followed by the end time")
        end = stamp(tokens[position + 1][0], file, line, "end")
        position += 2
    tags: list[str] = []
    annotation_parts: list[str] = []
    if position < len(tokens):
        if tokens[position] != ("#", False):
            found = tokens[position][0][:40]
            raise ImportFormatError(file, line, "tags",
                                    f"expected '#' before the tags, got '{found}'")
        position += 1
        target = tags
        for value, quoted in tokens[position:]:
            if value == "#" and not quoted and target is tags:
                target = annotation_parts
                continue
            target.append(value)
    return make_row(file, line, tz, tags_mode, start, end, tags, " ".join(annotation_parts))


def _tokens(text: str, file: str, line: int) -> list[tuple[str, bool]]:
    """Split on blanks; ``"…"`` is one token where ``\\"`` and ``\\\\`` are escapes."""
    tokens: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in " \t":
            i += 1
            continue
        if char == '"':
            i += 1
            buf: list[str] = []
            while True:
                if i >= n:
                    raise ImportFormatError(file, line, "tags", "a quoted value is not closed")
                char = text[i]
                if char == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    buf.append(text[i + 1])
                    i += 2
                    continue
                if char == '"':
                    i += 1
                    break
                buf.append(char)
                i += 1
            tokens.append(("".join(buf), True))
        else:
            j = i
            while j < n and text[j] not in " \t":
                j += 1
            tokens.append((text[i:j], False))
            i = j
    return tokens
