"""Kill switches in the GUI: actions that follow their switch live, and the guard they run
through.

While a kill switch (``export-enabled``, ``import-enabled``, …) is off, every control bound to
it is disabled and its tooltip (and status tip / accessible description) is the switch's short
reason from flags.yaml — the same sentence the CLI refuses with. When the switch comes back on,
the controls are enabled again with their own tooltips. No restart either way.

Controls only say what will happen; the action itself is guarded too: :func:`flag_guarded`
wraps the work given to the dispatcher, so a click that races a switch turning off is refused
with the same reason (a :class:`~timetracker.telemetry.flags.FeatureDisabledError`, which the
dispatcher reports like any refused action).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.telemetry.flags import Flags
    from timetracker.ui.variants.flag_bridge import FlagBridge

T = TypeVar("T")


def flag_guarded(app: App, key: str, work: Callable[[], T]) -> Callable[[], T]:
    """``work`` that first checks the flag ``key`` (raising FeatureDisabledError with the
    flag's short reason while it is off) — the ``requires_flag`` guard for a dispatcher
    action. The App's flag client is built on first use if it does not exist yet."""

    def guarded() -> T:
        app.flags.require(key)
        return work()

    return guarded


@dataclass
class _Bound:
    target: QAction | QWidget
    tooltip: str
    status_tip: str
    busy: Callable[[], bool] | None


class KillSwitchBinding(QObject):
    """Keeps the controls of one kill switch enabled or disabled (with the reason), live.

    Detached (no flag client yet) the switch counts as on — a kill switch's built-in
    default; :meth:`attach` follows the real value from then on."""

    def __init__(self, key: str, flags: Flags | None = None, bridge: FlagBridge | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.flags: Flags | None = None
        self.bridge: FlagBridge | None = None
        self._bound: list[_Bound] = []
        self._allowed = True
        self._reason = ""
        if flags is not None:
            self.attach(flags, bridge)

    def attach(self, flags: Flags, bridge: FlagBridge | None = None) -> None:
        """Follow ``flags`` from now on. Idempotent."""
        if self.flags is not None:
            return
        from timetracker.ui.variants.flag_bridge import FlagBridge

        self.flags = flags
        self.bridge = bridge or FlagBridge(flags, self)
        self.bridge.changed.connect(self._on_flags_changed)
        self.refresh()

    @property
    def allowed(self) -> bool:
        return self._allowed

    @property
    def reason(self) -> str:
        """The switch's short reason while it is off ("" while on)."""
        return self._reason

    def bind(self, target: QAction | QWidget, busy: Callable[[], bool] | None = None) -> None:
        """Follow the switch with ``target``; ``busy()`` True also disables it (e.g. while an
        export runs) without showing the reason."""
        status = target.statusTip()
        self._bound.append(_Bound(target, target.toolTip(), status, busy))
        self.apply()

    def refresh(self) -> None:
        """Evaluate the switch again and update every bound control."""
        if self.flags is not None:
            state = self.flags.guard(self.key)
            self._allowed, self._reason = state.allowed, state.reason
        self.apply()

    def apply(self) -> None:
        for bound in self._bound:
            target = bound.target
            busy = bound.busy() if bound.busy is not None else False
            target.setEnabled(self._allowed and not busy)
            if self._allowed:
                target.setToolTip(bound.tooltip)
                target.setStatusTip(bound.status_tip)
                if isinstance(target, QWidget):
                    target.setAccessibleDescription("")
            else:
                target.setToolTip(self._reason)
                target.setStatusTip(self._reason)
                if isinstance(target, QWidget):
                    target.setAccessibleDescription(self._reason)

    def _on_flags_changed(self, keys: object) -> None:
        if isinstance(keys, frozenset | set) and self.key in keys:
            self.refresh()
