"""The background uploader: drains the outbox to ``{host}/batch/`` on its own thread.

It sends when enough events wait, on an interval, when the network comes back, on request and
at exit (bounded; what is left stays for the next start). Failures back off exponentially with
full jitter and honour Retry-After; one warning is logged per outage. 413 splits a batch, 400
isolates and drops only the bad event(s), 401/403 pause sending until the key or host change.
Events leave the outbox only after a 2xx. A lease in the outbox keeps two processes of the app
from draining the same outbox at once.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from timetracker.telemetry import transport
from timetracker.telemetry.endpoint import Endpoint
from timetracker.telemetry.outbox import Outbox, OutboxDisabled, QueuedEvent

log = logging.getLogger("timetracker.telemetry")

MAX_BATCH_BYTES = 5 * 1024 * 1024
#: Upper edges (seconds) of the send-duration histogram exposed by ``Uploader.stats``.
DURATION_BUCKETS: tuple[float, ...] = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class UploaderSettings:
    batch_size: int = 1000
    max_batch_bytes: int = MAX_BATCH_BYTES - 64 * 1024  # room for the envelope
    threshold: int = 50
    interval: float = 60.0
    request_timeout: float = 10.0
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    retry_after_cap: float = 3600.0


@dataclass
class DrainReport:
    sent: int = 0
    batches: int = 0
    dropped: int = 0
    #: "done", "empty", "local_only", "backing_off", "paused", "failed", "deadline", "busy"
    stopped_because: str = "empty"


@dataclass
class UploaderStats:
    batches: dict[str, int] = field(default_factory=dict)
    events_sent: int = 0
    dropped: dict[str, int] = field(
        default_factory=lambda: {"rejected": 0, "too_large": 0})
    send_seconds_sum: float = 0.0
    send_seconds_count: int = 0
    send_seconds_buckets: dict[float, int] = field(
        default_factory=lambda: dict.fromkeys(DURATION_BUCKETS, 0))

    def observe(self, outcome: str, seconds: float) -> None:
        self.batches[outcome] = self.batches.get(outcome, 0) + 1
        self.send_seconds_sum += seconds
        self.send_seconds_count += 1
        for edge in DURATION_BUCKETS:
            if seconds <= edge:
                self.send_seconds_buckets[edge] += 1


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random,
                  retry_after: float | None = None, retry_after_cap: float = 3600.0) -> float:
    """Full-jitter exponential backoff; never shorter than a (capped) Retry-After."""
    ceiling = min(cap, base * (2 ** max(0, min(failures - 1, 30))))
    delay = rng.uniform(0, ceiling)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, retry_after_cap))
    return delay


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # rely on the lease expiry
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Uploader:
    def __init__(self, outbox: Outbox, endpoint: Callable[[], Endpoint],
                 settings: UploaderSettings | None = None,
                 on_tick: Callable[[], None] | None = None,
                 rng: random.Random | None = None) -> None:
        self.outbox = outbox
        self.endpoint = endpoint
        self.settings = settings or UploaderSettings()
        self.on_tick = on_tick
        self.rng = rng or random.Random()
        self.stats = UploaderStats()
        self._token = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._wake = False
        self._force = False
        self._stopping = False
        self._stop_deadline: float | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._drain_lock = threading.Lock()
        self._last_attempt = 0.0

    # -- thread control ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="telemetry-uploader",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> bool:
        """Last bounded flush, then stop; True when the thread ended in time."""
        thread = self._thread
        if thread is None:
            return True
        with self._cond:
            self._stopping = True
            self._stop_deadline = time.monotonic() + timeout
            self._cond.notify_all()
        if thread is threading.current_thread():
            return False  # asked from the uploader itself (consent went off): it ends soon
        thread.join(timeout)
        if not thread.is_alive():
            self._thread = None
            return True
        return False

    def poke(self) -> None:
        """Enough events wait (or something changed): consider sending now."""
        with self._cond:
            self._wake = True
            self._cond.notify_all()

    def request_flush(self) -> None:
        """Send now, even while backing off (user pressed "send now")."""
        with self._cond:
            self._wake = True
            self._force = True
            self._idle.clear()
            self._cond.notify_all()

    def network_up(self) -> None:
        """The OS reports the network is back: retry at once."""
        self.outbox.set_state(backoff_until="0")
        self.poke()

    def flush(self, timeout: float, force: bool = True) -> bool:
        """Send what waits, bounded by ``timeout`` seconds; True when it finished in time."""
        if self.running:
            self.request_flush()
            return self._idle.wait(timeout)
        deadline = time.monotonic() + timeout
        worker = threading.Thread(target=self._safe_drain, args=(deadline, force),
                                  name="telemetry-flush", daemon=True)
        worker.start()
        worker.join(timeout)
        return not worker.is_alive()

    def _safe_drain(self, deadline: float | None, force: bool) -> None:
        try:
            self.drain(deadline=deadline, force=force)
        except OutboxDisabled:
            return  # consent went off while sending: nothing left to do
        except Exception:  # never let telemetry take the app down
            log.exception("telemetry upload failed unexpectedly")

    def _run(self) -> None:
        while True:
            with self._cond:
                if not (self._wake or self._stopping):
                    self._idle.set()
                    self._cond.wait(self._seconds_to_next_attempt())
                stopping, force = self._stopping, self._force
                self._wake = self._force = False
            if self.on_tick is not None and not stopping:
                try:
                    self.on_tick()
                except Exception:
                    log.exception("telemetry periodic task failed")
            if stopping:
                self._safe_drain(self._stop_deadline, False)
                self._idle.set()
                return
            self._safe_drain(None, force)
            if force:
                self._idle.set()

    def _seconds_to_next_attempt(self) -> float:
        now = time.time()
        try:
            backoff_until = float(self.outbox.get_state("backoff_until", "0") or 0)
        except (ValueError, OutboxDisabled):
            backoff_until = 0.0
        due = max(self._last_attempt + self.settings.interval, backoff_until)
        return max(0.05, min(due - now, self.settings.interval))

    # -- the drain ---------------------------------------------------------------------------
    def drain(self, deadline: float | None = None, force: bool = False) -> DrainReport:
        """Send batches until the outbox is empty, a failure, or ``deadline`` (monotonic)."""
        with self._drain_lock:
            self._last_attempt = time.time()
            endpoint = self.endpoint()
            report = DrainReport()
            if not endpoint.usable:
                report.stopped_because = "local_only"
                return report
            paused = self.outbox.get_state("auth_paused")
            if paused:
                if paused == endpoint.fingerprint:
                    report.stopped_because = "paused"
                    return report
                self.outbox.set_state(auth_paused="")
                log.info("telemetry analytics key or host changed; sending resumes")
            if not force and time.time() < self._backoff_until():
                report.stopped_because = "backing_off"
                return report
            if not self._take_lease():
                report.stopped_because = "busy"
                return report
            try:
                return self._drain_batches(endpoint, deadline, report)
            finally:
                self._release_lease()

    def _backoff_until(self) -> float:
        try:
            return float(self.outbox.get_state("backoff_until", "0") or 0)
        except ValueError:
            return 0.0

    def _drain_batches(self, endpoint: Endpoint, deadline: float | None,
                       report: DrainReport) -> DrainReport:
        settings = self.settings
        work: list[list[QueuedEvent]] = []
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0.02:
                report.stopped_because = "deadline"
                return report
            if work:
                batch = work.pop()
            else:
                batch = self.outbox.peek(settings.batch_size, settings.max_batch_bytes)
                if not batch:
                    report.stopped_because = "done" if report.batches else "empty"
                    return report
                self._renew_lease()
            events = [json.loads(item.payload) for item in batch]
            timeout = settings.request_timeout if remaining is None else min(
                settings.request_timeout, remaining)
            result = transport.send_batch(endpoint.host, endpoint.api_key, events, timeout)
            self.stats.observe(result.outcome, result.seconds)
            report.batches += 1
            if result.outcome == transport.SENT:
                self.outbox.acknowledge(batch, result.status, result.seconds,
                                        transport.batch_json(events))
                self.stats.events_sent += len(batch)
                report.sent += len(batch)
                self._recovered()
            elif result.outcome in (transport.TOO_LARGE, transport.BAD_REQUEST):
                if len(batch) > 1:
                    middle = len(batch) // 2
                    work.append(batch[middle:])
                    work.append(batch[:middle])
                    continue
                self.outbox.delete([batch[0].id])
                reason = "too_large" if result.outcome == transport.TOO_LARGE else "rejected"
                counter = "dropped_" + reason
                self.stats.dropped[reason] += 1
                self.outbox.bump(counter)
                self.outbox.log_batch(1, result.status, counter, result.seconds, "")
                report.dropped += 1
                log.warning("telemetry: the analytics server refused one event (HTTP %s); "
                            "it was dropped", result.status)
            elif result.outcome == transport.UNAUTHORISED:
                self.outbox.set_state(auth_paused=endpoint.fingerprint)
                self.outbox.log_batch(len(batch), result.status, "paused", result.seconds, "")
                log.warning("telemetry: the analytics server refused the project key "
                            "(HTTP %s); sending is paused until the key or host changes",
                            result.status)
                report.stopped_because = "paused"
                return report
            else:
                self._failed(result)
                report.stopped_because = "failed"
                return report

    def _failed(self, result: transport.SendResult) -> None:
        failures = int(self.outbox.get_state("failures", "0") or 0) + 1
        delay = backoff_delay(failures, self.settings.backoff_base, self.settings.backoff_cap,
                              self.rng, result.retry_after, self.settings.retry_after_cap)
        warned = self.outbox.get_state("outage_warned") == "1"
        self.outbox.set_state(failures=str(failures), backoff_until=str(time.time() + delay),
                              outage_warned="1")
        what = f"HTTP {result.status}" if result.status else result.detail
        if not warned:
            log.warning("telemetry: sending failed (%s); events stay queued and sending is "
                        "retried with backoff (further failures are not logged until it "
                        "recovers)", what)
        else:
            log.debug("telemetry: sending failed again (%s); next try in %.1fs", what, delay)

    def _recovered(self) -> None:
        if self.outbox.get_state("failures", "0") not in ("", "0"):
            if self.outbox.get_state("outage_warned") == "1":
                log.info("telemetry: sending works again")
            self.outbox.set_state(failures="0", backoff_until="0", outage_warned="")

    # -- the lease ---------------------------------------------------------------------------
    def _lease_ttl(self) -> float:
        return self.settings.request_timeout + 5.0

    def _take_lease(self) -> bool:
        mine = f"{self._token}@{time.time() + self._lease_ttl()}"

        def decide(holder: str) -> str | None:
            if holder:
                try:
                    owner, expires = holder.rsplit("@", 1)
                    pid = int(owner.split(":", 1)[0])
                    if (owner != self._token and float(expires) > time.time()
                            and _pid_alive(pid)):
                        return None
                except ValueError:
                    pass
            return mine

        return self.outbox.swap_state("lease", decide)

    def _renew_lease(self) -> None:
        self.outbox.set_state(lease=f"{self._token}@{time.time() + self._lease_ttl()}")

    def _release_lease(self) -> None:
        if self.outbox.get_state("lease").startswith(self._token + "@"):
            self.outbox.set_state(lease="")
