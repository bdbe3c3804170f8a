"""Every rule specification also checks what the seller is shown: each refusal a link ended with names its facts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from auth_server.simulator import Simulator
from auth_server.web.linking_api import link_view


@pytest.fixture(autouse=True)
def seller_side_refusals_name_their_facts(sim: Simulator) -> Iterator[None]:
    """After the test: the linking API's view of every refused link (what the seller's tool, ``linksim seller``
    and Seller Center show) has no "(unknown)" where a fact belongs."""
    yield
    with Flask(__name__).test_request_context():
        for link in (link for link in sim.service.links() if link.refusal_codes):
            for refusal in link_view(link)["refusals"]:
                assert "(unknown)" not in refusal["message"], (link.link_id, refusal)
