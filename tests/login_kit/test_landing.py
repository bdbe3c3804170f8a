"""The start page at /: what linksim is, the way to both screens, the world's accounts and partner apps, the
addresses `linksim serve` prints, and a reset to the demo data."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.simulator import Simulator
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_SECRET


def start_page(client: FlaskClient, prefix: str = "") -> str:
    response = client.get(f"{prefix}/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def account_row(page: str, username: str) -> str:
    row = re.search(rf'<tr data-testid="account" data-username="{re.escape(username)}">(.*?)</tr>', page, re.S)
    assert row, f"no row for @{username}"
    return " ".join(row.group(1).split())


@pytest.fixture
def demo(client: FlaskClient) -> FlaskClient:
    assert client.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    return client


def test_the_start_page_says_what_linksim_is_and_leads_to_both_screens(client: FlaskClient) -> None:
    page = start_page(client)
    assert 'data-testid="what-linksim-is"' in page
    assert 'href="/seller/" data-testid="go-seller-center"' in page
    assert 'href="/app/sign-in" data-testid="go-app"' in page


def test_the_start_page_lists_the_demo_accounts_with_what_each_is_for_and_the_password(demo: FlaskClient) -> None:
    page = start_page(demo)
    assert "verified, free: the happy path" in account_row(page, "maya")
    assert "<code>linksim-demo</code>" in account_row(page, "maya")
    assert 'data-testid="demo-password"' in page


def test_the_start_page_says_what_an_account_is_linked_to_now(demo: FlaskClient) -> None:
    assert "official account of Nordic Home" in account_row(start_page(demo), "nordic_home")


def test_the_start_page_names_the_username_an_account_had_before_a_rename(demo: FlaskClient) -> None:
    assert "was @otto" in account_row(start_page(demo), "nordic_home")


def test_the_start_page_shows_the_demo_accounts_first_and_a_hundred_accounts_at_most(demo: FlaskClient,
                                                                                   sim: Simulator) -> None:
    """A world of 100,000 accounts has a start page as quick as the demo's: the rest are found by a search."""
    world = WorldBuilder(sim)
    for n in range(150):
        world.account(f"aaa_extra_{n:03d}")  # sorted before every demo account
    total = len(sim.service.accounts())

    page = start_page(demo)

    assert len(re.findall(r'<tr data-testid="account"', page)) == 100
    assert "verified, free: the happy path" in account_row(page, "maya")
    assert "official account of Nordic Home" in account_row(page, "nordic_home")
    assert "aaa_extra_000" in page and "aaa_extra_149" not in page
    more = re.search(r'data-testid="more-accounts">(.*?)</p>', page, re.S)
    assert more and f"{total - 100} more accounts" in " ".join(more.group(1).split())


def test_the_start_page_shows_no_password_when_the_demo_data_is_not_loaded(client: FlaskClient) -> None:
    page = start_page(client)
    assert "linksim-demo" not in page and 'data-testid="no-demo-password"' in page
    assert "free to link" in account_row(page, "holder")


def test_the_start_page_gives_the_demo_partner_apps_credentials(demo: FlaskClient) -> None:
    page = start_page(demo)
    login_kit = re.search(r'data-key="linksim_demo_key">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    shop = re.search(r'data-key="6demo0linksim">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "linksim_demo_secret" in login_kit and "http://127.0.0.1:8080/callback/" in login_kit
    assert "linksim_demo_shop_secret" in shop and "7310000000000000001" in shop


def test_the_start_page_shows_no_secret_it_cannot_check(client: FlaskClient) -> None:
    page = start_page(client)
    assert 'data-key="partner_key"' in page and CLIENT_SECRET not in page


def test_the_start_page_names_the_addresses_the_banner_prints(client: FlaskClient) -> None:
    page = start_page(client)
    for address in ("http://localhost/", "http://localhost/app/sign-in", "http://localhost/seller/",
                    "http://localhost/v2/auth/authorize/", "http://localhost/v2/oauth/token/",
                    "http://localhost/_sim/journal"):
        assert f"<code>{address}</code>" in page


def test_the_reset_button_posts_the_demo_data_to_the_worlds_reset_control(client: FlaskClient) -> None:
    form = re.search(r'<form[^>]*data-testid="reset-form"', start_page(client)).group(0)  # type: ignore[union-attr]
    assert 'action="/_sim/reset"' in form and """data-body='{"fixtures": "demo"}'""" in form


def test_the_start_page_asks_for_the_control_token_when_the_server_has_one(sim: Simulator) -> None:
    app = create_app(sim, ServerConfig(secret_key="test-secret", control_token="a-control-token-of-16+"))
    assert 'data-testid="control-token"' in start_page(app.test_client())


def test_the_start_page_asks_no_control_token_when_the_server_has_none(client: FlaskClient) -> None:
    assert 'data-testid="control-token"' not in start_page(client)


def test_inside_a_sandbox_the_start_page_shows_the_sandboxs_world(client: FlaskClient) -> None:
    sandbox = client.post("/_sim/sandboxes", json={"fixtures": "demo"}).get_json()["id"]
    page = start_page(client, f"/sandboxes/{sandbox}")
    assert "the happy path" in account_row(page, "maya") and 'data-username="holder"' not in page
    assert f'href="/sandboxes/{sandbox}/seller/" data-testid="go-seller-center"' in page
    assert f'action="/sandboxes/{sandbox}/_sim/reset"' in page
    assert f"<code>http://localhost/sandboxes/{sandbox}/app/sign-in</code>" in page
