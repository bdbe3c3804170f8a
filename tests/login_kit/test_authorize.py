"""GET/POST /v2/auth/authorize/: sign in, the consent screen, and the redirect back to the partner app."""

from __future__ import annotations

from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import redirect_params


def test_an_unsigned_visitor_is_sent_to_sign_in_and_back(browser) -> None:  # noqa: ANN001
    response = browser.client.get(browser.authorize_url())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/app/sign-in?next=")
    signed = browser.sign_in()
    assert signed.status_code == 302


def test_the_consent_screen_names_the_app_the_account_and_the_scopes(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    page = browser.client.get(browser.authorize_url()).get_data(as_text=True)
    assert 'data-testid="consent-app"' in page and "Partner App" in page
    assert "@holder" in page
    assert 'data-testid="scope-user.info.profile"' in page


def test_authorize_redirects_with_code_scopes_and_state(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.consent()
    assert response.status_code == 302
    assert response.headers["Location"].startswith(CALLBACK)
    params = redirect_params(response)
    assert params["state"] == "xyz"
    assert params["scopes"] == "user.info.basic,user.info.profile"
    assert params["code"]


def test_a_holder_may_turn_a_scope_off_and_the_redirect_says_so(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    params = redirect_params(browser.consent(scopes=[]))
    assert params["scopes"] == "user.info.basic"


def test_cancel_redirects_with_access_denied_and_state(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    params = redirect_params(browser.consent(decision="cancel"))
    assert params["error"] == "access_denied"
    assert params["state"] == "xyz"
    assert "code" not in params


def test_the_desktop_wildcard_port_accepts_any_loopback_port(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.consent(redirect_uri="http://127.0.0.1:40123/callback/")
    assert response.headers["Location"].startswith("http://127.0.0.1:40123/callback/?")


def test_an_unregistered_redirect_uri_is_an_error_page_not_a_redirect(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.client.get(browser.authorize_url(redirect_uri="https://evil.example/cb"))
    assert response.status_code == 400
    assert 'data-testid="error"' in response.get_data(as_text=True)


def test_an_unknown_client_key_is_an_error_page(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.client.get(browser.authorize_url(client_key="nobody"))
    assert response.status_code == 400
    assert 'data-code="invalid_client"' in response.get_data(as_text=True)


def test_a_scope_the_app_may_not_ask_for_redirects_with_invalid_scope(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.client.get(browser.authorize_url(scope="user.info.basic,research.data.basic"))
    assert response.status_code == 302
    assert redirect_params(response)["error"] == "invalid_scope"


def test_the_path_without_the_trailing_slash_works_too(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.client.get(browser.authorize_url().replace("/authorize/?", "/authorize?"))
    assert response.status_code == 200


def test_client_id_is_accepted_as_well_as_client_key(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    url = browser.authorize_url().replace("client_key=", "client_id=")
    assert browser.client.get(url).status_code == 200


def test_a_consent_without_the_csrf_token_is_refused(browser) -> None:  # noqa: ANN001
    browser.sign_in()
    response = browser.client.post(browser.authorize_url(), data={"decision": "authorize"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
