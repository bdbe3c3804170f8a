"""A sandbox kept in the store keeps its webhooks across a restart: the restarted server looks through the stored
sandboxes for what they wait to send, and sends it without waiting for a request to reach them."""

from __future__ import annotations

from auth_server.web import context
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.worlds.conftest import Servers
from tests.worlds.conftest import worlds_of


def test_a_webhook_a_stored_sandbox_holds_is_sent_once_the_server_restarts_without_a_request_to_it(
        servers: Servers, receiver: Receiver) -> None:
    before = servers.start()
    assert context.webhooks(before).stored_sandboxes_looked_through.wait(10)  # before there was anything to find
    made = before.test_client().post("/_sim/sandboxes", json={"data": demo_with_webhooks(receiver.url)})
    assert made.status_code == 201, made.get_data(as_text=True)
    sandbox = worlds_of(before).get(made.get_json()["id"])
    grant = authorize_seller(sandbox)  # in the sandbox's store, no request: nothing wakes this server's loop
    sandbox.shop_partner.deauthorize(grant.grant_id, grant.party_id)
    servers.stop(before)  # killed before it ever looked at the sandbox

    servers.start()

    received = receiver.wait_for(2)
    assert sorted(r.json()["shop_id"] for r in received) == ["shop_acme_gb", "shop_acme_us"]
    assert {r.json()["type"] for r in received} == {6}


def test_a_restarted_server_keeps_open_only_the_stored_sandboxes_that_wait_to_send(
        servers: Servers, receiver: Receiver) -> None:
    before = servers.start()
    quiet = before.test_client().post("/_sim/sandboxes", json={"fixtures": "demo"}).get_json()["id"]
    waiting = before.test_client().post("/_sim/sandboxes", json={"data": demo_with_webhooks(receiver.url)}).get_json()
    servers.stop(before)

    after = servers.start()

    assert context.webhooks(after).stored_sandboxes_looked_through.wait(10)
    stored = worlds_of(after).stored
    assert stored is not None and stored.opened_ids() == [waiting["id"]]
    assert quiet != waiting["id"]
