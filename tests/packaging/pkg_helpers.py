"""Helpers shared by the packaging tests (imported by module name, not a conftest)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def load_script(relative: str) -> ModuleType:
    """Import a packaging/ script (they are scripts, not a package) as a module."""
    path = PACKAGING / relative
    name = "packaging_" + path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _shared_conftest() -> Any:
    """tests/conftest.py loaded under its own name (``conftest`` is ambiguous across folders)."""
    name = "timetracker_tests_shared_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "tests" / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def require_tool(name: str) -> str:
    """The shared ``require_tool``: skip locally, fail in CI, when ``name`` is missing."""
    return str(_shared_conftest().require_tool(name))
