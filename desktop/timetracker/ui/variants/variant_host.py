"""A widget that shows one variant of a multivariate flag and swaps it live.

A :class:`VariantHost` holds one builder per declared variant. It shows the variant the flag
evaluates to, re-evaluates whenever the flag (or the ``ui-variants-enabled`` kill switch)
changes, and swaps its child without a restart. Only when a variant is really on screen —
the host is visible after a swap, or becomes visible — does it call
``flags.exposed(key)``; the flag client sends ``$feature_flag_called`` once per flag per
session from that, and only for values PostHog assigned.

A host can start *detached* (no flag client yet): the GUI builds its window before the
telemetry modules are imported (start-up stays fast), shows the default variant, and
:meth:`VariantHost.attach` connects the flag client once the launcher has started it.

``ui-variants-enabled`` off always shows the flag's default variant here, even over a
developer override: it is the emergency switch for a broken layout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from timetracker.telemetry.flag_keys import FeatureFlags

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.telemetry.flags import Flags
    from timetracker.ui.variants.flag_bridge import FlagBridge

log = logging.getLogger("timetracker.ui.variants")

Builder = Callable[[], QWidget]


def built_flags(app: App) -> Flags | None:
    """The App's flag client if it exists already (it is built lazily, at the latest when
    the launcher starts telemetry) — None instead of building it now."""
    flags: Flags | None = app.__dict__.get("flags")
    return flags


def chosen_variant(flags: Flags, key: str, known: set[str] | frozenset[str]) -> str:
    """The variant of ``key`` to show: the flag's value, or its default when variants are
    switched off or the value has no widget."""
    spec = flags.registry.spec(key)
    default = str(spec.default)
    if not flags.guard(FeatureFlags.UI_VARIANTS_ENABLED).allowed:
        return default
    value = flags.variant(key)
    return value if value in known else default


class VariantHost(QWidget):
    """Shows the current variant of ``key``; see the module docstring."""

    #: The variant now shown (after a swap).
    swapped = Signal(str)

    def __init__(self, key: str, default: str, builders: Mapping[str, Builder],
                 flags: Flags | None = None, bridge: FlagBridge | None = None,
                 keep: bool = True, parent: QWidget | None = None) -> None:
        """``default``: the variant shown while detached (the flag's declared default).
        ``keep``: reuse a variant's widget when it is shown again (False: build it anew each
        time and delete the one swapped out — for variants that re-arrange shared widgets)."""
        super().__init__(parent)
        self.key = key
        self.flags: Flags | None = None
        self.bridge: FlagBridge | None = None
        self._builders = dict(builders)
        self._keep = keep
        self._built: dict[str, QWidget] = {}
        self._current: QWidget | None = None
        self.variant = ""
        #: How many times the child was swapped (tests, diagnostics).
        self.swaps = 0
        self.setObjectName(f"variantHost-{key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._show(default)
        if flags is not None:
            self.attach(flags, bridge)

    @property
    def attached(self) -> bool:
        return self.flags is not None

    def attach(self, flags: Flags, bridge: FlagBridge | None = None) -> None:
        """Follow ``flags`` from now on (shows its variant at once). Idempotent."""
        if self.flags is not None:
            return
        from timetracker.ui.variants.flag_bridge import FlagBridge

        self.flags = flags
        self.bridge = bridge or FlagBridge(flags, self)
        self.bridge.changed.connect(self._on_flags_changed)
        self.sync()

    # -- what is shown -----------------------------------------------------------------------
    def current(self) -> QWidget:
        assert self._current is not None
        return self._current

    def widget_for(self, variant: str) -> QWidget | None:
        """The built widget of ``variant`` (None if it was never built or not kept)."""
        if variant == self.variant:
            return self._current
        return self._built.get(variant)

    def sync(self) -> bool:
        """Show the variant the flag says now; True when the child was swapped."""
        if self.flags is None:
            return False
        wanted = chosen_variant(self.flags, self.key, set(self._builders))
        if wanted == self.variant:
            self._expose()
            return False
        self._show(wanted)
        return True

    def rebuild(self) -> None:
        """Build the current variant again (its inputs changed, e.g. remote config)."""
        self._built.pop(self.variant, None)
        self._show(self.variant, force=True)

    # -- inside ------------------------------------------------------------------------------
    def _show(self, variant: str, force: bool = False) -> None:
        old = self._current
        widget = None if force else self._built.get(variant)
        if widget is None:
            widget = self._builders[variant]()
            if self._keep:
                self._built[variant] = widget
        layout = self.layout()
        assert layout is not None
        if old is not None and old is not widget:
            layout.removeWidget(old)
            old.hide()
            if not self._keep or force:
                old.setParent(None)
                old.deleteLater()
        if widget.parent() is not self:
            widget.setParent(self)
        layout.addWidget(widget)
        if widget.isHidden() or self.isVisible():
            # (a new child of a hidden host shows with it: showing it now would style it
            # before the window filled it — theme.set_style_property)
            widget.show()
        first = self._current is None
        self._current = widget
        changed = variant != self.variant
        self.variant = variant
        if not first:
            self.swaps += 1
        if changed:
            if not first:
                log.info("ui: %s shows variant %s", self.key, variant)
            self.swapped.emit(variant)
        self._expose()

    def _on_flags_changed(self, keys: object) -> None:
        if not isinstance(keys, frozenset | set):
            return
        if self.key in keys or FeatureFlags.UI_VARIANTS_ENABLED in keys:
            self.sync()

    def _expose(self) -> None:
        """Report the variant as seen — only when it is on screen now."""
        if self.flags is not None and self.isVisible():
            self.flags.exposed(self.key)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._expose()
