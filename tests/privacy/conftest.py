"""Fixtures for the privacy tests: the loopback capture server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.capture_server import CaptureServer


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as running:
        yield running
