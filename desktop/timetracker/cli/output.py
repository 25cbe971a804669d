"""Printing for the CLI: human tables and durations, or JSON with ``--json``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo


def print_json(data: Any, stream: TextIO | None = None) -> None:
    out = sys.stdout if stream is None else stream
    json.dump(data, out, indent=2, ensure_ascii=False, default=str)
    out.write("\n")


def hours(seconds: int) -> str:
    """3723 -> '1.03 h'."""
    return f"{seconds / 3600:.2f} h"


def local(ts: int | None, tz: str, with_date: bool = True) -> str:
    if ts is None:
        return "running"
    moment = datetime.fromtimestamp(ts, ZoneInfo(tz))
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def iso(ts: int | None, tz: str) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, ZoneInfo(tz)).isoformat()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]],
          align_right: Sequence[int] = ()) -> str:
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        parts = [c.rjust(widths[i]) if i in align_right else c.ljust(widths[i])
                 for i, c in enumerate(row)]
        return "  ".join(parts).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(row) for row in cells[1:])
    return "\n".join(lines)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
