"""Sessions end (issue 13, defect 11): a sign-out ends the app's token and the browser's cookie wherever a copy is
kept; a session lasts a year of the world's clock; a session of a deleted sandbox means nothing in a new sandbox
of the same id."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from tests.app_api.conftest import bearer
from tests.app_api.conftest import refusal
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import csrf_of


def session_token(client: FlaskClient, username: str = "holder", password: str = PASSWORD) -> str:
    answer = client.post("/api/app/sessions", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.get_json()
    token: str = answer.get_json()["token"]
    return token


def test_a_signed_out_token_works_nowhere(client: FlaskClient, holder: Any) -> None:
    token = session_token(client)
    kept_copy = dict(bearer(token))
    assert client.delete("/api/app/sessions/current", headers=bearer(token)).status_code == 200
    refusal(client.get("/api/app/me", headers=kept_copy), 401, "app_session_invalid")


def test_signing_out_one_phone_leaves_the_other_signed_in(client: FlaskClient, holder: Any) -> None:
    first, second = session_token(client), session_token(client)
    client.delete("/api/app/sessions/current", headers=bearer(first))
    assert client.get("/api/app/me", headers=bearer(second)).status_code == 200


def test_a_session_ends_a_year_after_it_began(client: FlaskClient, holder: Any, sim: Simulator) -> None:
    token = session_token(client)
    assert isinstance(sim.clock, ManualClock)
    sim.clock.advance("364d23h59m59s")
    assert client.get("/api/app/me", headers=bearer(token)).status_code == 200
    sim.clock.advance("1s")
    refusal(client.get("/api/app/me", headers=bearer(token)), 401, "app_session_invalid")


def test_a_browser_cookie_kept_from_before_a_sign_out_signs_nobody_in(client: FlaskClient, holder: Any) -> None:
    page = client.get("/app/sign-in")
    client.post("/app/sign-in", data={"username": "holder", "password": PASSWORD,
                                      "csrf_token": csrf_of(page.get_data(as_text=True))})
    kept = client.get_cookie("session")
    assert kept is not None and "@holder" in client.get("/app/").get_data(as_text=True)
    home = client.get("/app/")
    client.post("/app/sign-out", data={"csrf_token": csrf_of(home.get_data(as_text=True))})
    client.set_cookie("session", kept.value)  # the cookie as it was while signed in
    assert "@holder" not in client.get("/app/").get_data(as_text=True)


def test_a_session_of_a_deleted_sandbox_means_nothing_in_a_new_one_of_the_same_id() -> None:
    client = create_app().test_client()
    assert client.post("/_sim/sandboxes", json={"id": "reused", "fixtures": "demo"}).status_code == 201
    token = client.post("/sandboxes/reused/api/app/sessions",
                        json={"username": "maya", "password": "linksim-demo"}).get_json()["token"]
    client.delete("/_sim/sandboxes/reused")
    assert client.post("/_sim/sandboxes", json={"id": "reused", "fixtures": "demo"}).status_code == 201
    refusal(client.get("/sandboxes/reused/api/app/me", headers=bearer(token)), 401, "app_session_invalid")
