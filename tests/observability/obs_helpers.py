"""Helpers shared by the observability tests (imported by module name, not a conftest)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from support.shared_conftest import REPO, require_tool

__all__ = ["MONITORING", "REPO", "free_port", "read_json_lines", "require_tool"]

MONITORING = REPO / "monitoring"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
