"""POST /v2/oauth/token/: codes for tokens (with PKCE), refresh with rotation, client credentials."""

from __future__ import annotations

import re

import pytest

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.oauth.identifiers import open_id_for
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange
from tests.login_kit.conftest import pkce_pair

LOG_ID = re.compile(r"^\d{14}[0-9A-F]{20}$")


def test_a_code_becomes_tiktoks_flat_token_response(browser: Browser, holder) -> None:  # noqa: ANN001
    browser.sign_in()
    response = exchange(browser.client, browser.code())
    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {"access_token", "expires_in", "open_id", "refresh_expires_in", "refresh_token", "scope",
                         "token_type"}
    assert body["access_token"].startswith("act.") and body["refresh_token"].startswith("rft.")
    assert body["expires_in"] == 86400 and body["refresh_expires_in"] == 31536000
    assert body["open_id"] == open_id_for(CLIENT_KEY, holder.open_id)  # the app's, not the account's id
    assert body["scope"] == "user.info.basic,user.info.profile"
    assert body["token_type"] == "Bearer"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("encoding", ["hex", "base64url"])
def test_pkce_accepts_hex_and_base64url_challenges(browser: Browser, encoding: str) -> None:
    browser.sign_in()
    verifier, challenge = pkce_pair(encoding)
    code = browser.code(code_challenge=challenge, code_challenge_method="S256")
    assert "access_token" in exchange(browser.client, code, code_verifier=verifier).get_json()


def test_a_wrong_code_verifier_is_refused(browser: Browser) -> None:
    browser.sign_in()
    _, challenge = pkce_pair()
    code = browser.code(code_challenge=challenge, code_challenge_method="S256")
    body = exchange(browser.client, code, code_verifier=pkce_pair()[0]).get_json()
    assert body["error"] == "invalid_grant"


def test_a_code_is_single_use(browser: Browser) -> None:
    browser.sign_in()
    code = browser.code()
    assert "access_token" in exchange(browser.client, code).get_json()
    body = exchange(browser.client, code).get_json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == "Authorization code has been used."


def test_a_code_expires_on_the_simulated_clock(browser: Browser, sim) -> None:  # noqa: ANN001
    browser.sign_in()
    code = browser.code()
    sim.clock.advance("10m")
    body = exchange(browser.client, code).get_json()
    assert (body["error"], body["error_description"]) == ("invalid_grant", "Authorization code is expired.")


def test_a_code_one_second_before_expiry_still_works(browser: Browser, sim) -> None:  # noqa: ANN001
    browser.sign_in()
    code = browser.code()
    sim.clock.advance("9m59s")
    assert "access_token" in exchange(browser.client, code).get_json()


def test_the_redirect_uri_must_match_the_one_of_the_code(browser: Browser) -> None:
    browser.sign_in()
    body = exchange(browser.client, browser.code(), redirect_uri="http://127.0.0.1:1/callback/").get_json()
    assert (body["error"], body["error_description"]) == (
        "invalid_request", "Redirect_uri is not matched with the uri when requesting code.")


def test_errors_are_tiktoks_trio_with_http_200_by_default(browser: Browser) -> None:
    response = exchange(browser.client, "nonsense")
    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {"error", "error_description", "log_id"}
    assert LOG_ID.match(body["log_id"])


def test_the_error_status_is_a_setting(sim, partner_app, holder) -> None:  # noqa: ANN001
    client = create_app(sim, ServerConfig(secret_key="k", oauth_error_status=400)).test_client()
    assert exchange(client, "nonsense").status_code == 400


def test_a_wrong_client_secret_is_invalid_client(browser: Browser) -> None:
    response = browser.client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": "wrong",
                                                            "grant_type": "client_credentials"})
    assert response.get_json()["error"] == "invalid_client"


def test_an_unknown_grant_type_is_unsupported(browser: Browser) -> None:
    response = browser.client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                            "grant_type": "password"})
    assert response.get_json()["error"] == "unsupported_grant_type"


def refresh(browser: Browser, refresh_token: str) -> dict:
    return browser.client.post("/v2/oauth/token", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
        "refresh_token": refresh_token}).get_json()


def test_refresh_rotates_the_refresh_token_and_the_new_one_works(browser: Browser) -> None:
    browser.sign_in()
    first = exchange(browser.client, browser.code()).get_json()
    second = refresh(browser, first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == first["scope"] and second["open_id"] == first["open_id"]
    assert "access_token" in refresh(browser, second["refresh_token"])


def test_a_spent_refresh_token_presented_again_is_refused_and_ends_its_whole_chain(browser: Browser) -> None:
    """RFC 9700 4.14: a refresh token used twice means that someone else may hold it; the chain stops."""
    browser.sign_in()
    first = exchange(browser.client, browser.code()).get_json()
    second = refresh(browser, first["refresh_token"])
    assert refresh(browser, first["refresh_token"])["error"] == "invalid_grant"
    assert refresh(browser, second["refresh_token"])["error"] == "invalid_grant"
    info = browser.client.get("/v2/user/info/?fields=open_id",
                              headers={"Authorization": f"Bearer {second['access_token']}"})
    assert info.status_code == 401


def test_a_refreshed_token_replaces_the_old_access_token(browser: Browser) -> None:
    browser.sign_in()
    first = exchange(browser.client, browser.code()).get_json()
    refresh(browser, first["refresh_token"])
    info = browser.client.get("/v2/user/info/?fields=open_id",
                              headers={"Authorization": f"Bearer {first['access_token']}"})
    assert info.status_code == 401


def test_client_credentials_give_a_client_token_for_two_hours(browser: Browser) -> None:
    body = browser.client.post("/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}).get_json()
    assert body["access_token"].startswith("clt.")
    assert body["expires_in"] == 7200 and body["token_type"] == "Bearer"
    assert "refresh_token" not in body


def test_token_lifetimes_are_settings(sim, partner_app, holder) -> None:  # noqa: ANN001
    from datetime import timedelta

    config = ServerConfig(secret_key="k", access_token_lifetime=timedelta(hours=2),
                          refresh_token_lifetime=timedelta(days=180))
    browser = Browser(create_app(sim, config).test_client())
    browser.sign_in()
    body = exchange(browser.client, browser.code()).get_json()
    assert (body["expires_in"], body["refresh_expires_in"]) == (7200, 15552000)
