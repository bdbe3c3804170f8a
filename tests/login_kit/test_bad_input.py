"""Bad input of any kind gets a 4xx with a JSON error (or an error page on the screens), never a 500."""

from __future__ import annotations

import pytest

from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import Browser


def test_a_wrong_method_on_the_token_endpoint_is_a_json_405(client) -> None:  # noqa: ANN001
    response = client.get("/v2/oauth/token/")
    assert response.status_code == 405
    assert response.get_json()["error"] == "invalid_request" and "log_id" in response.get_json()


def test_an_oversized_body_is_a_json_413(client) -> None:  # noqa: ANN001
    response = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "padding": "x" * 70_000})
    assert response.status_code == 413
    assert response.get_json()["error"] == "invalid_request"


def test_an_unknown_path_is_a_json_404(client) -> None:  # noqa: ANN001
    response = client.get("/v2/nothing/here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "invalid_params"


@pytest.mark.parametrize("data", [{}, {"grant_type": "authorization_code"}, {"client_key": ""},
                                  {"client_key": CLIENT_KEY, "client_secret": "x" * 5000}])
def test_missing_or_malformed_token_parameters_get_an_oauth_error(client, data) -> None:  # noqa: ANN001
    response = client.post("/v2/oauth/token/", data=data)
    assert response.status_code == 200
    assert response.get_json()["error"] in {"invalid_request", "invalid_client", "unsupported_grant_type"}


def test_a_json_body_on_the_token_endpoint_is_refused_cleanly(client) -> None:  # noqa: ANN001
    response = client.post("/v2/oauth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 200
    assert "error" in response.get_json()


def test_a_wrong_password_shows_the_sign_in_page_with_the_code(browser: Browser) -> None:
    response = browser.sign_in(password="wrong")
    assert response.status_code == 401
    assert 'data-code="invalid_credentials"' in response.get_data(as_text=True)


def test_sign_in_never_redirects_off_the_server(browser: Browser) -> None:
    page = browser.client.get("/app/sign-in")
    from tests.login_kit.conftest import PASSWORD
    from tests.login_kit.conftest import csrf_of

    response = browser.client.post("/app/sign-in", data={"username": "holder", "password": PASSWORD,
                                                         "next": "https://evil.example/",
                                                         "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/app/"


def test_an_authorize_request_without_parameters_is_an_error_page(browser: Browser) -> None:
    browser.sign_in()
    response = browser.client.get("/v2/auth/authorize/")
    assert response.status_code == 400
    assert 'data-testid="error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["%22", "%C3%BC", "a%5Cb"])
def test_characters_authlib_cannot_quote_are_an_error_page_not_a_500(browser: Browser, value: str) -> None:
    browser.sign_in()
    response = browser.client.get(browser.authorize_url(response_type=value))
    assert response.status_code == 400


def test_an_unclosed_ipv6_redirect_uri_is_an_error_page(browser: Browser) -> None:
    browser.sign_in()
    assert browser.client.get(browser.authorize_url(redirect_uri="http://[::1/cb")).status_code == 400


def test_client_credentials_within_the_apps_scopes_only(client) -> None:  # noqa: ANN001
    from tests.login_kit.conftest import CLIENT_SECRET

    body = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                 "grant_type": "client_credentials",
                                                 "scope": "research.data.basic"}).get_json()
    assert body["error"] == "invalid_scope"


def test_a_cross_site_form_cannot_reset_the_simulator(client) -> None:  # noqa: ANN001
    response = client.post("/_sim/reset", data={"fixtures": "demo"})
    assert response.status_code == 415


def test_an_oauth_error_without_a_text_gets_one(client) -> None:  # noqa: ANN001
    from tests.login_kit.conftest import CLIENT_SECRET

    body = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                 "grant_type": "password"}).get_json()
    assert body["error"] == "unsupported_grant_type" and body["error_description"]
