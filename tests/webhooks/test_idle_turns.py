"""The delivery loop visits each world that has a webhook app four times a second. A visit that finds nothing to do
takes no write lock: it reads, and writes only what it found due (with a hundred such worlds, writing on every
visit kept a core busy and took the writers' turn from requests)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.delivery import Answer
from auth_server.shop_partner.delivery import WebhookOutbox
from auth_server.shop_partner.models import WebhookDelivery
from tests.conftest import WorldBuilder
from tests.conftest import noting


def never_sent(delivery: WebhookDelivery) -> Answer:
    raise AssertionError(f"nothing was due, yet {delivery.delivery_id} was sent")


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def watched(database_world: WorldBuilder, opened: list[str]) -> tuple[ShopAuthorizations, WebhookOutbox]:
    """A world with an app that receives webhooks (of the linking events too), seen through its loop's parts, each
    transaction they open noted."""
    app = database_world.shop_app_of("partner_key")
    with database_world.sim.store.unit_of_work() as repo:
        stored = repo.get(type(app), app.app_key, lock=True)
        stored.webhook_url, stored.events = "http://127.0.0.1:9/hooks", ["LINK_ACTIVE"]
    store, clock = database_world.sim.store, database_world.sim.clock
    writing, reading = noting(opened, "write", store.unit_of_work), noting(opened, "read", store.reading)
    return (ShopAuthorizations(writing, clock, reading=reading),
            WebhookOutbox(writing, clock, reading=reading))


def test_no_expiry_warning_due_takes_no_write_lock(database_world: WorldBuilder,
                                                    watched: tuple[ShopAuthorizations, WebhookOutbox],
                                                    opened: list[str]) -> None:
    shop_partner, _ = watched
    database_world.shop_for("partner_key", "shop_us")  # its seller's authorization ends in a year
    opened.clear()

    assert shop_partner.warn_of_expiry() == 0
    assert "write" not in opened


def test_no_new_linking_event_takes_no_write_lock(watched: tuple[ShopAuthorizations, WebhookOutbox],
                                                  opened: list[str]) -> None:
    _, outbox = watched
    outbox.queue_linking_events()  # the events so far: the cursor moves past them
    opened.clear()

    assert outbox.queue_linking_events() == 0
    assert "write" not in opened


def test_no_delivery_due_takes_no_write_lock(watched: tuple[ShopAuthorizations, WebhookOutbox],
                                             opened: list[str]) -> None:
    _, outbox = watched
    assert outbox.deliver_due(never_sent) == []
    assert "write" not in opened


def test_a_warning_that_came_due_is_made(database_world: WorldBuilder,
                                         watched: tuple[ShopAuthorizations, WebhookOutbox],
                                         opened: list[str]) -> None:
    shop_partner, _ = watched
    database_world.shop_for("partner_key", "shop_us")
    database_world.sim.clock.advance(timedelta(days=335))  # type: ignore[attr-defined]  # 30 days before its end
    opened.clear()

    assert shop_partner.warn_of_expiry() == 1
    assert "write" in opened
