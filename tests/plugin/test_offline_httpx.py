"""Offline mode with httpx: partner code on httpx (sync or async), such as the unmodified PyPI client
``tiktok-shop-api``, reaches the same linksim app and sandbox as ``requests`` does, in-process."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC
from datetime import datetime

import httpx
import pytest
import requests
from tiktok_shop_api import AsyncTikTokShop
from tiktok_shop_api import AsyncTikTokShopAuth
from tiktok_shop_api import TikTokShop
from tiktok_shop_api import TikTokShopAuth

from linksim import offline
from linksim.offline import Offline

APP_KEY, APP_SECRET = "6demo0linksim", "linksim_demo_shop_secret"
CLIENT_TOKEN = {"client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
                "grant_type": "client_credentials"}


def on_real_time(tiktok: Offline) -> None:
    """The client signs with time.time(): the world's clock must be near it for the timestamp window to pass."""
    tiktok.clock.set(datetime.now(UTC))
    tiktok.clock.unfreeze()


def test_the_unmodified_tiktok_shop_client_exchanges_refreshes_and_lists_the_shops() -> None:
    with offline() as tiktok:
        on_real_time(tiktok)
        authorization = tiktok.authorize_shop(APP_KEY, seller="seller_acme")
        auth = TikTokShopAuth(APP_KEY, APP_SECRET)
        tokens = auth.refresh(auth.exchange_code(authorization.code).refresh_token)
        assert tokens.user_type == 0 and tokens.seller_name == "Acme Outdoor Ltd"
        with TikTokShop(APP_KEY, APP_SECRET, access_token=tokens.access_token) as client:
            shops = client.authorization.get_authorized_shops()
    assert {shop.id for shop in shops.data.shops} == {"shop_acme_us", "shop_acme_gb"}


def test_the_async_tiktok_shop_client_runs_the_same_flow() -> None:
    async def flow(code: str) -> set[str]:
        tokens = await AsyncTikTokShopAuth(APP_KEY, APP_SECRET).exchange_code(code)
        async with AsyncTikTokShop(APP_KEY, APP_SECRET, access_token=tokens.access_token) as client:
            shops = await client.authorization.get_authorized_shops()
        return {shop.id for shop in shops.data.shops}

    with offline() as tiktok:
        on_real_time(tiktok)
        assert asyncio.run(flow(tiktok.authorize_shop(APP_KEY, seller="seller_acme").code)) == {
            "shop_acme_us", "shop_acme_gb"}


def test_httpx_and_requests_reach_the_same_sandbox() -> None:
    with offline() as tiktok:
        httpx.post("https://www.tiktok.com/_sim/clock", json={"advance": "1d"})
        now = requests.get("https://open.tiktokapis.com/_sim/clock", timeout=10).json()["now"]
        assert now == tiktok.clock.now().isoformat() == "2026-03-03T09:00:00+00:00"


def test_an_async_httpx_client_reaches_linksim() -> None:
    async def token() -> str:
        async with httpx.AsyncClient() as client:
            answer = await client.post("https://open.tiktokapis.com/v2/oauth/token/", data=CLIENT_TOKEN)
        return str(answer.json()["access_token"])

    with offline():
        assert asyncio.run(token()).startswith("clt.")


def test_any_other_host_is_unreachable_to_httpx() -> None:
    with offline(), pytest.raises(httpx.ConnectError):
        httpx.get("https://partner.example/webhooks")


def test_a_route_of_your_own_answers_your_host() -> None:
    with offline() as tiktok:
        assert tiktok.httpx_mock is not None
        tiktok.httpx_mock.get("https://partner.example/health").respond(204)
        assert httpx.get("https://partner.example/health").status_code == 204


def test_a_silent_tiktok_times_out_httpx_as_over_a_socket() -> None:
    started = time.monotonic()
    with offline() as tiktok:
        tiktok.inject_fault(path="/v2/oauth/token*", silent=True, delay="30s")
        with pytest.raises(httpx.ReadTimeout):
            httpx.post("https://open.tiktokapis.com/v2/oauth/token/", data=CLIENT_TOKEN, timeout=0.2)
    assert time.monotonic() - started < 10


def test_offline_works_where_httpx_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # import httpx now fails, as where it is not installed
    with offline() as tiktok:
        answer = requests.post("https://open.tiktokapis.com/v2/oauth/token/", data=CLIENT_TOKEN, timeout=10)
        assert answer.json()["access_token"].startswith("clt.") and tiktok.httpx_mock is None
