"""TikTok's token endpoint takes application/x-www-form-urlencoded; a JSON body is told so (TIKTOK_WIRE 1.3)."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET


def test_a_json_body_on_the_token_endpoint_is_told_the_content_type_to_send(client: FlaskClient) -> None:
    fields = {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "code": "abc",
              "grant_type": "authorization_code", "redirect_uri": CALLBACK}
    response = client.post("/v2/oauth/token/", data=json.dumps(fields), content_type="application/json")
    body = response.get_json()
    assert response.status_code == 200 and set(body) == {"error", "error_description", "log_id"}
    assert body["error"] == "invalid_request"
    assert "application/x-www-form-urlencoded" in body["error_description"]
    assert "application/json" in body["error_description"]


def test_a_json_body_on_the_revoke_endpoint_is_told_the_content_type_to_send(client: FlaskClient) -> None:
    fields = {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": "act.x"}
    body = client.post("/v2/oauth/revoke/", json=fields).get_json()
    assert body["error"] == "invalid_request" and "application/x-www-form-urlencoded" in body["error_description"]
