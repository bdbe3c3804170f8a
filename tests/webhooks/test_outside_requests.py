"""Deliveries run in the background, outside the request that caused them: a receiver that hangs holds up no
request, and its attempt fails after TikTok's 3 seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from auth_server.app import create_app
from auth_server.shop_partner.models import LoginKind
from linksim.server import LiveServer
from tests.webhooks.conftest import APP_KEY
from tests.webhooks.conftest import APP_SECRET
from tests.webhooks.conftest import PASSWORD
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.webhooks.conftest import main_world


@pytest.fixture
def server(receiver: Receiver) -> Iterator[LiveServer]:
    with LiveServer(create_app()) as live:
        load(main_world(live.app), demo_with_webhooks(receiver.url))
        yield live


def webhooks(server: LiveServer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = server.session.get(f"{server.url}/_sim/webhooks", timeout=10).json()["webhooks"]
    return found


def test_a_hanging_receiver_holds_up_no_request_and_its_attempt_fails_after_3_seconds(
        server: LiveServer, receiver: Receiver) -> None:
    receiver.hang = 10
    world = main_world(server.app)
    removed = authorize_seller(world, "seller@nordic.example")
    world.shop_partner.deauthorize(removed.grant_id, removed.party_id)
    login = world.shop_partner.sign_in("seller@acme.example", PASSWORD, LoginKind.SELLER)
    offer = world.shop_partner.offer_to_login(world.shop_partner.app(APP_KEY), login)
    code = world.shop_partner.authorize(offer, login.party_id, login.region)

    # Any request that changes something wakes the delivery loop; the webhook is due now.
    started = time.monotonic()
    server.session.post(f"{server.url}/_sim/clock", json={"freeze": True}, timeout=10).raise_for_status()
    assert receiver.wait_for(1, timeout=5), "the loop sent the webhook"
    token = requests.get(f"{server.url}/api/v2/token/get", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": code, "grant_type": "authorized_code"}, timeout=10)
    answered_in = time.monotonic() - started

    assert token.json()["code"] == 0 and token.json()["data"]["access_token"]
    assert answered_in < 2, "the token request did not wait for the receiver"
    deadline = time.monotonic() + 10
    while not webhooks(server)[0]["attempts"] and time.monotonic() < deadline:
        time.sleep(0.1)
    [attempt] = webhooks(server)[0]["attempts"]
    assert attempt["outcome"] == "failed" and attempt["error"] == "timeout" and attempt["status"] is None
    assert 2900 <= attempt["elapsed_ms"] < 5000
