"""Crash safety: a process tracking and uploading is killed with SIGKILL many times.

Afterwards every uuid that ``track()`` returned has arrived, and the only duplicates come from
batches that were in flight when the process died (their 2xx was never read).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.telemetry_kit import FAST, drain_until_empty
from timetracker.telemetry.service import Telemetry, TelemetrySettings

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 30
BATCH = 25


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path, server: CaptureServer) -> None:
    folder = tmp_path / "telemetry"
    env = dict(os.environ, PYTHONPATH=str(REPO / "desktop"))
    rng = random.Random(20240611)
    server.set(delay=0.004)  # widen the in-flight window a little
    tracked: list[str] = []
    kills = 0
    for round_no in range(ROUNDS):
        child = subprocess.Popen([sys.executable, str(CHILD), str(folder), server.url,
                                  str(round_no)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
        time.sleep(0.25 + rng.random() * 0.35)
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
        kills += 1
        lines = out.decode().split("\n")
        tracked += [line for line in lines[:-1] if len(line) == 36]  # complete lines only

    assert len(tracked) > 500, "the children tracked a meaningful number of events"
    with sqlite3.connect(folder / "outbox.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    server.set(delay=0.0)
    survivor = Telemetry(folder, {"TIMETRACKER_POSTHOG_HOST": server.url,
                                  "TIMETRACKER_POSTHOG_API_KEY": "phc_crash",
                                  "TIMETRACKER_TELEMETRY": "full"}, "after", strict=True,
                         settings=TelemetrySettings(uploader=FAST))
    survivor.outbox.set_state(lease="")  # the last holder is dead; its lease would expire
    drain_until_empty(survivor, limit=20)
    assert survivor.outbox.depth()[0] == 0

    arrived = Counter(server.uuids())
    missing = set(tracked) - set(arrived)
    assert not missing, f"{len(missing)} tracked events never arrived"
    duplicated = {u: n for u, n in arrived.items() if n > 1}
    # Each kill can interrupt at most one in-flight batch whose 2xx was not yet read.
    assert sum(n - 1 for n in duplicated.values()) <= kills * BATCH
    # And every duplicate was first accepted in a batch that was then sent again whole:
    batches = [frozenset(str(e["uuid"]) for e in b.events) for b in server.batches()]
    first_seen: dict[str, int] = {}
    for index, batch in enumerate(batches):
        for ident in batch:
            first_seen.setdefault(ident, index)
    resent_batches = {first_seen[u] for u in duplicated}
    assert len(resent_batches) <= kills
    print(f"crash test: {kills} kills, {len(tracked)} tracked, {len(arrived)} arrived, "
          f"{len(duplicated)} duplicates from {len(resent_batches)} in-flight batches")
