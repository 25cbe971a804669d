"""Every user action the GUI has, and the telemetry events each one can produce.

:class:`~timetracker.ui.actions.ActionDispatcher` runs only actions declared here (an unknown
name raises), so a new button or menu item cannot skip telemetry by accident: adding its
action here means saying which registry events it produces, and a test
(tests/ui/test_instrumentation.py) checks every name below against
resources/telemetry/events.yaml.

An action's events come from one of two places, never from widgets:

* ``domain`` — events the core services emit through ``app.emit`` while the action's work runs
  (timer, entries, catalog, import, export, backups); the dispatcher stamps them with the
  action's ``source``.
* ``emits`` — one event the dispatcher itself emits after the work succeeded, for things that
  only exist in the GUI (a report looked at, a setting changed). ``properties`` derives its
  properties from the work's result — enums, booleans and counts only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from timetracker.core.reports import Report

PropertiesOf = Callable[[Any], Mapping[str, object]]


class Action(NamedTuple):
    """One declared user action."""

    #: Registry events the domain may emit while the work runs.
    domain: tuple[str, ...] = ()
    #: The registry event the dispatcher emits after success (GUI-only facts), if any.
    emits: str | None = None
    #: The properties of ``emits``, from the work's result (``source`` is added by the app).
    properties: PropertiesOf | None = None
    #: Whether the views reload afterwards.
    changes_data: bool = True


class UnknownAction(ValueError):
    """An action name that is not declared in :data:`ACTIONS`."""


def report_properties(report: Report) -> Mapping[str, object]:
    """report.generated for a report shown in the Reports view."""
    return {"group_by": report.group_by, "range_kind": report.range.kind,
            "range_days": report.range.days, "format": "gui"}


def setting_properties(key: str) -> Mapping[str, object]:
    """settings.changed: the key only (the work returns it), never the value."""
    return {"key": key}


#: What the Projects view (and an import) can do to the catalog.
_CATALOG_EVENTS = ("project.created", "project.updated", "project.archived", "client.created",
                   "client.updated", "client.archived", "task.created", "task.updated",
                   "tag.created", "tag.updated", "tag.archived")
#: Entry changes create the project, task and tags they name when these are new.
_ENTRY = ("project.created", "task.created", "tag.created")
#: Actions that only move around the window (or copy to the clipboard): no telemetry (by
#: design — navigation is not collected), but they still go through the dispatcher like
#: everything else.
_NAVIGATION = ("view.timer", "view.projects", "view.reports", "view.find", "view.refresh",
               "view.week", "view.focus_bar", "view.shortcuts", "view.about", "window.show",
               "window.close", "app.quit", "dialog.settings", "dialog.import", "dialog.entry",
               "entry.copy")

ACTIONS: Mapping[str, Action] = {
    # timer
    "timer.start": Action(("timer.started", "timer.stopped", *_ENTRY)),
    "timer.stop": Action(("timer.stopped",)),
    # continuing starts a timer (timer.started) and says it was a continue (timer.continued)
    "timer.continue": Action(("timer.continued", "timer.started", "timer.stopped")),
    # entries
    "entry.create": Action(("entry.created", *_ENTRY)),
    "entry.duplicate": Action(("entry.created", *_ENTRY)),
    "entry.edit": Action(("entry.edited", *_ENTRY)),
    "entry.delete": Action(("entry.deleted",)),
    "entry.undo": Action(("entry.undone",)),
    # projects, clients, tasks, tags
    "project.create": Action(("project.created",)),
    "catalog.update": Action(_CATALOG_EVENTS),
    # data in and out (run as background jobs)
    "import.preview": Action(("import.completed", "import.failed"), changes_data=False),
    "import.run": Action(("import.completed", "import.failed", "backup.created",
                          *_CATALOG_EVENTS)),
    "export.run": Action(("export.completed",), changes_data=False),
    "backup.create": Action(("backup.created",), changes_data=False),
    "backup.restore": Action(("backup.restored", "backup.created")),
    # GUI-only facts, emitted by the dispatcher
    "report.view": Action(emits="report.generated", properties=report_properties,
                          changes_data=False),
    "settings.change": Action(emits="settings.changed", properties=setting_properties,
                              changes_data=False),
    # consent: the telemetry engine emits consent.changed itself (Telemetry.set_level)
    "consent.change": Action(changes_data=False),
    **{name: Action(changes_data=False) for name in _NAVIGATION},
}


def action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise UnknownAction(
            f"action {name!r} is not declared in timetracker/ui/action_catalog.py ACTIONS "
            "(declare it with the telemetry events it produces)") from None


def events_produced() -> set[str]:
    """Every registry event some GUI action can produce (domain or dispatcher)."""
    found: set[str] = set()
    for spec in ACTIONS.values():
        found.update(spec.domain)
        if spec.emits:
            found.add(spec.emits)
    return found
