"""A redirect URI registered with the wildcard port takes a real port only: the literal wildcard, port 0, a port
written with a leading zero or above 65535 are no address to send a code to (issue 13, defect 7 and item 13)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from auth_server.oauth.models import redirect_uri_matches
from tests.login_kit.conftest import REDIRECT_URI
from tests.login_kit.conftest import Browser


@pytest.mark.parametrize("given", ["http://127.0.0.1:5555/callback/", "http://127.0.0.1:1/callback/",
                                   "http://127.0.0.1:65535/callback/"])
def test_a_real_port_matches_the_wildcard(given: str) -> None:
    assert redirect_uri_matches(REDIRECT_URI, given)


@pytest.mark.parametrize("given", [REDIRECT_URI, "http://127.0.0.1:0/callback/", "http://127.0.0.1:08080/callback/",
                                   "http://127.0.0.1:65536/callback/", "http://127.0.0.1/callback/"])
def test_the_wildcard_itself_and_ports_that_are_no_port_do_not_match(given: str) -> None:
    assert not redirect_uri_matches(REDIRECT_URI, given)


def test_an_exact_uri_still_matches_itself() -> None:
    assert redirect_uri_matches("https://partner.example/auth/callback", "https://partner.example/auth/callback")


def test_authorizing_to_the_literal_wildcard_issues_no_code(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    answer = client.get(browser.authorize_url(redirect_uri=REDIRECT_URI))
    assert answer.status_code == 400 and "code=" not in answer.headers.get("Location", "")
