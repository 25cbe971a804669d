"""Validation of the names users give clients, projects, tasks and tags."""

from __future__ import annotations

import re

from timetracker.core.errors import ValidationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def clean_name(kind: str, value: str, max_length: int = 200) -> str:
    name = " ".join(str(value).split())
    if not name:
        raise ValidationError(f"A {kind} name cannot be empty.")
    if _CONTROL.search(str(value).replace("\t", " ").replace("\n", " ")):
        raise ValidationError(f"A {kind} name cannot contain control characters.")
    if len(name) > max_length:
        raise ValidationError(f"A {kind} name can be at most {max_length} characters long.")
    return name


def clean_color(value: str) -> str:
    if not _COLOR.match(value.strip()):
        raise ValidationError(f"Colour '{value}' must look like #4F7DF3.")
    return value.strip().upper()


def parse_rate_cents(value: str | float | int) -> int:
    """'85', '85.5', '85.50' -> 8550 cents; rejects negatives and more than 2 decimals."""
    text = str(value).strip().replace(",", ".")
    match = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", text)
    if not match:
        raise ValidationError(f"Rate '{value}' must be a non-negative amount like 85 or 85.50.")
    whole, frac = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(frac)


def format_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
