"""How durations and money read in the views: ``7:30 h``, ``€1,234.50``, ``1.2 MB``.

Plain functions, no Qt, so charts, tables and tests format numbers the same way.
"""

from __future__ import annotations

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF "}


def hours_minutes(seconds: int) -> str:
    """``27000`` → ``7:30`` (minutes rounded down, like every time tracker's totals)."""
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def duration_label(seconds: int) -> str:
    """``27000`` → ``7:30 h``."""
    return f"{hours_minutes(seconds)} h"


def decimal_hours(seconds: int) -> str:
    """``27000`` → ``7.50`` (for exports and axis labels)."""
    return f"{max(0, int(seconds)) / 3600:.2f}"


def money(cents: int, currency: str) -> str:
    """``123450, "EUR"`` → ``€1,234.50``; unknown codes read ``1,234.50 SEK``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    number = f"{whole:,}.{frac:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol is not None:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {currency.upper()}".strip()


def amounts_label(amounts: dict[str, int], separator: str = " · ") -> str:
    """Amounts in several currencies, biggest first: ``€1,234.50 · $80.00``; ``—`` if none.

    ``separator="\n"`` puts one currency per line (table cells, so the column stays narrow).
    """
    parts = [money(cents, cur) for cur, cents in
             sorted(amounts.items(), key=lambda item: (-item[1], item[0])) if cents]
    return separator.join(parts) if parts else "—"


def byte_size(size: int) -> str:
    """``1536`` → ``1.5 KB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
