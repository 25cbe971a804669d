"""Helpers shared by the observability tests (imported by module name, not a conftest)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _shared_conftest() -> Any:
    """tests/conftest.py loaded under its own name (``conftest`` is ambiguous across folders)."""
    import importlib.util
    import sys

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
