"""E4: the seller sees the account's avatar, username, nickname, phone and binding time once the link is
established (issue 11). A link waiting for review is listed as pending, without them: on the API, in
``linksim seller linked`` and in Seller Center."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from click.testing import CliRunner

from auth_server.domain.shops import ReviewMode
from auth_server.simulator import Simulator
from seller_client import SellerClient
from seller_client.cli import seller
from tests.conftest import WorldBuilder
from tests.seller_client.conftest import LIVE_KEY
from tests.seller_client.conftest import LIVE_SECRET

SHOP = "shop_e4"
PERSONAL = ("avatar_url", "username", "nickname", "phone", "bound_at")
SECRETS = ("@private_holder", "Private Nick", "4321", "avatar-of-the-holder")


@pytest.fixture
def client(live_server: str) -> SellerClient:
    return SellerClient(live_server, LIVE_KEY, LIVE_SECRET, timeout=5.0, retries=0)


@pytest.fixture
def in_review(client: SellerClient, sim: Simulator, world: WorldBuilder) -> str:
    """A consented official link whose terms were accepted, waiting for a manual review: its id."""
    world.shop_for(LIVE_KEY, SHOP, review_mode=ReviewMode.MANUAL)
    account = world.account("private_holder", nickname="Private Nick", phone="+1 555 000 4321",
                            avatar_url="https://cdn.example/avatar-of-the-holder.png")
    link = client.start_official_link(SHOP)
    sim.service.scan(link.link_id, account.open_id)
    sim.service.give_consent(link.link_id, account.open_id)
    assert client.accept_terms(link.link_id).state == "pending_review"
    return link.link_id


def linked(live_server: str, *args: str) -> str:
    shown = CliRunner().invoke(seller, ["--url", live_server, "--client-key", LIVE_KEY, "--client-secret",
                                        LIVE_SECRET, *args])
    assert shown.exit_code == 0, shown.output
    return shown.output


def test_the_api_lists_a_link_in_review_as_pending_without_personal_details(client: SellerClient,
                                                                            in_review: str) -> None:
    official = client.linked_accounts(SHOP).raw["official"]

    assert official["state"] == "pending_review" and official["link_id"] == in_review
    assert [name for name in PERSONAL if official.get(name) is not None] == []


def test_the_details_show_once_the_review_approves_the_link(client: SellerClient, in_review: str) -> None:
    client.decide_review(in_review, approve=True)

    official = client.linked_accounts(SHOP).raw["official"]

    assert official["state"] == "active" and official["nickname"] == "Shop shop_e4"
    assert official["username"] and official["phone"].endswith("4321") and official["bound_at"]
    assert official["avatar_url"] == "https://cdn.example/avatar-of-the-holder.png"


def test_linksim_seller_linked_shows_a_link_in_review_as_pending_only(live_server: str, in_review: str) -> None:
    shown = linked(live_server, "linked", SHOP)

    assert "pending_review" in shown
    assert [secret for secret in SECRETS if secret in shown] == []


@pytest.mark.parametrize("page", ["/seller/shops/" + SHOP, "/seller/links/{link_id}"])
def test_seller_center_shows_a_link_in_review_without_personal_details(live_server: str, in_review: str,
                                                                       page: str) -> None:
    html = requests.get(live_server + page.format(link_id=in_review), timeout=5).text

    assert "review" in html
    assert [secret for secret in SECRETS if secret in html] == []


def test_an_active_link_shows_its_details_in_seller_center(live_server: str, client: SellerClient,
                                                           in_review: str, sim: Simulator) -> None:
    client.decide_review(in_review, approve=True)
    active: Any = sim.service.get_link(in_review)

    html = requests.get(f"{live_server}/seller/shops/{SHOP}", timeout=5).text

    assert active.state.value == "active" and "4321" in html and "Shop shop_e4" in html
