"""A request that breaks several rules is refused with every code at once, not only the first."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.shops import ShopStatus


def test_an_unverified_restricted_underage_foreign_account_at_a_taken_shop_gets_every_code(world, service):
    shop = world.shop(region="US")
    qr = service.start_official_link(shop.shop_id)  # shown before the slot was taken
    world.link_official(shop, world.account("holder"))
    teen = world.account(
        "teen",
        region="GB",
        verification=Verification.UNVERIFIED,
        standing=Standing.RESTRICTED,
        birth_date=date(2010, 1, 1),
    )
    service.scan(qr.link_id, teen.open_id)

    with pytest.raises(Refused) as excinfo:
        service.give_consent(qr.link_id, teen.open_id)

    assert sorted(excinfo.value.codes) == sorted([
        "official_slot_taken",
        "region_mismatch",
        "identity_not_verified",
        "account_restricted",
        "underage",
    ])
    refused = service.get_link(qr.link_id)
    assert refused.state is LinkState.REFUSED
    assert sorted(refused.refusal_codes) == sorted(excinfo.value.codes)


def test_each_violation_carries_its_own_message_and_rules(world, service):
    shop = world.shop(region="US")
    account = world.account(region="GB", verification=Verification.FAILED)

    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)

    by_code = {v.code: v for v in excinfo.value.violations}
    assert sorted(by_code) == ["identity_not_verified", "region_mismatch"]
    assert by_code["region_mismatch"].rules == ("O4",)
    assert "O5" in by_code["identity_not_verified"].rules
    assert all(v.message for v in excinfo.value.violations)


def test_a_shop_neither_active_nor_in_an_eligible_region_gets_both_codes(world, service):
    shop = world.shop(region="CN", status=ShopStatus.PENDING_APPROVAL)

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert sorted(excinfo.value.codes) == ["shop_not_active", "shop_region_not_eligible"]


def test_an_official_account_elsewhere_from_another_region_of_another_entity_gets_every_code(world, service):
    home = world.shop(region="US", seller=world.seller(entity="ENT-ACME"))
    other = world.shop(region="GB", seller=world.seller(entity="ENT-GLOBEX"))
    org = world.org_account("acme", entity="ENT-ACME", region="US")
    service.link_organization_account(home.shop_id, org.open_id)

    with pytest.raises(Refused) as excinfo:
        service.link_organization_account(other.shop_id, org.open_id)

    assert sorted(excinfo.value.codes) == ["account_linked_elsewhere", "entity_mismatch", "region_mismatch"]


def test_an_unverified_account_over_its_quota_invited_by_a_full_shop_in_probation_gets_every_code(
    world, service, sim
):
    shop = world.shop()
    for n in range(4):
        world.link_marketing(shop, world.account(f"m{n}"))
    busy = world.account("busy")
    for _ in range(10):
        world.link_marketing(world.shop(), busy)
    service.set_shop_status(shop.shop_id, probation_until=sim.clock.now() + timedelta(days=1))
    with sim.store.unit_of_work() as repo:  # the holder's identity verification is since marked failed
        repo.account(busy.open_id).verification = Verification.FAILED

    with pytest.raises(Refused) as excinfo:
        service.invite_marketing_account(shop.shop_id, busy.open_id)

    assert sorted(excinfo.value.codes) == sorted([
        "marketing_slots_full",
        "shop_in_probation",
        "identity_not_verified",
        "marketing_link_quota_exceeded",
    ])


def test_an_expired_qr_code_reports_only_the_expiry_whatever_else_is_wrong(world, service):
    shop = world.shop()
    qr = service.start_official_link(shop.shop_id)
    world.link_official(shop, world.account("holder"))
    teen = world.account("teen", region="GB", verification=Verification.UNVERIFIED,
                         birth_date=date(2010, 1, 1))
    world.advance(timedelta(minutes=5))

    with pytest.raises(Refused) as excinfo:
        service.scan(qr.link_id, teen.open_id)

    assert excinfo.value.codes == ["qr_expired"]


def test_another_account_answering_with_a_toggle_off_gets_both_consent_codes(world, service):
    shop = world.shop()
    world.account("bob")
    carol = world.account("carol")
    link = service.request_app_consent(shop.shop_id, "bob")

    with pytest.raises(Refused) as excinfo:
        service.give_consent(link.link_id, carol.open_id, permissions=["profile_information"])

    assert sorted(excinfo.value.codes) == ["account_mismatch", "consent_incomplete"]
