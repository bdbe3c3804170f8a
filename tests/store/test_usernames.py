"""The usernames the rules name accounts by (a shop's linked accounts): read together, in one statement."""

from __future__ import annotations

from auth_server.simulator import Simulator
from tests.conftest import WorldBuilder
from tests.store.test_locked_rows import selects


def test_the_usernames_of_several_accounts_are_one_statement_and_leave_out_those_not_there(
        sim: Simulator, world: WorldBuilder) -> None:
    ada, bo = world.account("ada"), world.account("bo")
    with sim.store.unit_of_work() as repo, selects(sim.store) as sent:
        found = repo.usernames({ada.open_id, bo.open_id, "oid_nobody"})

    assert found == {ada.open_id: "ada", bo.open_id: "bo"}
    assert len(sent) == 1
