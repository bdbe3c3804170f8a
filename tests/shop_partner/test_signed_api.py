"""GET /authorization/202309/shops (shared/TIKTOK_WIRE.md 3.5) and every refusal of a signed call (3.6)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.clock import ManualClock
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import APP_SECRET
from tests.shop_partner.conftest import OTHER_APP_KEY
from tests.shop_partner.conftest import OTHER_APP_SECRET
from tests.shop_partner.conftest import OTHER_SERVICE_ID
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages
from tests.shop_partner.conftest import seller_url
from tests.shop_partner.documented_client import AUTHORIZED_SHOPS_PATH
from tests.shop_partner.documented_client import signed_params


def code_of(response: Any) -> int:
    code: int = response.get_json()["code"]
    return code


def test_the_authorized_shops_are_the_sellers_shops_in_the_apps_markets(api: ShopApi,
                                                                       seller_tokens: dict[str, Any]) -> None:
    answer = api.shops(seller_tokens["access_token"]).get_json()
    assert (answer["code"], answer["message"]) == (0, "Success")
    shops = answer["data"]["shops"]
    assert {shop["id"] for shop in shops} == {"shop_acme_us", "shop_acme_gb"}
    assert all(set(shop) == {"id", "name", "region", "seller_type", "cipher", "code"} for shop in shops)
    assert {shop["cipher"][:4] for shop in shops} == {"TTP_", "ROW_"}


def test_a_wrong_sign_is_refused_with_106001_and_http_401(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], secret="not-the-secret")
    assert response.status_code == 401
    assert code_of(response) == 106001


def test_a_missing_sign_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], without=("sign",))
    assert code_of(response) == 36009004
    assert "sign" in response.get_json()["message"]


def test_a_missing_app_key_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], without=("app_key",))
    assert code_of(response) == 36009004
    assert "app_key" in response.get_json()["message"]


def test_an_unknown_app_key_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    assert code_of(api.shops(seller_tokens["access_token"], app_key="nobody")) == 36009004


def test_a_missing_timestamp_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], without=("timestamp",))
    assert code_of(response) == 36009004
    assert "timestamp" in response.get_json()["message"]


def test_a_timestamp_that_is_not_a_number_is_refused_with_36009004(api: ShopApi,
                                                                   seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], timestamp="soon")
    assert code_of(response) == 36009004


def test_a_negative_timestamp_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    assert code_of(api.shops(seller_tokens["access_token"], timestamp="-5")) == 36009004


def test_a_missing_access_token_is_refused_with_36009004(api: ShopApi) -> None:
    response = api.shops(None)
    assert code_of(response) == 36009004
    assert "x-tts-access-token" in response.get_json()["message"]


def test_an_unknown_access_token_is_refused_with_36009004(api: ShopApi) -> None:
    assert code_of(api.shops("TTP_unknown")) == 36009004


def test_a_shop_cipher_on_this_api_is_refused_with_36009004(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    response = api.shops(seller_tokens["access_token"], extra={"shop_cipher": "TTP_abc"})
    assert code_of(response) == 36009004
    assert "shop_cipher" in response.get_json()["message"]


def test_an_access_token_expires_after_seven_days_with_105002(api: ShopApi, seller_tokens: dict[str, Any],
                                                              clock: ManualClock) -> None:
    clock.advance("7d")
    assert code_of(api.shops(seller_tokens["access_token"])) == 105002


def test_an_access_token_still_works_a_second_before_seven_days(api: ShopApi, seller_tokens: dict[str, Any],
                                                                clock: ManualClock) -> None:
    clock.advance("6d23h59m59s")
    assert code_of(api.shops(seller_tokens["access_token"])) == 0


def test_a_refreshed_token_works_after_the_first_one_expired(api: ShopApi, seller_tokens: dict[str, Any],
                                                             clock: ManualClock) -> None:
    clock.advance("8d")
    renewed = api.refresh(seller_tokens["refresh_token"])["data"]
    assert code_of(api.shops(renewed["access_token"])) == 0


def test_a_creators_token_on_the_sellers_api_is_refused_with_101000(api: ShopApi,
                                                                    creator_tokens: dict[str, Any]) -> None:
    response = api.shops(creator_tokens["access_token"])
    assert code_of(response) == 101000
    assert "creator" in response.get_json()["message"]


def test_a_token_of_another_app_is_refused_with_101000(pages: ShopPages, api: ShopApi) -> None:
    code = pages.seller_code(url=seller_url(OTHER_SERVICE_ID, state="x"))
    other = api.token(code, app_key=OTHER_APP_KEY, app_secret=OTHER_APP_SECRET)["data"]
    assert code_of(api.shops(other["access_token"])) == 101000


def test_an_app_without_the_scope_is_refused_with_105005(pages: ShopPages, api: ShopApi) -> None:
    code = pages.seller_code(url=seller_url(OTHER_SERVICE_ID, state="x"))
    other = api.token(code, app_key=OTHER_APP_KEY, app_secret=OTHER_APP_SECRET)["data"]
    response = api.shops(other["access_token"], app_key=OTHER_APP_KEY, secret=OTHER_APP_SECRET)
    assert code_of(response) == 105005
    assert "seller.authorization.info" in response.get_json()["message"]


def test_the_access_token_query_parameter_is_not_signed(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    token = seller_tokens["access_token"]
    query = {**signed_params(AUTHORIZED_SHOPS_PATH, APP_KEY, APP_SECRET, api.now()), "access_token": token}
    response = api.client.get(AUTHORIZED_SHOPS_PATH, query_string=query)
    assert code_of(response) == 0


@pytest.mark.parametrize("timestamp", ["²", "١٧٧٢٤٤٢٠٠٠", "1e9", " 1772442000"])
def test_a_timestamp_of_other_characters_than_ascii_digits_is_refused_with_36009004(
        api: ShopApi, seller_tokens: dict[str, Any], timestamp: str) -> None:
    response = api.shops(seller_tokens["access_token"], timestamp=timestamp)
    assert response.status_code == 200
    assert code_of(response) == 36009004



def test_another_method_on_the_signed_api_is_refused_in_tiktok_shops_shape(client: FlaskClient) -> None:
    answer = client.post("/authorization/202309/shops")
    body = answer.get_json()
    assert answer.status_code == 405 and body["code"] == 36009010 and body["request_id"]


def test_an_unknown_version_of_the_api_is_refused_in_tiktok_shops_shape(client: FlaskClient) -> None:
    answer = client.get("/authorization/202212/shops")
    assert answer.status_code == 404 and answer.get_json()["code"] == 36009009
