"""The seller sees the facts of a refusal as the holder does (issue 11): the API, ``linksim seller`` and Seller Center
name the account's region and verification state, never "(unknown)"."""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner

from auth_server.domain.accounts import Verification
from auth_server.domain.errors import Refused
from auth_server.simulator import Simulator
from seller_client import SellerClient
from seller_client.cli import seller
from tests.conftest import WorldBuilder
from tests.seller_client.conftest import LIVE_KEY
from tests.seller_client.conftest import LIVE_SECRET

SHOP = "shop_facts"
CASES = {  # the account's settings -> the refusal, and the facts both sides must name
    "region_mismatch": ({"region": "GB"}, ["(GB)", "(US)"]),
    "identity_not_verified": ({"verification": Verification.UNVERIFIED}, ["(it is unverified)"]),
}


@pytest.fixture
def client(live_server: str) -> SellerClient:
    return SellerClient(live_server, LIVE_KEY, LIVE_SECRET, timeout=5.0, retries=0)


def refused_link(client: SellerClient, sim: Simulator, world: WorldBuilder, code: str) -> tuple[str, str]:
    """A QR link the holder's consent ended refused with ``code``: its id, and the message the phone showed."""
    world.shop_for(LIVE_KEY, SHOP)
    account = world.account("faraway", **CASES[code][0])
    link = client.start_official_link(SHOP)
    sim.service.scan(link.link_id, account.open_id)
    with pytest.raises(Refused) as phone_side:
        sim.service.give_consent(link.link_id, account.open_id)
    assert phone_side.value.codes == [code]
    return link.link_id, phone_side.value.violations[0].message


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_linking_api_names_the_facts_the_phone_named(client: SellerClient, sim: Simulator,
                                                         world: WorldBuilder, code: str) -> None:
    link_id, phone_message = refused_link(client, sim, world, code)

    seen = client.get_link(link_id)

    assert [r.code for r in seen.refusals] == [code]
    assert seen.refusals[0].message == phone_message
    assert all(fact in seen.refusals[0].message for fact in CASES[code][1])


@pytest.mark.parametrize("code", sorted(CASES))
def test_linksim_seller_names_the_facts(client: SellerClient, sim: Simulator, world: WorldBuilder,
                                        live_server: str, code: str) -> None:
    link_id, phone_message = refused_link(client, sim, world, code)

    shown = CliRunner().invoke(seller, ["--url", live_server, "--client-key", LIVE_KEY, "--client-secret",
                                        LIVE_SECRET, "link", link_id])

    assert shown.exit_code == 0, shown.output
    assert f"{code}: {phone_message}" in shown.output and "(unknown)" not in shown.output


@pytest.mark.parametrize("code", sorted(CASES))
def test_seller_center_names_the_facts(client: SellerClient, sim: Simulator, world: WorldBuilder,
                                       live_server: str, code: str) -> None:
    link_id, _ = refused_link(client, sim, world, code)

    page = requests.get(f"{live_server}/seller/links/{link_id}", timeout=5).text

    assert "(unknown)" not in page
    assert all(fact in page for fact in CASES[code][1])


def test_a_refused_link_read_back_from_the_store_keeps_its_facts(sim: Simulator, world: WorldBuilder,
                                                                        client: SellerClient) -> None:
    link_id, phone_message = refused_link(client, sim, world, "region_mismatch")

    stored = sim.service.get_link(link_id)  # read back from the store, in a new transaction

    assert [v.message for v in stored.refusals()] == [phone_message]


