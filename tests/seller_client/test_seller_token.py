"""The seller's token (E4) is issued when the link becomes active, whatever made it so, and only the partner app that
started the link can fetch it: ``GET /api/links/{id}/token``, ``SellerClient.link_token`` (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from auth_server.domain.accounts import hash_secret
from auth_server.domain.shops import ReviewMode
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import PartnerApp
from auth_server.simulator import Simulator
from seller_client import SellerClient
from seller_client import SellerRefused
from seller_client.cli import seller
from tests.conftest import WorldBuilder
from tests.seller_client.conftest import LIVE_KEY
from tests.seller_client.conftest import LIVE_SECRET

SHOP = "shop_token"


@pytest.fixture
def client(live_server: str) -> SellerClient:
    return SellerClient(live_server, LIVE_KEY, LIVE_SECRET, timeout=5.0, retries=0)


def consented(client: SellerClient, sim: Simulator, world: WorldBuilder, **shop: Any) -> tuple[str, Any]:
    """A QR link of ``client``'s app that the holder authorized: its id and the account."""
    world.shop_for(LIVE_KEY, SHOP, **shop)
    account = world.account("token_holder")
    link = client.start_official_link(SHOP)
    sim.service.scan(link.link_id, account.open_id)
    sim.service.give_consent(link.link_id, account.open_id)
    return link.link_id, account


def reads_the_profile(live_server: str, access_token: str) -> dict[str, Any]:
    answer = requests.get(f"{live_server}/v2/user/info/?fields=open_id,display_name", timeout=5,
                          headers={"Authorization": f"Bearer {access_token}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"]["user"])


HOUR = timedelta(hours=1)
LATER: dict[str, tuple[dict[str, Any], Callable[[SellerClient, Simulator, str], object]]] = {
    # how the link becomes active after the terms: the shop's review settings, and what happens next
    "a review delay that runs out": ({"review_mode": ReviewMode.AUTO, "review_delay": HOUR},
                                     lambda client, sim, link_id: sim.clock.advance("1h")),  # type: ignore[attr-defined]
    "a manual approve by the partner app": ({"review_mode": ReviewMode.MANUAL},
                                            lambda client, sim, link_id: client.decide_review(link_id, approve=True)),
    "a forced transition": ({"review_mode": ReviewMode.MANUAL},
                            lambda client, sim, link_id: sim.service.decide_review(link_id, approve=True,
                                                                                   actor="simulator")),
}


@pytest.mark.parametrize("activation", sorted(LATER))
def test_the_token_is_there_once_the_link_becomes_active_later(client: SellerClient, sim: Simulator,
                                                               world: WorldBuilder, live_server: str,
                                                               activation: str) -> None:
    review, activate = LATER[activation]
    link_id, account = consented(client, sim, world, **review)
    assert client.accept_terms(link_id).token is None  # in review: not established yet

    activate(client, sim, link_id)

    token = client.link_token(link_id)
    assert client.get_link(link_id).state == "active"
    assert token.open_id == open_id_for(LIVE_KEY, account.open_id)  # Login Kit's token: the app's open id
    assert reads_the_profile(live_server, token.access_token)["open_id"] == open_id_for(LIVE_KEY, account.open_id)


def test_an_immediate_review_answers_the_token_with_the_terms_and_the_same_one_later(
        client: SellerClient, sim: Simulator, world: WorldBuilder) -> None:
    link_id, _ = consented(client, sim, world)

    linked = client.accept_terms(link_id)

    assert linked.state == "active" and linked.token is not None
    assert client.link_token(link_id).access_token == linked.token.access_token


def test_a_link_in_review_has_no_token_yet(client: SellerClient, sim: Simulator, world: WorldBuilder) -> None:
    link_id, _ = consented(client, sim, world, review_mode=ReviewMode.MANUAL)
    client.accept_terms(link_id)

    with pytest.raises(SellerRefused) as refused:
        client.link_token(link_id)

    assert refused.value.code == "link_not_active" and refused.value.status == 409
    assert "pending_review" in refused.value.message


def test_another_partner_app_is_refused_with_link_not_found(client: SellerClient, sim: Simulator,
                                                            world: WorldBuilder, live_server: str) -> None:
    link_id, _ = consented(client, sim, world)
    client.accept_terms(link_id)
    world._add(PartnerApp(client_key="other_app", client_secret_hash=hash_secret("other_secret_123"),
                          name="Another app", redirect_uris=[], scopes=["user.info.basic", "user.info.profile"]))
    other = SellerClient(live_server, "other_app", "other_secret_123", timeout=5.0, retries=0)

    with pytest.raises(SellerRefused) as refused:
        other.link_token(link_id)

    assert refused.value.code == "link_not_found" and refused.value.status == 404


def test_linksim_seller_token_prints_the_token_of_an_active_link(client: SellerClient, sim: Simulator,
                                                                 world: WorldBuilder, live_server: str) -> None:
    link_id, account = consented(client, sim, world)
    linked = client.accept_terms(link_id)
    assert linked.token is not None

    shown = CliRunner().invoke(seller, ["--url", live_server, "--client-key", LIVE_KEY, "--client-secret",
                                        LIVE_SECRET, "token", link_id])

    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(linked.token.access_token)
    assert open_id_for(LIVE_KEY, account.open_id) in shown.output
