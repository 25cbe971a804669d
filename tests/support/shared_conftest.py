"""tests/conftest.py's helpers for test modules that cannot import it as ``tests.conftest``
(that name only resolves when pytest runs as ``python -m pytest`` from the repository root),
and loading any file as a module under a name of its own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_module_file(name: str, path: Path) -> ModuleType:
    """The file ``path`` imported as module ``name`` (once; later calls return that module)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None, f"cannot load {path}"
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def require_tool(name: str) -> str:
    """The shared ``require_tool``: skip locally, fail in CI, when ``name`` is missing."""
    # Loaded under its own name: ``conftest`` is ambiguous across the test folders.
    shared = load_module_file("timetracker_tests_shared_conftest", REPO / "tests" / "conftest.py")
    return str(shared.require_tool(name))
