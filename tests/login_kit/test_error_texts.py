"""TikTok's paths answer refusals with TikTok's documented texts (TIKTOK_WIRE 1.3), not the OAuth library's;
the plain OAuth paths (``/oauth/token``) keep the library's."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange
from tests.login_kit.conftest import pkce_pair

LIBRARY_WORDING = "cannot authenticate with methods"


def refusal(response: Any) -> tuple[str, str]:
    body = response.get_json()
    return body["error"], body["error_description"]


def test_a_missing_client_secret_is_tiktoks_client_secret_is_missed(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "grant_type": "client_credentials"})
    assert refusal(response) == ("invalid_request", "Client secret is missed in request.")


def test_a_missing_client_key_is_tiktoks_client_key_is_missed(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_secret": CLIENT_SECRET,
                                                     "grant_type": "client_credentials"})
    assert refusal(response) == ("invalid_request", "Client key is missed in request.")


def test_a_wrong_client_secret_is_invalid_client_in_tiktoks_words(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": "wrong-secret",
                                                     "grant_type": "client_credentials"})
    assert refusal(response) == ("invalid_client", "Client key or secret is incorrect.")


def test_an_unknown_client_key_is_invalid_client_in_tiktoks_words(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_key": "nobody", "client_secret": CLIENT_SECRET,
                                                     "grant_type": "client_credentials"})
    assert refusal(response) == ("invalid_client", "Client key or secret is incorrect.")


def test_a_wrong_code_verifier_is_tiktoks_code_verifier_or_challenge_is_invalid(browser: Browser) -> None:
    browser.sign_in()
    _, challenge = pkce_pair()
    code = browser.code(code_challenge=challenge, code_challenge_method="S256")
    response = exchange(browser.client, code, code_verifier=pkce_pair()[0])
    assert refusal(response) == ("invalid_grant", "Code verifier or code challenge is invalid.")


def test_a_missing_code_verifier_is_tiktoks_code_verifier_or_challenge_is_invalid(browser: Browser) -> None:
    browser.sign_in()
    _, challenge = pkce_pair()
    response = exchange(browser.client, browser.code(code_challenge=challenge, code_challenge_method="S256"))
    assert refusal(response) == ("invalid_request", "Code verifier or code challenge is invalid.")


def test_an_unknown_code_is_invalid_grant_in_tiktoks_words(client: FlaskClient) -> None:
    assert refusal(exchange(client, "nonsense")) == ("invalid_grant", "Authorization code is invalid.")


def test_a_missing_code_is_invalid_request_in_tiktoks_words(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                     "grant_type": "authorization_code", "redirect_uri": CALLBACK})
    assert refusal(response) == ("invalid_request", "Authorization code is missed in request.")


def test_an_unknown_refresh_token_is_invalid_grant_in_tiktoks_words(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                     "grant_type": "refresh_token", "refresh_token": "rft.none"})
    assert refusal(response) == ("invalid_grant", "Refresh token is invalid or expired.")


def test_revoke_with_a_wrong_secret_is_invalid_client_in_tiktoks_words(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/revoke/", data={"client_key": CLIENT_KEY, "client_secret": "wrong-secret",
                                                      "token": "act.x"})
    assert refusal(response) == ("invalid_client", "Client key or secret is incorrect.")


def test_the_plain_oauth_token_endpoint_keeps_the_librarys_wording(client: FlaskClient) -> None:
    response = client.post("/oauth/token", data={"client_id": CLIENT_KEY, "client_secret": "wrong-secret",
                                                 "grant_type": "client_credentials"})
    assert response.get_json()["error"] == "invalid_client"
    assert LIBRARY_WORDING in response.get_json()["error_description"]
