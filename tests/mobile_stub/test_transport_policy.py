"""The app's own policy on the shared client core, as the app had it before the core: what it retries, how
it reads a refusal, and how it words what it cannot use. One behaviour a test, against a mocked server."""

from __future__ import annotations

import re

import pytest
import responses
from responses import registries

from mobile_stub import AppRefused
from mobile_stub import MalformedAnswer
from mobile_stub import TikTokApp
from mobile_stub import Violation
from mobile_stub.transport import Transport
from tests.mobile_stub.conftest import BASE
from tests.mobile_stub.conftest import NoSleep

ME = {"open_id": "oid_maya", "username": "maya", "nickname": "Maya", "account_type": "personal",
      "verification": "verified", "verification_due_at": None, "standing": "good"}


def phone(no_sleep: NoSleep) -> TikTokApp:
    return TikTokApp(BASE, token="tok", sleep=no_sleep)


@responses.activate(registry=registries.OrderedRegistry)
def test_a_429_is_refused_at_once_with_one_request(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=429, headers={"Retry-After": "7"},
                  json={"code": "too_many_requests", "message": "Slow down."})
    responses.get(f"{BASE}/api/app/me", json=ME)
    with pytest.raises(AppRefused) as raised:
        phone(no_sleep).me()
    assert (raised.value.code, raised.value.status) == ("too_many_requests", 429)
    assert len(responses.calls) == 1 and no_sleep.waits == []


@responses.activate(registry=registries.OrderedRegistry)
def test_a_retried_5xx_waits_the_backoff_not_retry_after(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=503, headers={"Retry-After": "7"})
    responses.get(f"{BASE}/api/app/me", json=ME)
    assert phone(no_sleep).me().username == "maya"
    assert no_sleep.waits == [0.5]


@responses.activate
def test_a_refusal_without_a_message_is_a_malformed_answer(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=409, json={"code": "x"})
    with pytest.raises(MalformedAnswer, match="^HTTP 409 without a refusal's code and message: "):
        phone(no_sleep).me()


@responses.activate
def test_a_malformed_violation_is_skipped(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=409, json={
        "code": "region_mismatch", "message": "Not here.",
        "violations": ["junk", {"code": "region_mismatch"}, {"code": "region_mismatch", "message": "Not here."}]})
    with pytest.raises(AppRefused) as raised:
        phone(no_sleep).me()
    assert raised.value.violations == [Violation("region_mismatch", "Not here.")]


@responses.activate
def test_a_body_that_is_not_json_is_named_with_its_status_and_url(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=404, body="<h1>Not Found</h1>")
    with pytest.raises(MalformedAnswer) as raised:
        phone(no_sleep).me()
    assert str(raised.value) == f"HTTP 404 from {BASE}/api/app/me is not JSON: '<h1>Not Found</h1>'"


@responses.activate
def test_a_refusal_that_is_not_a_json_object_says_so(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=400, json=["no"])
    with pytest.raises(MalformedAnswer) as raised:
        phone(no_sleep).me()
    assert str(raised.value) == f"HTTP 400 from {BASE}/api/app/me is not a JSON object"


def test_a_url_that_is_not_http_is_worded_as_the_apps() -> None:
    with pytest.raises(ValueError, match=re.escape("the server URL must start with http:// or https://, not 'x'")):
        Transport("x")


def test_violations_with_other_details_are_not_equal() -> None:
    assert Violation("a", "b", details={"n": 1}) != Violation("a", "b", details={"n": 2})

