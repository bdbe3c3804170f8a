"""What a request of the app's API asks of the linking service: the signed-in session and its account are read
together, in one transaction that takes no write lock; a sign-in and its session are one operation, and so is a
scan, which answers the shop the consent screen shows too."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.service import LinkingService
from auth_server.shop_partner.authorizations import seller_authorized_partner_app
from auth_server.simulator import Simulator
from tests.app_api.conftest import start_qr_link
from tests.conftest import noting
from tests.login_kit.conftest import PASSWORD


@pytest.fixture
def transactions(sim: Simulator) -> list[str]:
    """The transactions the world's linking service opens from here on, each named ``write`` or ``read``."""
    opened: list[str] = []

    sim.service = LinkingService(noting(opened, "write", sim.store.unit_of_work), sim.clock, sim.markets,
                                 reading=noting(opened, "read", sim.store.reading),
                                 seller_authorized_app=seller_authorized_partner_app)
    return opened


def test_a_signed_in_request_reads_its_session_and_account_in_one_read(
        client: FlaskClient, phone: dict[str, str], transactions: list[str]) -> None:
    answer = client.get("/api/app/me", headers=phone)

    assert answer.status_code == 200 and answer.get_json()["username"] == "holder"
    assert transactions == ["read"]


def test_a_scan_is_the_session_read_then_one_operation(client: FlaskClient, phone: dict[str, str],
                                                       seller: dict[str, str], shop: Any,
                                                       transactions: list[str]) -> None:
    link = start_qr_link(client, seller)
    transactions.clear()

    answer = client.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=phone)

    assert answer.status_code == 200 and answer.get_json()["shop"]["name"] == "App Shop"
    assert transactions == ["read", "write"]


def test_a_password_sign_in_and_its_session_are_one_operation(client: FlaskClient, holder: Any,
                                                              transactions: list[str]) -> None:
    answer = client.post("/api/app/sessions", json={"username": "holder", "password": PASSWORD})

    assert answer.status_code == 201 and answer.get_json()["account"]["username"] == "holder"
    assert transactions == ["write"]


def test_a_wrong_password_is_counted_in_its_one_operation(client: FlaskClient, holder: Any,
                                                          transactions: list[str]) -> None:
    answer = client.post("/api/app/sessions", json={"username": "holder", "password": "not it"})

    assert answer.get_json()["code"] == "invalid_credentials"
    assert transactions == ["write"]
