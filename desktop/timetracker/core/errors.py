"""Errors the domain raises; each carries a message fit to show a user as one line."""

from __future__ import annotations


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
