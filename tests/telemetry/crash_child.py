"""Child process for the crash test: tracks and uploads until it is killed.

Prints each event's uuid only after ``track()`` returned (so: after it is on disk).
Usage: python crash_child.py TELEMETRY_FOLDER HOST_URL SEED
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from timetracker.telemetry.service import Telemetry, TelemetrySettings
from timetracker.telemetry.uploader import UploaderSettings


def main() -> None:
    folder, host, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    env = {"TIMETRACKER_POSTHOG_HOST": host, "TIMETRACKER_POSTHOG_API_KEY": "phc_crash",
           "TIMETRACKER_TELEMETRY": "full"}
    settings = TelemetrySettings(uploader=UploaderSettings(
        batch_size=25, threshold=10, interval=0.05, request_timeout=2.0,
        backoff_base=0.01, backoff_cap=0.05))
    tele = Telemetry(folder, env, f"crash-{seed}", strict=True, settings=settings)
    tele.uploader.start()
    props = {"source": "cli", "stopped_running": False, "has_project": True,
             "has_task": False, "tag_count": 1, "billable": False}
    while True:
        ident = tele.track("timer.started", **props)
        sys.stdout.write(f"{ident}\n")
        sys.stdout.flush()
        if rng.random() < 0.3:
            tele.uploader.poke()
        time.sleep(rng.random() * 0.002)


if __name__ == "__main__":
    main()
