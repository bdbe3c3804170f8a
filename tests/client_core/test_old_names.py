"""Names partners may have imported from the tools' modules before the client core, still there and working."""

from __future__ import annotations

import pytest
import requests
import responses

from linksim import ControlRefused
from linksim.sandbox import control_headers
from linksim.sandbox import send
from seller_client import SellerRefused
from seller_client.transport import MAX_RETRY_AFTER
from seller_client.transport import SAFE_METHODS
from seller_client.transport import decode
from seller_client.transport import is_retryable
from seller_client.transport import json_of
from seller_client.transport import refusal_of

BASE = "http://linksim.test"


@responses.activate
def test_the_seller_transports_readers_read_an_answer() -> None:
    responses.get(f"{BASE}/ok", json={"a": 1})
    responses.get(f"{BASE}/no", status=409, json={"code": "c", "message": "m"})
    with requests.Session() as session:
        ok, no = session.get(f"{BASE}/ok"), session.get(f"{BASE}/no")
    assert decode(ok) == json_of(ok) == {"a": 1}
    assert isinstance(refusal_of(no), SellerRefused) and refusal_of(no).code == "c"
    with pytest.raises(SellerRefused):
        decode(no)


def test_the_seller_transports_retry_policy_names() -> None:
    assert is_retryable(503) and is_retryable(429) and not is_retryable(404)
    assert "GET" in SAFE_METHODS and "POST" not in SAFE_METHODS and MAX_RETRY_AFTER == 60.0


@responses.activate
def test_the_kits_send_and_control_headers() -> None:
    responses.get(f"{BASE}/_sim/clock", json={"now": "2026-03-02T09:00:00Z"})
    responses.delete(f"{BASE}/_sim/sandboxes/sb_x", status=404, json={"code": "sandbox_not_found", "message": "no"})
    assert control_headers("t") == {"Authorization": "Bearer t"} and control_headers(None) == {}
    with requests.Session() as session:
        assert send(session, "GET", f"{BASE}/_sim/clock", headers=control_headers("t"))["now"].startswith("2026")
        with pytest.raises(ControlRefused) as raised:
            send(session, "DELETE", f"{BASE}/_sim/sandboxes/sb_x")
    assert raised.value.code == "sandbox_not_found"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer t"
