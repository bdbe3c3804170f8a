"""Signing in to the app: a password, or an organization member's one-time passcode; the session token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from auth_server.web.guard import SESSION_SALT
from tests.app_api.conftest import bearer
from tests.app_api.conftest import refusal
from tests.app_api.conftest import sign_in
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import PASSWORD

MEMBER = "ops@acme.example"


@pytest.fixture
def org(world: WorldBuilder) -> Any:
    account = world.org_account("acme_org", entity="ENT-1")
    world.org_member(account, MEMBER)
    return account


def send_passcode(http: FlaskClient) -> str:
    return str(http.post("/api/app/passcodes", json={"username": "acme_org", "contact": MEMBER}).get_json()["passcode"])


def test_a_password_sign_in_answers_a_token_and_the_account(client: FlaskClient, holder: Any) -> None:
    response = client.post("/api/app/sessions", json={"username": "@Holder", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["token"]
    assert body["account"]["open_id"] == holder.open_id and body["account"]["verification"] == "verified"
    me = client.get("/api/app/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.get_json() == body["account"]


def test_every_sign_in_gets_a_token_of_its_own(client: FlaskClient, holder: Any) -> None:
    assert sign_in(client) != sign_in(client)


def test_a_wrong_password_is_invalid_credentials(client: FlaskClient, holder: Any) -> None:
    refusal(client.post("/api/app/sessions", json={"username": "holder", "password": "nope"}), 403,
            "invalid_credentials")
    refusal(client.post("/api/app/sessions", json={"username": "nobody", "password": PASSWORD}), 403,
            "invalid_credentials")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer forged.token"},
                                     {"Authorization": "Basic aG9sZGVyOnB3"}])
def test_without_a_valid_session_the_app_is_app_session_invalid(client: FlaskClient, headers: dict[str, str]) -> None:
    refusal(client.get("/api/app/me", headers=headers), 401, "app_session_invalid")


def test_a_token_signed_with_another_key_or_for_a_gone_account_is_refused(client: FlaskClient, app: Any) -> None:
    elsewhere = URLSafeSerializer("another-secret", salt=SESSION_SALT).dumps({"open_id": "oid_holder"})
    refusal(client.get("/api/app/me", headers=bearer(str(elsewhere))), 401, "app_session_invalid")
    gone = URLSafeSerializer(app.config["SECRET_KEY"], salt=SESSION_SALT).dumps({"open_id": "oid_nobody"})
    refusal(client.get("/api/app/me", headers=bearer(str(gone))), 401, "app_session_invalid")


def test_a_partner_apps_client_token_is_no_app_session(client: FlaskClient, seller: dict[str, str]) -> None:
    refusal(client.get("/api/app/me", headers=seller), 401, "app_session_invalid")


def test_an_organization_member_signs_in_with_the_passcode_sent(client: FlaskClient, org: Any) -> None:
    sent = client.post("/api/app/passcodes", json={"username": "acme_org", "contact": MEMBER})
    assert sent.status_code == 201
    passcode = sent.get_json()["passcode"]
    assert len(passcode) == 6 and passcode.isdigit()
    response = client.post("/api/app/sessions", json={"username": "acme_org", "contact": MEMBER, "passcode": passcode})
    assert response.status_code == 201
    assert response.get_json()["account"]["account_type"] == "organization"
    me = client.get("/api/app/me", headers=bearer(response.get_json()["token"])).get_json()
    assert me["open_id"] == org.open_id


def test_a_passcode_works_once(client: FlaskClient, org: Any) -> None:
    passcode = send_passcode(client)
    body = {"username": "acme_org", "contact": MEMBER, "passcode": passcode}
    assert client.post("/api/app/sessions", json=body).status_code == 201
    refusal(client.post("/api/app/sessions", json=body), 403, "invalid_credentials")


def test_a_wrong_passcode_is_invalid_credentials(client: FlaskClient, org: Any) -> None:
    client.post("/api/app/passcodes", json={"username": "acme_org", "contact": MEMBER})
    refusal(client.post("/api/app/sessions", json={"username": "acme_org", "contact": MEMBER, "passcode": "000000x"}),
            403, "invalid_credentials")


def test_an_old_passcode_is_passcode_expired(client: FlaskClient, org: Any, world: WorldBuilder) -> None:
    passcode = send_passcode(client)
    world.advance("5m")
    refusal(client.post("/api/app/sessions", json={"username": "acme_org", "contact": MEMBER, "passcode": passcode}),
            410, "passcode_expired")


def test_a_passcode_goes_only_to_members(client: FlaskClient, org: Any, holder: Any) -> None:
    refusal(client.post("/api/app/passcodes", json={"username": "acme_org", "contact": "stranger@example.com"}),
            403, "not_an_org_member")
    refusal(client.post("/api/app/passcodes", json={"username": "holder", "contact": MEMBER}), 403,
            "invalid_credentials")
    refusal(client.post("/api/app/passcodes", json={"username": "nobody", "contact": MEMBER}), 404,
            "account_not_found")


@pytest.mark.parametrize("body", [{}, {"username": "holder"}, {"password": PASSWORD}, {"username": 7, "password": []},
                                  {"username": "acme_org", "contact": MEMBER}])
def test_missing_or_mistyped_credentials_are_invalid_input(client: FlaskClient, holder: Any, org: Any,
                                                           body: dict[str, Any]) -> None:
    refusal(client.post("/api/app/sessions", json=body), 400, "invalid_input")


def test_signing_in_by_a_name_rule_e2_changed_says_what_the_account_is_called_now(
        client: FlaskClient, world: WorldBuilder, holder: Any) -> None:
    world.link_official(world.shop(name="Acme Store"), holder)
    response = client.post("/api/app/sessions", json={"username": "holder", "password": PASSWORD})
    assert response.status_code == 403
    assert response.get_json()["violations"][0]["details"]["current"] == "acme_store"
