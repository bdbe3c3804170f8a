"""The unmodified PyPI client ``tiktok-shop-api`` 0.1.0 against a live linksim, over real HTTP.

A seller authorizes on linksim's pages (Seller Center sign-in, then the form, with its CSRF token); the client
trades the code, refreshes, and signs a real call. The client signs with ``time.time()``, so the sandbox's clock is
set to real time first and left running (the ``sandbox`` fixture, through ``POST /_sim/clock``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
import requests
from tiktok_shop_api import TikTokShop
from tiktok_shop_api import TikTokShopAuth
from tiktok_shop_api.auth import TokenSet
from tiktok_shop_api.errors import TikTokShopError

from linksim.sandbox import Sandbox
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import APP_SECRET
from tests.shop_partner.conftest import PASSWORD
from tests.shop_partner.conftest import SERVICE_ID
from tests.shop_partner.conftest import authorize_over_http
from tests.shop_partner.conftest import csrf_of
from tests.shop_partner.live import live_server  # noqa: F401  (the fixtures)
from tests.shop_partner.live import sandbox  # noqa: F401


@pytest.fixture
def auth(sandbox: Sandbox) -> TikTokShopAuth:  # noqa: F811
    return TikTokShopAuth(APP_KEY, APP_SECRET, SERVICE_ID, base_url=sandbox.base_url)


@pytest.fixture
def tokens(sandbox: Sandbox, auth: TikTokShopAuth) -> TokenSet:  # noqa: F811
    """The seller authorized on the pages, and the client exchanged the redirect's code."""
    with requests.Session() as browser:
        params = authorize_over_http(browser, sandbox.base_url, path_and_query(
            auth.authorization_url(type="seller", region="us", state="pypi")))
    assert params["state"] == "pypi"
    return auth.exchange_code(params["code"])


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_client_exchanges_the_code_for_a_sellers_tokens(tokens: TokenSet) -> None:
    assert tokens.access_token.startswith("TTP_")
    assert (tokens.user_type, tokens.seller_name, tokens.seller_base_region) == (0, "Acme Outdoor Ltd", "US")
    assert tokens.granted_scopes is not None and "seller.authorization.info" in tokens.granted_scopes


def test_the_client_refreshes_the_tokens(auth: TikTokShopAuth, tokens: TokenSet) -> None:
    renewed = auth.refresh(tokens.refresh_token)
    assert renewed.access_token != tokens.access_token
    assert renewed.open_id == tokens.open_id


def test_the_client_reads_a_spent_refresh_tokens_refusal(auth: TikTokShopAuth, tokens: TokenSet) -> None:
    auth.refresh(tokens.refresh_token)
    with pytest.raises(TikTokShopError) as refused:
        auth.refresh(tokens.refresh_token)
    assert refused.value.code == 36004004


def test_the_client_reads_a_wrong_codes_refusal(auth: TikTokShopAuth) -> None:
    with pytest.raises(TikTokShopError) as refused:
        auth.exchange_code("TTP_wrong")
    assert (refused.value.code, refused.value.message) == (36004004, "invalid auth code")


def test_the_clients_signed_call_lists_the_authorized_shops(sandbox: Sandbox, auth: TikTokShopAuth,  # noqa: F811
                                                            tokens: TokenSet) -> None:
    renewed = auth.refresh(tokens.refresh_token)
    shop = TikTokShop(APP_KEY, APP_SECRET, access_token=renewed.access_token, base_url=sandbox.base_url)
    answer = shop.authorization.get_authorized_shops()
    assert answer is not None and answer.code == 0
    assert {item.id for item in answer.data.shops} == {"shop_acme_us", "shop_acme_gb"}  # type: ignore[union-attr]


def test_the_client_reads_a_wrong_signatures_refusal(sandbox: Sandbox, tokens: TokenSet) -> None:  # noqa: F811
    shop = TikTokShop(APP_KEY, "not-the-secret", access_token=tokens.access_token, base_url=sandbox.base_url)
    with pytest.raises(TikTokShopError) as refused:
        shop.authorization.get_authorized_shops()
    assert (refused.value.code, refused.value.http_status) == (106001, 401)


@pytest.mark.parametrize("region", ["us", "row"])
def test_the_clients_seller_authorization_url_is_a_path_linksim_serves(sandbox: Sandbox,  # noqa: F811
                                                                       auth: TikTokShopAuth, region: str) -> None:
    url = auth.authorization_url(type="seller", region=region, state="s")  # type: ignore[arg-type]
    assert urlsplit(url).path == "/open/authorize"
    assert dict(parse_qsl(urlsplit(url).query)) == {"service_id": SERVICE_ID, "state": "s"}
    with requests.Session() as browser:
        params = authorize_over_http(browser, sandbox.base_url, path_and_query(url))
    assert params["code"]


def test_the_clients_creator_authorization_url_is_a_path_linksim_serves(sandbox: Sandbox,  # noqa: F811
                                                                        auth: TikTokShopAuth) -> None:
    url = auth.authorization_url(type="creator", region="us", state="c")
    assert urlsplit(url).path == "/alliance/creator/auth"
    assert dict(parse_qsl(urlsplit(url).query)) == {"app_key": APP_KEY, "state": "c"}
    with requests.Session() as phone:
        sign_in = phone.get(f"{sandbox.base_url}/app/sign-in", timeout=10)
        phone.post(f"{sandbox.base_url}/app/sign-in", timeout=10, data={
            "username": "cora", "password": PASSWORD, "csrf_token": csrf_of(sign_in.text)})
        page = phone.get(sandbox.base_url + path_and_query(url), timeout=10)
    assert page.status_code == 200
    assert 'data-testid="shop-authorization-form"' in page.text


def test_the_clients_partner_authorization_url_is_a_path_linksim_serves(sandbox: Sandbox,  # noqa: F811
                                                                        auth: TikTokShopAuth) -> None:
    url = auth.authorization_url(type="partner", region="us", state="p")
    parts = urlsplit(url)
    with requests.Session() as browser:
        sign_in = browser.get(f"{sandbox.base_url}/seller/sign-in", timeout=10)
        browser.post(f"{sandbox.base_url}/seller/sign-in", timeout=10, data={
            "login": "partner@reach.example", "password": PASSWORD, "kind": "partner",
            "csrf_token": csrf_of(sign_in.text)})
        # requests matches cookies by the Host header, so the session cookie of 127.0.0.1 goes by hand
        page = browser.get(sandbox.base_url + path_and_query(url), timeout=10, headers={
            "Host": parts.netloc, "Cookie": f"session={browser.cookies['session']}"})
    assert page.status_code == 200
    assert "TikTok Shop partner data" in page.text


def test_an_install_without_state_gives_a_url_without_state(auth: TikTokShopAuth) -> None:
    url: Any = auth.authorization_url(type="seller", region="row")
    assert dict(parse_qsl(urlsplit(url).query)) == {"service_id": SERVICE_ID}
