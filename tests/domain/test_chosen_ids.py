"""An id a caller chooses (a link's, an invitation's) that is already used is a conflict with what exists (409
``id_taken``), not a malformed request: the same id was fine a moment before."""

from __future__ import annotations

import pytest

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from tests.conftest import WorldBuilder


def test_a_link_id_already_used_is_taken(world: WorldBuilder) -> None:
    first, second = world.shop(), world.shop()
    world.service.start_official_link(first.shop_id, link_id="lnk_chosen")
    with pytest.raises(Refused) as refused:
        world.service.start_official_link(second.shop_id, link_id="lnk_chosen")
    assert refused.value.code == codes.ID_TAKEN
    assert codes.CATALOGUE[codes.ID_TAKEN].kind is codes.Kind.RULE


def test_a_product_id_already_used_is_taken(world: WorldBuilder) -> None:
    shop = world.shop()
    world.product(shop, "prod_chosen")
    with pytest.raises(Refused) as refused:
        world.service.add_product(shop.shop_id, "prod_chosen", "A second product")
    assert refused.value.code == codes.ID_TAKEN
