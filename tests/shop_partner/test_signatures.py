"""Signed calls (shared/TIKTOK_WIRE.md 3.4): the documented vector, the body, the timestamp window, sandbox paths."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from auth_server.domain.clock import ManualClock
from auth_server.shop_partner import signing
from auth_server.simulator import Simulator
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages
from tests.shop_partner.conftest import shop_app
from tests.shop_partner.documented_client import AUTHORIZED_SHOPS_PATH
from tests.shop_partner.documented_client import sign

VECTOR_SECRET = "e59af819cc"
VECTOR_QUERY = [("app_key", "29a39d"), ("timestamp", "1623812664")]
VECTOR_STRING = b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
VECTOR_SIGN = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
BODY = json.dumps({"address": "https://partner.tiktokshop.com", "event_type": "PACKAGE_UPDATE"}).encode()


def test_the_documented_vector_has_the_documented_string_to_sign() -> None:
    assert signing.string_to_sign(AUTHORIZED_SHOPS_PATH, VECTOR_QUERY, b"", VECTOR_SECRET) == VECTOR_STRING


def test_the_documented_vector_has_the_documented_sign() -> None:
    assert signing.call_signature(AUTHORIZED_SHOPS_PATH, VECTOR_QUERY, b"", VECTOR_SECRET) == VECTOR_SIGN


def test_the_documented_vector_verifies_with_the_sign_and_access_token_left_out() -> None:
    query = [*VECTOR_QUERY, ("sign", VECTOR_SIGN), ("access_token", "TTP_anything")]
    assert signing.signature_matches(VECTOR_SIGN, signing.call_signature(AUTHORIZED_SHOPS_PATH, query, b"",
                                                                         VECTOR_SECRET))


def test_the_client_written_from_the_documents_signs_the_vector_alike() -> None:
    assert sign(AUTHORIZED_SHOPS_PATH, dict(VECTOR_QUERY), VECTOR_SECRET) == VECTOR_SIGN


def test_a_multipart_body_is_not_signed() -> None:
    with_body = signing.call_signature("/p", VECTOR_QUERY, b"--x--", VECTOR_SECRET, content_type="multipart/form-data")
    assert with_body == signing.call_signature("/p", VECTOR_QUERY, b"", VECTOR_SECRET)


def test_a_call_signed_with_its_json_body_verifies(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], body=BODY)
    assert response.get_json()["code"] == 0, response.get_json()


def test_a_call_signed_without_its_body_is_refused_with_106001(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], body=BODY, signed_body=b"")
    assert response.status_code == 401
    assert response.get_json()["code"] == 106001


def test_a_call_signed_without_its_body_verifies_when_the_server_allows_it(shop_sim: Simulator,
                                                                         clock: ManualClock) -> None:
    client = shop_app(shop_sim, shop_signature_without_body=True).test_client()
    api = ShopApi(client, clock)
    tokens = api.token(ShopPages(client).seller_code())["data"]
    assert api.shops(tokens["access_token"], body=BODY, signed_body=b"").get_json()["code"] == 0
    assert api.shops(tokens["access_token"], body=BODY).get_json()["code"] == 0


def test_the_server_that_allows_it_still_refuses_a_sign_over_another_body(shop_sim: Simulator,
                                                                         clock: ManualClock) -> None:
    client = shop_app(shop_sim, shop_signature_without_body=True).test_client()
    api = ShopApi(client, clock)
    tokens = api.token(ShopPages(client).seller_code())["data"]
    assert api.shops(tokens["access_token"], body=BODY, signed_body=b"{}").get_json()["code"] == 106001


def test_a_timestamp_exactly_five_minutes_old_is_accepted(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    assert api.shops(seller_tokens["access_token"], timestamp=api.now() - 300).get_json()["code"] == 0


def test_a_timestamp_five_minutes_and_one_second_old_is_refused(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    answer = api.shops(seller_tokens["access_token"], timestamp=api.now() - 301).get_json()
    assert answer["code"] == 36009004
    assert "timestamp" in answer["message"].lower()


def test_a_timestamp_exactly_thirty_seconds_ahead_is_accepted(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    assert api.shops(seller_tokens["access_token"], timestamp=api.now() + 30).get_json()["code"] == 0


def test_a_timestamp_thirty_one_seconds_ahead_is_refused(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    answer = api.shops(seller_tokens["access_token"], timestamp=api.now() + 31).get_json()
    assert answer["code"] == 36009004
    assert "timestamp" in answer["message"].lower()


def sandbox_api(client: FlaskClient, clock: ManualClock) -> tuple[ShopPages, ShopApi, str]:
    """A sandbox of the demo data; its clock, like the main world's, reads the demo data's start."""
    created = client.post("/_sim/sandboxes", json={"fixtures": "demo"})
    assert created.status_code == 201, created.get_data(as_text=True)
    prefix = f"/sandboxes/{created.get_json()['id']}"
    return ShopPages(client, prefix=prefix), ShopApi(client, clock, prefix=prefix), prefix


def test_a_sandbox_call_signed_over_the_whole_path_verifies(client: FlaskClient, clock: ManualClock) -> None:
    pages, api, prefix = sandbox_api(client, clock)
    tokens = api.token(pages.seller_code())["data"]
    answer = api.shops(tokens["access_token"], signed_path=prefix + AUTHORIZED_SHOPS_PATH).get_json()
    assert answer["code"] == 0, answer


def test_a_sandbox_call_signed_over_tiktoks_path_verifies(client: FlaskClient, clock: ManualClock) -> None:
    pages, api, _ = sandbox_api(client, clock)
    tokens = api.token(pages.seller_code())["data"]
    answer = api.shops(tokens["access_token"], signed_path=AUTHORIZED_SHOPS_PATH).get_json()
    assert answer["code"] == 0, answer
