"""The app API through Flask's test client: a signed-in phone, a seller with a client token, a shop."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import account_with_password
from tests.login_kit.conftest import app  # noqa: F401  (fixtures of the Login Kit tests, shared)
from tests.login_kit.conftest import client  # noqa: F401
from tests.login_kit.conftest import holder  # noqa: F401
from tests.login_kit.conftest import partner_app  # noqa: F401

SHOP = "shop_app"
PERMISSIONS = ["profile_information", "content", "audience_data"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(http: FlaskClient, username: str = "holder", password: str = PASSWORD) -> dict[str, str]:
    response = http.post("/api/app/sessions", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_data(as_text=True)
    return bearer(response.get_json()["token"])


def another_holder(world: WorldBuilder, username: str = "other", **fields: Any) -> Any:
    account = world.account(username, **fields)
    account_with_password(world, account)
    return account


@pytest.fixture
def phone(client: FlaskClient, holder: Any) -> dict[str, str]:  # noqa: F811
    """The holder's app, signed in: its Authorization header."""
    return sign_in(client)


@pytest.fixture
def seller(client: FlaskClient) -> dict[str, str]:  # noqa: F811
    token = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                  "grant_type": "client_credentials"}).get_json()["access_token"]
    return bearer(token)


@pytest.fixture
def shop(world: WorldBuilder) -> Any:
    return world.shop_for(CLIENT_KEY, SHOP, name="App Shop")


def start_qr_link(http: FlaskClient, seller: dict[str, str], shop_id: str = SHOP) -> dict[str, Any]:
    response = http.post(f"/api/shops/{shop_id}/official-link", json={}, headers=seller)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def refusal(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert a JSON refusal with ``status`` and ``code`` in the shape of every refusal; answer its body."""
    body = response.get_json()
    assert response.status_code == status, response.get_data(as_text=True)
    assert body is not None and body["code"] == code, body
    assert body["message"] and body["violations"][0]["code"] == code
    return body
