"""The seller's token of a link (E4) is looked for, issued and kept in one transaction: the partner app's look-up,
the token, and the link's sealed copy are written together, and two asks at once still answer one token."""

from __future__ import annotations

import threading

from auth_server.config import ServerConfig
from auth_server.oauth.link_tokens import LinkTokens
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.server import LoginKitServer
from auth_server.simulator import Simulator
from tests.conftest import WorldBuilder
from tests.conftest import noting
from tests.login_kit.conftest import CLIENT_KEY

CONFIG = ServerConfig(secret_key="test-secret")


def link_tokens(sim: Simulator, opened: list[str] | None = None) -> LinkTokens:
    """The world's link tokens, noting in ``opened`` each transaction they open: ``write`` or ``read``."""
    writing, reading = noting(opened, "write", sim.store.unit_of_work), noting(opened, "read", sim.store.reading)
    return LinkTokens(LoginKitServer(writing, sim.clock, CONFIG, reading=reading))


def active_link(world: WorldBuilder) -> tuple[str, str]:
    """An active link of the partner app's shop: its id and account."""
    shop = world.shop_for(CLIENT_KEY)
    account = world.account()
    link = world.link_official(shop, account)
    assert link.open_id is not None
    return link.link_id, link.open_id


def test_the_first_ask_issues_and_keeps_the_token_in_one_transaction(
        sim: Simulator, world: WorldBuilder, partner_app: PartnerApp) -> None:
    link_id, open_id = active_link(world)
    opened: list[str] = []

    token = link_tokens(sim, opened).token_of(link_id, CLIENT_KEY, open_id)

    assert token["access_token"].startswith("act.")
    assert opened == ["write"]
    assert link_tokens(sim).token_of(link_id, CLIENT_KEY, open_id)["access_token"] == token["access_token"]


def test_two_first_asks_at_once_answer_one_token(database_world: WorldBuilder) -> None:
    world, sim = database_world, database_world.sim
    world._add(PartnerApp(client_key=CLIENT_KEY, client_secret_hash="x", name="Partner App", redirect_uris=[],
                          scopes=["user.info.basic", "user.info.profile"]))
    link_id, open_id = active_link(world)
    answers: list[str] = []
    start = threading.Barrier(2)

    def ask() -> None:
        tokens = link_tokens(sim)
        start.wait()
        answers.append(tokens.token_of(link_id, CLIENT_KEY, open_id)["access_token"])

    asking = [threading.Thread(target=ask) for _ in range(2)]
    for thread in asking:
        thread.start()
    for thread in asking:
        thread.join(timeout=30)

    assert len(answers) == 2 and answers[0] == answers[1]
    assert link_tokens(sim).token_of(link_id, CLIENT_KEY, open_id)["access_token"] == answers[0]
