"""A refused refresh changes nothing (issue 13, defect 3): another app presenting the owner's refresh token, or the
owner asking for a scope wider than it was granted, is refused, and the owner's access and refresh tokens still work."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.accounts import hash_secret
from auth_server.oauth.models import PartnerApp
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import ALL_SCOPES
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange

OTHER_KEY, OTHER_SECRET = "other_app", "other-app-secret"


@pytest.fixture
def owners(browser: Browser, world: WorldBuilder) -> dict[str, Any]:
    """The holder's tokens for the partner app, granted user.info.basic and user.info.profile only."""
    world._add(PartnerApp(client_key=OTHER_KEY, client_secret_hash=hash_secret(OTHER_SECRET), name="Other app",
                          redirect_uris=["https://other.example/cb"], scopes=ALL_SCOPES))
    browser.sign_in()
    tokens: dict[str, Any] = exchange(browser.client, browser.code(
        scopes=["user.info.basic", "user.info.profile"])).get_json()
    return tokens


def refresh(client: FlaskClient, refresh_token: str, *, key: str = CLIENT_KEY, secret: str = CLIENT_SECRET,
            **extra: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.post("/v2/oauth/token/", data={
        "client_key": key, "client_secret": secret, "grant_type": "refresh_token", "refresh_token": refresh_token,
        **extra}).get_json()
    return answer


def still_works(client: FlaskClient, tokens: dict[str, Any]) -> bool:
    info = client.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    return info.status_code == 200 and "access_token" in refresh(client, tokens["refresh_token"])


def test_another_apps_credentials_are_refused_and_the_owners_tokens_live_on(client: FlaskClient,
                                                                            owners: dict[str, Any]) -> None:
    refused = refresh(client, owners["refresh_token"], key=OTHER_KEY, secret=OTHER_SECRET)
    assert refused["error"] == "invalid_grant"
    assert still_works(client, owners)


def test_a_scope_wider_than_granted_is_refused_and_the_tokens_live_on(client: FlaskClient,
                                                                      owners: dict[str, Any]) -> None:
    refused = refresh(client, owners["refresh_token"], scope="user.info.basic,user.info.stats")
    assert refused["error"] == "invalid_scope"
    assert still_works(client, owners)
