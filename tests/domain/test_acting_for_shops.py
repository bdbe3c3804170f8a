"""Whom a partner app acts for: the sellers who authorized its TikTok Shop app (a grant in force), for all their
shops. Callers that name no partner app (the command line, the data files, Seller Center's screens, the controls)
act as the seller on any shop. The link-level rule (an app sees only the links it started) is
tests/domain/test_partner_apps_acting.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.errors import Refused
from auth_server.domain.links import partner_actor
from auth_server.domain.service import LinkingService
from auth_server.shop_partner.models import ShopApp

APP = partner_actor("app_a")


def refusal_of(action) -> Refused:  # noqa: ANN001
    with pytest.raises(Refused) as refused:
        action()
    return refused.value


def test_a_partner_app_no_seller_authorized_is_refused_with_what_to_do(world) -> None:  # noqa: ANN001
    shop = world.shop("shop_x", seller=world.seller("seller_x"))
    refused = refusal_of(lambda: world.service.start_official_link(shop.shop_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]
    assert refused.kind == "denied"
    assert refused.violations[0].details == {"client_key": "app_a", "subject": "the shop shop_x",
                                             "seller_id": "seller_x"}
    assert refused.violations[0].message.startswith(
        "The partner app app_a may not act for the shop shop_x: the seller seller_x has not authorized it")


def test_the_seller_acts_on_any_shop_without_authorizing_anything(world) -> None:  # noqa: ANN001
    shop = world.shop()
    assert world.service.start_official_link(shop.shop_id).created_by == "seller"
    assert world.service.rename_shop(shop.shop_id, "Renamed", actor="seller").name == "Renamed"


def test_a_partner_app_acts_for_the_shops_of_the_seller_who_authorized_it(world) -> None:  # noqa: ANN001
    shop = world.shop_for("app_a")
    assert world.service.start_official_link(shop.shop_id, actor=APP).created_by == APP


def test_another_sellers_authorization_does_not_count(world) -> None:  # noqa: ANN001
    world.shop_for("app_a")
    elsewhere = world.shop()
    refused = refusal_of(lambda: world.service.linked_accounts(elsewhere.shop_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]


def test_the_authorization_counts_for_every_shop_of_the_seller_even_outside_the_apps_markets(world) -> None:  # noqa: ANN001
    """The linking API acts for the seller: the Shop app's markets limit the shops its Partner API calls reach, not
    the shops the seller links accounts to (the demo's Seoul shop is refused by rule O1, not by this one)."""
    seller = world.seller()
    us_shop = world.shop(seller=seller)
    with world.sim.store.unit_of_work() as repo:
        repo.get(ShopApp, world.shop_app_of("app_a").app_key).markets = ["US"]  # the app serves the US only
    world.authorize_partner_app("app_a", us_shop)
    seoul = world.shop(seller=seller, region="KR")
    refused = refusal_of(lambda: world.service.start_official_link(seoul.shop_id, actor=APP))
    assert refused.codes == ["shop_region_not_eligible"]


def test_a_removed_authorization_stops_the_app_at_once(world) -> None:  # noqa: ANN001
    shop = world.shop_for("app_a")
    world.deauthorize_partner_app("app_a", shop)
    refused = refusal_of(lambda: world.service.start_official_link(shop.shop_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]


def test_an_authorization_that_ran_out_stops_the_app(world) -> None:  # noqa: ANN001
    shop = world.shop_for("app_a")
    world.sim.clock.advance(timedelta(days=365))
    refused = refusal_of(lambda: world.service.start_official_link(shop.shop_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]


def test_a_link_the_app_started_is_out_of_its_reach_once_the_seller_removed_it(world) -> None:  # noqa: ANN001
    shop = world.shop_for("app_a")
    link = world.service.start_official_link(shop.shop_id, actor=APP)
    world.deauthorize_partner_app("app_a", shop)
    refused = refusal_of(lambda: world.service.get_link(link.link_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]
    assert world.service.get_link(link.link_id).state.value == "pending_consent"  # the link itself goes on


def test_an_unknown_shop_is_not_found_before_anything_else(world) -> None:  # noqa: ANN001
    refused = refusal_of(lambda: world.service.unlink("no_such_shop", "oid_x", actor=APP))
    assert refused.codes == ["shop_not_found"]


def test_an_organization_account_is_acted_on_for_a_seller_of_its_entity(world) -> None:  # noqa: ANN001
    world.shop_for("app_a", seller=world.seller("seller_org", entity="ENT-ORG"))
    account = world.org_account("brand.org", entity="ENT-ORG")
    world.org_member(account, "ops@brand.example")
    removed = world.service.remove_org_member(account.open_id, "ops@brand.example", actor=APP)
    assert removed.removed_at is not None


def test_another_entitys_organization_account_is_refused(world) -> None:  # noqa: ANN001
    world.shop_for("app_a", seller=world.seller(entity="ENT-MINE"))
    world.shop(seller=world.seller("seller_theirs", entity="ENT-THEIRS"))
    account = world.org_account("their.org", entity="ENT-THEIRS")
    world.org_member(account, "ops@their.example")
    refused = refusal_of(lambda: world.service.remove_org_member(account.open_id, "ops@their.example", actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]
    assert refused.violations[0].details["subject"] == "the organization account @their.org"


def test_a_service_that_knows_no_authorizations_lets_no_partner_app_act(world) -> None:  # noqa: ANN001
    shop = world.shop_for("app_a")
    bare = LinkingService(world.sim.store.unit_of_work, world.sim.clock, world.sim.markets)
    refused = refusal_of(lambda: bare.start_official_link(shop.shop_id, actor=APP))
    assert refused.codes == ["partner_app_not_authorized"]
    assert bare.start_official_link(shop.shop_id).created_by == "seller"
