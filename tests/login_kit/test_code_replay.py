"""A replayed authorization code is refused and revokes the tokens the code gave (RFC 6749 4.1.2), and a code is
spent in the same transaction as the token it gives (issue 13, defects 4 and 5)."""

from __future__ import annotations

from flask.testing import FlaskClient

from auth_server.domain.token_digests import token_digest
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import Token
from auth_server.simulator import Simulator
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange


def works(client: FlaskClient, access_token: str) -> bool:
    info = client.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {access_token}"})
    return info.status_code == 200


def test_a_replayed_code_is_refused_and_the_first_tokens_stop_working(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    code = browser.code()
    first = exchange(client, code).get_json()
    assert works(client, first["access_token"])
    replayed = exchange(client, code).get_json()
    assert replayed["error"] == "invalid_grant"
    assert not works(client, first["access_token"])
    refreshed = client.post("/v2/oauth/token/", data={
        "client_key": "partner_key", "client_secret": "partner_secret_123", "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"]}).get_json()
    assert refreshed["error"] == "invalid_grant"


def test_a_spent_code_names_the_token_it_gave(client: FlaskClient, browser: Browser, sim: Simulator) -> None:
    browser.sign_in()
    code = browser.code()
    answer = exchange(client, code).get_json()
    given = token_digest(answer["access_token"])  # what is kept of a token
    with sim.store.unit_of_work() as repo:
        spent = repo.get(AuthorizationCode, token_digest(code))
        token = repo.get(Token, given)
        assert spent is not None and spent.used_at is not None and spent.token_digest == given
        assert token is not None and token.family == given


def test_a_refused_exchange_spends_no_code(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    code = browser.code()
    wrong = exchange(client, code, redirect_uri="https://partner.example/auth/callback").get_json()
    assert "error" in wrong
    assert "access_token" in exchange(client, code).get_json()
