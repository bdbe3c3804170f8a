"""After a request, a world is looked at for what its delivery loop would send. A world in this process's memory,
which no other process writes, is read again only once this process wrote to its outbox or its Shop apps (or
started it over); a world in a database that other processes share is read every time."""

from __future__ import annotations

from auth_server.shop_partner import webhooks
from auth_server.shop_partner.delivery import WebhookOutbox
from auth_server.shop_partner.models import ShopApp
from auth_server.simulator import Simulator
from auth_server.store import Store
from tests.conftest import START
from tests.conftest import WorldBuilder
from tests.conftest import noting


def counting_outbox(store: Store, sim: Simulator, reads: list[str], *, in_memory: bool) -> WebhookOutbox:
    return WebhookOutbox(store.unit_of_work, sim.clock, reading=noting(reads, "read", store.reading),
                         written=store.write_mark if in_memory else None)


def test_a_world_in_memory_with_nothing_to_send_is_not_read_again_while_its_outbox_and_apps_are_unwritten(
        sim: Simulator, world: WorldBuilder) -> None:
    reads: list[str] = []
    outbox = counting_outbox(sim.store, sim, reads, in_memory=True)
    world.shop_app_of("partner_key")  # an app that receives no webhooks

    assert outbox.needs_loop() is False
    world.account("someone")  # written elsewhere in the store
    assert outbox.needs_loop() is False
    assert reads == ["read"]


def test_a_webhook_queued_after_the_last_look_is_found(sim: Simulator, world: WorldBuilder) -> None:
    outbox = counting_outbox(sim.store, sim, [], in_memory=True)
    app = world.shop_app_of("partner_key")
    assert outbox.needs_loop() is False

    app.webhook_url = "http://127.0.0.1:9/hooks"  # this copy only: the stored app still has none
    with sim.store.unit_of_work() as repo:
        webhooks.shop_webhook(repo, app, "TEST", {"data": {}}, START)

    assert outbox.needs_loop() is True


def test_an_app_given_a_webhook_url_after_the_last_look_is_found(sim: Simulator, world: WorldBuilder) -> None:
    outbox = counting_outbox(sim.store, sim, [], in_memory=True)
    app_key = world.shop_app_of("partner_key").app_key
    assert outbox.needs_loop() is False

    with sim.store.unit_of_work() as repo:
        stored: ShopApp | None = repo.get(ShopApp, app_key, lock=True)
        assert stored is not None
        stored.webhook_url = "http://127.0.0.1:9/hooks"

    assert outbox.needs_loop() is True


def test_a_world_started_over_is_looked_at_again(sim: Simulator, world: WorldBuilder) -> None:
    reads: list[str] = []
    outbox = counting_outbox(sim.store, sim, reads, in_memory=True)
    snapshot = sim.store.copy()
    assert outbox.needs_loop() is False

    sim.store.restore(snapshot)
    snapshot.dispose()

    assert outbox.needs_loop() is False
    assert reads == ["read", "read"]


def test_a_world_in_a_shared_database_is_read_every_time(database_world: WorldBuilder, database: Store) -> None:
    reads: list[str] = []
    outbox = counting_outbox(database, database_world.sim, reads, in_memory=False)

    assert outbox.needs_loop() is False
    assert outbox.needs_loop() is False  # another process may have queued one meanwhile
    assert reads == ["read", "read"]
