"""The Seller-app toggle flow (O10) and marketing invitations (M5) over HTTP: the seller's API, the app's inbox."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import account_with_password
from tests.login_kit.conftest import csrf_of

PERMISSIONS = ["profile_information", "content", "audience_data"]


@pytest.fixture
def shop(world):  # noqa: ANN001, ANN201
    """A shop whose seller authorized the partner app, which then acts for it."""
    shop = world.shop("shop_app", name="App Shop")
    world.authorize_partner_app(CLIENT_KEY, shop)
    return shop


def seller_headers(client: FlaskClient) -> dict[str, str]:
    token = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                  "grant_type": "client_credentials"}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def seller(client: FlaskClient) -> dict[str, str]:
    return seller_headers(client)


def request_link(client: FlaskClient, seller: dict[str, str], **body: Any) -> Any:
    return client.post("/api/shops/shop_app/official-link", json={"via": "app", "username": "holder",
                                                                  "agreed": True, **body}, headers=seller)


def answer_toggles(browser: Browser, link_id: str, permissions: list[str], decision: str = "continue") -> Any:
    page = browser.client.get(f"/app/requests/{link_id}")
    assert page.status_code == 200, page.get_data(as_text=True)
    return browser.client.post(f"/app/requests/{link_id}", data={
        "permission": permissions, "decision": decision, "csrf_token": csrf_of(page.get_data(as_text=True))})


def test_the_request_appears_in_the_named_accounts_inbox(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = request_link(browser.client, seller).get_json()
    browser.sign_in()
    inbox = browser.client.get("/app/inbox").get_data(as_text=True)
    assert f'data-link-id="{link["link_id"]}"' in inbox and "App Shop" in inbox


def test_every_toggle_on_then_link_makes_the_account_official(browser: Browser, seller, shop, holder) -> None:  # noqa: ANN001
    link = request_link(browser.client, seller).get_json()
    browser.sign_in()
    done = answer_toggles(browser, link["link_id"], PERMISSIONS)
    assert 'data-state="consented"' in done.get_data(as_text=True)
    linked = browser.client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=seller)
    assert linked.get_json()["state"] == "active" and linked.get_json()["open_id"] == holder.open_id


def test_a_toggle_left_off_is_consent_incomplete_and_the_request_stays_open(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = request_link(browser.client, seller).get_json()
    browser.sign_in()
    response = answer_toggles(browser, link["link_id"], PERMISSIONS[:2])
    assert response.status_code == 409
    assert 'data-code="consent_incomplete"' in response.get_data(as_text=True)
    assert browser.client.get(f"/api/links/{link['link_id']}", headers=seller).get_json()["state"] == (
        "pending_consent")
    assert 'data-state="consented"' in answer_toggles(browser, link["link_id"], PERMISSIONS).get_data(as_text=True)


def test_another_account_answering_is_account_mismatch(browser: Browser, seller, shop, world) -> None:  # noqa: ANN001
    other = world.account("other")
    account_with_password(world, other)
    link = request_link(browser.client, seller).get_json()
    browser.sign_in("other", PASSWORD)
    response = answer_toggles(browser, link["link_id"], PERMISSIONS)
    assert response.status_code == 409 and 'data-code="account_mismatch"' in response.get_data(as_text=True)


def test_the_seller_must_tick_the_agreement(client: FlaskClient, seller, shop, holder) -> None:  # noqa: ANN001
    response = request_link(client, seller, agreed=False)
    assert response.status_code == 403 and response.get_json()["code"] == "terms_not_accepted"


def test_the_seller_searches_by_nickname_and_sees_every_match(client: FlaskClient, seller, world) -> None:  # noqa: ANN001
    world.account("twin.a", nickname="Twin")
    world.account("twin.b", nickname="Twin")
    found = client.get("/api/accounts/search?q=Twin", headers=seller).get_json()["accounts"]
    assert sorted(a["username"] for a in found) == ["twin.a", "twin.b"]
    missing = client.get("/api/accounts/search?q=nobody", headers=seller)
    assert missing.status_code == 404 and missing.get_json()["code"] == "account_not_found"


def test_the_criteria_check_lists_every_failure(client: FlaskClient, seller, shop, world) -> None:  # noqa: ANN001
    from auth_server.domain.accounts import Verification

    unverified = world.account("unv", verification=Verification.UNVERIFIED)
    answer = client.get(f"/api/shops/shop_app/marketing-criteria?open_id={unverified.open_id}",
                        headers=seller).get_json()
    assert answer["eligible"] is False
    assert [v["code"] for v in answer["violations"]] == ["identity_not_verified"]


def test_an_invitation_accepted_in_the_inbox_links_a_marketing_account(browser: Browser, seller, shop,  # noqa: ANN001
                                                                        holder) -> None:
    sent = browser.client.post("/api/shops/shop_app/marketing-invitations", json={"open_id": holder.open_id},
                               headers=seller)
    assert sent.status_code == 201
    invitation = sent.get_json()
    browser.sign_in()
    inbox = browser.client.get("/app/inbox").get_data(as_text=True)
    assert f'data-invitation-id="{invitation["invitation_id"]}"' in inbox
    answer = browser.client.post(f"/app/invitations/{invitation['invitation_id']}",
                                 data={"decision": "accept", "csrf_token": csrf_of(inbox)})
    assert 'data-state="accepted"' in answer.get_data(as_text=True)
    view = browser.client.get("/api/shops/shop_app/linked-accounts", headers=seller).get_json()
    assert [m["open_id"] for m in view["marketing"]] == [holder.open_id]


def test_a_declined_invitation_shows_invitation_declined_to_the_seller(browser: Browser, seller, shop,  # noqa: ANN001
                                                                        holder) -> None:
    invitation = browser.client.post("/api/shops/shop_app/marketing-invitations", json={"open_id": holder.open_id},
                                     headers=seller).get_json()
    browser.sign_in()
    inbox = browser.client.get("/app/inbox").get_data(as_text=True)
    browser.client.post(f"/app/invitations/{invitation['invitation_id']}",
                        data={"decision": "decline", "csrf_token": csrf_of(inbox)})
    view = browser.client.get(f"/api/invitations/{invitation['invitation_id']}", headers=seller).get_json()
    assert view["state"] == "declined" and view["refusal"]["code"] == "invitation_declined"


def test_an_invitation_expires_after_seven_days(client: FlaskClient, seller, shop, holder, sim) -> None:  # noqa: ANN001
    invitation = client.post("/api/shops/shop_app/marketing-invitations", json={"open_id": holder.open_id},
                             headers=seller).get_json()
    sim.clock.advance("7d")  # the partner's client token (2 h) has expired too: the tool gets a new one
    view = client.get(f"/api/invitations/{invitation['invitation_id']}", headers=seller_headers(client)).get_json()
    assert view["state"] == "expired" and view["refusal"]["code"] == "invitation_expired"


def test_a_review_decided_over_the_api(client: FlaskClient, seller, world, holder, sim) -> None:  # noqa: ANN001
    from auth_server.domain.shops import ReviewMode

    world.authorize_partner_app(CLIENT_KEY, world.shop("manual", review_mode=ReviewMode.MANUAL))
    link = client.post("/api/shops/manual/official-link", json={}, headers=seller).get_json()
    sim.service.give_consent(link["link_id"], holder.open_id)
    assert client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True},
                       headers=seller).get_json()["state"] == "pending_review"
    decided = client.post(f"/api/links/{link['link_id']}/review", json={"approve": False}, headers=seller)
    assert decided.get_json()["state"] == "refused"
    assert [r["code"] for r in decided.get_json()["refusals"]] == ["review_rejected"]


def test_an_organization_account_is_created_and_linked(client: FlaskClient, seller, world) -> None:  # noqa: ANN001
    world.authorize_partner_app(CLIENT_KEY, world.shop("org_shop", seller=world.seller("org_seller", entity="ENT-9")))
    response = client.post("/api/shops/org_shop/organization-accounts",
                           json={"username": "brand.org", "email": "admin@brand.example"}, headers=seller)
    assert response.status_code == 201 and response.get_json()["state"] == "active"
    existing = client.post("/api/shops/org_shop/organization-accounts", json={"username": "holder"},
                           headers=seller)
    assert existing.get_json()["code"] in {"org_conversion_not_supported"}
