"""TikTok Shop's seller authorization in a real browser: sign in to Seller Center, authorize, land on the app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests

from auth_server.worlds import SHARED_TEMPLATES
from linksim.server import LiveServer
from tests.browser.conftest import Chrome
from tests.conftest import START
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import APP_SECRET
from tests.shop_partner.conftest import PASSWORD
from tests.shop_partner.conftest import SELLER
from tests.shop_partner.conftest import SERVICE_ID
from tests.shop_partner.conftest import shop_app
from tests.shop_partner.conftest import shop_data


def test_a_seller_signs_in_authorizes_and_lands_on_the_apps_redirect_url_with_a_code(
        chrome: Callable[..., Chrome], closed_port: int) -> None:
    callback = f"http://127.0.0.1:{closed_port}/tiktok-shop/callback"
    data = shop_data()
    data["partner_apps"][0]["shop"]["redirect_url"] = callback
    with LiveServer(shop_app(SHARED_TEMPLATES.simulator(data, START))) as server:
        seller = chrome("seller")
        seller.open(f"{server.url}/open/authorize?service_id={SERVICE_ID}&state=browser")
        seller.fill("login", SELLER)
        seller.fill("password", PASSWORD)
        seller.click("sign-in")
        assert seller.find("shop-authorization-who").text == "Acme Outdoor Ltd"
        seller.click("authorize")

        landed = parse_qs(urlsplit(seller.wait_for_url(callback)).query)  # nothing serves it: the URL counts
        assert landed["state"] == ["browser"] and landed["shop_region"] == ["US"]
        assert landed["code"][0].startswith("TTP_")
        answer = requests.get(f"{server.url}/api/v2/token/get", timeout=10, params={
            "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": landed["code"][0],
            "grant_type": "authorized_code"}).json()
        assert answer["code"] == 0, answer
