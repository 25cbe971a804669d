"""Fixtures for the observability tests: Apps on a fresh TIMETRACKER_HOME."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from timetracker.app import App
from timetracker.core.paths import AppPaths


@pytest.fixture
def make_app(home: Path) -> Iterator[Any]:
    """Build Apps on the test's TIMETRACKER_HOME; all are closed (logging undone) at the end."""
    made: list[App] = []

    def factory(environ: dict[str, str] | None = None, **kwargs: Any) -> App:
        env = {"TIMETRACKER_HOME": str(home), **(environ or {})}
        app = App(paths=AppPaths.under(home), environ=env, **kwargs)
        made.append(app)
        return app

    yield factory
    for app in made:
        app.close()
    logging.getLogger().setLevel(logging.WARNING)
