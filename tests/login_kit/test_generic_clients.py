"""Generic OAuth libraries against a live server: RFC 8414 metadata, then authorization code + PKCE and a
refresh with authlib's OAuth2Session; revocation (RFC 7009) and introspection (RFC 7662)."""

from __future__ import annotations

import re

import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import PASSWORD


def signed_in_browser(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/app/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    browser.post(f"{base}/app/sign-in", data={"username": "holder", "password": PASSWORD, "csrf_token": token},
                 timeout=10)
    return browser


def authorize_in_browser(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = browser.post(url, allow_redirects=False, timeout=10, data={
        "decision": "authorize", "csrf_token": token, "granted_scope": ["user.info.profile"]})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def test_metadata_names_every_endpoint(live_server: str) -> None:
    metadata = requests.get(f"{live_server}/.well-known/oauth-authorization-server", timeout=10).json()
    assert metadata["issuer"] == live_server
    assert metadata["authorization_endpoint"] == f"{live_server}/v2/auth/authorize"
    assert metadata["token_endpoint"] == f"{live_server}/oauth/token"
    assert metadata["code_challenge_methods_supported"] == ["S256"]


def test_authlib_oauth2session_completes_code_pkce_and_refresh(live_server: str) -> None:
    metadata = requests.get(f"{live_server}/.well-known/oauth-authorization-server", timeout=10).json()
    callback = "http://127.0.0.1:8899/callback/"
    client = OAuth2Session(CLIENT_KEY, CLIENT_SECRET, scope="user.info.basic user.info.profile",
                           redirect_uri=callback, code_challenge_method="S256",
                           token_endpoint_auth_method="client_secret_post")
    verifier = "v" * 64
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
    location = authorize_in_browser(signed_in_browser(live_server), url)

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["access_token"].startswith("act.")
    assert token["scope"] == "user.info.basic user.info.profile"  # plain OAuth: spaces

    refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]

    info = client.get(f"{live_server}/v2/user/info/?fields=open_id,username", timeout=10).json()
    assert info["data"]["user"]["username"] == "holder"


def test_introspection_and_revocation_follow_the_rfcs(live_server: str) -> None:
    callback = "http://127.0.0.1:8899/callback/"
    client = OAuth2Session(CLIENT_KEY, CLIENT_SECRET, scope="user.info.basic", redirect_uri=callback,
                           token_endpoint_auth_method="client_secret_post")
    url, _ = client.create_authorization_url(f"{live_server}/v2/auth/authorize")
    location = authorize_in_browser(signed_in_browser(live_server), url)
    token = client.fetch_token(f"{live_server}/oauth/token", authorization_response=location)
    auth = (CLIENT_KEY, CLIENT_SECRET)

    active = requests.post(f"{live_server}/oauth/introspect", data={"token": token["access_token"]}, auth=auth,
                           timeout=10).json()
    assert active["active"] is True and active["client_id"] == CLIENT_KEY

    revoked = requests.post(f"{live_server}/oauth/revoke", data={"token": token["access_token"]}, auth=auth,
                            timeout=10)
    assert revoked.status_code == 200
    after = requests.post(f"{live_server}/oauth/introspect", data={"token": token["access_token"]}, auth=auth,
                          timeout=10).json()
    assert after == {"active": False}


def test_the_plain_oauth_token_endpoint_answers_errors_with_400(live_server: str) -> None:
    response = requests.post(f"{live_server}/oauth/token", data={"grant_type": "authorization_code", "code": "x",
                                                                 "client_id": CLIENT_KEY,
                                                                 "client_secret": CLIENT_SECRET}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "log_id" not in response.json()


def test_the_readme_example_works_on_tiktoks_own_paths(live_server: str) -> None:
    client = OAuth2Session(CLIENT_KEY, CLIENT_SECRET, scope="user.info.basic user.info.profile",
                           redirect_uri="http://127.0.0.1:8080/callback/", code_challenge_method="S256",
                           token_endpoint_auth_method="client_secret_post")
    verifier = "a-long-random-code-verifier-of-at-least-43-characters-0123456789"
    url, _ = client.create_authorization_url(f"{live_server}/v2/auth/authorize/", code_verifier=verifier)
    callback = authorize_in_browser(signed_in_browser(live_server), url)
    token = client.fetch_token(f"{live_server}/v2/oauth/token/", authorization_response=callback,
                               code_verifier=verifier)
    assert token["scope"] == "user.info.basic,user.info.profile"  # TikTok's wire: commas
    user = client.get(f"{live_server}/v2/user/info/?fields=open_id,display_name,username", timeout=10).json()
    assert user["data"]["user"]["username"] == "holder" and user["error"]["code"] == "ok"


def test_the_plain_oauth_paths_take_a_trailing_slash_too(live_server: str) -> None:
    for path in ("/oauth/token/", "/oauth/revoke/", "/oauth/introspect/"):
        response = requests.post(f"{live_server}{path}", data={}, timeout=10)
        assert response.status_code in (400, 401), (path, response.status_code)
