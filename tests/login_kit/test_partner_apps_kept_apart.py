"""Partner apps kept apart on the linking API: a partner app acts for a shop only when the shop's seller authorized
it on TikTok Shop (a Shop app whose client_key is the partner app); any other is refused
``partner_app_not_authorized`` (403) and changes nothing. A seller who removes the app stops it at once, on the
links it started too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.accounts import hash_secret
from auth_server.domain.links import Invitation
from auth_server.domain.links import Link
from auth_server.domain.links import partner_actor
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Shop
from auth_server.oauth.models import PartnerApp
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET

OTHER_KEY = "other_partner"
OTHER_SECRET = "other_partner_secret"
APP_A = partner_actor(CLIENT_KEY)
ENTITY = "ENT-KEPT"


@pytest.fixture
def other_app(world: WorldBuilder) -> PartnerApp:
    """A second partner app, authorized by a seller of its own: a real partner, not of the shop's seller."""
    app = PartnerApp(client_key=OTHER_KEY, client_secret_hash=hash_secret(OTHER_SECRET), name="Other App",
                     redirect_uris=["https://other.example/callback"], scopes=["user.info.basic"])
    world._add(app)
    world.authorize_partner_app(OTHER_KEY, world.shop())
    return app


def bearer(client: FlaskClient, key: str = CLIENT_KEY, secret: str = CLIENT_SECRET) -> dict[str, str]:
    token = client.post("/v2/oauth/token/", data={"client_key": key, "client_secret": secret,
                                                  "grant_type": "client_credentials"}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@dataclass
class ShopOfAppA:
    """A shop whose seller authorized app A, with an official account app A linked a day ago, a marketing and an
    affiliate invitation app A sent, an organization account of the seller's entity, and a link of app A waiting
    for a manual review in another shop of the same seller."""

    shop: Shop
    official: Any
    invited: Any
    link: Link
    invitation: Invitation
    affiliate_invitation_id: str
    org_account: Any
    in_review: Link


@pytest.fixture
def shop_of_app_a(world: WorldBuilder) -> ShopOfAppA:
    seller = world.seller("seller_kept", entity=ENTITY)
    shop = world.shop_for(CLIENT_KEY, seller=seller)
    reviewed = world.shop(seller=seller, review_mode=ReviewMode.MANUAL)
    official, invited, creator, reviewed_holder = (world.account() for _ in range(4))
    service = world.service
    link = consent(world, shop, official)
    service.accept_terms(link.link_id, actor=APP_A)
    in_review = consent(world, reviewed, reviewed_holder)
    service.accept_terms(in_review.link_id, actor=APP_A)
    world.sim.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    invitation = service.invite_marketing_account(shop.shop_id, invited.open_id, actor=APP_A)
    affiliate = service.invite_affiliate(shop.shop_id, creator.open_id, "10", actor=APP_A)
    org_account = world.org_account("kept.org", entity=ENTITY)
    world.org_member(org_account, "ops@kept.example")
    return ShopOfAppA(shop, official, invited, service.get_link(link.link_id), invitation,
                      affiliate.invitation_id, org_account, service.get_link(in_review.link_id))


def consent(world: WorldBuilder, shop: Shop, account: Any) -> Link:
    link = world.service.start_official_link(shop.shop_id, actor=APP_A)
    world.service.scan(link.link_id, account.open_id)
    return world.service.give_consent(link.link_id, account.open_id)


SHOP_OPERATIONS = ["start an official link by QR", "ask for consent in the app", "list linked accounts", "unlink",
                   "rename", "create an organization account", "check the marketing criteria",
                   "invite a marketing account", "read an invitation", "invite an affiliate",
                   "read an affiliate invitation", "remove an organization member"]
LINK_OPERATIONS = ["read the link", "get its QR code as PNG", "get its QR code as SVG", "accept the terms",
                   "get the seller's token", "decide the review"]


def request_of(operation: str, a: ShopOfAppA) -> tuple[str, str, dict[str, Any] | None]:
    """The linking API's call for ``operation`` on app A's shop or link."""
    shop, link = f"/api/shops/{a.shop.shop_id}", f"/api/links/{a.in_review.link_id}"
    return {
        "start an official link by QR": ("POST", f"{shop}/official-link", {}),
        "ask for consent in the app": ("POST", f"{shop}/official-link",
                                       {"via": "app", "username": a.invited.username, "agreed": True}),
        "list linked accounts": ("GET", f"{shop}/linked-accounts", None),
        "unlink": ("POST", f"{shop}/unlink", {"open_id": a.official.open_id}),
        "rename": ("POST", f"{shop}/name", {"name": "Taken over"}),
        "create an organization account": ("POST", f"{shop}/organization-accounts", {"username": "taken.org"}),
        "check the marketing criteria": ("GET", f"{shop}/marketing-criteria?open_id={a.invited.open_id}", None),
        "invite a marketing account": ("POST", f"{shop}/marketing-invitations", {"open_id": a.invited.open_id}),
        "read an invitation": ("GET", f"/api/invitations/{a.invitation.invitation_id}", None),
        "invite an affiliate": ("POST", f"{shop}/affiliate-invitations",
                                {"open_id": a.invited.open_id, "commission_rate": 10}),
        "read an affiliate invitation": ("GET", f"/api/affiliate-invitations/{a.affiliate_invitation_id}", None),
        "remove an organization member": ("POST", f"/api/organization-accounts/{a.org_account.open_id}/members/remove",
                                          {"contact": "ops@kept.example"}),
        "read the link": ("GET", link, None),
        "get its QR code as PNG": ("GET", f"{link}/qr.png", None),
        "get its QR code as SVG": ("GET", f"{link}/qr.svg", None),
        "accept the terms": ("POST", f"{link}/terms", {"accepted": True}),
        "get the seller's token": ("GET", f"{link}/token", None),
        "decide the review": ("POST", f"{link}/review", {"approve": True}),
    }[operation]


def call(client: FlaskClient, operation: str, a: ShopOfAppA, headers: dict[str, str]) -> Any:
    method, path, body = request_of(operation, a)
    return client.open(path, method=method, json=body, headers=headers)


def assert_not_authorized(answer: Any, client_key: str) -> None:
    assert answer.status_code == 403, answer.get_data(as_text=True)
    refusal = answer.get_json()
    assert refusal["code"] == "partner_app_not_authorized"
    assert client_key in refusal["message"] and "seller_kept" in refusal["message"]


def nothing_changed(world: WorldBuilder, a: ShopOfAppA) -> None:
    service = world.service
    assert service.get_link(a.link.link_id).state.value == "active"
    assert service.get_link(a.in_review.link_id).state.value == "pending_review"
    assert service.get_shop(a.shop.shop_id).name == a.shop.name
    assert [link.link_id for link in service.links(shop_id=a.shop.shop_id)] == [a.link.link_id]
    assert [i.invitation_id for i in service.invitations(shop_id=a.shop.shop_id)] == [a.invitation.invitation_id]
    assert [m.contact for m in service.org_members(a.org_account.open_id) if m.active] == ["ops@kept.example"]


@pytest.mark.parametrize("operation", SHOP_OPERATIONS)
def test_another_partner_app_cannot_act_on_a_shop_whose_seller_did_not_authorize_it(
        client: FlaskClient, world: WorldBuilder, other_app: PartnerApp, shop_of_app_a: ShopOfAppA,
        operation: str) -> None:
    answer = call(client, operation, shop_of_app_a, bearer(client, OTHER_KEY, OTHER_SECRET))
    assert_not_authorized(answer, OTHER_KEY)
    nothing_changed(world, shop_of_app_a)


@pytest.mark.parametrize("operation", LINK_OPERATIONS)
def test_another_partner_apps_link_stays_not_found_for_it(client: FlaskClient, other_app: PartnerApp,
                                                          shop_of_app_a: ShopOfAppA, operation: str) -> None:
    answer = call(client, operation, shop_of_app_a, bearer(client, OTHER_KEY, OTHER_SECRET))
    assert answer.status_code == 404 and answer.get_json()["code"] == "link_not_found"


def test_the_refusal_tells_the_partner_how_the_seller_authorizes_it(
        client: FlaskClient, other_app: PartnerApp, shop_of_app_a: ShopOfAppA) -> None:
    message = call(client, "rename", shop_of_app_a, bearer(client, OTHER_KEY, OTHER_SECRET)).get_json()["message"]
    assert f"may not act for the shop {shop_of_app_a.shop.shop_id}" in message
    assert "/open/authorize" in message and 'POST /_sim/shop-authorizations' in message
    assert '"seller": "seller_kept"' in message


@pytest.mark.parametrize("operation", ["list linked accounts", "rename", "read an invitation",
                                       "read an affiliate invitation", "check the marketing criteria"])
def test_the_partner_app_the_seller_authorized_acts_for_its_shop(
        client: FlaskClient, shop_of_app_a: ShopOfAppA, operation: str) -> None:
    answer = call(client, operation, shop_of_app_a, bearer(client))
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_the_partner_app_the_seller_authorized_unlinks_what_it_linked(
        client: FlaskClient, world: WorldBuilder, shop_of_app_a: ShopOfAppA) -> None:
    answer = call(client, "unlink", shop_of_app_a, bearer(client))
    assert answer.status_code == 200 and answer.get_json()["state"] == "unlinked"


@pytest.mark.parametrize("operation", SHOP_OPERATIONS + LINK_OPERATIONS)
def test_once_the_seller_removes_the_app_it_can_no_longer_act_for_the_shop_nor_on_its_own_links(
        client: FlaskClient, world: WorldBuilder, shop_of_app_a: ShopOfAppA, operation: str) -> None:
    headers = bearer(client)
    world.deauthorize_partner_app(CLIENT_KEY, shop_of_app_a.shop)
    assert_not_authorized(call(client, operation, shop_of_app_a, headers), CLIENT_KEY)
    nothing_changed(world, shop_of_app_a)


def test_a_seller_who_authorizes_the_app_again_lets_it_act_again(
        client: FlaskClient, world: WorldBuilder, shop_of_app_a: ShopOfAppA) -> None:
    world.deauthorize_partner_app(CLIENT_KEY, shop_of_app_a.shop)
    world.authorize_partner_app(CLIENT_KEY, shop_of_app_a.shop)
    assert call(client, "read the link", shop_of_app_a, bearer(client)).status_code == 200


def test_an_authorization_that_ran_out_stops_the_app_too(
        client: FlaskClient, world: WorldBuilder, shop_of_app_a: ShopOfAppA) -> None:
    world.sim.clock.advance(timedelta(days=365))  # type: ignore[attr-defined]  # the Shop app's default duration
    assert_not_authorized(call(client, "list linked accounts", shop_of_app_a, bearer(client)), CLIENT_KEY)
