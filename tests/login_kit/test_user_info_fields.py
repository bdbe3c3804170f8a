"""GET /v2/user/info/ as published clients call it: the documented fields, the legacy v1 field ``avatar_url_200``,
and ``scope_not_authorized`` for a field whose scope the holder did not grant (TIKTOK_WIRE 1.5, 5.3)."""

from __future__ import annotations

from typing import Any

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange

# passport-tiktok-auth 1.0.12 (lib/passport-tiktok/strategy.js, userProfileV2) always asks for these, in this order,
# with the token in an Authorization: Bearer header (useAuthorizationHeaderforGET).
PASSPORT_TIKTOK_AUTH_FIELDS = ("open_id,union_id,avatar_url,avatar_url_100,avatar_url_200,avatar_large_url,"
                               "display_name,username,follower_count,following_count,likes_count")


def access_token(browser: Browser, scope: str) -> str:
    browser.sign_in()
    return str(exchange(browser.client, browser.code(scope=scope)).get_json()["access_token"])


def passport_profile_request(browser: Browser, token: str) -> Any:
    return browser.client.get(f"/v2/user/info/?fields={PASSPORT_TIKTOK_AUTH_FIELDS}",
                              headers={"Authorization": f"Bearer {token}"})


def test_passport_tiktok_auths_profile_request_gets_every_field_it_asks_for(browser: Browser) -> None:
    token = access_token(browser, "user.info.basic,user.info.profile,user.info.stats")
    response = passport_profile_request(browser, token)
    assert response.status_code == 200, response.get_json()
    user = response.get_json()["data"]["user"]
    assert list(user) == PASSPORT_TIKTOK_AUTH_FIELDS.split(",")
    assert user["avatar_url_200"].startswith("http") and user["display_name"] == "Holder Nick"
    assert (user["username"], user["follower_count"]) == ("holder", 42)


def test_the_legacy_v1_field_avatar_url_200_needs_only_the_basic_scope(browser: Browser) -> None:
    token = access_token(browser, "user.info.basic")
    response = browser.client.get("/v2/user/info/?fields=open_id,avatar_url_200",
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and set(response.get_json()["data"]["user"]) == {"open_id", "avatar_url_200"}


def test_passport_tiktok_auth_with_its_default_basic_scope_is_refused_scope_not_authorized(browser: Browser) -> None:
    token = access_token(browser, "user.info.basic")
    response = passport_profile_request(browser, token)
    body = response.get_json()
    assert response.status_code == 401 and body["data"] == {}
    assert body["error"]["code"] == "scope_not_authorized"
    assert "user.info.profile" in body["error"]["message"] and "user.info.stats" in body["error"]["message"]
