"""The app stub against a mocked server (``responses``) and against a live linksim server in a thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import qrcode
import requests

from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import account_with_password
from tests.login_kit.conftest import app  # noqa: F401  (the live server and what it needs, from the Login Kit tests)
from tests.login_kit.conftest import holder  # noqa: F401
from tests.login_kit.conftest import live_server  # noqa: F401
from tests.login_kit.conftest import partner_app  # noqa: F401

BASE = "http://linksim.test"
SHOP = "shop_e2e"


class NoSleep:
    """An injectable ``sleep`` that records how long it was asked to wait, and does not."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def no_sleep() -> NoSleep:
    return NoSleep()


def write_qr_png(path: Path, text: str) -> Path:
    qrcode.make(text, box_size=8, border=4).save(path, format="PNG")
    return path


class Seller:
    """The seller's side over HTTP, as a seller's tool drives it: a client token, then the linking API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        token = requests.post(f"{base_url}/v2/oauth/token/", data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"},
            timeout=10).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.base_url}{path}", headers=self.headers, timeout=10, **kwargs)
        return response.json() if response.headers.get("Content-Type", "").startswith("application/json") else (
            response)

    def start_qr_link(self, shop_id: str = SHOP) -> dict[str, Any]:
        return dict(self.call("POST", f"/api/shops/{shop_id}/official-link", json={}))

    def save_qr_png(self, link_id: str, path: Path) -> Path:
        response = requests.get(f"{self.base_url}/api/links/{link_id}/qr.png", headers=self.headers, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
        path.write_bytes(response.content)
        return path

    def link(self, link_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/links/{link_id}"))

    def accept_terms(self, link_id: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/api/links/{link_id}/terms", json={"accepted": True}))


@pytest.fixture
def seller(live_server: str) -> Seller:  # noqa: F811
    return Seller(live_server)


@pytest.fixture
def shop(world: WorldBuilder) -> Any:
    return world.shop_for(CLIENT_KEY, SHOP, name="E2E Shop")


def holder_with_password(world: WorldBuilder, username: str, **fields: Any) -> Any:
    account = world.account(username, **fields)
    account_with_password(world, account)
    return account
