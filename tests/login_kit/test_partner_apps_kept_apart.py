"""Partner apps kept apart on the linking API: a partner app acts for a shop only when the shop's seller authorized
it on TikTok Shop (a Shop app whose client_key is the partner app); any other is refused
``partner_app_not_authorized`` (403) and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.accounts import hash_secret
from auth_server.domain.links import partner_actor
from auth_server.oauth.models import PartnerApp
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY

OTHER_KEY = "other_partner"
OTHER_SECRET = "other_partner_secret"
APP_A = partner_actor(CLIENT_KEY)


@pytest.fixture
def other_app(world: WorldBuilder) -> PartnerApp:
    """A second partner app, authorized by a seller of its own: a real partner, not of the shop's seller."""
    app = PartnerApp(client_key=OTHER_KEY, client_secret_hash=hash_secret(OTHER_SECRET), name="Other App",
                     redirect_uris=["https://other.example/callback"], scopes=["user.info.basic"])
    world._add(app)
    world.authorize_partner_app(OTHER_KEY, world.shop())
    return app


def bearer(client: FlaskClient, key: str, secret: str) -> dict[str, str]:
    token = client.post("/v2/oauth/token/", data={"client_key": key, "client_secret": secret,
                                                  "grant_type": "client_credentials"}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def shop_of_app_a(world: WorldBuilder) -> Any:
    """A shop whose seller authorized app A, with an official account app A linked a day ago and an invitation
    app A sent."""
    shop, official, invited = world.shop(), world.account(), world.account()
    world.authorize_partner_app(CLIENT_KEY, shop)
    link = world.service.start_official_link(shop.shop_id, actor=APP_A)
    world.service.scan(link.link_id, official.open_id)
    world.service.give_consent(link.link_id, official.open_id)
    world.service.accept_terms(link.link_id, actor=APP_A)
    world.sim.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    invitation = world.service.invite_marketing_account(shop.shop_id, invited.open_id, actor=APP_A)
    return shop, official, link, invitation


def calls(shop: Any, official: Any, invitation: Any) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    return {
        "unlink": ("POST", f"/api/shops/{shop.shop_id}/unlink", {"open_id": official.open_id}),
        "rename": ("POST", f"/api/shops/{shop.shop_id}/name", {"name": "Taken over"}),
        "list linked accounts": ("GET", f"/api/shops/{shop.shop_id}/linked-accounts", None),
        "read an invitation": ("GET", f"/api/invitations/{invitation.invitation_id}", None),
    }


@pytest.mark.parametrize("operation", ["unlink", "rename", "list linked accounts", "read an invitation"])
def test_another_partner_app_cannot_act_on_a_shop_whose_seller_did_not_authorize_it(
        client: FlaskClient, world: WorldBuilder, other_app: PartnerApp, shop_of_app_a: Any, operation: str) -> None:
    shop, official, link, invitation = shop_of_app_a
    method, path, body = calls(shop, official, invitation)[operation]
    answer = client.open(path, method=method, json=body, headers=bearer(client, OTHER_KEY, OTHER_SECRET))
    assert answer.status_code == 403, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == "partner_app_not_authorized"
    assert world.service.get_link(link.link_id).state.value == "active"
    assert world.service.get_shop(shop.shop_id).name == shop.name
