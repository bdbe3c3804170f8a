"""A 405 names the methods the path takes (``Allow``, RFC 9110 15.5.6), in every API's shape (issue 13, item 13)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app


@pytest.fixture
def http() -> FlaskClient:
    return create_app().test_client()


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("put", "/_sim/clock", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("delete", "/api/app/sessions", {"OPTIONS", "POST"}),
    ("get", "/v2/oauth/token/", {"OPTIONS", "POST"}),
    ("post", "/authorization/202309/shops", {"GET", "HEAD", "OPTIONS"}),
    ("put", "/app/sign-in", {"GET", "HEAD", "OPTIONS", "POST"}),
])
def test_a_method_the_path_does_not_take_is_answered_with_allow(http: FlaskClient, method: str, path: str,
                                                               allowed: set[str]) -> None:
    answer = getattr(http, method)(path)
    assert answer.status_code == 405
    assert {name.strip() for name in answer.headers["Allow"].split(",")} == allowed
