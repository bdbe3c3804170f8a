"""Error pages: a browser gets a page with a way back, an API client keeps getting JSON."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

# What Chromium sends when it opens a page.
BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
                  "application/signed-exchange;v=b3;q=0.7")


def test_a_browser_that_opens_an_unknown_path_gets_an_html_404_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert 'data-testid="error"' in page and 'data-code="not_found"' in page


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/plain"])
def test_an_api_client_that_opens_an_unknown_path_still_gets_json(client: FlaskClient, accept: str | None) -> None:
    response = client.get("/no-such-page", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/no-such-call", "/_sim/no-such-control", "/v2/no-such-call/"])
def test_an_unknown_path_of_an_api_stays_json_in_a_browser(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_an_error_page_outside_the_screens_leads_back_to_the_start_page(client: FlaskClient) -> None:
    page = client.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    assert 'href="/" data-testid="error-home"' in page


def test_an_error_page_of_the_app_leads_back_to_the_apps_home(client: FlaskClient) -> None:
    page = client.get("/app/no-such-page").get_data(as_text=True)
    assert 'href="/app/" data-testid="error-home"' in page


def test_an_error_page_of_seller_center_leads_back_to_seller_center(client: FlaskClient) -> None:
    page = client.get("/seller/shops/nope").get_data(as_text=True)
    assert 'href="/seller/" data-testid="error-home"' in page


def test_an_error_page_offers_to_go_back_to_where_the_user_came_from(client: FlaskClient) -> None:
    page = client.get("/seller/shops/nope").get_data(as_text=True)
    assert 'data-testid="error-back"' in page


def test_an_error_page_in_a_sandbox_leads_back_inside_the_sandbox(client: FlaskClient) -> None:
    sandbox = client.post("/_sim/sandboxes", json={}).get_json()["id"]
    page = client.get(f"/sandboxes/{sandbox}/app/no-such-page").get_data(as_text=True)
    assert f'href="/sandboxes/{sandbox}/app/" data-testid="error-home"' in page


def test_an_error_page_of_an_unknown_sandbox_leads_back_to_the_main_world(client: FlaskClient) -> None:
    response = client.get("/sandboxes/nosuch/app/", headers={"Accept": BROWSER_ACCEPT})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and 'data-code="sandbox_not_found"' in page
    assert 'href="/" data-testid="error-home"' in page
