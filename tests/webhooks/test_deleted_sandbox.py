"""A sandbox deleted while one of its webhooks is on its way: nothing breaks, and the other worlds' webhooks go on."""

from __future__ import annotations

import logging
import time

import pytest

from auth_server import fixtures
from auth_server.app import create_app
from linksim.server import LiveServer
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.webhooks.conftest import main_world


def test_deleting_a_sandbox_during_its_delivery_breaks_nothing(
        receiver: Receiver, other_receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    receiver.hang = 1.5
    with LiveServer(create_app()) as server:
        worlds = server.app.extensions["linksim_worlds"]
        sandbox = worlds.create("sbx_deleted", data=fixtures.validate(demo_with_webhooks(receiver.url)))
        grant = authorize_seller(sandbox, "seller@nordic.example")
        sandbox.shop_partner.deauthorize(grant.grant_id, grant.party_id)
        server.session.post(f"{server.url}/sandboxes/sbx_deleted/_sim/clock", json={"freeze": True}, timeout=10)
        assert receiver.wait_for(1, timeout=5)
        server.session.delete(f"{server.url}/_sim/sandboxes/sbx_deleted", timeout=10).raise_for_status()
        time.sleep(receiver.hang + 0.5)  # the attempt ends, in a world that is gone

        main = main_world(server.app)
        load(main, demo_with_webhooks(other_receiver.url))
        grant = authorize_seller(main, "seller@nordic.example")
        main.shop_partner.deauthorize(grant.grant_id, grant.party_id)
        server.session.post(f"{server.url}/_sim/clock", json={"freeze": True}, timeout=10)

        assert other_receiver.wait_for(1, timeout=5), "the loop goes on for the other worlds"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
