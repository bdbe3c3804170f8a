"""A read takes no write lock: on a SQLite file (WAL), reads go ahead while a write transaction is under way, and
see what was committed before it. Only writers queue for the database's one write lock."""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from pathlib import Path

from auth_server.domain.clock import ManualClock
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.simulator import Simulator
from auth_server.simulator import open_store

WAIT_SECONDS = 5  # far below the busy timeout a write would wait for the lock


def _with_a_shop(tmp_path: Path) -> Simulator:
    sim = Simulator(open_store(f"sqlite:///{tmp_path / 'linksim.db'}"),
                    clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    with sim.store.unit_of_work() as repo:
        repo.add(Seller(seller_id="seller_a", name="A", entity_id="ENT-A"))
        repo.add(Shop(shop_id="shop_a", seller_id="seller_a", name="Shop A", region="US", market="global"))
    return sim


def _while_a_write_is_under_way(sim: Simulator, read: object) -> list[object]:
    """Run ``read`` in another thread while this one holds a write transaction open; what it read, if it finished."""
    answers: list[object] = []
    with sim.store.unit_of_work() as writing:
        writing.set_setting("held", True)
        writing.flush()  # the write lock is taken now, and held until the block ends
        reader = threading.Thread(target=lambda: answers.append(read()))  # type: ignore[operator]
        reader.start()
        reader.join(WAIT_SECONDS)
        finished = list(answers)
    reader.join()
    return finished


def test_the_stores_reading_transaction_goes_ahead_while_a_write_is_under_way(tmp_path: Path) -> None:
    sim = _with_a_shop(tmp_path)

    def read() -> object:
        with sim.store.reading() as repo:
            return [shop.shop_id for shop in repo.shops()]

    assert _while_a_write_is_under_way(sim, read) == [["shop_a"]]
    sim.store.dispose()


def test_a_view_of_the_service_goes_ahead_while_a_write_is_under_way(tmp_path: Path) -> None:
    sim = _with_a_shop(tmp_path)

    assert _while_a_write_is_under_way(sim, lambda: sim.service.get_shop("shop_a").name) == ["Shop A"]
    sim.store.dispose()

