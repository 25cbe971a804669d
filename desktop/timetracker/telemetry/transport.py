"""One batch to ``{host}/batch/`` through posthog's request layer, and what came of it.

Only ``posthog.request.batch_post`` (gzip on) talks to the network. Its outcome is classified for
the uploader: sent (2xx), retry (5xx, 408, 429, connection errors, timeouts — with Retry-After
when given), too large (413), bad request (400) or unauthorised (401/403).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SENT = "sent"
RETRY = "retry"
TOO_LARGE = "too_large"
BAD_REQUEST = "bad_request"
UNAUTHORISED = "unauthorised"
REJECTED = "rejected"

_RETRY_STATUSES = {408, 425, 429}


@dataclass(frozen=True)
class SendResult:
    outcome: str
    status: int  # HTTP status, 0 when no response arrived
    seconds: float
    retry_after: float | None = None
    detail: str = ""  # the error class only, never a body or a value


def classify_status(status: int) -> str:
    if 200 <= status < 300:
        return SENT
    if status >= 500 or status in _RETRY_STATUSES:
        return RETRY
    if status == 413:
        return TOO_LARGE
    if status == 400:
        return BAD_REQUEST
    if status in (401, 403):
        return UNAUTHORISED
    return REJECTED


def send_batch(host: str, api_key: str, events: Sequence[dict[str, Any]],
               timeout: float) -> SendResult:
    """POST one batch; never raises for network or HTTP trouble."""
    import requests  # imported on first send: runs with consent off never load them
    from posthog.request import APIError, batch_post

    started = time.perf_counter()
    try:
        response = batch_post(api_key, host=host, gzip=True, timeout=max(0.05, timeout),
                              batch=list(events))
        return SendResult(SENT, int(response.status_code), time.perf_counter() - started)
    except APIError as exc:
        status = exc.status if isinstance(exc.status, int) else 0
        outcome = classify_status(status) if status else RETRY
        return SendResult(outcome, status, time.perf_counter() - started,
                          retry_after=exc.retry_after, detail=f"HTTP {status}")
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        return SendResult(RETRY, 0, time.perf_counter() - started,
                          detail=type(exc).__name__)


def batch_json(events: Sequence[dict[str, Any]]) -> str:
    """The events of a batch exactly as they are sent (api_key and sent_at are added by
    posthog's request layer)."""
    return json.dumps({"batch": list(events)}, indent=1, sort_keys=True)
