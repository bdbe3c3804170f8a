"""Guesses are limited, on the world's clock (issue 13, defect 10): five wrong passwords in a row lock an account's
password sign-in for 15 minutes, the right password included; five wrong codes spend a one-time passcode."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from tests.app_api.conftest import refusal
from tests.app_api.test_sessions import MEMBER
from tests.app_api.test_sessions import org  # noqa: F401  (the fixture)
from tests.app_api.test_sessions import send_passcode
from tests.login_kit.conftest import PASSWORD


def password(client: FlaskClient, given: str) -> Any:
    return client.post("/api/app/sessions", json={"username": "holder", "password": given})


def passcode(client: FlaskClient, given: str) -> Any:
    return client.post("/api/app/sessions", json={"username": "acme_org", "contact": MEMBER, "passcode": given})


def test_five_wrong_passwords_lock_the_right_one_out_for_15_minutes(client: FlaskClient, holder: Any,
                                                                   sim: Simulator) -> None:
    for _ in range(5):
        refusal(password(client, "wrong"), 403, "invalid_credentials")
    locked = refusal(password(client, PASSWORD), 403, "sign_in_locked")
    assert "15m from now" in locked["message"]
    assert isinstance(sim.clock, ManualClock)
    sim.clock.advance("14m59s")
    refusal(password(client, PASSWORD), 403, "sign_in_locked")
    sim.clock.advance("1s")
    assert password(client, PASSWORD).status_code == 201


def test_the_right_password_resets_the_count(client: FlaskClient, holder: Any) -> None:
    for _ in range(4):
        refusal(password(client, "wrong"), 403, "invalid_credentials")
    assert password(client, PASSWORD).status_code == 201
    for _ in range(4):
        refusal(password(client, "wrong"), 403, "invalid_credentials")
    assert password(client, PASSWORD).status_code == 201


def test_five_wrong_codes_spend_the_passcode_and_a_new_one_works(client: FlaskClient, org: Any) -> None:  # noqa: F811
    code = send_passcode(client)
    for _ in range(4):
        refusal(passcode(client, "000000" if code != "000000" else "111111"), 403, "invalid_credentials")
    refusal(passcode(client, "000000" if code != "000000" else "111111"), 403, "passcode_attempts_used")
    refusal(passcode(client, code), 403, "passcode_attempts_used")
    assert passcode(client, send_passcode(client)).status_code == 201
