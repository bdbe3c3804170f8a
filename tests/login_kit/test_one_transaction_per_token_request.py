"""A token request is one transaction: the client's look-up, the code's or refresh token's, and the token kept are
read and written together, so nothing is seen half-made and the request takes the database's write lock once. A
user info request reads its token, the token's app and the account in one transaction that takes no write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server.domain.repository import TransientConflict
from auth_server.domain.service import LinkingService
from auth_server.oauth.records import OAuthStore
from auth_server.shop_partner.authorizations import seller_authorized_partner_app
from auth_server.web.context import WORLDS
from tests.conftest import noting
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange


@pytest.fixture
def transactions(app: Flask) -> list[str]:
    """The transactions the main world's Login Kit server and linking service open from here on, each named
    ``write`` or ``read``."""
    opened: list[str] = []
    world = app.extensions[WORLDS].main
    sim, store = world.simulator, world.simulator.store
    writing, reading = noting(opened, "write", store.unit_of_work), noting(opened, "read", store.reading)

    world.login_kit.oauth_store = OAuthStore(writing, sim.clock, reading=reading)
    sim.service = LinkingService(writing, sim.clock, sim.markets, reading=reading,
                                 seller_authorized_app=seller_authorized_partner_app)
    return opened


def test_a_client_credentials_request_is_one_transaction(client: FlaskClient, transactions: list[str]) -> None:
    answer = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                   "grant_type": "client_credentials"})

    assert answer.get_json()["access_token"].startswith("clt.")
    assert transactions == ["write"]


def test_a_code_exchange_is_one_transaction(browser: Browser, client: FlaskClient, transactions: list[str]) -> None:
    browser.sign_in()
    code = browser.code()
    transactions.clear()

    answer = exchange(client, code)

    assert answer.get_json()["access_token"].startswith("act.")
    assert transactions == ["write"]


def test_a_replayed_code_in_its_one_transaction_still_revokes_what_it_gave(
        browser: Browser, client: FlaskClient, transactions: list[str]) -> None:
    browser.sign_in()
    code = browser.code()
    first = exchange(client, code).get_json()
    transactions.clear()

    replay = exchange(client, code).get_json()

    assert replay["error"] == "invalid_grant"
    assert transactions == ["write"]
    user_info = client.get("/v2/user/info/?fields=open_id",
                           headers={"Authorization": f"Bearer {first['access_token']}"}).get_json()
    assert user_info["error"]["code"] == "access_token_invalid"


def test_a_user_info_request_reads_its_token_app_and_account_in_one_transaction(
        browser: Browser, client: FlaskClient, transactions: list[str]) -> None:
    browser.sign_in()
    token = exchange(client, browser.code()).get_json()["access_token"]
    transactions.clear()

    answer = client.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {token}"})

    assert answer.get_json()["data"]["user"]["open_id"]
    assert transactions == ["read"]


def test_a_token_request_that_keeps_colliding_is_answered_503_to_send_again(app: Flask, client: FlaskClient) -> None:
    world = app.extensions[WORLDS].main

    @contextmanager
    def colliding() -> Iterator[Any]:
        raise TransientConflict("deadlock detected")
        yield  # a generator, never reached

    world.login_kit.oauth_store = OAuthStore(colliding, world.simulator.clock, reading=colliding)

    answer = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                   "grant_type": "client_credentials"})

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert "send the request again" in answer.get_json()["error_description"]
