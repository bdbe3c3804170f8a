"""Each operation is one transaction: a collision is retried whole, a refusal leaves nothing half-made."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.repository import TransientConflict
from auth_server.domain.service import TRANSIENT_RETRIES
from auth_server.domain.service import LinkingService
from tests.conftest import noting


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


def counting(sim, opened: list[str]) -> LinkingService:  # noqa: ANN001
    """The same service, noting each transaction it opens: ``read`` (no write lock) or ``write``."""
    return LinkingService(noting(opened, "write", sim.store.unit_of_work), sim.clock, sim.markets,
                          reading=noting(opened, "read", sim.store.reading))


def test_a_view_with_nothing_due_is_one_read(sim, world) -> None:  # noqa: ANN001
    account = world.account("vera")
    opened: list[str] = []

    assert counting(sim, opened).get_account(account.open_id).username == "vera"
    assert opened == ["read"]


def test_a_view_settles_what_came_due_then_reads_what_it_left(sim, world) -> None:  # noqa: ANN001
    link = sim.service.start_official_link(world.shop().shop_id)
    assert link.consent_expires_at is not None
    sim.clock.set(link.consent_expires_at + timedelta(seconds=1))
    opened: list[str] = []

    seen = counting(sim, opened).get_link(link.link_id)

    assert seen.state is LinkState.EXPIRED
    assert opened == ["read", "write", "read"]


def test_an_operation_with_nothing_due_is_one_write(sim, world) -> None:  # noqa: ANN001
    shop = world.shop()
    opened: list[str] = []

    link = counting(sim, opened).start_official_link(shop.shop_id)

    assert link.state is LinkState.PENDING_CONSENT
    assert opened == ["write"]


def test_an_operation_settles_what_came_due_in_a_transaction_of_its_own_then_runs(sim, world) -> None:  # noqa: ANN001
    shop = world.shop()
    first = sim.service.start_official_link(shop.shop_id)
    assert first.consent_expires_at is not None
    sim.clock.set(first.consent_expires_at + timedelta(seconds=1))
    opened: list[str] = []

    second = counting(sim, opened).start_official_link(shop.shop_id)

    assert sim.service.get_link(first.link_id).state is LinkState.EXPIRED
    assert second.state is LinkState.PENDING_CONSENT
    assert opened == ["write", "write", "write"]  # found it due, settled it, then the operation
