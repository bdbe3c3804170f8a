"""HTTP Basic credentials that are not base64 of UTF-8 text are bad client credentials, on every endpoint that
authenticates a partner app, never a 500 (issue 13, defect 7, third of four). TikTok's paths answer with HTTP 200
and TikTok's shape (``oauth_error_status``); the plain OAuth paths with 401."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

NOT_UTF8 = "Basic " + base64.b64encode(b"\xff\xbc\x00key:secret").decode()
PATHS = [("/v2/oauth/token/", 200), ("/v2/oauth/revoke/", 200), ("/oauth/token", 401), ("/oauth/revoke", 401),
         ("/oauth/introspect", 401)]


@pytest.mark.parametrize(("path", "status"), PATHS)
def test_basic_credentials_that_are_not_utf8_are_invalid_client(client: FlaskClient, path: str, status: int) -> None:
    answer = client.post(path, data={"grant_type": "client_credentials", "token": "x"},
                         headers={"Authorization": NOT_UTF8})
    assert answer.status_code == status
    assert answer.get_json()["error"] == "invalid_client"
    assert "not base64 of UTF-8" in answer.get_json()["error_description"]


@pytest.mark.parametrize(("path", "status"), PATHS)
def test_basic_credentials_that_are_not_base64_are_refused(client: FlaskClient, path: str, status: int) -> None:
    answer = client.post(path, data={"grant_type": "client_credentials", "token": "x"},
                         headers={"Authorization": "Basic %%%not-base64%%%"})
    assert answer.status_code == status and answer.get_json()["error"] in ("invalid_client", "invalid_request")
