"""``reports-config``: the reports view's opening range and visible widgets, from a remote
payload.

The flag client already validates the payload against the schema declared in flags.yaml and
falls back to the declared default payload when it is missing or invalid (logged without its
content). :meth:`ReportsConfig.from_payload` reads it defensively once more, so a surprise can
never break the view: anything it does not understand means the built-in default.

What the widget names mean (in the order they are listed; the control layout follows it):

``summary``     the headline figures (total, billable, amount, per working day)
``chart``       hours per day
``table``       the breakdown: its chart and table, grouped by the "Break down by" choice
``by_project``  the breakdown, opening grouped by project
``by_tag``      the breakdown, opening grouped by tag
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from timetracker.core.ranges import RANGE_KINDS
from timetracker.telemetry.flag_keys import FeatureFlags

if TYPE_CHECKING:
    from timetracker.telemetry.flags import Flags

log = logging.getLogger("timetracker.ui.variants")

WIDGETS: tuple[str, ...] = ("summary", "chart", "table", "by_project", "by_tag")
#: The sections a layout places: the widget names collapse onto these.
SECTIONS: tuple[str, ...] = ("summary", "chart", "breakdown")
_BREAKDOWN = {"table": "breakdown", "by_project": "breakdown", "by_tag": "breakdown"}
_GROUPING = {"by_project": "project", "by_tag": "tag"}


@dataclass(frozen=True)
class ReportsConfig:
    default_range: str = "this_week"
    widgets: tuple[str, ...] = ("summary", "chart", "table")

    @classmethod
    def from_payload(cls, payload: Any) -> ReportsConfig:
        """The config in ``payload``; the built-in default for anything unexpected."""
        if not isinstance(payload, dict):
            return cls()
        default_range = payload.get("default_range")
        widgets = payload.get("widgets")
        if (default_range not in RANGE_KINDS or default_range == "custom"
                or not isinstance(widgets, list) or not widgets
                or any(w not in WIDGETS for w in widgets)):
            log.warning("reports-config: the payload is not usable; the default is used")
            return cls()
        return cls(str(default_range), tuple(dict.fromkeys(str(w) for w in widgets)))

    @classmethod
    def current(cls, flags: Flags | None) -> ReportsConfig:
        """The config ``flags`` holds now (the default without a flag client)."""
        if flags is None:
            return cls()
        return cls.from_payload(flags.payload(FeatureFlags.REPORTS_CONFIG))

    def sections(self) -> tuple[str, ...]:
        """The sections to show, in the order the widgets were listed."""
        return tuple(dict.fromkeys(_BREAKDOWN.get(w, w) for w in self.widgets))

    def shows(self, section: str) -> bool:
        return section in self.sections()

    @property
    def group_by(self) -> str:
        """The grouping the breakdown opens with."""
        for widget in self.widgets:
            if widget in _GROUPING:
                return _GROUPING[widget]
        return "project"
