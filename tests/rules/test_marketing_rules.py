"""The marketing-account rules M1-M10 (RULES.md), one behaviour per test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.accounts import Verification
from auth_server.domain.affiliates import ShowcaseSource
from auth_server.domain.errors import Refused
from auth_server.domain.links import Channel
from auth_server.domain.links import InvitationState
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from tests.rules.rule_helpers import SECOND

WINDOW = timedelta(days=180)
INVITATION_LIFETIME = timedelta(days=7)


def _invite(service, shop, account):
    return service.invite_marketing_account(shop.shop_id, account.open_id)


# --- M1: at most four marketing accounts per shop -----------------------------------------------------------


def test_m1_the_fourth_marketing_account_links(world, service):
    shop = world.shop()
    for n in range(3):
        world.link_marketing(shop, world.account(f"m{n}"))

    fourth = world.link_marketing(shop, world.account("m3"))

    assert fourth.state is LinkState.ACTIVE
    assert len(service.linked_accounts(shop.shop_id)["marketing"]) == 4


def test_m1_a_fifth_marketing_account_is_refused_with_marketing_slots_full(world, service):
    shop = world.shop()
    for n in range(4):
        world.link_marketing(shop, world.account(f"m{n}"))
    fifth = world.account("m4")

    with pytest.raises(Refused) as excinfo:
        _invite(service, shop, fifth)

    assert excinfo.value.codes == ["marketing_slots_full"]


def test_m1_a_marketing_slot_freed_by_an_unlink_can_be_taken_again(world, service):
    shop = world.shop()
    accounts = [world.account(f"m{n}") for n in range(4)]
    for account in accounts:
        world.link_marketing(shop, account)
    world.advance(timedelta(hours=24))
    service.unlink(shop.shop_id, accounts[0].open_id)

    link = world.link_marketing(shop, world.account("m4"))

    assert link.state is LinkState.ACTIVE


# --- M2: no marketing links during probation ----------------------------------------------------------------


def test_m2_one_second_before_probation_ends_a_marketing_link_is_refused(world, service, sim):
    probation_end = sim.clock.now() + timedelta(days=30)
    shop = world.shop(probation_until=probation_end)
    account = world.account()
    sim.clock.set(probation_end - SECOND)

    with pytest.raises(Refused) as excinfo:
        _invite(service, shop, account)

    assert excinfo.value.codes == ["shop_in_probation"]


def test_m2_when_probation_ends_a_marketing_link_is_allowed(world, service, sim):
    probation_end = sim.clock.now() + timedelta(days=30)
    shop = world.shop(probation_until=probation_end)
    account = world.account()
    sim.clock.set(probation_end)

    link = world.link_marketing(shop, account)

    assert link.state is LinkState.ACTIVE


def test_m2_probation_does_not_block_the_official_account(world, service, sim):
    shop = world.shop(probation_until=sim.clock.now() + timedelta(days=30))

    link = world.link_official(shop, world.account())

    assert link.state is LinkState.ACTIVE


def test_m2_an_invitation_accepted_during_probation_is_refused(world, service, sim):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    service.set_shop_status(shop.shop_id, probation_until=sim.clock.now() + timedelta(days=1))

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["shop_in_probation"]


# --- M3: ten marketing links per account in a rolling 180 days ----------------------------------------------


def test_m3_the_tenth_marketing_link_in_180_days_is_allowed(world, service):
    account = world.account()
    for _ in range(9):
        world.link_marketing(world.shop(), account)

    tenth = world.link_marketing(world.shop(), account)

    assert tenth.state is LinkState.ACTIVE


def test_m3_the_eleventh_marketing_link_in_180_days_is_refused(world, service):
    account = world.account()
    for _ in range(10):
        world.link_marketing(world.shop(), account)

    with pytest.raises(Refused) as excinfo:
        _invite(service, world.shop(), account)

    assert excinfo.value.codes == ["marketing_link_quota_exceeded"]


def test_m3_marketing_links_that_were_unlinked_still_count(world, service):
    account = world.account()
    shops = [world.shop() for _ in range(10)]
    for shop in shops:
        world.link_marketing(shop, account)
    world.advance(timedelta(hours=24))
    for shop in shops:
        service.unlink(shop.shop_id, account.open_id)

    with pytest.raises(Refused) as excinfo:
        _invite(service, world.shop(), account)

    assert excinfo.value.codes == ["marketing_link_quota_exceeded"]


def _ten_links_the_oldest_at(world, account):
    """Ten marketing links: the first now, the other nine a day later. Returns when the first was made."""
    first_at = world.sim.clock.now()
    world.link_marketing(world.shop(), account)
    world.advance(timedelta(days=1))
    for _ in range(9):
        world.link_marketing(world.shop(), account)
    return first_at


def test_m3_a_link_made_exactly_180_days_ago_still_counts(world, service, sim):
    account = world.account()
    first_at = _ten_links_the_oldest_at(world, account)
    shop = world.shop()
    sim.clock.set(first_at + WINDOW)

    with pytest.raises(Refused) as excinfo:
        _invite(service, shop, account)

    assert excinfo.value.codes == ["marketing_link_quota_exceeded"]


def test_m3_a_link_made_180_days_and_one_second_ago_no_longer_counts(world, service, sim):
    account = world.account()
    first_at = _ten_links_the_oldest_at(world, account)
    shop = world.shop()
    sim.clock.set(first_at + WINDOW + SECOND)

    link = world.link_marketing(shop, account)

    assert link.state is LinkState.ACTIVE


def test_m3_the_quota_counts_per_account_not_per_shop(world, service):
    shop = world.shop()
    for _ in range(10):
        world.link_marketing(world.shop(), world.account())

    link = world.link_marketing(shop, world.account())

    assert link.state is LinkState.ACTIVE


# --- M4 / O6: not the official account of the same shop -----------------------------------------------------


def test_m4_the_official_account_of_a_shop_cannot_be_its_marketing_account(world, service):
    shop = world.shop()
    account = world.account()
    world.link_official(shop, account)

    with pytest.raises(Refused) as excinfo:
        _invite(service, shop, account)

    assert excinfo.value.codes == ["same_account_both_roles"]


def test_m4_an_account_that_became_official_after_its_invitation_cannot_accept_it(world, service):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    world.link_official(shop, account)

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["same_account_both_roles"]


def test_m4_region_need_not_match_for_a_marketing_account(world, service):
    shop = world.shop(region="US")

    link = world.link_marketing(shop, world.account(region="GB"))

    assert link.state is LinkState.ACTIVE


# --- M5: the invitation flow --------------------------------------------------------------------------------


def test_m5_an_accepted_invitation_establishes_the_marketing_link(world, service):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    assert invitation.state is InvitationState.PENDING

    accepted = service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert accepted.state is InvitationState.ACCEPTED
    link = service.get_link(accepted.link_id)
    assert link.state is LinkState.ACTIVE
    assert link.role is Role.MARKETING
    assert link.channel is Channel.INVITATION
    assert link.open_id == account.open_id


def test_m5_the_seller_finds_the_account_by_username_or_by_every_nickname_match(world, service):
    alice = world.account("alice", nickname="Sunny")
    bob = world.account("bob", nickname="Sunny")

    assert [a.open_id for a in service.search_accounts("@alice")] == [alice.open_id]
    assert sorted(a.open_id for a in service.search_accounts("Sunny")) == sorted([alice.open_id, bob.open_id])


def test_m5_a_search_with_no_match_is_refused_with_account_not_found(world, service):
    with pytest.raises(Refused) as excinfo:
        service.search_accounts("nobody_here")

    assert excinfo.value.codes == ["account_not_found"]


def test_m5_accepting_a_declined_invitation_is_refused_with_invitation_declined(world, service):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    declined = service.answer_invitation(invitation.invitation_id, account.open_id, accept=False)
    assert declined.state is InvitationState.DECLINED

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["invitation_declined"]
    assert service.linked_accounts(shop.shop_id)["marketing"] == []


def test_m5_an_invitation_can_be_accepted_one_second_before_seven_days(world, service):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    world.advance(INVITATION_LIFETIME - SECOND)

    accepted = service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert accepted.state is InvitationState.ACCEPTED


def test_m5_an_invitation_expires_after_seven_days(world, service):
    shop = world.shop()
    account = world.account()
    invitation = _invite(service, shop, account)
    world.advance(INVITATION_LIFETIME)

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["invitation_expired"]
    assert service.invitations(open_id=account.open_id)[0].state is InvitationState.EXPIRED


def test_m5_a_pending_invitation_reserves_no_slot(world, service):
    shop = world.shop()
    invited = [world.account(f"m{n}") for n in range(5)]
    invitations = [_invite(service, shop, account) for account in invited]
    for invitation, account in zip(invitations[:4], invited[:4], strict=True):
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitations[4].invitation_id, invited[4].open_id, accept=True)

    assert excinfo.value.codes == ["marketing_slots_full"]
    assert service.invitations(open_id=invited[4].open_id)[0].state is InvitationState.REFUSED
    assert len(service.linked_accounts(shop.shop_id)["marketing"]) == 4


def test_m5_the_quota_is_checked_again_when_the_invitation_is_accepted(world, service):
    account = world.account()
    shop = world.shop()
    invitation = _invite(service, shop, account)
    for _ in range(10):
        world.link_marketing(world.shop(), account)

    with pytest.raises(Refused) as excinfo:
        service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    assert excinfo.value.codes == ["marketing_link_quota_exceeded"]


# --- M6: identity verification ------------------------------------------------------------------------------


@pytest.mark.parametrize("verification", [Verification.UNVERIFIED, Verification.PENDING, Verification.FAILED])
def test_m6_an_account_without_a_passed_identity_verification_cannot_be_invited(world, service, verification):
    account = world.account(verification=verification)

    with pytest.raises(Refused) as excinfo:
        _invite(service, world.shop(), account)

    assert excinfo.value.codes == ["identity_not_verified"]


# --- M7: names are independent of the shop ------------------------------------------------------------------


def test_m7_a_marketing_link_does_not_rename_the_account(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob", nickname="Bobby")

    world.link_marketing(shop, account)

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("bob", "Bobby")


def test_m7_a_shop_rename_does_not_rename_its_marketing_accounts(world, service):
    shop = world.shop(name="Acme Store")
    account = world.account("bob", nickname="Bobby")
    world.link_marketing(shop, account)

    service.rename_shop(shop.shop_id, "Acme Outlet")

    after = service.get_account(account.open_id)
    assert (after.username, after.nickname) == ("bob", "Bobby")


def test_m7_the_holder_can_rename_a_marketing_account(world, service):
    shop = world.shop()
    account = world.account("bob", nickname="Bobby")
    world.link_marketing(shop, account)

    renamed = service.rename_account(account.open_id, nickname="Robert", username="robert")

    assert (renamed.username, renamed.nickname) == ("robert", "Robert")


# --- M8: showcase and affiliate products --------------------------------------------------------------------


def test_m8_a_marketing_account_adds_its_own_shops_product_to_its_showcase(world, service):
    shop = world.shop()
    account = world.account()
    product = world.product(shop, marketplace=False)
    world.link_marketing(shop, account)

    item = service.add_to_showcase(account.open_id, product.product_id)

    assert item.source is ShowcaseSource.OWN_SHOP
    assert service.profile(account.open_id)["showcase"] == [product.product_id]


def test_m8_a_marketplace_product_needs_an_affiliate_signup(world, service):
    account = world.account()
    product = world.product(world.shop(), marketplace=True)

    with pytest.raises(Refused) as excinfo:
        service.add_to_showcase(account.open_id, product.product_id)

    assert excinfo.value.codes == ["affiliate_signup_required"]
    assert service.showcase(account.open_id) == []


def test_m8_after_the_affiliate_signup_a_marketplace_product_can_be_added(world, service):
    account = world.account()
    product = world.product(world.shop(), marketplace=True)
    service.sign_up_affiliate(account.open_id)

    item = service.add_to_showcase(account.open_id, product.product_id)

    assert item.source is ShowcaseSource.MARKETPLACE


def test_m8_a_marketing_account_with_the_signup_adds_another_shops_marketplace_product(world, service):
    account = world.account()
    world.link_marketing(world.shop(), account)
    product = world.product(world.shop(), marketplace=True)
    service.sign_up_affiliate(account.open_id)

    item = service.add_to_showcase(account.open_id, product.product_id)

    assert item.source is ShowcaseSource.MARKETPLACE


def test_m8_a_product_that_is_neither_own_nor_in_the_marketplace_is_not_available(world, service):
    account = world.account()
    service.sign_up_affiliate(account.open_id)
    product = world.product(world.shop(), marketplace=False)

    with pytest.raises(Refused) as excinfo:
        service.add_to_showcase(account.open_id, product.product_id)

    assert excinfo.value.codes == ["product_not_available"]


# --- M9: marketing unlink waiting time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("market", "region", "wait"),
    [("global", "US", timedelta(hours=24)), ("tokopedia", "ID", timedelta(hours=48))],
)
def test_m9_a_marketing_unlink_one_second_before_the_wait_is_refused(world, service, market, region, wait):
    shop = world.shop(market=market, region=region)
    account = world.account(region=region)
    world.link_marketing(shop, account)
    world.advance(wait - SECOND)

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["unlink_too_early"]


@pytest.mark.parametrize(
    ("market", "region", "wait"),
    [("global", "US", timedelta(hours=24)), ("tokopedia", "ID", timedelta(hours=48))],
)
def test_m9_a_marketing_unlink_at_exactly_the_wait_is_allowed(world, service, market, region, wait):
    shop = world.shop(market=market, region=region)
    account = world.account(region=region)
    world.link_marketing(shop, account)
    world.advance(wait)

    link = service.unlink(shop.shop_id, account.open_id)

    assert link.state is LinkState.UNLINKED
    assert service.linked_accounts(shop.shop_id)["marketing"] == []


# --- M10: mirrored LIVE -------------------------------------------------------------------------------------


def _official_and_marketing(world, market, region):
    shop = world.shop(market=market, region=region)
    official = world.account("official", region=region)
    marketing = world.account("marketing", region=region)
    world.link_official(shop, official)
    world.link_marketing(shop, marketing)
    return official, marketing


def test_m10_tokopedia_refuses_a_marketing_account_mirroring_the_official_accounts_live(world, service):
    official, marketing = _official_and_marketing(world, "tokopedia", "ID")
    service.start_live(official.open_id)

    with pytest.raises(Refused) as excinfo:
        service.start_live(marketing.open_id, mirror_of=official.open_id)

    assert excinfo.value.codes == ["live_mirroring_not_allowed"]


def test_m10_tokopedia_refuses_the_official_account_mirroring_a_marketing_accounts_live(world, service):
    official, marketing = _official_and_marketing(world, "tokopedia", "ID")
    service.start_live(marketing.open_id)

    with pytest.raises(Refused) as excinfo:
        service.start_live(official.open_id, mirror_of=marketing.open_id)

    assert excinfo.value.codes == ["live_mirroring_not_allowed"]


def test_m10_the_global_market_allows_mirrored_live(world, service):
    official, marketing = _official_and_marketing(world, "global", "US")
    service.start_live(official.open_id)

    session = service.start_live(marketing.open_id, mirror_of=official.open_id)

    assert session.mirror_of == official.open_id
    assert session.ended_at is None


def test_m10_tokopedia_allows_a_live_once_the_mirrored_live_has_ended(world, service):
    official, marketing = _official_and_marketing(world, "tokopedia", "ID")
    service.start_live(official.open_id)
    service.end_live(official.open_id)

    session = service.start_live(marketing.open_id, mirror_of=official.open_id)

    assert session.ended_at is None


def test_m5_an_accepted_invitation_cannot_be_answered_again(world, service):
    shop, account = world.shop(), world.account()
    invitation = service.invite_marketing_account(shop.shop_id, account.open_id)
    service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)

    for accept in (True, False):
        with pytest.raises(Refused) as excinfo:
            service.answer_invitation(invitation.invitation_id, account.open_id, accept=accept)
        assert excinfo.value.codes == ["invitation_already_answered"]
    assert service.invitations(open_id=account.open_id)[0].state is InvitationState.ACCEPTED
