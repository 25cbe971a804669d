"""The log file handler is built on the first record that reaches the file: a run that writes
nothing to it never imports logging.handlers or python-json-logger, and creates no file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CODE = """
import io, json, logging, sys
from pathlib import Path
from timetracker.observability.logs import LoggingSettings, configure_logging
folder = Path(sys.argv[1])
handle = configure_logging(LoggingSettings(log_dir=folder, session_id="s", app_version="1",
                                           file_level=logging.WARNING), stream=io.StringIO())
heavy = ("logging.handlers", "pythonjsonlogger")
logging.getLogger("timetracker.test").info("below the file level")
before = [m for m in heavy if m in sys.modules], (folder / "timetracker.log").exists()
logging.getLogger("timetracker.test").warning("token=abc123secretvalue reached the file")
after = [m for m in heavy if m in sys.modules]
handle.close()
print(json.dumps({"before": before, "after": after}))
"""


def test_the_file_handler_is_built_on_the_first_record_it_writes(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CODE, str(tmp_path)], capture_output=True,
                          text=True, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["before"] == [[], False]
    assert outcome["after"] == ["logging.handlers", "pythonjsonlogger"]
    lines = [json.loads(row) for row in
             (tmp_path / "timetracker.log").read_text(encoding="utf-8").splitlines()]
    assert [(line["level"], line["event"]) for line in lines] == [("WARNING", "log")]
    assert "abc123secretvalue" not in lines[0]["message"]  # still scrubbed
