"""The delivery loop visits each world that has a webhook app four times a second. A visit that finds nothing to do
takes no write lock: it reads, and writes only what it found due (with a hundred such worlds, writing on every
visit kept a core busy and took the writers' turn from requests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.delivery import Answer
from auth_server.shop_partner.delivery import WebhookOutbox
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.web.webhook_dispatch import WebhookDispatcher
from auth_server.worlds import HostedWorld
from tests.conftest import WorldBuilder
from tests.conftest import noting
from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.worlds.conftest import worlds_of


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


# --- how often the loop visits a world ----------------------------------------------------------------------------


def visits_over(dispatcher: WebhookDispatcher, world: HostedWorld, times: list[float]) -> list[float]:
    """The loop's passes at ``times`` (seconds), each world's run done at once: when ``world`` was visited."""
    visited: list[float] = []
    run_world = dispatcher.run_world

    def counted(visiting: HostedWorld) -> Any:
        visited.append(now)
        return run_world(visiting)

    dispatcher.run_world = counted  # type: ignore[method-assign]
    for now in times:
        dispatcher.visit_due(lambda run, *args: run(*args), now)
    return visited


@pytest.fixture
def dispatcher(linksim_app: Linksim, receiver: Receiver) -> WebhookDispatcher:
    load(linksim_app.world, demo_with_webhooks(receiver.url))  # an app that receives webhooks: the loop visits
    found = WebhookDispatcher(worlds_of(linksim_app.app), poll_seconds=0.25, idle_seconds=2.0, looping=False)
    assert found.wake_for(linksim_app.world)
    return found


def test_a_world_with_nothing_to_send_is_visited_less_and_less_often_down_to_every_two_seconds(
        dispatcher: WebhookDispatcher, linksim_app: Linksim) -> None:
    passes = [n * 0.25 for n in range(41)]  # ten seconds of the loop's passes

    assert visits_over(dispatcher, linksim_app.world, passes) == [0.0, 0.5, 1.5, 3.5, 5.5, 7.5, 9.5]


def test_a_request_that_may_have_left_something_to_send_brings_the_next_visit_forward(
        dispatcher: WebhookDispatcher, linksim_app: Linksim) -> None:
    visits_over(dispatcher, linksim_app.world, [n * 0.25 for n in range(41)])  # idle: the next visit at 11.5
    dispatcher.wake_for(linksim_app.world)

    assert visits_over(dispatcher, linksim_app.world, [10.25, 10.5, 10.75]) == [10.25, 10.75]


def test_a_world_that_sent_something_is_visited_again_at_the_loops_pace(
        dispatcher: WebhookDispatcher, linksim_app: Linksim, receiver: Receiver) -> None:
    visits_over(dispatcher, linksim_app.world, [n * 0.25 for n in range(41)])
    grant = authorize_seller(linksim_app.world, "seller@nordic.example")
    linksim_app.world.shop_partner.deauthorize(grant.grant_id, grant.party_id)  # by another process: no wake

    visited = visits_over(dispatcher, linksim_app.world, [11.5, 11.75, 12.0, 12.25])

    assert receiver.received  # at 11.5: then the next pass, then slower again
    assert visited == [11.5, 11.75, 12.25]


def test_a_request_during_a_visit_brings_the_next_visit_to_the_next_pass(
        dispatcher: WebhookDispatcher, linksim_app: Linksim) -> None:
    """What the request left may have come after the visit looked for it."""
    run_world, woken = dispatcher.run_world, []

    def a_request_meanwhile(visiting: HostedWorld) -> Any:
        answer = run_world(visiting)
        if not woken:
            woken.append(dispatcher.wake_for(visiting))
        return answer

    dispatcher.run_world = a_request_meanwhile  # type: ignore[method-assign]

    assert visits_over(dispatcher, linksim_app.world, [0.0, 0.25, 0.5, 0.75]) == [0.0, 0.25, 0.75]
