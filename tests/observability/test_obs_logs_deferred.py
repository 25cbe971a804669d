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


CLI_CODE = """
import json, logging, sys
from timetracker.cli import run
code = run(sys.argv[1:])
built = [m for m in ("timetracker.observability.logs", "timetracker.observability.scrub",
                     "logging.handlers") if m in sys.modules]
print(json.dumps({"code": code, "built": built}))
"""


def _cli(env: dict[str, str], *argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CLI_CODE, *argv], env=env,
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_cli_command_that_logs_nothing_builds_no_log_handlers(
        cli_env: dict[str, str], home: Path) -> None:
    assert _cli(cli_env, "report") == {"code": 0, "built": []}
    assert not (home / "logs" / "timetracker.log").exists()


def test_the_first_record_builds_the_same_handlers(cli_env: dict[str, str],
                                                   home: Path) -> None:
    """With TIMETRACKER_LOG_LEVEL=debug the CLI's start line is written: the deferred set-up
    builds the real handlers and the line has the documented fields."""
    outcome = _cli({**cli_env, "TIMETRACKER_LOG_LEVEL": "debug"}, "report")
    assert outcome["code"] == 0
    assert "timetracker.observability.logs" in outcome["built"]  # type: ignore[operator]
    lines = [json.loads(row) for row in
             (home / "logs" / "timetracker.log").read_text(encoding="utf-8").splitlines()]
    started = [line for line in lines if line["event"] == "app.started"]
    assert len(started) == 1
    assert list(started[0])[:7] == ["timestamp", "level", "logger", "message", "event",
                                    "session_id", "app_version"]
    assert (started[0]["level"], started[0]["front_end"]) == ("DEBUG", "cli")


def test_deferred_logging_hands_records_to_the_real_handlers_by_level(tmp_path: Path) -> None:
    """In process: nothing is built below the levels; the first record builds the handlers
    once; the console gets WARNING and up, the file INFO and up; shutdown undoes it all."""
    import io
    import logging

    from timetracker.observability.log_start import install_deferred
    from timetracker.observability.logs import LoggingSettings, build_handlers

    console = io.StringIO()
    builds = []

    def build():  # type: ignore[no-untyped-def]
        builds.append(1)
        return build_handlers(LoggingSettings(log_dir=tmp_path, session_id="s",
                                              app_version="1"), stream=console)

    root = logging.getLogger()
    before = root.level
    handler = install_deferred(build, logging.INFO, logging.WARNING)
    try:
        assert root.level == logging.INFO and handler in root.handlers
        logging.getLogger("timetracker.test").debug("below every level")
        assert builds == [] and not handler.built
        logging.getLogger("timetracker.test").info("to the file only")
        logging.getLogger("timetracker.test").warning("to both")
        assert builds == [1]
        assert "to both" in console.getvalue() and "to the file only" not in console.getvalue()
    finally:
        handler.shutdown()
    assert handler not in root.handlers and root.level == before
    messages = [json.loads(row)["message"] for row in
                (tmp_path / "timetracker.log").read_text(encoding="utf-8").splitlines()]
    assert messages == ["to the file only", "to both"]
