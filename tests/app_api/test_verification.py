"""Identity verification started from the app: pending, then the account's outcome after its delay."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from tests.app_api.conftest import another_holder
from tests.app_api.conftest import refusal
from tests.app_api.conftest import sign_in
from tests.conftest import WorldBuilder


def test_verification_passes_at_once_by_default(client: FlaskClient, world: WorldBuilder) -> None:
    another_holder(world, "newbie", verification=Verification.UNVERIFIED)
    response = client.post("/api/app/verification", headers=sign_in(client, "newbie"))
    assert response.status_code == 200 and response.get_json()["verification"] == "verified"


def test_verification_is_pending_until_the_accounts_delay_has_passed(client: FlaskClient, world: WorldBuilder) -> None:
    account = another_holder(world, "newbie", verification=Verification.UNVERIFIED)
    world.service.set_verification_outcome(account.open_id, VerificationOutcome.FAIL, delay=timedelta(hours=2))
    phone = sign_in(client, "newbie")
    started = client.post("/api/app/verification", headers=phone).get_json()
    assert started["verification"] == "pending" and started["verification_due_at"] == "2026-03-02T11:00:00+00:00"
    world.advance("2h")
    assert client.get("/api/app/me", headers=phone).get_json()["verification"] == "failed"


def test_verification_needs_a_session(client: FlaskClient) -> None:
    refusal(client.post("/api/app/verification"), 401, "app_session_invalid")
