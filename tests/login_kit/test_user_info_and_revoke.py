"""GET /v2/user/info/ and POST /v2/oauth/revoke/."""

from __future__ import annotations

from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.identifiers import union_id_for
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange


def tokens(browser: Browser, **params: str) -> dict:
    browser.sign_in()
    return exchange(browser.client, browser.code(**params)).get_json()


def user_info(browser: Browser, access_token: str, fields: str) -> object:
    return browser.client.get(f"/v2/user/info/?fields={fields}", headers={"Authorization": f"Bearer {access_token}"})


def test_user_info_returns_the_fields_asked_for_in_tiktoks_envelope(browser: Browser, holder) -> None:  # noqa: ANN001
    token = tokens(browser)
    response = user_info(browser, token["access_token"], "open_id,union_id,display_name,username")
    body = response.get_json()
    assert response.status_code == 200
    assert body["data"]["user"] == {"open_id": open_id_for(CLIENT_KEY, holder.open_id),
                                    "union_id": union_id_for(CLIENT_KEY, holder.open_id),
                                    "display_name": "Holder Nick", "username": "holder"}
    assert body["error"]["code"] == "ok" and body["error"]["message"] == ""


def test_a_field_whose_scope_was_not_granted_is_401_scope_not_authorized(browser: Browser) -> None:
    token = tokens(browser, scope="user.info.basic")
    response = user_info(browser, token["access_token"], "open_id,username,follower_count")
    body = response.get_json()
    assert response.status_code == 401 and body["data"] == {}
    assert body["error"]["code"] == "scope_not_authorized"
    assert "user.info.profile (username)" in body["error"]["message"]
    assert "user.info.stats (follower_count)" in body["error"]["message"]


def test_stats_fields_need_the_stats_scope(browser: Browser) -> None:
    token = tokens(browser, scope="user.info.basic,user.info.stats")
    assert user_info(browser, token["access_token"], "follower_count").get_json()["data"]["user"] == {
        "follower_count": 42}


def test_a_missing_or_unknown_token_is_401_access_token_invalid(browser: Browser) -> None:
    response = browser.client.get("/v2/user/info/?fields=open_id")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "access_token_invalid"
    assert user_info(browser, "act.nothing", "open_id").status_code == 401


def test_an_expired_access_token_is_refused_on_the_clock(browser: Browser, sim) -> None:  # noqa: ANN001
    token = tokens(browser)
    sim.clock.advance("23h59m59s")
    assert user_info(browser, token["access_token"], "open_id").status_code == 200
    sim.clock.advance("1s")
    assert user_info(browser, token["access_token"], "open_id").status_code == 401


def test_fields_are_required_and_must_be_known(browser: Browser) -> None:
    token = tokens(browser)
    assert user_info(browser, token["access_token"], "").get_json()["error"]["code"] == "invalid_params"
    response = user_info(browser, token["access_token"], "open_id,shoe_size")
    assert response.status_code == 400 and "shoe_size" in response.get_json()["error"]["message"]


def test_revoke_answers_an_empty_object_and_the_token_stops_working(browser: Browser) -> None:
    token = tokens(browser)
    response = browser.client.post("/v2/oauth/revoke/", data={"client_key": CLIENT_KEY,
                                                              "client_secret": CLIENT_SECRET,
                                                              "token": token["access_token"]})
    assert (response.status_code, response.get_json()) == (200, {})
    assert user_info(browser, token["access_token"], "open_id").status_code == 401
    refreshed = browser.client.post("/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"]}).get_json()
    assert refreshed["error"] == "invalid_grant"


def test_revoke_with_a_wrong_secret_is_invalid_client_with_a_log_id(browser: Browser) -> None:
    body = browser.client.post("/v2/oauth/revoke/", data={"client_key": CLIENT_KEY, "client_secret": "nope",
                                                          "token": "act.x"}).get_json()
    assert body["error"] == "invalid_client" and "log_id" in body
