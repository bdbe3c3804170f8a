"""Unlinking an official account: U1-U3 (RULES.md), and the relink waiting period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.accounts import AccountType
from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.shops import ReviewMode
from tests.rules.rule_helpers import SECOND
from tests.rules.rule_helpers import event_kinds
from tests.rules.rule_helpers import events_of
from tests.rules.rule_helpers import markets_with
from tests.rules.rule_helpers import world_with_markets

DAY = timedelta(hours=24)
TWO_DAYS = timedelta(hours=48)
RELINK_WAIT = timedelta(hours=6)


def _tokopedia(world):
    return world.shop(market="tokopedia", region="ID")


# --- U1: 24 hours after the link became active --------------------------------------------------------------


def test_u1_an_official_unlink_23h59m59s_after_activation_is_refused_with_unlink_too_early(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)
    world.advance(DAY - SECOND)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["unlink_too_early"]
    assert service.linked_accounts(shop.shop_id)["official"]["open_id"] == account.open_id


def test_u1_an_official_unlink_exactly_24h_after_activation_is_allowed(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)
    world.advance(DAY)

    link = service.unlink(shop.shop_id, account.open_id)

    assert link.state is LinkState.UNLINKED
    assert service.linked_accounts(shop.shop_id)["official"] is None


def test_u1_the_wait_is_counted_from_activation_not_from_the_request(world, service):
    shop = world.shop(review_mode=ReviewMode.AUTO, review_delay=timedelta(hours=2))
    account = world.account()
    world.link_official(shop, account)  # active two hours later
    world.advance(DAY)
    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)
    assert excinfo.value.codes == ["unlink_too_early"]

    world.advance(timedelta(hours=2))

    assert service.unlink(shop.shop_id, account.open_id).state is LinkState.UNLINKED


# --- U2: tokopedia, 48 hours and at most three official unbinds ---------------------------------------------


def test_u2_a_tokopedia_official_unlink_one_second_before_48h_is_refused(world, service):
    shop = _tokopedia(world)
    account = world.account(region="ID")
    world.link_official(shop, account)
    world.advance(TWO_DAYS - SECOND)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["unlink_too_early"]


def test_u2_a_tokopedia_official_unlink_at_exactly_48h_is_allowed(world, service):
    shop = _tokopedia(world)
    account = world.account(region="ID")
    world.link_official(shop, account)
    world.advance(TWO_DAYS)

    assert service.unlink(shop.shop_id, account.open_id).state is LinkState.UNLINKED


def _link_and_unbind(world, service, shop, account):
    world.link_official(shop, account)
    world.advance(TWO_DAYS)
    service.unlink(shop.shop_id, account.open_id)


def test_u2_the_third_tokopedia_official_unbind_is_allowed(world, service):
    shop = _tokopedia(world)
    account = world.account(region="ID")
    for _ in range(2):
        _link_and_unbind(world, service, shop, account)
    world.link_official(shop, account)
    world.advance(TWO_DAYS)

    assert service.unlink(shop.shop_id, account.open_id).state is LinkState.UNLINKED


def test_u2_the_fourth_tokopedia_official_unbind_is_refused_with_unbind_limit_reached(world, service):
    shop = _tokopedia(world)
    account = world.account(region="ID")
    for _ in range(3):
        _link_and_unbind(world, service, shop, account)
    world.link_official(shop, account)
    world.advance(TWO_DAYS)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["unbind_limit_reached"]
    assert service.linked_accounts(shop.shop_id)["official"]["open_id"] == account.open_id


def test_u2_the_unbind_limit_counts_per_shop_over_different_accounts(world, service):
    shop = _tokopedia(world)
    for n in range(3):
        _link_and_unbind(world, service, shop, world.account(f"acct{n}", region="ID"))
    fourth = world.account("acct3", region="ID")
    world.link_official(shop, fourth)
    world.advance(TWO_DAYS)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, fourth.open_id)

    assert excinfo.value.codes == ["unbind_limit_reached"]


def test_u2_the_global_market_has_no_unbind_limit(world, service):
    shop = world.shop()
    account = world.account()
    for _ in range(4):
        world.link_official(shop, account)
        world.advance(DAY)
        assert service.unlink(shop.shop_id, account.open_id).state is LinkState.UNLINKED


def test_u2_marketing_unlinks_do_not_count_toward_the_official_unbind_limit(world, service):
    shop = _tokopedia(world)
    for n in range(3):
        account = world.account(f"mkt{n}", region="ID")
        world.link_marketing(shop, account)
        world.advance(TWO_DAYS)
        service.unlink(shop.shop_id, account.open_id)
    official = world.account("official", region="ID")
    world.link_official(shop, official)
    world.advance(TWO_DAYS)

    assert service.unlink(shop.shop_id, official.open_id).state is LinkState.UNLINKED


# --- U3: what an unlink does --------------------------------------------------------------------------------


def test_u3_after_an_unlink_the_account_can_be_the_official_account_of_another_shop(world, service):
    first_shop, second_shop = world.shop(), world.shop()
    account = world.account()
    world.link_official(first_shop, account)
    world.advance(DAY)
    service.unlink(first_shop.shop_id, account.open_id)

    link = world.link_official(second_shop, account)

    assert link.state is LinkState.ACTIVE


def test_u3_after_an_unlink_the_shop_can_link_another_official_account(world, service):
    shop = world.shop()
    first = world.account("first")
    world.link_official(shop, first)
    world.advance(DAY)
    service.unlink(shop.shop_id, first.open_id)

    link = world.link_official(shop, world.account("second"))

    assert link.state is LinkState.ACTIVE


def test_u3_an_unlink_removes_the_shop_page_and_records_it(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)
    world.advance(DAY)

    service.unlink(shop.shop_id, account.open_id)

    removed = events_of(service, "account.storefront_removed", "account", account.open_id)
    assert len(removed) == 1
    assert removed[0].data == {"shop_id": shop.shop_id, "storefront": "shop_page"}
    assert service.profile(account.open_id)["storefronts"] == []


def test_u3_after_an_unlink_a_shop_rename_no_longer_renames_the_account(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob")
    world.link_official(shop, account)
    world.advance(DAY)
    service.unlink(shop.shop_id, account.open_id)

    service.rename_shop(shop.shop_id, "Globex Outlet")

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("acme_store", "Acme Store")
    assert event_kinds(service, "account", account.open_id).count("account.renamed") == 1


def test_u3_after_an_unlink_the_account_stays_business_and_can_be_renamed_by_its_holder(world, service):
    shop = world.shop()
    account = world.account("bob")
    world.link_official(shop, account)
    world.advance(DAY)
    service.unlink(shop.shop_id, account.open_id)

    renamed = service.rename_account(account.open_id, nickname="Bobby")

    assert renamed.nickname == "Bobby"
    assert renamed.account_type is AccountType.BUSINESS


def test_u3_unlinking_an_account_that_is_not_linked_is_refused_with_account_not_linked(world, service):
    shop = world.shop()
    account = world.account()

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["account_not_linked"]


def test_u3_unlinking_twice_is_refused_with_account_not_linked(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)
    world.advance(DAY)
    service.unlink(shop.shop_id, account.open_id)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["account_not_linked"]


def test_u3_unlinking_an_account_linked_to_another_shop_is_refused_with_account_not_linked(world, service):
    linked_shop, other_shop = world.shop(), world.shop()
    account = world.account()
    world.link_official(linked_shop, account)
    world.advance(DAY)

    with pytest.raises(Refused) as excinfo:
        service.unlink(other_shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["account_not_linked"]


# --- U3: a market with a relink waiting period --------------------------------------------------------------


@pytest.fixture
def slow_world(world):
    markets = markets_with(slowrelink={"inherits": "global", "relink_wait": "6h"})
    with world_with_markets(world, markets) as other:
        yield other


def _unlinked_in_slow_market(slow_world):
    first_shop = slow_world.shop(market="slowrelink")
    account = slow_world.account()
    slow_world.link_official(first_shop, account)
    slow_world.advance(DAY)
    slow_world.service.unlink(first_shop.shop_id, account.open_id)
    return account


def test_u3_a_relink_one_second_before_the_markets_relink_wait_is_refused(slow_world):
    account = _unlinked_in_slow_market(slow_world)
    second_shop = slow_world.shop(market="slowrelink")
    slow_world.advance(RELINK_WAIT - SECOND)

    with pytest.raises(Refused) as excinfo:
        slow_world.link_official(second_shop, account)

    assert excinfo.value.codes == ["relink_wait_pending"]


def test_u3_a_relink_at_exactly_the_markets_relink_wait_is_allowed(slow_world):
    account = _unlinked_in_slow_market(slow_world)
    second_shop = slow_world.shop(market="slowrelink")
    slow_world.advance(RELINK_WAIT)

    link = slow_world.link_official(second_shop, account)

    assert link.state is LinkState.ACTIVE


def test_u3_the_relink_wait_applies_to_a_marketing_link_too(slow_world):
    account = _unlinked_in_slow_market(slow_world)
    shop = slow_world.shop(market="slowrelink")

    with pytest.raises(Refused) as excinfo:
        slow_world.service.invite_marketing_account(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["relink_wait_pending"]


def test_u3_the_builtin_markets_have_no_relink_wait(world, service):
    first_shop, second_shop = world.shop(), world.shop()
    account = world.account()
    world.link_official(first_shop, account)
    world.advance(DAY)
    service.unlink(first_shop.shop_id, account.open_id)

    assert world.link_official(second_shop, account).state is LinkState.ACTIVE
