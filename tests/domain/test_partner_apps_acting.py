"""A partner app acting through the linking API: it sees and finishes only the links it started, and the journal
names it as the actor of every step it takes. Callers that name no partner app (the command line, the data
files, Seller Center's screens) act as the seller, on any link. Both apps here act for the shops: their seller
authorized both (tests/domain/test_acting_for_shops.py is about the apps a seller did not authorize)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.links import partner_actor
from auth_server.domain.shops import ReviewMode

APP_A = partner_actor("app_a")
APP_B = partner_actor("app_b")


def shop_of_both(world, **fields):  # noqa: ANN001, ANN003, ANN201
    """A shop whose seller authorized both partner apps on TikTok Shop."""
    shop = world.shop(**fields)
    world.authorize_partner_app("app_a", shop)
    world.authorize_partner_app("app_b", shop)
    return shop


def consented(world, shop, account, *, actor: str = APP_A):  # noqa: ANN001, ANN201
    link = world.service.start_official_link(shop.shop_id, actor=actor)
    world.service.give_consent(link.link_id, account.open_id)
    return link


def actors(world, link_id: str, kind: str) -> list[str]:  # noqa: ANN001
    return [e.actor for e in world.service.journal(subject_type="link", subject_id=link_id) if e.kind == kind]


def test_a_partner_app_is_named_as_a_string_the_journal_reads_back() -> None:
    assert APP_A == "partner:app_a"


def test_a_partner_app_reads_the_links_it_started(world) -> None:  # noqa: ANN001
    link = world.service.start_official_link(shop_of_both(world).shop_id, actor=APP_A)
    assert world.service.get_link(link.link_id, actor=APP_A).link_id == link.link_id


def test_another_partner_apps_link_is_not_found_as_if_it_did_not_exist(world) -> None:  # noqa: ANN001
    link = world.service.start_official_link(shop_of_both(world).shop_id, actor=APP_A)
    with pytest.raises(Refused) as refused:
        world.service.get_link(link.link_id, actor=APP_B)
    assert refused.value.codes == ["link_not_found"]
    assert refused.value.violations[0].message == f"No link request has the id {link.link_id}. Start a new link."


def test_callers_without_a_partner_app_read_every_link(world) -> None:  # noqa: ANN001
    link = world.service.start_official_link(shop_of_both(world).shop_id, actor=APP_A)
    assert world.service.get_link(link.link_id).link_id == link.link_id
    assert world.service.get_link(link.link_id, actor="seller").link_id == link.link_id


def test_the_terms_accepted_by_the_partner_app_name_it_in_the_journal(world) -> None:  # noqa: ANN001
    shop = shop_of_both(world, review_mode=ReviewMode.MANUAL)
    link = consented(world, shop, world.account())
    accepted = world.service.accept_terms(link.link_id, actor=APP_A)
    assert accepted.state is LinkState.PENDING_REVIEW
    assert actors(world, link.link_id, "link.pending_review") == [APP_A]


def test_another_partner_app_cannot_accept_the_terms_and_the_link_stays_as_it_was(world) -> None:  # noqa: ANN001
    link = consented(world, shop_of_both(world), world.account())
    with pytest.raises(Refused) as refused:
        world.service.accept_terms(link.link_id, actor=APP_B)
    assert refused.value.codes == ["link_not_found"]
    assert world.service.get_link(link.link_id).state is LinkState.CONSENTED


def test_another_partner_app_cannot_refuse_the_terms_either(world) -> None:  # noqa: ANN001
    link = consented(world, shop_of_both(world), world.account())
    with pytest.raises(Refused) as refused:
        world.service.accept_terms(link.link_id, accepted=False, actor=APP_B)
    assert refused.value.codes == ["link_not_found"]


def test_the_seller_accepts_the_terms_of_any_link_as_before(world) -> None:  # noqa: ANN001
    shop = shop_of_both(world, review_mode=ReviewMode.MANUAL)
    link = consented(world, shop, world.account())
    world.service.accept_terms(link.link_id)
    assert actors(world, link.link_id, "link.pending_review") == ["seller"]


def test_a_review_decided_by_the_partner_app_names_it(world) -> None:  # noqa: ANN001
    shop = shop_of_both(world, review_mode=ReviewMode.MANUAL)
    link = consented(world, shop, world.account())
    world.service.accept_terms(link.link_id, actor=APP_A)
    decided = world.service.decide_review(link.link_id, approve=True, actor=APP_A)
    assert decided.state is LinkState.ACTIVE
    assert actors(world, link.link_id, "link.active") == [APP_A]


def test_another_partner_app_cannot_decide_the_review(world) -> None:  # noqa: ANN001
    shop = shop_of_both(world, review_mode=ReviewMode.MANUAL)
    link = consented(world, shop, world.account())
    world.service.accept_terms(link.link_id, actor=APP_A)
    with pytest.raises(Refused) as refused:
        world.service.decide_review(link.link_id, approve=False, actor=APP_B)
    assert refused.value.codes == ["link_not_found"]
    assert world.service.get_link(link.link_id).state is LinkState.PENDING_REVIEW


def test_a_review_decided_without_a_partner_app_is_the_reviewers_as_before(world) -> None:  # noqa: ANN001
    shop = shop_of_both(world, review_mode=ReviewMode.MANUAL)
    link = consented(world, shop, world.account())
    world.service.accept_terms(link.link_id)
    world.service.decide_review(link.link_id, approve=True)
    assert actors(world, link.link_id, "link.active") == ["reviewer"]


def test_an_unlink_by_a_partner_app_names_it_in_the_journal(world) -> None:  # noqa: ANN001
    shop, account = shop_of_both(world), world.account()
    link = world.link_official(shop, account)
    world.advance(timedelta(hours=24))
    world.service.unlink(shop.shop_id, account.open_id, actor=APP_A)
    assert actors(world, link.link_id, "link.unlinked") == [APP_A]
    removed = [e for e in world.service.journal(subject_type="account", subject_id=account.open_id)
               if e.kind == "account.storefront_removed"]
    assert [e.actor for e in removed] == [APP_A]


def test_an_unlink_without_a_partner_app_is_the_sellers_as_before(world) -> None:  # noqa: ANN001
    shop, account = shop_of_both(world), world.account()
    link = world.link_official(shop, account)
    world.advance(timedelta(hours=24))
    world.service.unlink(shop.shop_id, account.open_id)
    assert actors(world, link.link_id, "link.unlinked") == ["seller"]
