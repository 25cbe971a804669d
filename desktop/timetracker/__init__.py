"""TimeTracker Desktop — a privacy-first desktop time tracker."""

from timetracker.build_info import APP_NAME, VERSION

__all__ = ["APP_NAME", "VERSION"]
