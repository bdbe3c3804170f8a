"""Seller Center's My account > Linked TikTok accounts, over HTTP: the official card, unlinking, the marketing
search and invitations, both paths of "Link official account", the review, the shop's name, and each refusal shown
on the page that asked, with what to do next."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server.domain.shops import ReviewMode
from tests.conftest import START
from tests.login_kit.conftest import csrf_of


class SellerCenter:
    """The seller's browser on Seller Center: reads pages, posts forms with the page's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def page(self, path: str, status: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_data(as_text=True)

    def post(self, path: str, form: dict[str, str] | None = None, *, page: str | None = None) -> Any:
        return self.client.post(path, data={**(form or {}), "csrf_token": csrf_of(self.page(page or path))})

    def follow(self, response: Any) -> str:
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.page(response.headers["Location"])


@pytest.fixture
def shop(world):  # noqa: ANN001, ANN201
    return world.shop("shop_sc", name="Center Shop")


@pytest.fixture
def seller(app: Flask, shop) -> SellerCenter:  # noqa: ANN001
    return SellerCenter(app.test_client())


@pytest.fixture
def official(world, shop, holder):  # noqa: ANN001, ANN201
    with world.sim.store.unit_of_work() as repo:
        repo.account(holder.open_id).phone = "+1 555 0100 4821"
    return world.link_official(shop, holder)


def text_of(page: str, name: str) -> str:
    """The text inside the element with this data-testid."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)<', page, re.S)
    assert match, f"no {name} on the page"
    return " ".join(match.group(1).split())


# --- the frame -------------------------------------------------------------------------------------------------------

def test_the_header_names_the_shop_and_its_seller(seller: SellerCenter) -> None:
    page = seller.page("/seller/shops/shop_sc")
    assert text_of(page, "header-shop") == "Center Shop" and text_of(page, "header-seller") == "A seller"


def test_the_left_navigation_marks_linked_tiktok_accounts_as_the_current_page(seller: SellerCenter) -> None:
    page = seller.page("/seller/shops/shop_sc/marketing")
    assert re.search(r'data-testid="nav-linked-accounts"\s+aria-current="page"', page)


def test_the_marketing_tab_is_the_current_tab_on_the_marketing_page(seller: SellerCenter) -> None:
    page = seller.page("/seller/shops/shop_sc/marketing")
    assert re.search(r'data-testid="tab-marketing"\s+aria-current="page"', page)
    assert not re.search(r'data-testid="tab-official"\s+aria-current="page"', page)


# --- the official account ---------------------------------------------------------------------------------------------

def test_the_official_card_shows_username_nickname_masked_phone_and_binding_time(
        seller: SellerCenter, official) -> None:  # noqa: ANN001
    page = seller.page("/seller/shops/shop_sc")
    assert text_of(page, "official-username") == "@center_shop"
    assert text_of(page, "official-nickname") == "Center Shop"
    assert text_of(page, "official-phone").endswith("4821") and "0100" not in text_of(page, "official-phone")
    assert text_of(page, "official-bound-at") == "2 Mar 2026, 09:00 UTC"
    assert text_of(page, "official-avatar") == "CS"


def test_a_shop_without_an_official_account_offers_link_official_account(seller: SellerCenter) -> None:
    page = seller.page("/seller/shops/shop_sc")
    assert 'href="/seller/shops/shop_sc/link-official" data-testid="link-official"' in page


def test_link_official_account_offers_an_organization_account_a_qr_code_and_the_seller_app(
        seller: SellerCenter) -> None:
    page = seller.page("/seller/shops/shop_sc/link-official")
    for control in ("create-organization-account", "link-by-qr", "send-app-request"):
        assert f'data-testid="{control}"' in page


def test_an_official_account_in_review_shows_its_review_state(seller: SellerCenter, world, shop, holder) -> None:  # noqa: ANN001
    world.service.set_review(shop.shop_id, ReviewMode.MANUAL)
    world.link_official(shop, holder)
    page = seller.page("/seller/shops/shop_sc")
    assert 'data-testid="official-in-review" data-state="pending_review"' in page
    assert "@holder" not in page


# --- unlinking --------------------------------------------------------------------------------------------------------

def test_unlink_asks_for_a_confirmation_first(seller: SellerCenter, official) -> None:  # noqa: ANN001
    page = seller.page("/seller/shops/shop_sc/accounts/oid_holder/unlink")
    assert 'data-testid="unlink-confirmation" data-role="official"' in page and 'data-testid="confirm-unlink"' in page
    assert seller.page("/seller/shops/shop_sc").count('data-testid="official-card"') == 1


def test_unlinking_too_early_shows_the_cooldown_left_in_words(seller: SellerCenter, official, world) -> None:  # noqa: ANN001
    world.advance("1h")
    response = seller.post("/seller/shops/shop_sc/accounts/oid_holder/unlink")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'data-testid="refusal" data-code="unlink_too_early"' in page
    step = re.search(r'data-testid="next-step">(.*?)</p>', page).group(1)  # type: ignore[union-attr]
    assert re.sub(r"<[^>]+>", "", step) == ("What to do next: Wait 23 hours: you can try again from "
                                            "3 Mar 2026, 09:00 UTC.")


def test_a_refusal_on_the_page_writes_its_times_and_durations_for_people(
        seller: SellerCenter, official) -> None:  # noqa: ANN001
    page = seller.post("/seller/shops/shop_sc/accounts/oid_holder/unlink").get_data(as_text=True)
    message = re.search(r'data-testid="refusal-message" data-code="unlink_too_early">(.*?)<', page, re.S).group(1)  # type: ignore[union-attr]
    assert " ".join(message.split()) == ("This official account was linked at 2 Mar 2026, 09:00 UTC and can be "
                                         "unlinked 1 day after that, from 3 Mar 2026, 09:00 UTC (1 day from now).")


def test_unlinking_after_the_cooldown_unlinks_and_says_so(seller: SellerCenter, official, world) -> None:  # noqa: ANN001
    world.advance("24h")
    page = seller.follow(seller.post("/seller/shops/shop_sc/accounts/oid_holder/unlink"))
    assert text_of(page, "notice") == "@center_shop is unlinked from this shop."
    assert 'data-testid="link-official"' in page
    assert world.service.get_link(official.link_id).state.value == "unlinked"


def test_unlinking_an_account_that_is_not_linked_says_so(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = seller.post("/seller/shops/shop_sc/accounts/oid_holder/unlink").get_data(as_text=True)
    assert 'data-code="account_not_linked"' in page


# --- the other path: the Seller app, an organization account ----------------------------------------------------------

def test_a_seller_app_request_waits_in_the_named_accounts_app(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = seller.follow(seller.post("/seller/shops/shop_sc/app-link", {"username": "holder", "agree": "yes"},
                                     page="/seller/shops/shop_sc/link-official"))
    assert 'data-state="pending_consent"' in page and "@holder" in text_of(page, "app-request-waiting") + page
    assert 'data-testid="qr"' not in page


def test_a_seller_app_request_without_the_terms_says_to_agree_first(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    response = seller.post("/seller/shops/shop_sc/app-link", {"username": "holder"},
                           page="/seller/shops/shop_sc/link-official")
    assert response.status_code == 403
    assert 'data-testid="refusal" data-code="terms_not_accepted"' in response.get_data(as_text=True)


def test_a_seller_app_request_for_an_unknown_account_says_so_on_the_form(seller: SellerCenter) -> None:
    response = seller.post("/seller/shops/shop_sc/app-link", {"username": "nobody", "agree": "yes"},
                           page="/seller/shops/shop_sc/link-official")
    page = response.get_data(as_text=True)
    assert 'data-code="account_not_found"' in page and 'data-testid="app-link-form"' in page


def test_an_organization_account_is_created_and_linked_without_a_qr_code(seller: SellerCenter, world) -> None:  # noqa: ANN001
    page = seller.follow(seller.post("/seller/shops/shop_sc/organization-account", {"username": "center_org"},
                                     page="/seller/shops/shop_sc/link-official"))
    assert 'data-testid="seller-link" data-state="active"' in page
    assert world.service.get_account_by_username("center_shop").account_type.value == "organization"


def test_an_organization_account_by_an_existing_username_is_refused_with_what_to_do(
        seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = seller.post("/seller/shops/shop_sc/organization-account", {"username": "holder"},
                       page="/seller/shops/shop_sc/link-official").get_data(as_text=True)
    assert 'data-testid="refusal" data-code="org_conversion_not_supported"' in page
    assert "Choose a new username for the organization account" in page


def test_an_organization_accounts_members_show_on_its_card_and_one_can_be_removed(
        seller: SellerCenter, world) -> None:  # noqa: ANN001
    seller.post("/seller/shops/shop_sc/organization-account",
                {"username": "center_org", "members": "ops@center.example\n+1 555 0100 9999\n"},
                page="/seller/shops/shop_sc/link-official")
    card = seller.page("/seller/shops/shop_sc")
    assert 'data-contact="ops@center.example"' in card and 'data-contact="+1 555 0100 9999"' in card
    open_id = world.service.get_account_by_username("center_shop").open_id
    page = seller.follow(seller.post(f"/seller/shops/shop_sc/accounts/{open_id}/members/remove",
                                     {"contact": "ops@center.example"}, page="/seller/shops/shop_sc"))
    assert text_of(page, "notice") == "ops@center.example can no longer sign in to the organization account."
    assert 'data-contact="ops@center.example"' not in page and 'data-contact="+1 555 0100 9999"' in page


def test_removing_someone_who_is_no_member_says_so(seller: SellerCenter, world) -> None:  # noqa: ANN001
    seller.post("/seller/shops/shop_sc/organization-account", {"username": "center_org"},
                page="/seller/shops/shop_sc/link-official")
    open_id = world.service.get_account_by_username("center_shop").open_id
    page = seller.post(f"/seller/shops/shop_sc/accounts/{open_id}/members/remove", {"contact": "nobody@x.example"},
                       page="/seller/shops/shop_sc/link-official").get_data(as_text=True)
    assert 'data-testid="refusal" data-code="not_an_org_member"' in page


def test_an_organization_account_of_the_sellers_entity_is_linked_by_its_username(
        seller: SellerCenter, world, shop) -> None:  # noqa: ANN001
    world.org_account("center_org", entity="ENT-1")
    page = seller.follow(seller.post("/seller/shops/shop_sc/organization-link", {"username": "center_org"},
                                     page="/seller/shops/shop_sc/link-official"))
    assert 'data-testid="seller-link" data-state="active"' in page


def test_an_organization_account_of_another_entity_is_refused_on_the_form(seller: SellerCenter, world) -> None:  # noqa: ANN001
    world.org_account("other_org", entity="ENT-OTHER")
    response = seller.post("/seller/shops/shop_sc/organization-link", {"username": "other_org"},
                           page="/seller/shops/shop_sc/link-official")
    page = response.get_data(as_text=True)
    assert 'data-testid="refusal" data-code="entity_mismatch"' in page
    assert 'value="other_org"' in page


def test_linking_a_personal_account_as_an_organization_account_says_to_use_the_qr_code(
        seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = seller.post("/seller/shops/shop_sc/organization-link", {"username": "holder"},
                       page="/seller/shops/shop_sc/link-official").get_data(as_text=True)
    assert 'data-code="invalid_input"' in page and "link it by QR code" in page


# --- marketing accounts -----------------------------------------------------------------------------------------------

def test_searching_by_username_shows_the_account_meeting_the_criteria(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = seller.page("/seller/shops/shop_sc/marketing?q=@holder")
    assert 'data-testid="candidate" data-username="holder" data-eligible="true"' in page
    assert 'data-testid="send-invitation"' in page


def test_searching_by_nickname_finds_the_account(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    assert 'data-username="holder"' in seller.page("/seller/shops/shop_sc/marketing?q=Holder+Nick")


def test_an_account_that_fails_a_criterion_says_which_and_offers_no_invitation(
        seller: SellerCenter, official) -> None:  # noqa: ANN001
    page = seller.page("/seller/shops/shop_sc/marketing?q=center_shop")
    assert 'data-username="center_shop" data-eligible="false"' in page
    assert 'data-code="same_account_both_roles" data-testid="criterion"' in page
    assert 'data-testid="send-invitation"' not in page


def test_a_search_that_finds_nobody_says_what_to_do(seller: SellerCenter) -> None:
    response = seller.client.get("/seller/shops/shop_sc/marketing?q=nobody")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and 'data-testid="refusal" data-code="account_not_found"' in page
    assert "Check the username" in page


def invite(seller: SellerCenter, username: str = "holder") -> str:
    page = seller.page(f"/seller/shops/shop_sc/marketing?q={username}")
    open_id = re.search(r'name="open_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return seller.follow(seller.client.post("/seller/shops/shop_sc/invitations",
                                            data={"open_id": open_id, "csrf_token": csrf_of(page)}))


def test_sending_an_invitation_lists_it_as_pending(seller: SellerCenter, holder) -> None:  # noqa: ANN001
    page = invite(seller)
    assert text_of(page, "notice").startswith("Invitation sent to @holder")
    assert re.search(r'data-testid="invitation" data-invitation-id="[^"]+" data-state="pending"', page)


@pytest.mark.parametrize("accept, state", [(True, "accepted"), (False, "declined")])
def test_an_invitation_answered_in_the_app_shows_its_answer(
        seller: SellerCenter, world, holder, accept: bool, state: str) -> None:  # noqa: ANN001
    invite(seller)
    invitation = world.service.invitations(shop_id="shop_sc")[0]
    world.service.answer_invitation(invitation.invitation_id, holder.open_id, accept=accept)
    assert f'data-state="{state}"' in seller.page("/seller/shops/shop_sc/marketing")


def test_an_invitation_nobody_answered_shows_as_expired(seller: SellerCenter, world, holder) -> None:  # noqa: ANN001
    invite(seller)
    world.advance("7d")
    page = seller.page("/seller/shops/shop_sc/marketing")
    assert re.search(r'data-testid="invitation" data-invitation-id="[^"]+" data-state="expired"', page)


def test_an_accepted_invitation_lists_the_marketing_account_with_a_way_to_unlink_it(
        seller: SellerCenter, world, shop, holder) -> None:  # noqa: ANN001
    world.link_marketing(shop, holder)
    page = seller.page("/seller/shops/shop_sc/marketing")
    assert 'data-testid="marketing-row" data-username="holder"' in page
    assert 'href="/seller/shops/shop_sc/accounts/oid_holder/unlink"' in page


def test_unlinking_a_marketing_account_too_early_shows_the_cooldown(seller: SellerCenter, world, shop, holder) -> None:  # noqa: ANN001
    world.link_marketing(shop, holder)
    page = seller.post("/seller/shops/shop_sc/accounts/oid_holder/unlink").get_data(as_text=True)
    assert 'data-code="unlink_too_early"' in page and "Wait 1 day" in page


def test_an_invitation_refused_by_a_rule_shows_the_rule_on_the_marketing_page(
        seller: SellerCenter, world, shop, holder) -> None:  # noqa: ANN001
    page = seller.page("/seller/shops/shop_sc/marketing?q=holder")
    world.service.set_shop_status(shop.shop_id, probation_until=START + timedelta(days=30))
    response = seller.client.post("/seller/shops/shop_sc/invitations",
                                  data={"open_id": holder.open_id, "q": "holder", "csrf_token": csrf_of(page)})
    refused = response.get_data(as_text=True)
    assert response.status_code == 409 and 'data-testid="refusal" data-code="shop_in_probation"' in refused
    assert 'data-testid="search-form"' in refused


# --- the shop's name --------------------------------------------------------------------------------------------------

def test_renaming_the_shop_renames_the_official_account(seller: SellerCenter, official, world) -> None:  # noqa: ANN001
    page = seller.follow(seller.post("/seller/shops/shop_sc/profile", {"name": "Renamed Shop"}))
    assert text_of(page, "notice") == "The shop is renamed." and text_of(page, "header-shop") == "Renamed Shop"
    card = seller.page("/seller/shops/shop_sc")
    assert text_of(card, "official-nickname") == "Renamed Shop"


def test_the_shop_page_says_the_official_account_follows_the_name(seller: SellerCenter, official) -> None:  # noqa: ANN001
    assert "@center_shop is renamed with the shop" in seller.page("/seller/shops/shop_sc/profile")


def test_an_empty_shop_name_is_refused_on_the_form(seller: SellerCenter) -> None:
    response = seller.post("/seller/shops/shop_sc/profile", {"name": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-code="invalid_input"' in page and 'data-testid="rename-form"' in page


def test_seller_center_inside_a_sandbox_keeps_every_address_in_the_sandbox(app: Flask) -> None:
    client = app.test_client()
    sandbox = client.post("/_sim/sandboxes", json={"fixtures": "demo"}).get_json()["id"]
    page = client.get(f"/sandboxes/{sandbox}/seller/shops/shop_acme_us/marketing?q=nora").get_data(as_text=True)
    addresses = re.findall(r'(?:href|action)="(/[^"]*)"', page)
    assert addresses and all(a.startswith(f"/sandboxes/{sandbox}/") for a in addresses), addresses
    assert f"next=/sandboxes/{sandbox}/seller/shops/shop_acme_us/marketing" in page
