"""Qt enum values by name, for the widgets built before the window is first shown.

PySide6 turns all ~90 enums of the ``Qt`` namespace (``Qt.Key`` alone has 471 members) into
Python enums the first time anything touches ``PySide6.QtCore.Qt`` — about 14 ms, the largest
single cost of opening the window (docs/architecture.md, "Desktop UI: start-up"). So the code
that runs before the window is shown and idle never names ``Qt``:

- enum properties are set by key name through Qt's property system (:func:`set_enum`): the
  widget's own C++ setter runs with the value Qt looks up from the name;
- event handlers, which only run once the window is up, use ``QtCore.Qt`` at call time
  (``from PySide6 import QtCore`` at the top, never ``from PySide6.QtCore import Qt``);
- styled containers are ``QFrame`` subclasses (the style sheet paints their background
  without the ``WA_StyledBackground`` attribute).

The launcher creates the namespace on purpose once the window is idle (``launch.warm_up``), so
the first key press does not pay for it. tests/ui/test_launch.py checks that opening the
window leaves it untouched.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QFontMetrics

ELLIPSIS = "…"


def set_enum(obj: QObject, prop: str, keys: str) -> None:
    """Set the enum or flags property ``prop`` of ``obj`` by key name(s), e.g.
    ``set_enum(label, "alignment", "AlignRight|AlignVCenter")``. A property the class does not
    have, or a key its enum does not have, raises ValueError."""
    if not obj.setProperty(prop, keys):
        raise ValueError(f"{type(obj).__name__} has no enum property {prop!r} taking {keys!r}")


def elide_right(metrics: QFontMetrics, text: str, width: int) -> str:
    """``text`` as it fits into ``width`` pixels: whole, or cut with "…" at the end — what
    ``QFontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, width)`` shows."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis after it
    while low < high:
        middle = (low + high + 1) // 2
        if metrics.horizontalAdvance(text[:middle] + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + ELLIPSIS if low else ELLIPSIS
