"""The seller's affiliate invitations and organization members over the linking API, through the seller's tool
(issue 11: each was reachable from the command line only)."""

from __future__ import annotations

import pytest

from linksim import Sandbox
from mobile_stub import AppRefused
from seller_client import SellerRefused


def test_a_seller_invites_a_creator_whose_app_inbox_then_shows_the_invitation(linksim_sandbox: Sandbox) -> None:
    invitation = linksim_sandbox.seller().invite_affiliate("shop_acme_us", "oid_cora", "12.5")
    assert (invitation.state, invitation.commission_rate) == ("pending", "12.50")
    inbox = linksim_sandbox.phone("cora").inbox()
    assert [i.invitation_id for i in inbox.affiliate_invitations] == [invitation.invitation_id]


def test_the_seller_sees_the_creator_accept_an_affiliate_invitation(linksim_sandbox: Sandbox) -> None:
    seller = linksim_sandbox.seller()
    invitation = seller.invite_affiliate("shop_acme_us", "oid_cora", "12.5")
    linksim_sandbox.phone("cora").accept(invitation.invitation_id)
    assert seller.get_affiliate_invitation(invitation.invitation_id).state == "accepted"


def test_an_affiliate_invitation_names_the_partner_app_as_who_sent_it(linksim_sandbox: Sandbox) -> None:
    invitation = linksim_sandbox.seller().invite_affiliate("shop_acme_us", "oid_cora", 10)
    events = linksim_sandbox.journal(kind="event", flow=invitation.invitation_id)
    assert [(e["event"], e["actor"]) for e in events] == [("affiliate.invited", "partner:linksim_demo_key")]


def test_an_official_account_cannot_be_invited_as_an_affiliate(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(SellerRefused) as refused:
        linksim_sandbox.seller().invite_affiliate("shop_acme_us", "oid_otto", "10")  # Nordic Home's official
    assert refused.value.code == "official_account_no_affiliate_products"


def test_a_commission_rate_out_of_range_is_refused_with_its_code(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(SellerRefused) as refused:
        linksim_sandbox.seller().invite_affiliate("shop_acme_us", "oid_cora", "81")
    assert (refused.value.code, refused.value.status) == ("invalid_commission_rate", 400)


def test_a_removed_organization_member_can_no_longer_sign_in_by_passcode(linksim_sandbox: Sandbox) -> None:
    org = linksim_sandbox.account("acme.org")["open_id"]
    removal = linksim_sandbox.seller().remove_org_member(org, "ops@acme.example")
    assert removal.removed_at == linksim_sandbox.clock.now().isoformat()
    with pytest.raises(AppRefused) as refused:
        linksim_sandbox.phone().sign_in_with_passcode("acme.org", "ops@acme.example")
    assert refused.value.code == "not_an_org_member"


def test_removing_a_member_of_an_account_that_is_no_organization_is_refused(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(SellerRefused) as refused:
        linksim_sandbox.seller().remove_org_member("oid_maya", "maya@example.com")
    assert (refused.value.code, refused.value.status) == ("not_an_organization", 404)
