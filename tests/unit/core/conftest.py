from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from timetracker.app import App
from timetracker.core.paths import AppPaths


class FakeClock:
    """A clock the test moves by hand (whole UTC seconds)."""

    def __init__(self, now: int = 1_764_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> int:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def events() -> list[tuple[str, dict[str, object]]]:
    return []


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock,
        events: list[tuple[str, dict[str, object]]]) -> Iterator[App]:
    application = App(paths=AppPaths.under(tmp_path / "home"),
                      environ={"TZ": "UTC"}, clock=clock)
    application.config.values["timezone"] = "Europe/Berlin"
    application.add_sink(lambda name, props: events.append((name, dict(props))))
    yield application
    application.close()
