"""Keyboard shortcuts: one table, used to build the actions and the Help → Shortcuts list."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QKeySequence


class Shortcut(NamedTuple):
    key: str  # action id
    label: str
    sequence: str  # portable QKeySequence text
    help: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("toggle_timer", "Start / stop timer", "Ctrl+S",
             "Start a timer from the bar, or stop the running one"),
    Shortcut("continue_last", "Continue last entry", "Ctrl+R",
             "Start again what you did last (resume)"),
    Shortcut("focus_bar", "Go to description", "Ctrl+L",
             "Put the cursor in the timer bar's description"),
    Shortcut("new_entry", "New entry…", "Ctrl+N", "Add a finished entry by hand"),
    Shortcut("find", "Find entries", "Ctrl+F", "Filter this week's entries"),
    Shortcut("undo", "Undo", "Ctrl+Z", "Undo the last change to an entry"),
    Shortcut("view_timer", "Timer", "Ctrl+1", "Show the timer and this week's entries"),
    Shortcut("view_projects", "Projects", "Ctrl+2", "Show clients, projects and tasks"),
    Shortcut("view_reports", "Reports", "Ctrl+3", "Show reports"),
    Shortcut("prev_week", "Previous week", "Alt+Left", "Show the week before"),
    Shortcut("next_week", "Next week", "Alt+Right", "Show the week after"),
    Shortcut("this_week", "This week", "Alt+Home", "Go back to this week"),
    Shortcut("import", "Import…", "Ctrl+I", "Import from Toggl, Watson, Timewarrior or JSON"),
    Shortcut("settings", "Settings…", "Ctrl+,", "Open the settings"),
    Shortcut("refresh", "Refresh", "F5", "Read the data again"),
    Shortcut("shortcuts_help", "Keyboard shortcuts", "F1", "Show this list"),
    Shortcut("close_window", "Close window", "Ctrl+W",
             "Close the window (the app stays in the tray when that setting is on)"),
    Shortcut("quit", "Quit", "Ctrl+Q", "Quit TimeTracker"),
)

BY_KEY = {s.key: s for s in SHORTCUTS}

#: Keys handled inside the entries list (not window-wide actions), listed in the help too.
LIST_KEYS: tuple[tuple[str, str], ...] = (
    ("Delete", "Delete the focused entry (undo with Ctrl+Z)"),
    ("Ctrl+D", "Duplicate the focused entry"),
    ("Ctrl+C", "Copy the focused entry as a line of text"),
    ("Enter", "Save the field you are editing"),
    ("Esc", "Cancel editing the field"),
)


def sequence(key: str) -> QKeySequence:
    return QKeySequence(BY_KEY[key].sequence)


def native_text(key: str) -> str:
    """The shortcut as this platform writes it (e.g. ⌘Space on macOS)."""
    return sequence(key).toString(QKeySequence.SequenceFormat.NativeText)
