"""Finding the files shipped with the app (resources/: telemetry registry, icons, styles).

Looked up, in order: a PyInstaller bundle (``sys._MEIPASS/resources``), the source checkout
(``<repo>/resources``), and a pip install's data folder (``<prefix>/share/timetracker/resources``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[3] / "resources")
    candidates.append(Path(sys.prefix) / "share" / "timetracker" / "resources")
    for candidate in candidates:
        if (candidate / "telemetry").is_dir():
            return candidate
    raise FileNotFoundError(
        "TimeTracker's resources folder was not found; looked in: "
        + ", ".join(str(c) for c in candidates)
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
