"""The wire contract, field by field, against TIKTOK_WIRE.md sections 1 and 2 (shared/TIKTOK_WIRE.md)."""

from __future__ import annotations

import re

from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange
from tests.login_kit.conftest import redirect_params

LOG_ID = re.compile(r"^\d{14}[0-9A-F]{20}$")  # 1.3: "YYYYMMDDhhmmss + hex, 34 chars"
USER_TOKEN = re.compile(r"^(act|rft)\.[0-9a-f]{32}[A-Za-z0-9]+![0-9]{4}$")  # 1.3: act.<32 hex><alnum>!NNNN


def test_1_2_the_redirect_carries_code_scopes_plural_and_state(browser: Browser) -> None:
    browser.sign_in()
    response = browser.consent(scope="user.info.basic%2Cuser.info.profile")  # a percent-encoded comma, too
    params = redirect_params(response)
    assert set(params) == {"code", "scopes", "state"}
    assert params["scopes"] == "user.info.basic,user.info.profile"
    assert response.headers["Location"].split("?")[0] == CALLBACK


def test_1_3_the_token_response_is_flat_with_tiktoks_seven_fields_and_types(browser: Browser) -> None:
    browser.sign_in()
    body = exchange(browser.client, browser.code()).get_json()
    types = {"access_token": str, "expires_in": int, "open_id": str, "refresh_expires_in": int,
             "refresh_token": str, "scope": str, "token_type": str}
    assert {key: type(value) for key, value in body.items()} == types
    assert USER_TOKEN.match(body["access_token"]) and USER_TOKEN.match(body["refresh_token"])
    assert "," in body["scope"] and " " not in body["scope"]


def test_1_3_errors_are_the_trio_with_a_34_character_log_id(client) -> None:  # noqa: ANN001
    body = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                 "grant_type": "authorization_code", "code": "x",
                                                 "redirect_uri": CALLBACK}).get_json()
    assert set(body) == {"error", "error_description", "log_id"}
    assert body["error"] in {"access_denied", "invalid_client", "invalid_grant", "invalid_request", "invalid_scope",
                             "unauthorized_client", "unsupported_grant_type", "unsupported_response_type",
                             "server_error", "temporarily_unavailable"}
    assert LOG_ID.match(body["log_id"]) and len(body["log_id"]) == 34


def test_1_3_c_the_client_token_has_three_fields(client) -> None:  # noqa: ANN001
    body = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                 "grant_type": "client_credentials"}).get_json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["access_token"].startswith("clt.") and body["expires_in"] == 7200


def test_1_4_revoke_answers_an_empty_struct(browser: Browser) -> None:
    browser.sign_in()
    token = exchange(browser.client, browser.code()).get_json()["access_token"]
    response = browser.client.post("/v2/oauth/revoke", data={"client_key": CLIENT_KEY,
                                                             "client_secret": CLIENT_SECRET, "token": token})
    assert response.get_json() == {}


def test_1_5_user_info_is_the_data_and_error_envelope(browser: Browser) -> None:
    browser.sign_in()
    token = exchange(browser.client, browser.code(scope="user.info.basic")).get_json()["access_token"]
    body = browser.client.get("/v2/user/info/?fields=open_id,union_id,avatar_url,display_name",
                              headers={"Authorization": f"Bearer {token}"}).get_json()
    assert set(body) == {"data", "error"}
    assert set(body["data"]["user"]) == {"open_id", "union_id", "avatar_url", "display_name"}
    assert set(body["error"]) == {"code", "message", "log_id"} and body["error"]["code"] == "ok"


def test_1_5_an_invalid_token_is_401_access_token_invalid_in_the_envelope(client) -> None:  # noqa: ANN001
    response = client.get("/v2/user/info/?fields=open_id", headers={"Authorization": "Bearer act.nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "access_token_invalid"
    assert response.get_json()["data"] == {}
