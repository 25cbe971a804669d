"""The loopback capture server itself speaks PostHog's wire format (used by later flag tests)."""

from __future__ import annotations

import pytest
import requests
from posthog.request import APIError, batch_post, flags
from support.capture_server import CaptureServer, Fault


def test_batch_endpoint_decodes_gzip_and_records(server: CaptureServer) -> None:
    events = [{"event": "x.y", "distinct_id": "d", "uuid": f"u{i}", "properties": {}}
              for i in range(3)]
    response = batch_post("phc_k", host=server.url, gzip=True, batch=events)
    assert response.status_code == 200
    (received,) = server.requests("/batch/")
    assert received.gzip and received.api_key == "phc_k"
    assert [e["uuid"] for e in received.events] == ["u0", "u1", "u2"]


def test_scripted_status_reaches_the_client_with_retry_after(server: CaptureServer) -> None:
    server.script(Fault(429, retry_after="7"))
    with pytest.raises(APIError) as caught:
        batch_post("phc_k", host=server.url, gzip=True, batch=[{"uuid": "a"}])
    assert caught.value.status == 429 and caught.value.retry_after == 7.0
    assert batch_post("phc_k", host=server.url, batch=[{"uuid": "a"}]).status_code == 200


def test_dropped_connection_is_a_connection_error(server: CaptureServer) -> None:
    server.script(Fault(mode="drop"))
    with pytest.raises(requests.exceptions.ConnectionError):
        batch_post("phc_k", host=server.url, batch=[{"uuid": "a"}], timeout=2)
    assert server.batches() == []


def test_flags_endpoint_answers_posthog_flags_requests(server: CaptureServer) -> None:
    server.set(flags={"new-timer-bar": True, "report-layout": "compact"},
               flag_payloads={"report-layout": {"columns": 3}})
    answer = flags("phc_k", host=server.url, distinct_id="install-1", groups={})
    assert answer["featureFlags"] == {"new-timer-bar": True, "report-layout": "compact"}
    assert answer["flags"]["report-layout"]["variant"] == "compact"
    (request,) = server.requests("/flags/")
    assert request.payload is not None and request.payload["distinct_id"] == "install-1"
    server.set(flags_status=503)
    with pytest.raises(APIError):
        flags("phc_k", host=server.url, distinct_id="install-1", max_retries=0)
