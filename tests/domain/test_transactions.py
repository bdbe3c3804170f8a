"""Each operation is one transaction: a collision is retried whole, a refusal leaves nothing half-made."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from auth_server.domain.errors import Refused
from auth_server.domain.repository import TransientConflict
from auth_server.domain.service import TRANSIENT_RETRIES
from auth_server.domain.service import LinkingService


def colliding(sim, collisions: int) -> LinkingService:  # noqa: ANN001
    """The same service, on a unit of work that collides ``collisions`` times at commit before it succeeds."""
    left = [collisions]

    @contextmanager
    def unit_of_work():  # noqa: ANN202
        with sim.store.unit_of_work() as repo:
            yield repo
            if left[0] > 0:
                left[0] -= 1
                raise TransientConflict("deadlock detected")

    return LinkingService(unit_of_work, sim.clock, sim.markets)


def test_an_operation_that_collides_is_run_again_and_done_once(sim, world) -> None:  # noqa: ANN001
    shop = world.shop()
    service = colliding(sim, collisions=2)
    link = service.start_official_link(shop.shop_id)
    assert [x.link_id for x in sim.service.links(shop_id=shop.shop_id)] == [link.link_id]


def test_an_operation_that_keeps_colliding_gives_up(sim, world) -> None:  # noqa: ANN001
    shop = world.shop()
    service = colliding(sim, collisions=TRANSIENT_RETRIES)
    with pytest.raises(TransientConflict):
        service.start_official_link(shop.shop_id)
    assert sim.service.links(shop_id=shop.shop_id) == []


def test_a_refused_organization_account_is_not_created(world) -> None:  # noqa: ANN001
    shop = world.shop(region="US")
    world.link_official(shop, world.account())
    with pytest.raises(Refused) as refused:
        world.service.create_organization_account(shop.shop_id, username="neworg")
    assert refused.value.codes == ["official_slot_taken"]
    with pytest.raises(Refused):
        world.service.get_account_by_username("neworg")


def test_a_refused_invitation_is_not_sent(world) -> None:  # noqa: ANN001
    shop = world.shop()
    account = world.account(verification=world.account().verification.UNVERIFIED)
    with pytest.raises(Refused):
        world.service.invite_marketing_account(shop.shop_id, account.open_id)
    assert world.service.invitations(open_id=account.open_id) == []
