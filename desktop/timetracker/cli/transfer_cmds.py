"""export and import (being written; placeholder so the CLI loads)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Commands are added as the import/export work lands."""
