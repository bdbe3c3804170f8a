"""Timeouts on every call; retries with exponential backoff on connection errors and 5xx, then give up."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
import requests
import responses

from seller_client import SellerClient
from seller_client import ServerError
from seller_client import ServerUnreachable
from seller_client.transport import parse_retry_after
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import FakeTime
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import link_json

LINK_URL = f"{BASE}/api/links/lnk_1"


def test_502_and_503_are_retried_with_exponential_backoff(fake: responses.RequestsMock, seller: SellerClient,
                                                         fake_time: FakeTime) -> None:
    add_token(fake)
    fake.get(LINK_URL, status=502, body="Bad Gateway")
    fake.get(LINK_URL, status=503, json={"code": "internal_error", "message": "busy"})
    fake.get(LINK_URL, json=link_json())
    assert seller.get_link("lnk_1").link_id == "lnk_1"
    assert fake_time.sleeps == [0.5, 1.0]


def test_connection_errors_are_retried_then_it_succeeds(fake: responses.RequestsMock, seller: SellerClient,
                                                        fake_time: FakeTime) -> None:
    add_token(fake)
    fake.get(LINK_URL, body=requests.ConnectionError("[Errno 111] Connection refused"))
    fake.get(LINK_URL, body=requests.ConnectionError("[Errno 111] Connection refused"))
    fake.get(LINK_URL, json=link_json())
    seller.get_link("lnk_1")
    assert fake_time.sleeps == [0.5, 1.0]


def test_it_gives_up_on_connection_errors_after_the_retries(fake: responses.RequestsMock, seller: SellerClient,
                                                            fake_time: FakeTime) -> None:
    add_token(fake)
    for _ in range(4):
        fake.get(LINK_URL, body=requests.ConnectionError("HTTPConnectionPool: [Errno 111] Connection refused'))"))
    with pytest.raises(ServerUnreachable, match=r"cannot reach linksim at http://linksim.test: connection refused "
                                                r"\(tried 4 times\)"):
        seller.get_link("lnk_1")
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_it_gives_up_on_5xx_after_the_retries_with_the_servers_message(fake: responses.RequestsMock,
                                                                       seller: SellerClient,
                                                                       fake_time: FakeTime) -> None:
    add_token(fake)
    for _ in range(4):
        fake.get(LINK_URL, status=500, json={"code": "internal_error", "message": "linksim failed on this request"})
    with pytest.raises(ServerError, match=r"answered GET /api/links/lnk_1 with 500 \(linksim failed on this "
                                          r"request\) \(tried 4 times\)") as error:
        seller.get_link("lnk_1")
    assert error.value.status == 500 and fake_time.sleeps == [0.5, 1.0, 2.0]


def test_the_backoff_is_capped(fake_time: FakeTime) -> None:
    client = SellerClient(BASE, retries=8, backoff=1.0, sleep=fake_time.sleep)
    assert [client.transport.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_503_with_retry_after_waits_what_the_server_asks(fake: responses.RequestsMock, seller: SellerClient,
                                                           fake_time: FakeTime) -> None:
    add_token(fake)
    fake.get(LINK_URL, status=503, headers={"Retry-After": "7"}, json={"code": "internal_error", "message": "x"})
    fake.get(LINK_URL, json=link_json())
    seller.get_link("lnk_1")
    assert fake_time.sleeps == [7.0]


def test_a_post_is_retried_on_a_5xx(fake: responses.RequestsMock, seller: SellerClient,
                                    fake_time: FakeTime) -> None:
    add_token(fake)
    fake.post(f"{BASE}/api/shops/shop_1/official-link", status=502, body="Bad Gateway")
    fake.post(f"{BASE}/api/shops/shop_1/official-link", status=201, json=link_json())
    assert seller.start_official_link("shop_1").state == "pending_consent"
    assert fake_time.sleeps == [0.5]


def test_every_call_has_the_timeout(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(LINK_URL, json=link_json())
    seller.get_link("lnk_1")
    assert [call.request.req_kwargs["timeout"] for call in fake.calls] == [5.0, 5.0]  # type: ignore[attr-defined]


def test_a_get_that_times_out_is_retried_then_reported(fake: responses.RequestsMock, seller: SellerClient,
                                                       fake_time: FakeTime) -> None:
    add_token(fake)
    for _ in range(4):
        fake.get(LINK_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ServerUnreachable, match=r"no answer within 5s \(tried 4 times\)"):
        seller.get_link("lnk_1")
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_a_post_that_times_out_is_not_sent_again(fake: responses.RequestsMock, seller: SellerClient,
                                                 fake_time: FakeTime) -> None:
    add_token(fake)
    fake.post(f"{BASE}/api/links/lnk_1/terms", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ServerUnreachable, match="may have been applied, so it was not sent again"):
        seller.accept_terms("lnk_1")
    assert fake_time.sleeps == []


def test_a_connect_timeout_is_retried_whatever_the_method(fake: responses.RequestsMock, seller: SellerClient,
                                                          fake_time: FakeTime) -> None:
    add_token(fake)
    fake.post(f"{BASE}/api/links/lnk_1/terms", body=requests.ConnectTimeout("connect timed out"))
    fake.post(f"{BASE}/api/links/lnk_1/terms", json=link_json(state="active", consent_status="utilised"))
    assert seller.accept_terms("lnk_1").state == "active"
    assert fake_time.sleeps == [0.5]


def test_no_retries_means_one_attempt(fake: responses.RequestsMock, fake_time: FakeTime) -> None:
    client = SellerClient(BASE, retries=0, sleep=fake_time.sleep)
    fake.post(f"{BASE}/v2/oauth/token/", body=requests.ConnectionError("[Errno 111] Connection refused"))
    with pytest.raises(ServerUnreachable, match=r"\(tried 1 time\)"):
        client.get_link("lnk_1")
    assert fake_time.sleeps == []


@pytest.mark.parametrize(("header", "seconds"), [
    ("3", 3.0), ("0", 0.0), ("-2", 0.0), (None, None), ("soon", None),
    ("Mon, 02 Mar 2026 09:00:30 GMT", 30.0),
])
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == seconds
