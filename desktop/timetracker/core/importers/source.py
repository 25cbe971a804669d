"""Reading import files: bytes to text, and JSON with the line each array item starts on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from timetracker.core.errors import ImportFormatError, TimeTrackerError

#: Largest file an import reads (the whole file is parsed before anything is written).
MAX_BYTES = 512 * 1024 * 1024

_WS = re.compile(r"[ \t\n\r]*")


class ImportFileError(TimeTrackerError):
    """The file to import cannot be read at all (missing, a folder, no permission)."""


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFileError(f"{path}: the file is larger than {MAX_BYTES // 2**20} MiB.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a folder, not a file.") from None
    except PermissionError:
        raise ImportFileError(f"{path}: permission denied.") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


#: What a file that is not text probably is, by its first bytes (the usual wrong picks).
_SIGNATURES = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"%PDF", "a PDF document"), (b"GIF8", "a GIF image"),
               (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
               (b"\x1f\x8b", "a gzip archive"), (b"SQLite format 3\x00", "an SQLite database"),
               (b"\xd0\xcf\x11\xe0", "an old Office document (.xls, .doc)"))


def decode(data: bytes, file: str) -> str:
    """UTF-8 text (a leading BOM is dropped); an invalid byte names its line, and a file
    that is not text at all says what it seems to be."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise ImportFormatError(file, None, None,
                                    f"is {kind}, not a text export: choose the file the other "
                                    "app exported (CSV, JSON or its data folder)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFormatError(file, line, None,
                                f"is not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFormatError(file, line, None, "contains a NUL byte; not a text file")
    return text


class _Lines:
    """Line numbers of positions in ``text``, for positions visited in increasing order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _fail(exc: json.JSONDecodeError, file: str) -> ImportFormatError:
    return ImportFormatError(file, exc.lineno, None,
                             f"is not valid JSON ({exc.msg} at column {exc.colno})")


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    assert match is not None
    return match.end()


def _expect(text: str, pos: int, char: str, file: str, lines: _Lines, what: str) -> int:
    if pos >= len(text) or text[pos] != char:
        found = "the end of the file" if pos >= len(text) else repr(text[pos])
        raise ImportFormatError(file, lines.at(pos), None,
                                f"is not valid JSON (expected {what}, found {found})")
    return pos + 1


def _array(text: str, pos: int, file: str, lines: _Lines,
           decoder: json.JSONDecoder) -> tuple[list[tuple[int, Any]], int]:
    """Items of the array starting at ``text[pos] == '['`` with the line each starts on."""
    pos = _skip(text, pos + 1)
    items: list[tuple[int, Any]] = []
    if pos < len(text) and text[pos] == "]":
        return items, pos + 1
    while True:
        pos = _skip(text, pos)
        line = lines.at(pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise _fail(exc, file) from None
        items.append((line, value))
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == "]":
            return items, pos + 1
        pos = _expect(text, pos, ",", file, lines, "',' or ']'")


def _end(text: str, pos: int, file: str, lines: _Lines) -> None:
    pos = _skip(text, pos)
    if pos != len(text):
        raise ImportFormatError(file, lines.at(pos), None,
                                "is not valid JSON (extra data after the end)")


def json_array(text: str, file: str) -> list[tuple[int, Any]]:
    """A top-level JSON array as ``[(line, item), …]``."""
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    pos = _skip(text, 0)
    if pos >= len(text) or text[pos] != "[":
        raise ImportFormatError(file, lines.at(pos), None, "expected a JSON array ('[' … ']')")
    try:
        items, pos = _array(text, pos, file, lines, decoder)
    except RecursionError:
        raise ImportFormatError(file, None, None, "is nested too deeply to be read") from None
    _end(text, pos, file, lines)
    return items


def json_object(text: str, file: str) -> dict[str, tuple[int, Any]]:
    """A top-level JSON object as ``{key: (line, value)}``; an array value becomes
    ``[(line, item), …]`` so each item's line is known."""
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    pos = _skip(text, 0)
    if pos >= len(text) or text[pos] != "{":
        raise ImportFormatError(file, lines.at(pos), None, "expected a JSON object ('{' … '}')")
    members: dict[str, tuple[int, Any]] = {}
    pos = _skip(text, pos + 1)
    try:
        if pos < len(text) and text[pos] == "}":
            _end(text, pos + 1, file, lines)
            return members
        while True:
            pos = _skip(text, pos)
            if pos >= len(text) or text[pos] != '"':
                _expect(text, pos, '"', file, lines, "a member name")
            try:
                key, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise _fail(exc, file) from None
            pos = _expect(text, _skip(text, pos), ":", file, lines, "':'")
            pos = _skip(text, pos)
            line = lines.at(pos)
            if pos < len(text) and text[pos] == "[":
                value, pos = _array(text, pos, file, lines, decoder)
            else:
                try:
                    value, pos = decoder.raw_decode(text, pos)
                except json.JSONDecodeError as exc:
                    raise _fail(exc, file) from None
            members[str(key)] = (line, value)
            pos = _skip(text, pos)
            if pos < len(text) and text[pos] == "}":
                _end(text, pos + 1, file, lines)
                return members
            pos = _expect(text, pos, ",", file, lines, "',' or '}'")
    except RecursionError:
        raise ImportFormatError(file, None, None, "is nested too deeply to be read") from None
