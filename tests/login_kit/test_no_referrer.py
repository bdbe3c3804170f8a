"""No page sends its address on to the next site (RFC 9700 4.2.4): sign-in, consent, Seller Center, the app's pages
and the redirect that carries a code all say ``Referrer-Policy: no-referrer``, so a code or a QR token in a URL
does not leak through the Referer header."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.login_kit.conftest import Browser


@pytest.mark.parametrize("path", ["/app/sign-in", "/app/", "/seller/", "/seller/sign-in", "/app/no-such-page"])
def test_a_page_sends_no_referrer(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_consent_screen_sends_no_referrer(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    page = client.get(browser.authorize_url())
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"


def test_the_redirect_with_the_code_sends_no_referrer(browser: Browser) -> None:
    browser.sign_in()
    answer = browser.consent()
    assert answer.status_code == 302 and "code=" in answer.headers["Location"]
    assert answer.headers["Referrer-Policy"] == "no-referrer"
