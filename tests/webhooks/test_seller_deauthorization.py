"""A seller removing the app in Seller Center: the app hears of it, in TikTok Shop's type 6, signed."""

from __future__ import annotations

from tests.webhooks.conftest import APP_KEY
from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.webhooks.conftest import signature


def test_a_seller_removing_the_app_delivers_a_signed_type_6_webhook(linksim_app: Linksim, receiver: Receiver) -> None:
    world = linksim_app.world
    load(world, demo_with_webhooks(receiver.url))
    grant = authorize_seller(world)
    world.shop_partner.deauthorize(grant.grant_id, grant.party_id)

    linksim_app.deliver()

    assert len(receiver.received) == 2  # one per shop: Acme has two
    received = next(r for r in receiver.received if r.json()["shop_id"] == "shop_acme_us")
    assert received.path == "/tiktok/webhooks"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Authorization"] == signature(received.body)
    now = int(world.simulator.clock.now().timestamp())
    body = received.json()
    assert body == {"type": 6, "tts_notification_id": body["tts_notification_id"], "shop_id": "shop_acme_us",
                    "timestamp": now,
                    "data": {"message": "Shop_id shop_acme_us is deauthorized from your APP by merchant."}}
    assert body["tts_notification_id"].isdigit() and len(body["tts_notification_id"]) == 19
    shown = linksim_app.control("GET", f"/_sim/webhooks?app_key={APP_KEY}")["webhooks"]
    assert [(s["state"], s["event"], s["attempts"][0]["status"]) for s in shown] == [
        ("delivered", "SELLER_DEAUTHORIZATION", 200)] * 2
