"""Importing time data from other trackers and from our own JSON export.

API (``app.importer`` is an ``ImportService``)::

    summary = app.importer.preview(path, fmt, tz=None, tags_mode="project",
                                   sample_size=20, progress=None)     # dry run, writes nothing
    summary = app.importer.run(path, fmt, tz=None, tags_mode="project",
                               progress=None, dry_run=False)          # all or nothing

- ``fmt``: ``toggl`` | ``watson`` | ``timewarrior`` | ``timew_json`` (``timew-json``) | ``json``.
  ``FORMAT_INFO[fmt]`` gives a label, a file-dialog filter and which options apply.
- ``tz``: IANA zone. Toggl's local times are read in it; for the other formats (UTC instants)
  it is the zone the new entries are shown in. Default: the app's time zone. Ignored for
  ``json`` (each entry keeps its own zone).
- ``tags_mode`` (Timewarrior only): ``project`` = first tag becomes the project (default),
  ``tags`` = all tags stay tags and entries get no project.
- ``progress(phase, done, total)``: phase ``"read"`` while parsing, ``"write"`` while storing.
  Called every few hundred rows and at the end of each phase; it runs on the importing thread.
  Raise ``ImportCancelled`` from it to abandon the import — nothing is written.
- Returns an ``ImportSummary`` (``total``, ``new``, ``duplicates``, ``closed``, ``running``,
  ``skipped_running``, ``new_clients/projects/tasks/tags``, ``first_start``/``last_end`` (UTC
  seconds), ``sample`` = the first new ``ImportRow`` s, ``warnings``, ``backup``,
  ``duration_ms``; ``to_dict()`` gives plain JSON-able data).
- Errors: ``ImportFormatError`` (``.file``, ``.line``, ``.field``, ``.problem``) for a bad file,
  ``ImportFileError`` when it cannot be read, ``ValidationError`` for a bad option. Nothing is
  written when any error is raised.

Rules: the whole file is parsed and validated before the database is touched; a real import
makes a ``pre-import`` backup, then writes everything in ONE transaction. Every row has a
stable import key (see each format's module), stored on the entry, so importing the same file
again adds nothing. An open interval (Timewarrior) becomes the running entry only when no timer
runs here; otherwise it is skipped with a warning. A re-import that shows a previously imported
running entry as finished closes it. Imported entries are not in the undo journal — restore
the pre-import backup to take an import back.
"""

from timetracker.core.importers.rows import ImportRow
from timetracker.core.importers.service import (
    FORMAT_INFO,
    FORMATS,
    TAGS_MODES,
    FormatInfo,
    ImportCancelled,
    ImportService,
    ImportSummary,
    Progress,
    normalise_format,
)
from timetracker.core.importers.source import ImportFileError

__all__ = ["FORMATS", "FORMAT_INFO", "TAGS_MODES", "FormatInfo", "ImportCancelled",
           "ImportFileError", "ImportRow", "ImportService", "ImportSummary", "Progress",
           "normalise_format"]
