"""Whether a seller authorized a partner app, asked on every call of the linking API, is one statement: the seller's
authorizations of the app's Shop apps, read together."""

from __future__ import annotations

from auth_server.shop_partner.authorizations import seller_authorized_partner_app
from auth_server.simulator import Simulator
from tests.conftest import START
from tests.conftest import WorldBuilder
from tests.store.test_locked_rows import selects


def test_a_sellers_authorization_of_a_partner_app_is_read_in_one_statement(sim: Simulator, world: WorldBuilder) -> None:
    shop = world.shop_for("partner_key")
    with sim.store.unit_of_work() as repo, selects(sim.store) as sent:
        authorized = seller_authorized_partner_app(repo, "partner_key", shop.seller_id, START)
        stranger = seller_authorized_partner_app(repo, "stranger_key", shop.seller_id, START)

    assert authorized and not stranger
    assert len(sent) == 2  # one each
