"""``reports-v2``: two layouts of the same reports widgets, swapped live.

``control``  the range bar, the headline figures in a row, hours per day, then the breakdown
             chart beside its table — sections in the order ``reports-config`` lists them.
``v2``       chart first: headline cards stacked beside a large hours-per-day chart, the
             breakdown table (with its chart) below.

Both arrange the *same* widgets (the view keeps them and fills them with each report); a swap
moves them into a fresh container and deletes the old one, so nothing is computed twice and
the report on screen stays. Widgets a layout does not show (``reports-config`` left them out)
wait hidden in a parking widget. The ``reports-config`` payload is followed live too: when its
widget list changes the current layout is rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from timetracker.telemetry.flag_keys import FeatureFlags, ReportsV2Variant
from timetracker.ui import theme
from timetracker.ui.variants.reports_config import ReportsConfig
from timetracker.ui.variants.variant_host import VariantHost

if TYPE_CHECKING:
    from timetracker.telemetry.flags import Flags
    from timetracker.ui.variants.flag_bridge import FlagBridge

#: v2's cards: palette() colours, so light and dark need nothing special.
_V2_STYLE = """
QFrame#reportFigure { background: palette(base); border: 1px solid palette(mid);
                      border-radius: 10px; }
QFrame#reportFigure QLabel { background: transparent; border: none; }
QFrame#reportFigure QLabel#figureValue { font-size: 13pt; font-weight: 700; }
QFrame#reportFigure[headline="true"] { background: palette(alternate-base);
                      border: 1px solid palette(highlight); }
QFrame#reportFigure[headline="true"] QLabel#figureValue { font-size: 26pt;
                      color: palette(highlight); }
"""


@dataclass(frozen=True)
class ReportParts:
    """The reports view's widgets a layout arranges."""

    #: The headline figures (total first).
    figures: Sequence[QWidget]
    #: "Hours per day" with its title.
    daily: QWidget
    #: The breakdown chart with its title.
    breakdown_chart: QWidget
    #: The breakdown table.
    table: QWidget

    def all(self) -> list[QWidget]:
        return [*self.figures, self.daily, self.breakdown_chart, self.table]


class ReportsLayoutHost(VariantHost):
    """Shows the reports widgets in the ``reports-v2`` layout the flag picks."""

    #: (previous, new) ReportsConfig when the remote config changed.
    config_changed = Signal(object, object)

    def __init__(self, parts: ReportParts, flags: Flags | None = None,
                 bridge: FlagBridge | None = None, parent: QWidget | None = None) -> None:
        self.parts = parts
        self.config = ReportsConfig.current(flags)
        self._parking: QWidget | None = None
        super().__init__(FeatureFlags.REPORTS_V2, ReportsV2Variant.CONTROL,
                         {ReportsV2Variant.CONTROL: self._control,
                          ReportsV2Variant.V2: self._v2}, flags, bridge, keep=False,
                         parent=parent)

    def attach(self, flags: Flags, bridge: FlagBridge | None = None) -> None:
        """Follow ``reports-v2`` and ``reports-config`` from now on. Idempotent."""
        if self.flags is not None:
            return
        old = self.config
        self.config = ReportsConfig.current(flags)
        swaps = self.swaps
        super().attach(flags, bridge)  # builds the flag's layout with the new config
        assert self.bridge is not None
        self.bridge.changed.connect(self._on_config_maybe_changed)
        if self.config != old:
            if self.swaps == swaps and self.config.sections() != old.sections():
                self.rebuild()
            self.config_changed.emit(old, self.config)

    # -- following reports-config ------------------------------------------------------------
    def _on_config_maybe_changed(self, keys: object) -> None:
        if isinstance(keys, frozenset | set) and FeatureFlags.REPORTS_CONFIG in keys:
            self._follow_config()

    def _follow_config(self) -> None:
        new = ReportsConfig.current(self.flags)
        old, self.config = self.config, new
        if new == old:
            return
        if new.sections() != old.sections():
            self.rebuild()
        self.config_changed.emit(old, new)

    # -- the layouts -------------------------------------------------------------------------
    def _park(self) -> None:
        """Move every part out of the current container (it is about to be deleted)."""
        if self._parking is None:
            self._parking = QWidget(self)
            self._parking.setObjectName("reportsParking")
            self._parking.hide()
            QVBoxLayout(self._parking)
        for part in self.parts.all():
            part.setParent(self._parking)
        for figure in self.parts.figures:
            figure.setProperty("headline", False)
            figure.setMinimumHeight(0)

    def _breakdown(self, table_first: bool) -> QSplitter:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("reportsBreakdown")
        split.setChildrenCollapsible(False)
        first, second = ((self.parts.table, self.parts.breakdown_chart) if table_first
                         else (self.parts.breakdown_chart, self.parts.table))
        split.addWidget(first)
        split.addWidget(second)
        split.setStretchFactor(0, 5 if table_first else 4)
        split.setStretchFactor(1, 4 if table_first else 5)
        if table_first:  # v2: the table leads, the bars keep enough room for their names
            split.setSizes([540, 460])
        for part in (first, second):
            part.show()
        return split

    def _control(self) -> QWidget:
        self._park()
        box = QWidget()
        box.setObjectName("reportsControl")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for section in self.config.sections():
            if section == "summary":
                row = QHBoxLayout()
                row.setSpacing(10)
                for figure in self.parts.figures:
                    row.addWidget(figure, 1)
                    figure.show()
                layout.addLayout(row)
            elif section == "chart":
                layout.addWidget(self.parts.daily, 3)
                self.parts.daily.show()
            else:
                layout.addWidget(self._breakdown(table_first=False), 4)
        if not self.config.shows("chart") and not self.config.shows("breakdown"):
            layout.addStretch(1)
        return box

    def _v2(self) -> QWidget:
        self._park()
        box = QWidget()
        box.setObjectName("reportsV2")
        box.setStyleSheet(_V2_STYLE)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        summary, chart = self.config.shows("summary"), self.config.shows("chart")
        if summary or chart:
            top = QHBoxLayout()
            top.setSpacing(14)
            if summary:
                cards = QVBoxLayout() if chart else QHBoxLayout()
                cards.setSpacing(10)
                for index, figure in enumerate(self.parts.figures):
                    value = getattr(figure, "value", None)  # the figure's number label
                    if isinstance(value, QLabel):
                        value.setObjectName("figureValue")
                    figure.setProperty("headline", index == 0)
                    theme.repolish(figure)
                    cards.addWidget(figure, 2 if index == 0 else 1)
                    figure.show()
                holder = QWidget()
                holder.setObjectName("reportsCards")
                holder.setLayout(cards)
                cards.setContentsMargins(0, 0, 0, 0)
                if chart:
                    holder.setFixedWidth(270)
                top.addWidget(holder, 0 if chart else 1)
            if chart:
                top.addWidget(self.parts.daily, 1)
                self.parts.daily.show()
            layout.addLayout(top, 4)
        if self.config.shows("breakdown"):
            layout.addWidget(self._breakdown(table_first=True), 5)
        else:
            layout.addStretch(1)
        return box
