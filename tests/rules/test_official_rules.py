"""The official-account rules O1-O11 (RULES.md), one behaviour per test."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.errors import Refused
from auth_server.domain.links import Channel
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.shops import ShopStatus
from tests.rules.rule_helpers import ALL_TOGGLES
from tests.rules.rule_helpers import SECOND

QR_LIFETIME = timedelta(minutes=5)
PASSCODE_LIFETIME = timedelta(minutes=5)


# --- O1: the shop must be approved, active, and in an eligible region ---------------------------------------


@pytest.mark.parametrize("status", [ShopStatus.PENDING_APPROVAL, ShopStatus.SUSPENDED])
def test_o1_a_shop_that_is_not_active_cannot_show_a_qr_code(world, service, status):
    shop = world.shop(status=status)

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert excinfo.value.codes == ["shop_not_active"]


@pytest.mark.parametrize("status", [ShopStatus.PENDING_APPROVAL, ShopStatus.SUSPENDED])
def test_o1_a_shop_that_is_not_active_cannot_send_a_seller_app_request(world, service, status):
    shop = world.shop(status=status)
    world.account("bob")

    with pytest.raises(Refused) as excinfo:
        service.request_app_consent(shop.shop_id, "bob")

    assert excinfo.value.codes == ["shop_not_active"]


def test_o1_a_shop_suspended_while_its_qr_code_waits_refuses_the_consent(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)
    service.set_shop_status(shop.shop_id, ShopStatus.SUSPENDED)

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, account.open_id)

    assert excinfo.value.codes == ["shop_not_active"]
    assert service.get_link(link.link_id).state is LinkState.REFUSED


def test_o1_a_shop_in_a_region_outside_its_market_is_not_eligible(world, service):
    shop = world.shop(region="CN", market="global")

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert excinfo.value.codes == ["shop_region_not_eligible"]


def test_o1_a_tokopedia_shop_outside_indonesia_is_not_eligible(world, service):
    shop = world.shop(region="MY", market="tokopedia")

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert excinfo.value.codes == ["shop_region_not_eligible"]


def test_o1_an_active_shop_in_an_eligible_region_links_its_official_account(world, service):
    shop = world.shop(region="ID", market="tokopedia")
    account = world.account(region="ID")

    link = world.link_official(shop, account)

    assert link.state is LinkState.ACTIVE
    assert link.role is Role.OFFICIAL
    assert link.open_id == account.open_id


# --- O2: one official account per shop ----------------------------------------------------------------------


def test_o2_a_shop_with_an_official_account_cannot_show_a_new_qr_code(world, service):
    shop = world.shop()
    world.link_official(shop, world.account())

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert excinfo.value.codes == ["official_slot_taken"]


def test_o2_the_refusal_names_the_official_account_by_its_username(world, service):
    shop = world.shop()
    world.link_official(shop, world.account("dana"))

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert "This shop already has an official account (@" in excinfo.value.violations[0].message


def test_o2_a_shop_with_an_official_account_cannot_send_a_seller_app_request(world, service):
    shop = world.shop()
    world.link_official(shop, world.account())
    world.account("carol")

    with pytest.raises(Refused) as excinfo:
        service.request_app_consent(shop.shop_id, "carol")

    assert excinfo.value.codes == ["official_slot_taken"]


def test_o2_of_two_qr_codes_only_the_first_completed_link_takes_the_slot(world, service):
    shop = world.shop()
    first, second = world.account("first"), world.account("second")
    qr_a = service.start_official_link(shop.shop_id)
    qr_b = service.start_official_link(shop.shop_id)
    service.scan(qr_a.link_id, first.open_id)
    service.give_consent(qr_a.link_id, first.open_id)
    service.accept_terms(qr_a.link_id)
    service.scan(qr_b.link_id, second.open_id)

    with pytest.raises(Refused) as excinfo:
        service.give_consent(qr_b.link_id, second.open_id)

    assert excinfo.value.codes == ["official_slot_taken"]
    assert service.get_link(qr_a.link_id).state is LinkState.ACTIVE
    assert service.get_link(qr_b.link_id).state is LinkState.REFUSED


# --- O3: an account is the official account of one shop at a time -------------------------------------------


def test_o3_an_official_account_cannot_become_the_official_account_of_a_second_shop(world, service):
    first_shop, second_shop = world.shop(), world.shop()
    account = world.account()
    world.link_official(first_shop, account)

    with pytest.raises(Refused) as excinfo:
        world.link_official(second_shop, account)

    assert excinfo.value.codes == ["account_linked_elsewhere"]
    assert service.linked_accounts(second_shop.shop_id)["official"] is None


# --- O4: the official account's region equals the shop's ----------------------------------------------------


def test_o4_an_account_from_another_region_cannot_be_the_official_account(world, service):
    shop = world.shop(region="US")
    account = world.account(region="GB")

    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)

    assert excinfo.value.codes == ["region_mismatch"]


# --- O5: identity verification ------------------------------------------------------------------------------


@pytest.mark.parametrize("verification", [Verification.UNVERIFIED, Verification.PENDING, Verification.FAILED])
def test_o5_an_account_without_a_passed_identity_verification_cannot_link(world, service, verification):
    shop = world.shop()
    account = world.account(verification=verification)

    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)

    assert excinfo.value.codes == ["identity_not_verified"]


def test_o5_a_verified_account_links(world, service):
    link = world.link_official(world.shop(), world.account(verification=Verification.VERIFIED))

    assert link.state is LinkState.ACTIVE


# --- O6: not official and marketing at the same shop --------------------------------------------------------


def test_o6_a_marketing_account_of_a_shop_cannot_become_its_official_account(world, service):
    shop = world.shop()
    account = world.account()
    world.link_marketing(shop, account)

    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)

    assert excinfo.value.codes == ["same_account_both_roles"]


def test_o6_an_official_account_of_one_shop_can_be_a_marketing_account_of_another(world, service):
    first_shop, second_shop = world.shop(), world.shop()
    account = world.account()
    world.link_official(first_shop, account)

    link = world.link_marketing(second_shop, account)

    assert link.state is LinkState.ACTIVE
    assert link.role is Role.MARKETING


# --- O7: good standing, 18 or older -------------------------------------------------------------------------


def test_o7_a_restricted_account_cannot_be_an_official_account(world, service):
    account = world.account(standing=Standing.RESTRICTED)

    with pytest.raises(Refused) as excinfo:
        world.link_official(world.shop(), account)

    assert excinfo.value.codes == ["account_restricted"]


def test_o7_an_account_restricted_after_consenting_is_refused_when_the_seller_accepts_the_terms(
    world, service
):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)
    service.give_consent(link.link_id, account.open_id)
    service.set_standing(account.open_id, Standing.RESTRICTED)

    with pytest.raises(Refused) as excinfo:
        service.accept_terms(link.link_id)

    assert excinfo.value.codes == ["account_restricted"]
    assert service.get_link(link.link_id).state is LinkState.REFUSED


def test_o7_a_holder_the_day_before_the_18th_birthday_is_underage(world, service, sim):
    account = world.account(birth_date=date(2008, 3, 5))
    shop = world.shop()
    sim.clock.set(datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC))

    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)

    assert excinfo.value.codes == ["underage"]


def test_o7_a_holder_links_on_the_18th_birthday_itself(world, service, sim):
    account = world.account(birth_date=date(2008, 3, 5))
    shop = world.shop()
    sim.clock.set(datetime(2026, 3, 5, 0, 0, 0, tzinfo=UTC))

    link = world.link_official(shop, account)

    assert link.state is LinkState.ACTIVE


def test_o7_the_same_holder_is_refused_before_and_allowed_from_the_birthday_on_the_clock(world, service, sim):
    account = world.account(birth_date=date(2008, 3, 5))
    shop = world.shop()
    sim.clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)
    assert excinfo.value.codes == ["underage"]

    world.advance(timedelta(days=1))

    assert world.link_official(shop, account).state is LinkState.ACTIVE


def test_o7_standing_is_not_checked_for_a_marketing_link(world, service):
    account = world.account(standing=Standing.RESTRICTED)

    link = world.link_marketing(world.shop(), account)

    assert link.state is LinkState.ACTIVE


# --- O8: organization accounts ------------------------------------------------------------------------------


def test_o8_an_organization_account_links_to_a_seller_of_its_own_entity(world, service):
    shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    org = world.org_account("acme", entity="ENT-ACME")

    link = service.link_organization_account(shop.shop_id, org.open_id)

    assert link.state is LinkState.ACTIVE
    assert link.channel is Channel.ORGANIZATION


def test_o8_an_organization_account_of_another_entity_is_refused_with_entity_mismatch(world, service):
    shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    org = world.org_account("globex", entity="ENT-GLOBEX")

    with pytest.raises(Refused) as excinfo:
        service.link_organization_account(shop.shop_id, org.open_id)

    assert excinfo.value.codes == ["entity_mismatch"]


def test_o8_an_organization_account_links_to_one_seller_at_a_time(world, service):
    first_shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    second_shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    org = world.org_account("acme", entity="ENT-ACME")
    service.link_organization_account(first_shop.shop_id, org.open_id)

    with pytest.raises(Refused) as excinfo:
        service.link_organization_account(second_shop.shop_id, org.open_id)

    assert excinfo.value.codes == ["account_linked_elsewhere"]


def test_o8_an_organization_account_created_from_seller_center_becomes_the_official_account(
    world, service
):
    shop = world.shop(seller=world.seller(entity="ENT-ACME"))

    link = service.create_organization_account(shop.shop_id, username="acme_official", email="o@acme.example")

    account = service.get_account(link.open_id)
    assert link.state is LinkState.ACTIVE
    assert link.role is Role.OFFICIAL
    assert account.account_type is AccountType.ORGANIZATION
    assert account.entity_id == "ENT-ACME"


def test_o8_an_existing_creator_account_cannot_be_converted_to_an_organization_account(world, service):
    shop = world.shop()
    world.account("creator")

    with pytest.raises(Refused) as excinfo:
        service.create_organization_account(shop.shop_id, username="@Creator")

    assert excinfo.value.codes == ["org_conversion_not_supported"]
    assert [a.username for a in service.accounts()] == ["creator"]
    assert service.get_account_by_username("creator").account_type is AccountType.PERSONAL
    assert service.linked_accounts(shop.shop_id)["official"] is None


def _org_with_member(world, service, contact="ops@acme.example"):
    """An organization account created and linked from Seller Center, with one member; its username has
    since followed the shop name (E2), so the tests sign in with its current username."""
    shop = world.shop(seller=world.seller(entity="ENT-ACME"))
    link = service.create_organization_account(shop.shop_id, username="acme_official", email=contact)
    return service.get_account(link.open_id), contact


def test_o8_a_member_signs_in_with_a_fresh_passcode(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)

    signed_in = service.sign_in_with_passcode(org.username, contact, code)

    assert signed_in.open_id == org.open_id


def test_o8_a_wrong_passcode_is_refused_with_invalid_credentials(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)
    wrong = "000000" if code != "000000" else "111111"

    with pytest.raises(Refused) as excinfo:
        service.sign_in_with_passcode(org.username, contact, wrong)

    assert excinfo.value.codes == ["invalid_credentials"]


def test_o8_a_passcode_is_still_valid_one_second_before_it_expires(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)
    world.advance(PASSCODE_LIFETIME - SECOND)

    assert service.sign_in_with_passcode(org.username, contact, code).open_id == org.open_id


def test_o8_a_passcode_expires_after_its_lifetime(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)
    world.advance(PASSCODE_LIFETIME)

    with pytest.raises(Refused) as excinfo:
        service.sign_in_with_passcode(org.username, contact, code)

    assert excinfo.value.codes == ["passcode_expired"]


def test_o8_a_used_passcode_cannot_sign_in_again(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)
    service.sign_in_with_passcode(org.username, contact, code)

    with pytest.raises(Refused) as excinfo:
        service.sign_in_with_passcode(org.username, contact, code)

    assert excinfo.value.codes == ["invalid_credentials"]


def test_o8_a_removed_member_can_no_longer_get_a_passcode(world, service):
    org, contact = _org_with_member(world, service)
    service.remove_org_member(org.open_id, contact)

    with pytest.raises(Refused) as excinfo:
        service.request_passcode(org.username, contact)

    assert excinfo.value.codes == ["not_an_org_member"]


def test_o8_a_removed_member_cannot_sign_in_with_a_passcode_sent_before_the_removal(world, service):
    org, contact = _org_with_member(world, service)
    code = service.request_passcode(org.username, contact)
    service.remove_org_member(org.open_id, contact)

    with pytest.raises(Refused) as excinfo:
        service.sign_in_with_passcode(org.username, contact, code)

    assert excinfo.value.codes == ["not_an_org_member"]


def test_o8_someone_who_was_never_a_member_cannot_get_a_passcode(world, service):
    org, _ = _org_with_member(world, service)

    with pytest.raises(Refused) as excinfo:
        service.request_passcode(org.username, "stranger@example.com")

    assert excinfo.value.codes == ["not_an_org_member"]


# --- O9: consent by QR code (Seller Center web) -------------------------------------------------------------


def test_o9_the_qr_flow_links_whoever_scans_and_authorizes(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    assert link.state is LinkState.PENDING_CONSENT
    assert link.open_id is None

    service.scan(link.link_id, account.open_id)
    consented = service.give_consent(link.link_id, account.open_id)
    assert consented.state is LinkState.CONSENTED
    active = service.accept_terms(link.link_id)

    assert active.state is LinkState.ACTIVE
    assert active.open_id == account.open_id


def test_o9_one_second_before_five_minutes_the_qr_code_can_still_be_scanned_and_authorized(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    world.advance(QR_LIFETIME - SECOND)

    service.scan(link.link_id, account.open_id)
    consented = service.give_consent(link.link_id, account.open_id)

    assert consented.state is LinkState.CONSENTED


def test_o9_at_exactly_five_minutes_the_qr_code_is_expired(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    world.advance(QR_LIFETIME)

    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, account.open_id)

    assert excinfo.value.codes == ["qr_expired"]
    assert service.get_link(link.link_id).state is LinkState.EXPIRED


def test_o9_a_qr_code_scanned_in_time_but_authorized_after_five_minutes_is_expired(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)
    world.advance(QR_LIFETIME)

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, account.open_id)

    assert excinfo.value.codes == ["qr_expired"]


def test_o9_an_expired_qr_code_is_refused_on_the_code_before_any_linking_rule(world, service):
    shop = world.shop()
    account = world.account(verification=Verification.UNVERIFIED, region="GB", standing=Standing.RESTRICTED)
    link = service.start_official_link(shop.shop_id)
    world.advance(QR_LIFETIME)

    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, account.open_id)

    assert excinfo.value.codes == ["qr_expired"]


def test_o9_a_qr_code_another_account_already_authorized_is_already_used(world, service):
    shop = world.shop()
    first, second = world.account("first"), world.account("second")
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, first.open_id)
    service.give_consent(link.link_id, first.open_id)

    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, second.open_id)

    assert excinfo.value.codes == ["qr_already_used"]


def test_o9_a_qr_code_of_a_completed_link_cannot_be_scanned_again(world, service):
    shop = world.shop()
    account = world.account()
    link = world.link_official(shop, account)

    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, account.open_id)

    assert excinfo.value.codes == ["qr_already_used"]


def test_o9_a_holder_who_cancels_ends_the_link_refused_with_consent_denied(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)

    cancelled = service.give_consent(link.link_id, account.open_id, authorize=False)

    assert cancelled.state is LinkState.REFUSED
    assert cancelled.refusal_codes == ["consent_denied"]
    seen_by_seller = service.get_link(link.link_id)
    assert seen_by_seller.state is LinkState.REFUSED
    assert seen_by_seller.refusal_codes == ["consent_denied"]
    assert service.linked_accounts(shop.shop_id)["official"] is None


def test_o9_a_qr_code_the_holder_cancelled_cannot_be_scanned_again(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)
    service.give_consent(link.link_id, account.open_id, authorize=False)

    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, account.open_id)

    assert excinfo.value.codes == ["qr_already_used"]


def test_o9_a_seller_who_does_not_agree_to_the_terms_is_refused_with_terms_not_accepted(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)
    service.give_consent(link.link_id, account.open_id)

    with pytest.raises(Refused) as excinfo:
        service.accept_terms(link.link_id, accepted=False)

    assert excinfo.value.codes == ["terms_not_accepted"]
    assert service.get_link(link.link_id).state is LinkState.CONSENTED
    assert service.linked_accounts(shop.shop_id)["official"] is None


# --- O10: consent by permission toggles (Seller app) --------------------------------------------------------


def test_o10_the_seller_must_tick_the_agreement_before_the_request_is_sent(world, service):
    shop = world.shop()
    world.account("bob")

    with pytest.raises(Refused) as excinfo:
        service.request_app_consent(shop.shop_id, "bob", agreed=False)

    assert excinfo.value.codes == ["terms_not_accepted"]
    assert service.links(shop_id=shop.shop_id) == []


def test_o10_a_username_that_does_not_exist_is_not_found(world, service):
    shop = world.shop()

    with pytest.raises(Refused) as excinfo:
        service.request_app_consent(shop.shop_id, "nobody_here")

    assert excinfo.value.codes == ["account_not_found"]


@pytest.mark.parametrize("left_off", ALL_TOGGLES)
def test_o10_a_permission_toggle_left_off_is_refused_with_consent_incomplete(world, service, left_off):
    shop = world.shop()
    bob = world.account("bob")
    link = service.request_app_consent(shop.shop_id, "bob")

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, bob.open_id, permissions=[p for p in ALL_TOGGLES if p != left_off])

    assert excinfo.value.codes == ["consent_incomplete"]
    assert service.get_link(link.link_id).state is LinkState.PENDING_CONSENT


def test_o10_after_consent_incomplete_the_holder_can_turn_every_toggle_on_and_continue(world, service):
    shop = world.shop()
    bob = world.account("bob")
    link = service.request_app_consent(shop.shop_id, "bob")
    with pytest.raises(Refused):
        service.give_consent(link.link_id, bob.open_id, permissions=["profile_information"])

    consented = service.give_consent(link.link_id, bob.open_id, permissions=ALL_TOGGLES)

    assert consented.state is LinkState.CONSENTED


def test_o9_the_qr_consent_also_needs_every_permission(world, service):
    shop = world.shop()
    account = world.account()
    link = service.start_official_link(shop.shop_id)
    service.scan(link.link_id, account.open_id)

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, account.open_id, permissions=["profile_information", "content"])

    assert excinfo.value.codes == ["consent_incomplete"]


def test_o10_another_account_answering_the_request_is_refused_with_account_mismatch(world, service):
    shop = world.shop()
    world.account("bob")
    carol = world.account("carol")
    link = service.request_app_consent(shop.shop_id, "bob")

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, carol.open_id, permissions=ALL_TOGGLES)

    assert excinfo.value.codes == ["account_mismatch"]
    assert service.get_link(link.link_id).state is LinkState.PENDING_CONSENT
    assert service.linked_accounts(shop.shop_id)["official"] is None


def test_o10_with_every_toggle_on_the_named_account_links(world, service):
    shop = world.shop()
    bob = world.account("bob")
    link = service.request_app_consent(shop.shop_id, "@bob")
    assert link.channel is Channel.APP_TOGGLE

    consented = service.give_consent(link.link_id, bob.open_id, permissions=ALL_TOGGLES)
    assert consented.state is LinkState.CONSENTED
    assert sorted(consented.granted_permissions) == sorted(ALL_TOGGLES)
    active = service.accept_terms(link.link_id)

    assert active.state is LinkState.ACTIVE
    assert active.open_id == bob.open_id


# --- O11: no follower minimum -------------------------------------------------------------------------------


def test_o11_an_account_with_no_followers_links_as_the_official_account(world, service):
    account = world.account(followers=0)

    link = world.link_official(world.shop(), account)

    assert link.state is LinkState.ACTIVE


def test_o10_another_account_cannot_cancel_a_request_sent_to_someone_else(world, service):
    shop = world.shop()
    named, stranger = world.account("named"), world.account("stranger")
    link = service.request_app_consent(shop.shop_id, "named")

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, stranger.open_id, authorize=False)

    assert excinfo.value.codes == ["account_mismatch"]
    assert service.give_consent(link.link_id, named.open_id).state is LinkState.CONSENTED


def test_troubleshooting_a_qr_code_that_will_not_scan_changes_nothing(world, service):
    from auth_server.domain.accounts import AppFault

    shop, holder = world.shop(), world.account(app_fault=AppFault.QR_UNREADABLE)
    link = service.start_official_link(shop.shop_id)
    with pytest.raises(Refused) as excinfo:
        service.scan(link.link_id, holder.open_id)
    assert excinfo.value.codes == ["qr_unreadable"]
    service.set_app_fault(holder.open_id, AppFault.NONE)
    assert service.scan(link.link_id, holder.open_id).scanned_at is not None


def test_troubleshooting_authorization_failed_leaves_the_qr_code_open(world, service):
    from auth_server.domain.accounts import AppFault

    shop, holder = world.shop(), world.account(app_fault=AppFault.AUTHORIZATION_FAILED)
    link = service.start_official_link(shop.shop_id)
    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, holder.open_id)
    assert excinfo.value.codes == ["authorization_failed"]
    assert service.get_link(link.link_id).state is LinkState.PENDING_CONSENT
