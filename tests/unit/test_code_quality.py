"""The house rules, enforced: layers import one way, and ruff and mypy are clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "desktop" / "timetracker"

#: What each layer must never import (``ui`` → ``telemetry``/``observability`` → ``core``).
FORBIDDEN = {
    "core": ("timetracker.telemetry", "timetracker.observability", "timetracker.ui",
             "timetracker.cli", "timetracker.app", "PySide6"),
    "telemetry": ("timetracker.ui", "timetracker.cli", "timetracker.app", "PySide6",
                  "timetracker.observability"),
    "observability": ("timetracker.ui", "timetracker.cli", "timetracker.app", "PySide6",
                      "timetracker.telemetry"),
    "cli": ("timetracker.ui", "PySide6"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations() -> list[str]:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for line, module in imported_modules(path):
                if any(module == b or module.startswith(b + ".") for b in banned):
                    problems.append(f"{path.relative_to(REPO)}:{line}: {layer} imports {module}")
    return problems


def test_layers_import_one_way() -> None:
    assert violations() == []


def test_the_layer_check_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "timetracker"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("from timetracker.ui import theme\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    assert violations() == ["timetracker/core/bad.py:1: core imports timetracker.ui"]


def test_only_ui_imports_qt() -> None:
    outside = [f"{path.relative_to(REPO)}:{line}"
               for path in PACKAGE.rglob("*.py") if "ui" not in path.relative_to(PACKAGE).parts
               for line, module in imported_modules(path) if module.startswith("PySide6")]
    assert outside == []


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "desktop", "tests",
                             "packaging"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
