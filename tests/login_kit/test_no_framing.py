"""No page can be framed by another site (RFC 9700 4.16): sign-in, consent, Seller Center and the error pages say
so in both headers browsers read."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import Browser


@pytest.mark.parametrize("path", ["/app/sign-in", "/seller/", "/seller/sign-in", "/app/no-such-page"])
def test_a_page_forbids_framing(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_the_consent_screen_forbids_framing(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    page = client.get(browser.authorize_url())
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"


def test_json_answers_carry_no_framing_headers(client: FlaskClient) -> None:
    answer = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "grant_type": "client_credentials"})
    assert answer.mimetype == "application/json" and "X-Frame-Options" not in answer.headers


def test_an_app_session_is_answered_with_no_store(client: FlaskClient) -> None:
    answer = client.post("/api/app/sessions", json={"username": "holder", "password": "holder-password"})
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"


def test_every_json_answer_is_no_store(client: FlaskClient) -> None:
    assert client.get("/_sim/clock").headers["Cache-Control"] == "no-store"
