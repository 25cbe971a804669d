"""The flag client's change notifications, delivered on the UI thread as a Qt signal.

``Flags.subscribe`` calls its observers on whatever thread caused the change — usually the
background refresh thread. Widgets must never be touched there, so :class:`FlagBridge`
re-emits each notification through a *queued* connection: the slot runs later, on the thread
the bridge lives in (the UI thread).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from timetracker.telemetry.flags import FlagChange, Flags


class FlagBridge(QObject):
    """Emits :attr:`changed` (the set of changed flag keys) on its own thread."""

    #: frozenset[str] of the flag keys whose value, payload or reason changed.
    changed = Signal(object)
    #: internal: emitted on the notifying thread, delivered queued
    _relay = Signal(object)

    def __init__(self, flags: Flags, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flags = flags
        self._relay.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        relay = self._relay
        alive = [True]

        def observe(changes: list[FlagChange]) -> None:
            if alive[0]:
                relay.emit(frozenset(change.key for change in changes))

        unsubscribe = flags.subscribe(observe)

        def forget(*_args: object) -> None:
            alive[0] = False
            unsubscribe()

        self._forget: Callable[..., None] = forget
        # Stop listening when the bridge goes away (captures no reference to ``self``).
        self.destroyed.connect(forget)

    def close(self) -> None:
        """Stop listening now (the bridge also stops when it is destroyed)."""
        self._forget()

    def _deliver(self, keys: object) -> None:
        self.changed.emit(keys)
