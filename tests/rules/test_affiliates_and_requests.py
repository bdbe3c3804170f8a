"""Affiliate creators take no slot and no quota; a Seller-app request expires like a QR code."""

from __future__ import annotations

import pytest

from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState


def test_an_affiliate_creator_takes_no_marketing_slot(world) -> None:  # noqa: ANN001
    shop = world.shop()
    for _ in range(4):
        world.link_marketing(shop, world.account())
    creator = world.account()
    invitation = world.service.invite_affiliate(shop.shop_id, creator.open_id, "15")
    world.service.answer_affiliate_invitation(invitation.invitation_id, creator.open_id, accept=True)
    assert world.service.add_to_showcase(creator.open_id, world.product(shop).product_id).source.value == (
        "affiliate_invitation")
    assert [link for link in world.service.links(shop_id=shop.shop_id) if link.open_id == creator.open_id] == []


def test_affiliate_invitations_count_toward_no_marketing_quota(world) -> None:  # noqa: ANN001
    creator = world.account()
    for _ in range(12):
        shop = world.shop()
        invitation = world.service.invite_affiliate(shop.shop_id, creator.open_id, "10")
        world.service.answer_affiliate_invitation(invitation.invitation_id, creator.open_id, accept=True)
    assert world.service.check_marketing_criteria(world.shop().shop_id, creator.open_id) == []


def test_an_affiliate_invitation_expires_after_seven_days(world) -> None:  # noqa: ANN001
    shop, creator = world.shop(), world.account()
    invitation = world.service.invite_affiliate(shop.shop_id, creator.open_id, "10")
    world.advance("7d")
    with pytest.raises(Refused) as refused:
        world.service.answer_affiliate_invitation(invitation.invitation_id, creator.open_id, accept=True)
    assert refused.value.codes == ["invitation_expired"]


def test_a_seller_app_request_expires_unanswered(world) -> None:  # noqa: ANN001
    shop, holder = world.shop(), world.account("holder")
    link = world.service.request_app_consent(shop.shop_id, "holder")
    world.advance("5m")
    with pytest.raises(Refused) as refused:
        world.service.give_consent(link.link_id, holder.open_id)
    assert refused.value.codes == ["consent_expired"]
    assert world.service.get_link(link.link_id).state is LinkState.EXPIRED


def test_a_seller_app_request_one_second_before_expiry_is_answered(world) -> None:  # noqa: ANN001
    shop, holder = world.shop(), world.account("holder")
    link = world.service.request_app_consent(shop.shop_id, "holder")
    world.advance("4m59s")
    assert world.service.give_consent(link.link_id, holder.open_id).state is LinkState.CONSENTED


def test_the_seller_app_flow_needs_the_sellers_agreement(world) -> None:  # noqa: ANN001
    shop = world.shop()
    world.account("holder")
    with pytest.raises(Refused) as refused:
        world.service.request_app_consent(shop.shop_id, "holder", agreed=False)
    assert refused.value.codes == ["terms_not_accepted"]
