"""A Seller Center QR code expires with its link (O9): the market's ``qr_lifetime`` is the one clock, over real HTTP.

The shop's market gives a QR code ten minutes, twice the server's ``qr_code_lifetime`` (Login Kit's own QR login).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from auth_server.simulator import Simulator
from tests.conftest import START
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import app  # noqa: F401  (the live server's fixtures)
from tests.login_kit.conftest import holder  # noqa: F401
from tests.login_kit.conftest import live_server  # noqa: F401
from tests.login_kit.conftest import partner_app  # noqa: F401
from tests.rules.rule_helpers import markets_with

SHOP = "shop_slow_qr"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator.in_memory(start=START, markets=markets_with(slowqr={"inherits": "global",
                                                                              "qr_lifetime": "10m"}))
    yield simulator
    simulator.store.dispose()


@pytest.fixture
def shop(world: WorldBuilder) -> Any:
    return world.shop_for(CLIENT_KEY, SHOP, market="slowqr")


@pytest.fixture
def seller(live_server: str) -> dict[str, str]:  # noqa: F811
    answer = requests.post(f"{live_server}/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}, timeout=10)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def phone(live_server: str, holder: Any) -> dict[str, str]:  # noqa: F811
    answer = requests.post(f"{live_server}/api/app/sessions", json={"username": "holder", "password": PASSWORD},
                           timeout=10)
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def start_link(base: str, seller: dict[str, str]) -> dict[str, Any]:
    answer = requests.post(f"{base}/api/shops/{SHOP}/official-link", json={}, headers=seller, timeout=10)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def scan(base: str, phone: dict[str, str], link: dict[str, Any]) -> requests.Response:
    return requests.post(f"{base}/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=phone,
                         timeout=10)


def test_a_scan_after_six_minutes_works_while_the_market_gives_the_code_ten(live_server, seller, phone, shop,  # noqa: ANN001, F811
                                                                             sim) -> None:  # noqa: ANN001
    link = start_link(live_server, seller)
    sim.clock.advance("6m")

    scanned = scan(live_server, phone, link)

    assert scanned.status_code == 200, scanned.text
    consent = scanned.json()
    answered = requests.post(f"{live_server}/api/app/consents/{consent['consent_id']}",
                             json={"decision": "authorize"}, headers=phone, timeout=10)
    assert answered.status_code == 200, answered.text
    assert answered.json()["link"]["state"] == "consented"


def test_a_scan_when_the_links_window_ends_is_qr_expired_and_the_link_says_expired(live_server, seller, phone,  # noqa: ANN001, F811
                                                                                  shop, sim) -> None:  # noqa: ANN001
    link = start_link(live_server, seller)
    sim.clock.advance("10m")

    scanned = scan(live_server, phone, link)

    assert scanned.status_code == 410 and scanned.json()["code"] == "qr_expired", scanned.text
    assert link["consent_expires_at"] in scanned.json()["message"]
    seen = requests.get(f"{live_server}/api/links/{link['link_id']}", headers=seller, timeout=10).json()
    assert seen["state"] == "expired" and seen["ended_at"] == link["consent_expires_at"]


def test_the_scan_screen_opens_after_six_minutes_too(live_server, seller, shop, sim) -> None:  # noqa: ANN001, F811
    link = start_link(live_server, seller)
    sim.clock.advance("6m")
    browser = requests.Session()
    page = browser.get(f"{live_server}/app/sign-in", timeout=10).text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    browser.post(f"{live_server}/app/sign-in", data={"username": "holder", "password": PASSWORD,
                                                    "csrf_token": csrf}, timeout=10)

    screen = browser.get(link["qr"]["scan_url"], timeout=10)

    assert screen.status_code == 200, screen.text
    assert "qr_expired" not in screen.text
