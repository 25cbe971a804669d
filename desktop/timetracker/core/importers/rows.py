"""What every importer produces: normalised rows (and, for our own JSON, the catalog).

A parser reads a whole file into a ``ParsedFile`` without touching the database. Everything it
returns is already validated (names, lengths, times), so writing it cannot fail half-way for a
reason the file could have told us about.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from timetracker.core.errors import ImportFormatError, ImportProblems, ValidationError
from timetracker.core.naming import clean_color, clean_name

#: Earliest and latest instants an import accepts (1970-01-01 .. 9999-12-31, UTC seconds).
MIN_TS = 0
MAX_TS = 253402300799
MAX_DESCRIPTION = 5000

#: ``tick(done, total)`` — called by parsers every so often while reading.
Tick = Callable[[int, int], None]


def no_tick(done: int, total: int) -> None:
    """The tick used when nobody watches."""


@dataclass(frozen=True)
class ImportRow:
    """One time entry read from a file, in our terms."""

    line: int
    key: str
    start: int
    end: int | None
    tz: str
    description: str = ""
    project: str | None = None
    client: str | None = None
    task: str | None = None
    tags: tuple[str, ...] = ()
    #: None: take the project's billable default.
    billable: bool | None = None
    created_at: int | None = None
    updated_at: int | None = None

    @property
    def running(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class ClientRecord:
    name: str
    archived: bool = False
    created_at: int | None = None


@dataclass(frozen=True)
class ProjectRecord:
    name: str
    client: str | None = None
    color: str | None = None
    billable: bool = False
    rate_cents: int = 0
    currency: str | None = None
    archived: bool = False
    created_at: int | None = None


@dataclass(frozen=True)
class TaskRecord:
    project: str
    name: str
    done: bool = False
    created_at: int | None = None


@dataclass(frozen=True)
class TagRecord:
    name: str
    archived: bool = False
    created_at: int | None = None


@dataclass
class ParsedFile:
    """Everything read from one file, in file order."""

    format: str
    file: str
    rows: list[ImportRow] = field(default_factory=list)
    clients: list[ClientRecord] = field(default_factory=list)
    projects: list[ProjectRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    tags: list[TagRecord] = field(default_factory=list)
    #: Currency for projects the import creates (Toggl's ``Amount (XXX)`` header).
    currency: str | None = None
    warnings: list[str] = field(default_factory=list)


# -- validators shared by the parsers: each turns a bad value into an ImportFormatError --------

#: A refused file's report names at most this many bad rows (its count covers them all).
PROBLEMS_LISTED = 50


class RowProblems:
    """The bad rows of one file. Reading goes on past a bad row, so the report names every
    problem (file, line, field) instead of the first only; :meth:`raise_if_any` then refuses
    the file, and nothing is imported."""

    def __init__(self) -> None:
        self.found: list[ImportFormatError] = []
        self.count = 0

    @contextmanager
    def row(self, file: str, line: int | None) -> Iterator[None]:
        """Read one row (or item) of ``file`` at ``line`` inside this: a problem in it is
        recorded, not raised — also one a parser did not name (a value of a type nobody
        expected), as "cannot be read" at that line."""
        try:
            yield
        except ImportProblems:
            raise
        except ImportFormatError as problem:
            self._add(problem)
        except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
            self._add(ImportFormatError(file, line, None,
                                        f"cannot be read ({type(exc).__name__})"))

    def _add(self, problem: ImportFormatError) -> None:
        self.count += 1
        if len(self.found) < PROBLEMS_LISTED:
            self.found.append(problem)

    def raise_if_any(self) -> None:
        if self.count == 1:
            raise self.found[0]
        if self.count:
            raise ImportProblems(self.found, self.count)


def name_field(kind: str, value: object, file: str, line: int | None, fieldname: str,
               max_length: int = 200) -> str:
    if not isinstance(value, str):
        raise ImportFormatError(file, line, fieldname, f"expected text, got {_kind(value)}")
    try:
        return clean_name(kind, value, max_length=max_length)
    except ValidationError as exc:
        raise ImportFormatError(file, line, fieldname, str(exc)) from None


def optional_name(kind: str, value: object, file: str, line: int | None, fieldname: str,
                  max_length: int = 200) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return name_field(kind, value, file, line, fieldname, max_length)


def tag_names(values: object, file: str, line: int | None, fieldname: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise ImportFormatError(file, line, fieldname, f"expected a list, got {_kind(values)}")
    seen: dict[str, str] = {}
    for value in values:
        name = name_field("tag", value, file, line, fieldname, max_length=100)
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def description_field(value: object, file: str, line: int | None, fieldname: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportFormatError(file, line, fieldname, f"expected text, got {_kind(value)}")
    if "\x00" in value:
        raise ImportFormatError(file, line, fieldname, "contains a NUL character")
    text = " ".join(value.split())
    if len(text) > MAX_DESCRIPTION:
        raise ImportFormatError(file, line, fieldname,
                                f"longer than {MAX_DESCRIPTION} characters")
    return text


def timestamp_field(value: object, file: str, line: int | None, fieldname: str) -> int:
    """Unix seconds (int, or a float from older tools) within 1970..9999."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImportFormatError(file, line, fieldname,
                                f"expected Unix seconds, got {_kind(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ImportFormatError(file, line, fieldname, "is not a finite number")
    seconds = int(value)
    if not MIN_TS <= seconds <= MAX_TS:
        raise ImportFormatError(file, line, fieldname,
                                f"{value} is outside 1970-01-01 .. 9999-12-31")
    return seconds


def bool_field(value: object, file: str, line: int | None, fieldname: str) -> bool:
    if not isinstance(value, bool):
        raise ImportFormatError(file, line, fieldname,
                                f"expected true or false, got {_kind(value)}")
    return value


def color_field(value: object, file: str, line: int | None, fieldname: str) -> str:
    if not isinstance(value, str):
        raise ImportFormatError(file, line, fieldname, f"expected a colour, got {_kind(value)}")
    try:
        return clean_color(value)
    except ValidationError as exc:
        raise ImportFormatError(file, line, fieldname, str(exc)) from None


def currency_field(value: object, file: str, line: int | None, fieldname: str) -> str:
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha() \
            or not value.strip().isascii():
        raise ImportFormatError(file, line, fieldname,
                                "expected a three-letter currency code such as EUR")
    return value.strip().upper()


def check_order(start: int, end: int | None, file: str, line: int | None, fieldname: str) -> None:
    if end is not None and end < start:
        raise ImportFormatError(file, line, fieldname, "the end is before the start")


def check_timezone(name: str) -> str:
    """An IANA zone name, or a ValidationError that says which one is unknown."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"Unknown time zone '{name}'. Use an IANA name such as Europe/Berlin or UTC."
        ) from None
    return name


def digest(*parts: object) -> str:
    """A short stable hash of the parts (for import keys)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
