"""A row a transaction took under its lock is read once: asked for under the lock again in the same transaction, it
is the copy the transaction already holds, which no other transaction can have changed meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from auth_server.simulator import Simulator
from auth_server.store import Store
from tests.conftest import WorldBuilder


@contextmanager
def selects(store: Store) -> Iterator[list[str]]:
    """The SELECT statements the store sends in the block."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            sent.append(sql)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def test_a_row_taken_under_the_lock_twice_in_a_transaction_is_read_once(sim: Simulator, world: WorldBuilder) -> None:
    shop = world.shop()
    with sim.store.unit_of_work() as repo, selects(sim.store) as sent:
        first = repo.shop(shop.shop_id, lock=True)
        again = repo.shop(shop.shop_id, lock=True)

    assert again is first
    assert len(sent) == 1


def test_a_row_read_without_the_lock_is_read_again_when_it_is_locked(sim: Simulator, world: WorldBuilder) -> None:
    shop = world.shop()
    with sim.store.unit_of_work() as repo, selects(sim.store) as sent:
        repo.shop(shop.shop_id)
        repo.shop(shop.shop_id, lock=True)  # another transaction may have changed it before the lock was ours

    assert len(sent) == 2


def test_a_row_locked_in_one_transaction_is_read_again_in_the_next(sim: Simulator, world: WorldBuilder) -> None:
    shop = world.shop()
    with sim.store.unit_of_work() as repo:
        repo.shop(shop.shop_id, lock=True)
    with sim.store.unit_of_work() as repo, selects(sim.store) as sent:
        repo.shop(shop.shop_id, lock=True)

    assert len(sent) == 1


def test_a_locked_row_removed_in_the_transaction_is_gone_when_asked_again(sim: Simulator, world: WorldBuilder) -> None:
    shop = world.shop()
    with sim.store.unit_of_work() as repo:
        repo.remove(repo.shop(shop.shop_id, lock=True))

        assert repo.shop(shop.shop_id, lock=True) is None
