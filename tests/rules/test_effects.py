"""The effects of a link: E1-E5 (RULES.md), one behaviour per test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.accounts import AccountType
from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.shops import ShopStatus
from tests.rules.rule_helpers import SECOND
from tests.rules.rule_helpers import events_of

BAG_DELAY = timedelta(hours=24)


# --- E1: upgrade to a Business Account ----------------------------------------------------------------------


def test_e1_an_official_link_upgrades_a_personal_account_to_business(world, service):
    account = world.account(account_type=AccountType.PERSONAL)

    world.link_official(world.shop(), account)

    assert service.get_account(account.open_id).account_type is AccountType.BUSINESS


def test_e1_the_upgrade_is_recorded_in_the_journal(world, service):
    account = world.account(account_type=AccountType.PERSONAL)

    link = world.link_official(world.shop(), account)

    upgrades = events_of(service, "account.upgraded_to_business", "account", account.open_id)
    assert len(upgrades) == 1
    assert upgrades[0].changes == {"account_type": ["personal", "business"]}
    assert upgrades[0].data["link_id"] == link.link_id
    assert upgrades[0].at == link.activated_at


def test_e1_a_marketing_link_upgrades_a_personal_account_too(world, service):
    account = world.account(account_type=AccountType.PERSONAL)

    world.link_marketing(world.shop(), account)

    assert service.get_account(account.open_id).account_type is AccountType.BUSINESS
    assert len(events_of(service, "account.upgraded_to_business", "account", account.open_id)) == 1


def test_e1_a_business_account_is_not_upgraded_again(world, service):
    account = world.account(account_type=AccountType.BUSINESS)

    world.link_official(world.shop(), account)

    assert service.get_account(account.open_id).account_type is AccountType.BUSINESS
    assert events_of(service, "account.upgraded_to_business", "account", account.open_id) == []


def test_e1_an_organization_account_keeps_its_type(world, service):
    shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    org = world.org_account("acme", entity="ENT-ACME")

    service.link_organization_account(shop.shop_id, org.open_id)

    assert service.get_account(org.open_id).account_type is AccountType.ORGANIZATION
    assert events_of(service, "account.upgraded_to_business", "account", org.open_id) == []


def test_e1_no_upgrade_before_the_link_is_established(world, service):
    shop = world.shop(review_delay=timedelta(hours=1))
    account = world.account(account_type=AccountType.PERSONAL)

    link = world.link_official(shop, account)

    assert link.state is LinkState.PENDING_REVIEW
    assert service.get_account(account.open_id).account_type is AccountType.PERSONAL


# --- E2: the official account's name follows the shop name --------------------------------------------------


def test_e2_the_official_accounts_nickname_and_username_become_the_shop_name_at_link_time(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob", nickname="Bobby")

    world.link_official(shop, account)

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("acme_store", "Acme Store")
    renamed = events_of(service, "account.renamed", "account", account.open_id)
    assert renamed[0].changes == {"nickname": ["Bobby", "Acme Store"], "username": ["bob", "acme_store"]}


def test_e2_a_shop_rename_renames_the_official_account_at_once(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob")
    world.link_official(shop, account)

    service.rename_shop(shop.shop_id, "Globex Outlet")

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("globex_outlet", "Globex Outlet")


def test_e2_the_username_is_kept_when_the_shop_name_username_is_taken(world, service):
    shop = world.shop(name="Acme Store")
    world.account("acme_store")
    account = world.account("bob", nickname="Bobby")

    world.link_official(shop, account)

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("bob", "Acme Store")


def test_e2_on_a_shop_rename_the_username_is_kept_when_the_new_name_is_taken(world, service):
    shop = world.shop(name="Acme Store")
    world.account("globex_outlet")
    account = world.account("bob")
    world.link_official(shop, account)

    service.rename_shop(shop.shop_id, "Globex Outlet")

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("acme_store", "Globex Outlet")


@pytest.mark.parametrize("rename", [{"nickname": "Bobby"}, {"username": "bobby"}])
def test_e2_the_holder_cannot_rename_an_official_account(world, service, rename):
    shop = world.shop(name="Acme Store")
    account = world.account("bob")
    world.link_official(shop, account)

    with pytest.raises(Refused) as excinfo:
        service.rename_account(account.open_id, **rename)

    assert excinfo.value.codes == ["official_name_locked"]
    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("acme_store", "Acme Store")


def test_e2_an_unlinked_account_can_be_renamed_by_its_holder(world, service):
    account = world.account("bob")

    renamed = service.rename_account(account.open_id, nickname="Bobby", username="bobby")

    assert (renamed.username, renamed.nickname) == ("bobby", "Bobby")


def with_password(world, account, password="bob-password"):
    with world.sim.store.unit_of_work() as repo:
        repo.account(account.open_id).set_password(password)
    return password


def test_e2_signing_in_by_the_old_username_says_what_the_account_is_called_now(world, service):
    account = world.account("bob")
    password = with_password(world, account)
    world.link_official(world.shop(name="Acme Store"), account)

    with pytest.raises(Refused) as excinfo:
        service.sign_in("bob", password)

    assert excinfo.value.codes == ["account_renamed"]
    assert excinfo.value.violations[0].details["current"] == "acme_store"
    assert "@acme_store" in excinfo.value.violations[0].message


def test_e2_the_old_username_names_the_latest_name_after_a_shop_rename(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob")
    password = with_password(world, account)
    world.link_official(shop, account)
    service.rename_shop(shop.shop_id, "Globex Outlet")

    with pytest.raises(Refused) as excinfo:
        service.sign_in("bob", password)

    assert excinfo.value.violations[0].details["current"] == "globex_outlet"


def test_e2_the_old_username_with_a_wrong_password_is_invalid_credentials(world, service):
    account = world.account("bob")
    with_password(world, account)
    world.link_official(world.shop(name="Acme Store"), account)

    with pytest.raises(Refused) as excinfo:
        service.sign_in("bob", "not-her-password")

    assert excinfo.value.codes == ["invalid_credentials"]


def test_e2_a_wrong_password_by_the_old_username_counts_against_the_account(world, service):
    account = world.account("bob")
    password = with_password(world, account)
    world.link_official(world.shop(name="Acme Store"), account)

    for _ in range(10):
        with pytest.raises(Refused):
            service.sign_in("bob", "not-her-password")

    with pytest.raises(Refused) as excinfo:
        service.sign_in("acme_store", password)
    assert excinfo.value.codes == ["sign_in_locked"]


# --- E3: storefronts and the shopping bag -------------------------------------------------------------------


def test_e3_an_official_account_gets_a_shop_page_with_design_and_synced_products(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)

    [storefront] = service.profile(account.open_id)["storefronts"]

    assert storefront["shop_id"] == shop.shop_id
    assert storefront["role"] == "official"
    assert storefront["storefront"] == "shop_page"
    assert storefront["sales_channels"] == ["video", "live", "shop_page"]
    assert storefront["shop_design"] is True
    assert storefront["products_synced_automatically"] is True


def test_e3_a_marketing_account_gets_a_showcase(world, service):
    shop = world.shop()
    account = world.account()
    world.link_marketing(shop, account)

    [storefront] = service.profile(account.open_id)["storefronts"]

    assert storefront["role"] == "marketing"
    assert storefront["storefront"] == "showcase"
    assert storefront["sales_channels"] == ["video", "live", "showcase"]
    assert storefront["shop_design"] is False
    assert storefront["products_synced_automatically"] is False


def test_e3_the_storefront_is_recorded_when_the_link_is_established(world, service):
    shop = world.shop()
    account = world.account()
    link = world.link_official(shop, account)

    [added] = events_of(service, "account.storefront_added", "account", account.open_id)

    assert added.at == link.activated_at
    assert added.data["shop_id"] == shop.shop_id
    assert added.data["storefront"] == "shop_page"


def test_e3_no_storefront_while_the_link_waits_for_review(world, service):
    shop = world.shop(review_delay=timedelta(hours=1))
    account = world.account()
    world.link_official(shop, account)

    assert service.profile(account.open_id)["storefronts"] == []


def test_e3_the_shopping_bag_is_hidden_one_second_before_the_shops_bag_delay(world, service):
    shop = world.shop(shopping_bag_delay=BAG_DELAY)
    account = world.account()
    world.link_official(shop, account)
    world.advance(BAG_DELAY - SECOND)

    [storefront] = service.profile(account.open_id)["storefronts"]

    assert storefront["shopping_bag_visible"] is False


def test_e3_the_shopping_bag_appears_when_the_shops_bag_delay_has_passed(world, service):
    shop = world.shop(shopping_bag_delay=BAG_DELAY)
    account = world.account()
    link = world.link_official(shop, account)
    world.advance(BAG_DELAY)

    [storefront] = service.profile(account.open_id)["storefronts"]

    assert storefront["shopping_bag_visible"] is True
    assert storefront["shopping_bag_visible_from"] == (link.activated_at + BAG_DELAY).isoformat()


def test_e3_with_no_bag_delay_the_shopping_bag_is_visible_at_once(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)

    [storefront] = service.profile(account.open_id)["storefronts"]

    assert storefront["shopping_bag_visible"] is True


def test_e3_a_suspended_shop_keeps_the_link_but_hides_the_shopping_bag(world, service):
    shop = world.shop()
    account = world.account()
    link = world.link_official(shop, account)

    service.set_shop_status(shop.shop_id, ShopStatus.SUSPENDED)

    assert service.get_link(link.link_id).state is LinkState.ACTIVE
    [storefront] = service.profile(account.open_id)["storefronts"]
    assert storefront["shopping_bag_visible"] is False


def test_e3_the_shopping_bag_comes_back_when_the_shop_is_reactivated(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)
    service.set_shop_status(shop.shop_id, ShopStatus.SUSPENDED)

    service.set_shop_status(shop.shop_id, ShopStatus.ACTIVE)

    [storefront] = service.profile(account.open_id)["storefronts"]
    assert storefront["shopping_bag_visible"] is True


# --- E4: what the seller sees -------------------------------------------------------------------------------


def test_e4_the_seller_sees_the_official_accounts_avatar_names_masked_phone_and_binding_time(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob", phone="+15551234567", avatar_url="https://cdn.example/bob.png")
    link = world.link_official(shop, account)

    official = service.linked_accounts(shop.shop_id)["official"]

    assert official == {
        "open_id": account.open_id,
        "state": "active",
        "link_id": link.link_id,
        "avatar_url": "https://cdn.example/bob.png",
        "username": "acme_store",
        "nickname": "Acme Store",
        "phone": "+*******4567",
        "bound_at": link.activated_at.isoformat(),
    }


def test_e4_the_seller_sees_each_marketing_account(world, service):
    shop = world.shop()
    account = world.account("bob", email="bob@example.com")
    link = world.link_marketing(shop, account)

    view = service.linked_accounts(shop.shop_id)

    assert view["official"] is None
    assert view["marketing"] == [{
        "open_id": account.open_id,
        "state": "active",
        "link_id": link.link_id,
        "username": "bob",
        "email": "bob@example.com",
        "bound_at": link.activated_at.isoformat(),
    }]


def test_e4_an_official_account_without_a_phone_shows_no_phone(world, service):
    shop = world.shop()
    world.link_official(shop, world.account(phone=None))

    assert service.linked_accounts(shop.shop_id)["official"]["phone"] is None


# --- E5: an official account shows no affiliate products ----------------------------------------------------


def test_e5_an_official_account_cannot_add_a_marketplace_product_of_another_shop(world, service):
    account = world.account()
    world.link_official(world.shop(), account)
    service.sign_up_affiliate(account.open_id)
    product = world.product(world.shop(), marketplace=True)

    with pytest.raises(Refused) as excinfo:
        service.add_to_showcase(account.open_id, product.product_id)

    assert excinfo.value.codes == ["official_account_no_affiliate_products"]
    assert service.showcase(account.open_id) == []


def test_e5_an_official_account_cannot_be_invited_as_an_affiliate(world, service):
    account = world.account()
    world.link_official(world.shop(), account)

    with pytest.raises(Refused) as excinfo:
        service.invite_affiliate(world.shop().shop_id, account.open_id, "10")

    assert excinfo.value.codes == ["official_account_no_affiliate_products"]


def test_e5_an_affiliate_who_becomes_an_official_account_cannot_accept_a_pending_affiliate_invitation(
    world, service
):
    account = world.account()
    invitation = service.invite_affiliate(world.shop().shop_id, account.open_id, "10")
    world.link_official(world.shop(), account)

    with pytest.raises(Refused) as excinfo:
        service.answer_affiliate_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["official_account_no_affiliate_products"]


def test_e5_an_account_that_becomes_official_drops_other_shops_products_from_its_showcase(world, service):
    other = world.shop()
    product = world.product(other, marketplace=True)
    account = world.account(affiliate_signed_up=True)
    service.add_to_showcase(account.open_id, product.product_id)
    world.link_official(world.shop(), account)

    assert service.showcase(account.open_id) == []
    assert [e.data["product_ids"] for e in events_of(service, "showcase.products_removed", "account",
                                                      account.open_id)] == [[product.product_id]]
