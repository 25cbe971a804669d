"""Helpers shared by the packaging tests (imported by module name, not a conftest)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from support.shared_conftest import REPO, load_module_file, require_tool

__all__ = ["PACKAGING", "REPO", "load_script", "require_tool"]

PACKAGING = REPO / "packaging"


def load_script(relative: str) -> ModuleType:
    """Import a packaging/ script (they are scripts, not a package) as a module."""
    path = PACKAGING / relative
    return load_module_file("packaging_" + Path(relative).stem, path)
