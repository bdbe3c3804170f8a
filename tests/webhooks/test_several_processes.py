"""Several processes on one database (``linksim serve --workers N``) each run a delivery loop: an attempt is claimed
in the store before it is sent, so no webhook goes out twice, and a claim left by a process that died expires.

Each outbox here has a store (an engine, a pool) of its own on the same database, as each worker process has."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest

from auth_server.domain.clock import ManualClock
from auth_server.shop_partner import webhooks
from auth_server.shop_partner.delivery import CLAIM
from auth_server.shop_partner.delivery import Answer
from auth_server.shop_partner.delivery import WebhookOutbox
from auth_server.shop_partner.delivery import send_stored
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.store import Store
from tests.conftest import START
from tests.conftest import WorldBuilder
from tests.webhooks.conftest import Receiver

WEBHOOKS = 40


class ProcessDied(BaseException):
    """What a killed process leaves: nothing after the send it was in."""


@pytest.fixture
def second_store(database: Store) -> Iterator[Store]:
    store = Store(database.url.render_as_string(hide_password=False))
    yield store
    store.dispose()


def queue(world: WorldBuilder, url: str, count: int) -> None:
    app = world.shop_app_of("partner_key")
    app.webhook_url = url
    with world.sim.store.unit_of_work() as repo:
        for n in range(count):
            webhooks.shop_webhook(repo, app, "TEST", {"data": {"n": n}}, START)


def outbox(store: Store, wall: ManualClock | None = None) -> WebhookOutbox:
    return WebhookOutbox(store.unit_of_work, ManualClock(START), reading=store.reading,
                         **({"wall_clock": wall.now} if wall else {}))


def test_two_processes_on_one_database_send_each_webhook_once(database_world: WorldBuilder, second_store: Store,
                                                               receiver: Receiver) -> None:
    queue(database_world, receiver.url, WEBHOOKS)
    receiver.hang = 0.01  # each attempt takes a while: the two loops overlap all along
    outboxes = [outbox(database_world.sim.store), outbox(second_store)]
    made: list[int] = []
    threads = [threading.Thread(target=lambda o=o: made.append(len(o.deliver_due(send_stored)))) for o in outboxes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    sent = Counter(json.loads(r.body)["data"]["n"] for r in receiver.received)
    assert sent == Counter(range(WEBHOOKS))  # every one, once
    assert sum(made) == WEBHOOKS and all(made), "both processes delivered a share"
    with second_store.unit_of_work() as repo:
        rows: list[WebhookDelivery] = repo.all_of(WebhookDelivery, order_by="created_at")
    assert [len(row.attempts) for row in rows] == [1] * WEBHOOKS and all(row.delivered_at for row in rows)


def test_a_webhook_claimed_by_a_process_that_died_is_sent_by_another_once_the_claim_expires(
        database_world: WorldBuilder, second_store: Store, receiver: Receiver) -> None:
    queue(database_world, receiver.url, 1)
    wall = ManualClock(datetime.now(UTC))

    def dies(_delivery: WebhookDelivery) -> Answer:
        raise ProcessDied

    with pytest.raises(ProcessDied):
        outbox(database_world.sim.store, wall).deliver_due(dies)
    survivor = outbox(second_store, wall)
    assert survivor.deliver_due(send_stored) == []  # claimed, and the claim still holds
    wall.advance(CLAIM)
    assert len(survivor.deliver_due(send_stored)) == 1
    assert len(receiver.received) == 1
