"""Who may use the controls: loopback callers, or anyone with the server's control token."""

from __future__ import annotations

import pytest

from auth_server.app import create_app
from auth_server.config import ServerConfig

TOKEN = "a-control-token-for-tests"
ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}


def test_the_controls_answer_loopback_callers_without_a_token() -> None:
    assert create_app().test_client().get("/_sim/clock").status_code == 200


def test_the_controls_turn_away_other_machines_without_a_token() -> None:
    response = create_app().test_client().get("/_sim/clock", environ_base=ELSEWHERE)
    assert response.status_code == 403
    assert "--control-token" in response.get_json()["message"]


def test_with_a_control_token_other_machines_may_use_the_controls() -> None:
    http = create_app(config=ServerConfig(control_token=TOKEN)).test_client()
    response = http.post("/_sim/sandboxes", json={}, environ_base=ELSEWHERE,
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201


@pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer wrong-token-wrong-token"}])
def test_with_a_control_token_every_caller_must_send_it(header: dict[str, str]) -> None:
    http = create_app(config=ServerConfig(control_token=TOKEN)).test_client()
    response = http.get("/_sim/clock", headers=header)  # loopback too: the token is the rule now
    assert response.status_code == 401
    assert response.get_json()["code"] == "control_token_invalid"


def test_a_control_token_must_be_long_enough_to_guess_hard() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        ServerConfig(control_token="short")


def test_a_form_post_from_a_web_page_cannot_reach_the_controls() -> None:
    response = create_app().test_client().post("/_sim/reset", data={})
    assert response.status_code == 415


def test_a_body_nested_too_deep_is_invalid_json_not_a_crash() -> None:
    body = '{"a":' + "[" * 5000 + "]" * 5000 + "}"
    response = create_app().test_client().post("/_sim/clock", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input"
