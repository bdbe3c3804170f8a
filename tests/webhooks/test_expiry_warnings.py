"""Type 7, UPCOMING_AUTHORIZATION_EXPIRATION: from 30 days before an authorization ends, then every day at 0:00 on
the world's clock, until the seller authorizes the app again."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.webhooks.conftest import signature


def warnings(receiver: Receiver, shop_id: str = "shop_nordic_gb") -> list[tuple[str, str]]:
    """Each warning received for ``shop_id``: when it was made (its timestamp, UTC) and its message. Every demo
    seller authorized the demo app at start (demo.yaml), so the other demo shops are warned of too."""
    bodies = [r.json() for r in receiver.received]
    assert all(b["type"] == 7 for b in bodies)
    return [(datetime.fromtimestamp(b["timestamp"], UTC).strftime("%Y-%m-%d %H:%M"), b["data"]["message"])
            for b in bodies if b["shop_id"] == shop_id]


def test_expiry_warnings_start_30_days_before_then_come_daily_at_midnight_until_reauthorized(
        linksim_app: Linksim, receiver: Receiver) -> None:
    world = linksim_app.world
    load(world, demo_with_webhooks(receiver.url))
    grant = authorize_seller(world, "seller@nordic.example")  # 2026-03-02 09:00, for 365 days
    assert grant.expires_at is not None and grant.expires_at.isoformat() == "2027-03-02T09:00:00+00:00"

    linksim_app.control("POST", "/_sim/clock", {"set": "2027-01-31T08:59:59Z"})
    linksim_app.deliver()
    assert receiver.received == []
    linksim_app.advance("1s")
    linksim_app.deliver()
    linksim_app.control("POST", "/_sim/clock", {"set": "2027-02-02T12:00:00Z"})  # two midnights passed
    linksim_app.deliver()

    assert warnings(receiver) == [
        ("2027-01-31 09:00", "Authorization of shop_id shop_nordic_gb is expiring in 30 days. "
                             "Please direct the merchant to re-authorize."),
        ("2027-02-01 00:00", "Authorization of shop_id shop_nordic_gb is expiring in 29 days. "
                             "Please direct the merchant to re-authorize."),
        ("2027-02-02 00:00", "Authorization of shop_id shop_nordic_gb is expiring in 28 days. "
                             "Please direct the merchant to re-authorize."),
    ]
    first = next(r for r in receiver.received if r.json()["shop_id"] == "shop_nordic_gb")
    assert first.headers["Authorization"] == signature(first.body)
    assert first.json()["data"]["expiration_time"] == str(int(grant.expires_at.timestamp()))

    authorize_seller(world, "seller@nordic.example")  # re-authorized: a new year
    linksim_app.advance("3d")
    linksim_app.deliver()
    assert len(warnings(receiver)) == 3
