"""/api/v2/token/get and /api/v2/token/refresh (shared/TIKTOK_WIRE.md 3.3): the answer, and every refusal."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from auth_server.domain.clock import ManualClock
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import APP_SECRET
from tests.shop_partner.conftest import OTHER_APP_KEY
from tests.shop_partner.conftest import OTHER_APP_SECRET
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages

DAY = 86400


def test_a_sellers_code_gives_tokens_with_absolute_expiries_seven_days_ahead(pages: ShopPages, api: ShopApi) -> None:
    answer = api.token(pages.seller_code())
    assert (answer["code"], answer["message"]) == (0, "success")
    data = answer["data"]
    assert data["access_token_expire_in"] == api.now() + 7 * DAY
    assert data["refresh_token_expire_in"] > data["access_token_expire_in"]
    assert (data["user_type"], data["seller_name"], data["seller_base_region"]) == (0, "Acme Outdoor Ltd", "US")
    assert "seller.authorization.info" in data["granted_scopes"]
    assert data["access_token"].startswith("TTP_") and data["open_id"]


def test_a_creators_code_gives_user_type_1_and_no_seller_fields(creator_tokens: dict[str, Any]) -> None:
    assert creator_tokens["user_type"] == 1
    assert creator_tokens["seller_name"] is None and creator_tokens["seller_base_region"] is None


def test_a_wrong_code_is_refused_with_36004004(api: ShopApi) -> None:
    answer = api.token("TTP_not-a-code")
    assert (answer["code"], answer["message"]) == (36004004, "invalid auth code")
    assert "data" not in answer and answer["request_id"]


def test_a_used_code_is_refused_with_36004004(pages: ShopPages, api: ShopApi) -> None:
    code = pages.seller_code()
    assert api.token(code)["code"] == 0
    assert api.token(code)["code"] == 36004004


def test_a_code_is_still_good_29_minutes_59_seconds_later(pages: ShopPages, api: ShopApi, clock: ManualClock) -> None:
    code = pages.seller_code()
    clock.advance("29m59s")
    assert api.token(code)["code"] == 0


def test_a_code_expires_30_minutes_later(pages: ShopPages, api: ShopApi, clock: ManualClock) -> None:
    code = pages.seller_code()
    clock.advance("30m")
    assert api.token(code)["code"] == 36004004


def test_a_code_of_another_app_is_refused_with_36004004(pages: ShopPages, api: ShopApi) -> None:
    code = pages.seller_code()
    assert api.token(code, app_key=OTHER_APP_KEY, app_secret=OTHER_APP_SECRET)["code"] == 36004004


def test_a_wrong_app_secret_is_refused_with_36004005(pages: ShopPages, api: ShopApi) -> None:
    assert api.token(pages.seller_code(), app_secret="wrong")["code"] == 36004005


def test_an_unknown_app_key_is_refused_with_36004005(pages: ShopPages, api: ShopApi) -> None:
    assert api.token(pages.seller_code(), app_key="nobody")["code"] == 36004005


def test_a_wrong_grant_type_is_refused_with_36004006(pages: ShopPages, api: ShopApi) -> None:
    answer = api.token(pages.seller_code(), grant_type="authorization_code")
    assert answer["code"] == 36004006
    assert "authorized_code" in answer["message"]


def test_refresh_gives_a_new_pair(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    answer = api.refresh(seller_tokens["refresh_token"])
    assert answer["code"] == 0, answer
    assert answer["data"]["access_token"] != seller_tokens["access_token"]
    assert answer["data"]["refresh_token"] != seller_tokens["refresh_token"]
    assert answer["data"]["open_id"] == seller_tokens["open_id"]


def test_a_refresh_token_is_refused_once_used(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    assert api.refresh(seller_tokens["refresh_token"])["code"] == 0
    assert api.refresh(seller_tokens["refresh_token"])["code"] == 36004004


def test_the_new_refresh_token_works_after_rotation(api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    renewed = api.refresh(seller_tokens["refresh_token"])["data"]
    assert api.refresh(renewed["refresh_token"])["code"] == 0


def test_refresh_with_a_wrong_grant_type_is_refused_with_36004006(api: ShopApi,
                                                                  seller_tokens: dict[str, Any]) -> None:
    assert api.refresh(seller_tokens["refresh_token"], grant_type="authorized_code")["code"] == 36004006


def test_refresh_with_a_wrong_app_secret_is_refused_with_36004005(api: ShopApi,
                                                                 seller_tokens: dict[str, Any]) -> None:
    assert api.refresh(seller_tokens["refresh_token"], app_secret="wrong")["code"] == 36004005


def test_an_unknown_refresh_token_is_refused_with_36004004(api: ShopApi) -> None:
    assert api.refresh("TTP_unknown")["code"] == 36004004


def test_the_token_endpoint_takes_a_json_body(pages: ShopPages, client: FlaskClient) -> None:
    answer = client.post("/api/v2/token/get", json={"app_key": APP_KEY, "app_secret": APP_SECRET,
                                                    "auth_code": pages.seller_code(),
                                                    "grant_type": "authorized_code"}).get_json()
    assert answer["code"] == 0, answer


def test_the_refresh_endpoint_takes_a_json_body(client: FlaskClient, seller_tokens: dict[str, Any]) -> None:
    answer = client.post("/api/v2/token/refresh", json={"app_key": APP_KEY, "app_secret": APP_SECRET,
                                                        "refresh_token": seller_tokens["refresh_token"],
                                                        "grant_type": "refresh_token"}).get_json()
    assert answer["code"] == 0, answer


def test_token_refusals_come_with_http_200(client: FlaskClient) -> None:
    response = client.get("/api/v2/token/get", query_string={"app_key": APP_KEY, "app_secret": APP_SECRET,
                                                             "auth_code": "x", "grant_type": "authorized_code"})
    assert response.status_code == 200
    assert response.get_json()["code"] == 36004004


def test_a_json_body_that_is_not_an_object_is_a_clear_refusal(client: FlaskClient) -> None:
    response = client.post("/api/v2/token/get", data="[1, 2]", content_type="application/json")
    assert response.status_code < 500
    assert response.get_json()["code"] != 0
