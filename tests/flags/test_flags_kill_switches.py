"""Kill switches: only an explicit remote false turns one off — never errors, timeouts,
garbage, malformed answers or consent off — and off takes effect live in the CLI and the
uploader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.capture_server import CaptureServer
from support.cli_kit import run_cli, sending_env
from support.telemetry_kit import TIMER_STARTED, drain_until_empty
from timetracker.telemetry.flag_keys import KILL_SWITCHES, FeatureFlags
from timetracker.telemetry.flags import FeatureDisabledError, requires_flag

from tests.flags.conftest import FaultyFlagsServer, PairFactory, flag_requests

EXPORT_REASON = ("Exporting is switched off for now while a problem with it is being fixed. "
                 "Your data is safe; try again later.")


def _all_on(pair_flags: object) -> dict[str, object]:
    return {key: pair_flags.value(key) for key in KILL_SWITCHES}  # type: ignore[attr-defined]


def test_explicit_remote_false_turns_a_switch_off(make_pair: PairFactory,
                                                  server: CaptureServer) -> None:
    server.set(flags={"export-enabled": False})
    pair = make_pair()
    pair.flags.refresh()
    guard = pair.flags.guard(FeatureFlags.EXPORT_ENABLED)
    assert (guard.allowed, guard.reason) == (False, EXPORT_REASON)
    with pytest.raises(FeatureDisabledError, match="Exporting is switched off"):
        pair.flags.require(FeatureFlags.EXPORT_ENABLED)
    assert pair.flags.guard(FeatureFlags.IMPORT_ENABLED).allowed


@pytest.mark.parametrize("mode", ["slow", "garbage", "wrong-shape", "bad-values", "500",
                                  "503", "401"])
def test_errors_never_switch_off(make_pair: PairFactory, faulty: FaultyFlagsServer,
                                 server: CaptureServer, mode: str) -> None:
    # First a good answer that says "on" (so a cache exists), then the fault.
    server.set(flags=dict.fromkeys(KILL_SWITCHES, True))
    good = make_pair()
    good.flags.refresh()
    assert set(_all_on(good.flags).values()) == {True}

    if mode.isdigit():
        faulty.mode, faulty.status = "status", int(mode)
    else:
        faulty.mode = mode
    faulty.delay = 1.5  # longer than the 0.5 s request timeout
    pair = make_pair(host=faulty.url)
    result = pair.flags.refresh()
    assert faulty.hits >= 1, "the request was really made"
    if mode == "bad-values":
        assert result.outcome == "fetched"
    else:
        assert result.outcome == "failed"
        assert pair.flags.fetch_counts() == {"success": 0, "failure": 1}
    assert set(_all_on(pair.flags).values()) == {True}, f"{mode} switched a feature off"

    # Without any cache the built-in default (on) holds too.
    (Path(pair.telemetry.folder) / "flags-cache.json").unlink(missing_ok=True)
    fresh = make_pair(host=faulty.url)
    fresh.flags.refresh()
    assert set(_all_on(fresh.flags).values()) == {True}
    for key in KILL_SWITCHES:
        assert fresh.flags.guard(key).allowed


def test_consent_off_never_switches_off(make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags=dict.fromkeys(KILL_SWITCHES, False))
    pair = make_pair(level="off")
    pair.flags.refresh()
    assert flag_requests(server) == []
    assert set(_all_on(pair.flags).values()) == {True}


def test_requires_flag_guards_callers(make_pair: PairFactory, server: CaptureServer) -> None:
    class Window:
        def __init__(self, flags: object) -> None:
            self.flags = flags
            self.exports = 0

        @requires_flag(FeatureFlags.EXPORT_ENABLED)
        def export(self) -> str:
            self.exports += 1
            return "done"

    server.set(flags={"export-enabled": True})
    pair = make_pair()
    pair.flags.refresh()
    window = Window(pair.flags)
    assert window.export() == "done"
    server.set(flags={"export-enabled": False})
    pair.flags.refresh()
    with pytest.raises(FeatureDisabledError) as caught:
        window.export()
    assert caught.value.reason == EXPORT_REASON and caught.value.key == "export-enabled"
    assert window.exports == 1


def test_telemetry_sending_switch_pauses_the_uploader_without_losing_events(
        make_pair: PairFactory, server: CaptureServer) -> None:
    server.set(flags={"telemetry-sending-enabled": False})
    pair = make_pair()
    pair.flags.refresh()
    for _ in range(3):
        assert pair.telemetry.track("timer.started", **TIMER_STARTED)
    report = pair.telemetry.uploader.drain()
    assert report.stopped_because == "local_only"
    assert server.batches() == [] and pair.telemetry.outbox.depth()[0] == 3
    status = pair.telemetry.status()
    assert status.sending is False
    assert status.endpoint == ("not sending: Sending usage data is paused remotely; events "
                               "stay in the local queue and are sent later.")

    server.set(flags={"telemetry-sending-enabled": True})
    pair.flags.refresh()
    assert pair.telemetry.status().sending is True
    drain_until_empty(pair.telemetry)
    assert [e["event"] for e in server.events()] == ["timer.started"] * 3


# -- the real CLI in subprocesses -------------------------------------------------------------

@pytest.fixture
def full_env(cli_env: dict[str, str], server: CaptureServer) -> dict[str, str]:
    return sending_env(cli_env, server)


def test_cli_export_refused_live_with_the_same_reason(full_env: dict[str, str],
                                                      server: CaptureServer,
                                                      home: Path) -> None:
    server.set(flags={"export-enabled": False})
    # No cache yet: the guard asks PostHog before running the command.
    proc = run_cli(full_env, "export", "--format", "json")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"timetracker: error: {EXPORT_REASON}"
    assert proc.stdout == ""
    assert len(flag_requests(server)) == 1

    server.set(flags={"export-enabled": True})
    assert run_cli(full_env, "flags", "refresh").returncode == 0
    proc = run_cli(full_env, "export", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) is not None

    server.set(flags={"export-enabled": False})
    refreshed = json.loads(run_cli(full_env, "flags", "refresh", "--json").stdout)
    assert refreshed["changed"] == ["export-enabled"]
    proc = run_cli(full_env, "export", "-o", str(home / "out.csv"))
    assert proc.returncode == 1 and EXPORT_REASON in proc.stderr
    assert not (home / "out.csv").exists()
    got = json.loads(run_cli(full_env, "flags", "get", "export-enabled", "--json").stdout)
    # Fetched by the earlier `flags refresh` process, read from the disk cache here.
    assert (got["value"], got["reason"]) == (False, "cached")


def test_cli_import_refused_when_its_switch_is_off(full_env: dict[str, str],
                                                   server: CaptureServer,
                                                   home: Path) -> None:
    server.set(flags={"import-enabled": False})
    source = home / "in.json"
    source.write_text("[]")
    proc = run_cli(full_env, "import", "--from", "json", str(source))
    assert proc.returncode == 1
    assert "Importing is switched off" in proc.stderr
    # The other switch is untouched: export still runs.
    assert run_cli(full_env, "export", "--format", "csv").returncode == 0


def test_cli_export_runs_when_the_host_errors(full_env: dict[str, str],
                                              server: CaptureServer) -> None:
    server.set(flags={"export-enabled": False}, flags_status=500)
    proc = run_cli(full_env, "export", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert len(flag_requests(server)) == 1
