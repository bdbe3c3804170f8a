"""HTTP for the app stub, against a mocked server: retries with backoff, timeouts, refusals, malformed answers."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import registries

from mobile_stub import AppRefused
from mobile_stub import MalformedAnswer
from mobile_stub import ServerUnavailable
from mobile_stub import TikTokApp
from mobile_stub.transport import MAX_BACKOFF
from mobile_stub.transport import Transport
from tests.mobile_stub.conftest import BASE
from tests.mobile_stub.conftest import NoSleep

ME = {"open_id": "oid_maya", "username": "maya", "nickname": "Maya", "region": "US", "account_type": "personal",
      "verification": "verified", "verification_due_at": None, "standing": "good"}
NOT_VERIFIED = "The account has not passed identity verification."
REFUSAL = {"code": "identity_not_verified", "message": NOT_VERIFIED,
           "violations": [{"code": "identity_not_verified", "message": NOT_VERIFIED,
                           "rules": ["O5", "M6"], "details": {"state": "unverified"}},
                          {"code": "region_mismatch", "message": "The account's region is not the shop's.",
                           "rules": ["O4"], "details": {}}]}


def phone(no_sleep: NoSleep, **options: object) -> TikTokApp:
    return TikTokApp(BASE, token="tok", sleep=no_sleep, **options)  # type: ignore[arg-type]


@responses.activate(registry=registries.OrderedRegistry)
def test_a_connection_error_is_tried_again_after_a_growing_wait(no_sleep: NoSleep) -> None:
    for _ in range(2):
        responses.get(f"{BASE}/api/app/me", body=requests.ConnectionError("refused"))
    responses.get(f"{BASE}/api/app/me", json=ME)
    assert phone(no_sleep).me().username == "maya"
    assert no_sleep.waits == [0.5, 1.0]


@responses.activate(registry=registries.OrderedRegistry)
def test_a_5xx_is_tried_again_even_for_a_post(no_sleep: NoSleep) -> None:
    responses.post(f"{BASE}/api/app/verification", status=503, body="busy")
    responses.post(f"{BASE}/api/app/verification", status=500, json={"code": "internal_error", "message": "boom"})
    responses.post(f"{BASE}/api/app/verification", json={**ME, "verification": "pending"})
    assert phone(no_sleep).start_verification().verification == "pending"
    assert len(no_sleep.waits) == 2


@responses.activate
def test_the_retries_are_bounded_and_the_error_says_what_failed(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=502)
    with pytest.raises(ServerUnavailable, match=r"HTTP 502.*after 4 tries"):
        phone(no_sleep).me()
    assert len(responses.calls) == 4 and no_sleep.waits == [0.5, 1.0, 2.0]


@responses.activate
def test_the_wait_never_exceeds_the_cap(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", body=requests.ConnectionError("down"))
    with pytest.raises(ServerUnavailable, match="cannot reach the server at http://linksim.test"):
        phone(no_sleep, retries=8, backoff=1.0).me()
    assert no_sleep.waits == [1.0, 2.0, 4.0, 8.0, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF]


@responses.activate
def test_no_retries_means_one_try(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=500)
    with pytest.raises(ServerUnavailable, match="after 1 try"):
        phone(no_sleep, retries=0).me()
    assert no_sleep.waits == []


@responses.activate
def test_every_request_carries_the_timeout_and_the_session(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", json=ME)
    phone(no_sleep, timeout=2.5).me()
    call = responses.calls[0]
    assert call.request.headers["Authorization"] == "Bearer tok"
    assert call.request.req_kwargs["timeout"] == 2.5


@responses.activate
def test_a_read_timeout_on_a_post_is_not_sent_again(no_sleep: NoSleep) -> None:
    # The server may have taken the consent already: sending it twice could answer it twice.
    responses.post(f"{BASE}/api/app/verification", body=requests.ReadTimeout("slow"))
    with pytest.raises(ServerUnavailable, match="no answer within 3 s"):
        phone(no_sleep, timeout=3).start_verification()
    assert len(responses.calls) == 1


@responses.activate(registry=registries.OrderedRegistry)
def test_a_read_timeout_on_a_get_is_tried_again(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", body=requests.ReadTimeout("slow"))
    responses.get(f"{BASE}/api/app/me", json=ME)
    assert phone(no_sleep).me().open_id == "oid_maya"


@responses.activate
def test_a_connect_timeout_is_a_connection_error_and_tried_again(no_sleep: NoSleep) -> None:
    responses.post(f"{BASE}/api/app/verification", body=requests.ConnectTimeout("no route"))
    with pytest.raises(ServerUnavailable):
        phone(no_sleep).start_verification()
    assert len(responses.calls) == 4


@responses.activate
def test_a_refusal_carries_its_code_message_violations_and_status(no_sleep: NoSleep) -> None:
    responses.post(f"{BASE}/api/app/verification", status=409, json=REFUSAL)
    with pytest.raises(AppRefused) as raised:
        phone(no_sleep).start_verification()
    refusal = raised.value
    assert (refusal.code, refusal.status) == ("identity_not_verified", 409)
    assert refusal.message.startswith("The account has not passed")
    assert refusal.codes == ["identity_not_verified", "region_mismatch"]
    assert refusal.violations[0].rules == ("O5", "M6") and refusal.violations[0].details == {"state": "unverified"}
    assert str(refusal).startswith("identity_not_verified: ")
    assert no_sleep.waits == []  # a refusal is an answer: never tried again


@responses.activate
def test_a_refusal_without_violations_still_has_one(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", status=401, json={"code": "app_session_invalid", "message": "Sign in."})
    with pytest.raises(AppRefused) as raised:
        phone(no_sleep).me()
    assert raised.value.codes == ["app_session_invalid"] and raised.value.status == 401


@pytest.mark.parametrize(("status", "body", "match"), [
    (200, "<html>proxy</html>", "not JSON"),
    (200, "[1, 2]", "not a JSON object"),
    (404, "<h1>Not Found</h1>", "not JSON"),
    (400, '{"error": "invalid_request"}', "without a refusal's code and message"),
    (200, '{"open_id": "oid_maya"}', "'username' is missing"),
    (200, '{"open_id": "oid_maya", "username": 7}', "'username' is missing or not"),
])
@responses.activate
def test_a_malformed_answer_is_a_clear_error(no_sleep: NoSleep, status: int, body: str, match: str) -> None:
    responses.get(f"{BASE}/api/app/me", status=status, body=body)
    with pytest.raises(MalformedAnswer, match=match):
        phone(no_sleep).me()


@pytest.mark.parametrize("url", ["127.0.0.1:8765", "ftp://x", ""])
def test_the_server_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="http://"):
        Transport(url)


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Transport(BASE, retries=-1)
    with pytest.raises(ValueError):
        Transport(BASE, timeout=0)
