"""The seller's token of a link is answered again on every call, yet the database keeps it only sealed with the
server's secret key (oauth/link_tokens.py): a server with the same key answers the same token; one started with
another key cannot open it and issues the link a new token, which it then answers every time."""

from __future__ import annotations

from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.simulator import Simulator
from tests.shop_partner.conftest import shop_simulator
from tests.store.test_no_working_token_in_a_dump import Issued
from tests.store.test_no_working_token_in_a_dump import the_sellers_link_token


def server(sim: Simulator, secret_key: str) -> FlaskClient:
    return create_app(sim, ServerConfig(secret_key=secret_key), test_config={"TESTING": True}).test_client()


def link_token(client: FlaskClient, link_id: str, client_token: str) -> str:
    answer = client.get(f"/api/links/{link_id}/token", headers={"Authorization": f"Bearer {client_token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.get_json()["access_token"])


def reads_the_profile(client: FlaskClient, access_token: str) -> bool:
    return client.get("/v2/user/info/?fields=open_id",
                      headers={"Authorization": f"Bearer {access_token}"}).status_code == 200


def test_a_restart_with_the_same_secret_key_answers_the_same_token() -> None:
    sim, issued = shop_simulator(), Issued()
    link_id = the_sellers_link_token(server(sim, "the-same-secret-key"), sim, issued)

    again = server(sim, "the-same-secret-key")

    assert link_token(again, link_id, issued["client token"]) == issued["link access token"]


def test_a_restart_with_another_secret_key_issues_a_new_token_and_answers_it_every_time() -> None:
    sim, issued = shop_simulator(), Issued()
    link_id = the_sellers_link_token(server(sim, "the-first-secret-key"), sim, issued)

    restarted = server(sim, "another-secret-key")
    new = link_token(restarted, link_id, issued["client token"])

    assert new != issued["link access token"]
    assert link_token(restarted, link_id, issued["client token"]) == new
    assert reads_the_profile(restarted, new) and reads_the_profile(restarted, issued["link access token"])
