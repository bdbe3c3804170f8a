"""The partner app's client token: fetched once, reused, renewed before it expires and after a 401."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
from responses import matchers

from seller_client import SellerClient
from seller_client import SellerRefused
from seller_client import ServerError
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import TOKEN_URL
from tests.seller_client.conftest import FakeTime
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import link_json
from tests.seller_client.conftest import refusal_json

LINK_URL = f"{BASE}/api/links/lnk_1"


def bearer(n: int) -> Callable[..., tuple[bool, str]]:
    return matchers.header_matcher({"Authorization": f"Bearer clt.token{n}"})


def test_the_token_is_fetched_with_client_credentials_and_reused(fake: responses.RequestsMock,
                                                                 seller: SellerClient) -> None:
    fake.post(TOKEN_URL, json={"access_token": "clt.token1", "expires_in": 7200, "token_type": "Bearer"},
              match=[matchers.urlencoded_params_matcher({"client_key": "key", "client_secret": "secret",
                                                         "grant_type": "client_credentials"})])
    fake.get(LINK_URL, json=link_json(), match=[bearer(1)])
    fake.get(LINK_URL, json=link_json(), match=[bearer(1)])
    seller.get_link("lnk_1")
    seller.get_link("lnk_1")
    assert [c.request.url for c in fake.calls].count(TOKEN_URL) == 1


def test_the_token_is_renewed_shortly_before_it_expires(fake: responses.RequestsMock, seller: SellerClient,
                                                        fake_time: FakeTime) -> None:
    add_token(fake, 1, expires_in=7200)
    add_token(fake, 2, expires_in=7200)
    fake.get(LINK_URL, json=link_json(), match=[bearer(1)])
    fake.get(LINK_URL, json=link_json(), match=[bearer(1)])
    fake.get(LINK_URL, json=link_json(), match=[bearer(2)])
    seller.get_link("lnk_1")
    fake_time.now += 7200 - 61  # still more than the renewal margin left
    seller.get_link("lnk_1")
    fake_time.now += 2
    seller.get_link("lnk_1")


def test_a_401_partner_token_invalid_renews_the_token_and_repeats_the_call(fake: responses.RequestsMock,
                                                                          seller: SellerClient) -> None:
    add_token(fake, 1)
    add_token(fake, 2)
    fake.get(LINK_URL, status=401, json=refusal_json("partner_token_invalid"), match=[bearer(1)])
    fake.get(LINK_URL, json=link_json(state="active", consent_status="utilised"), match=[bearer(2)])
    assert seller.get_link("lnk_1").state == "active"
    fake.get(LINK_URL, json=link_json(), match=[bearer(2)])  # the renewed token is kept
    seller.get_link("lnk_1")


def test_a_second_401_after_renewing_is_a_refusal(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake, 1)
    add_token(fake, 2)
    fake.get(LINK_URL, status=401, json=refusal_json("partner_token_invalid"))
    fake.get(LINK_URL, status=401, json=refusal_json("partner_token_invalid"))
    with pytest.raises(SellerRefused) as refused:
        seller.get_link("lnk_1")
    assert refused.value.code == "partner_token_invalid" and refused.value.status == 401


def test_wrong_credentials_are_tiktoks_oauth_error_answered_with_200(fake: responses.RequestsMock,
                                                                     seller: SellerClient) -> None:
    fake.post(TOKEN_URL, json={"error": "invalid_client", "error_description": "The client cannot authenticate.",
                               "log_id": "20260302090000ABCDEF0123456789ABCDEF"})
    with pytest.raises(SellerRefused) as refused:
        seller.get_link("lnk_1")
    assert (refused.value.code, refused.value.message, refused.value.status) == (
        "invalid_client", "The client cannot authenticate.", 200)
    assert refused.value.codes == ["invalid_client"]


def test_a_token_answer_without_access_token_is_a_server_error(fake: responses.RequestsMock,
                                                                seller: SellerClient) -> None:
    fake.post(TOKEN_URL, json={"expires_in": 7200, "token_type": "Bearer"})
    with pytest.raises(ServerError, match="has no 'access_token'"):
        seller.get_link("lnk_1")
