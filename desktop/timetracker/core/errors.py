"""Errors the domain raises; each carries a message fit to show a user as one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath


class TimeTrackerError(Exception):
    """Base of every error meant for the user."""


class ValidationError(TimeTrackerError):
    """A value the user gave is not acceptable."""


class NotFoundError(TimeTrackerError):
    """A referenced record does not exist."""


class ConflictError(TimeTrackerError):
    """The action cannot be done in the current state (e.g. nothing to undo)."""


class DatabaseCorruptError(TimeTrackerError):
    """The database failed its integrity check; it is opened read-only or not at all."""

    def __init__(self, path: str, detail: str, newest_backup: str | None) -> None:
        hint = (
            f" The newest backup is {newest_backup}; restore it with "
            f"'timetracker backup restore {newest_backup}'."
            if newest_backup
            else " No backup was found."
        )
        super().__init__(
            f"The database {path} is damaged ({detail}). It was not changed.{hint}"
        )
        self.path = path
        self.detail = detail
        self.newest_backup = newest_backup


class ImportFormatError(TimeTrackerError):
    """A file being imported is malformed; names the file, line and field."""

    def __init__(self, file: str, line: int | None, field: str | None, problem: str) -> None:
        where = file
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem


class ImportProblems(ImportFormatError):
    """Several rows of a file being imported are malformed. ``problems`` names each (file, line,
    field, problem) up to a limit, ``count`` says how many there were; the first one's details
    are this error's own, and the message lists the others' lines."""

    def __init__(self, problems: Sequence[ImportFormatError], count: int) -> None:
        first = problems[0]
        super().__init__(first.file, first.line, first.field, first.problem)
        others = count - 1
        places = [_place(p, first.file) for p in problems[1:11] if p.line is not None]
        where = ""
        if places:
            if others > len(places):
                shown = ", ".join(places) + " and more"
            else:
                shown = ", ".join(places[:-1]) + (" and " if len(places) > 1 else "") + places[-1]
            where = f", on line{'s' if others > 1 else ''} {shown}"
        self.args = (f"{first} — and {others} more problem{'s' if others > 1 else ''}{where}",)
        self.problems = list(problems)
        self.count = count


def _place(problem: ImportFormatError, main_file: str) -> str:
    """A problem's line, with its file's name when it is not the first problem's file (the
    data files of a Timewarrior folder)."""
    if problem.file == main_file:
        return str(problem.line)
    return f"{PurePath(problem.file).name}:{problem.line}"
