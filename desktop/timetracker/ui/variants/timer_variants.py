"""``timer-ui``: the classic timer bar or the compact focus mode, swapped live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from timetracker.telemetry.flag_keys import FeatureFlags, TimerUiVariant
from timetracker.ui.timer_bar import TimerBar
from timetracker.ui.variants.variant_host import VariantHost

if TYPE_CHECKING:
    from timetracker.telemetry.flags import Flags
    from timetracker.ui.variants.focus_timer import FocusTimer


def _build_focus_timer(bar: TimerBar) -> QWidget:
    # imported when the compact variant is first shown: not part of start-up
    from timetracker.ui.variants.focus_timer import FocusTimer

    return FocusTimer(bar)


class TimerHost(VariantHost):
    """The top of the main window: ``classic`` shows ``bar`` itself, ``compact`` a
    :class:`FocusTimer` driven by the (hidden) bar. Both are kept once built."""

    def __init__(self, bar: TimerBar, flags: Flags | None = None,
                 parent: QWidget | None = None) -> None:
        self.bar = bar
        super().__init__(FeatureFlags.TIMER_UI, TimerUiVariant.CLASSIC,
                         {TimerUiVariant.CLASSIC: lambda: bar,
                          TimerUiVariant.COMPACT: lambda: _build_focus_timer(bar)},
                         flags, keep=True, parent=parent)
        self.swapped.connect(self._on_swapped)

    def _on_swapped(self, variant: str) -> None:
        focus = self.focus_timer
        if variant == TimerUiVariant.COMPACT and focus is not None:
            focus.show_state()  # what was typed into the bar meanwhile shows here too

    @property
    def focus_timer(self) -> FocusTimer | None:
        widget = self.widget_for(TimerUiVariant.COMPACT)
        if widget is None:
            return None
        from timetracker.ui.variants.focus_timer import FocusTimer

        return widget if isinstance(widget, FocusTimer) else None

    def focus_description(self) -> None:
        """Put the cursor where the visible variant takes a description."""
        focus = self.focus_timer
        if self.variant == TimerUiVariant.COMPACT and focus is not None \
                and focus.bar.running is None:
            focus.focus_description()
            return
        self.bar.description.setFocus()
        self.bar.description.selectAll()
