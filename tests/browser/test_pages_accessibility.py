"""The pages outside the TikTok app, for every reader: the start page, Seller Center, the timeline and an error page
have text of enough contrast (WCAG 2.2, 1.4.3, measured on the colours Chromium computed) and every form control
labelled, as the app's pages do (tests/browser/test_tiktok_app_accessibility.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linksim.server import LiveServer
from tests.browser.conftest import Chrome
from tests.browser.test_seller_center_accounts import SHOP
from tests.browser.test_tiktok_app_accessibility import checked


def test_the_start_page_seller_center_and_the_timeline_have_enough_contrast_and_labelled_controls(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    browser = chrome("developer")
    problems: list[Any] = []

    browser.open(f"{server.url}/")
    problems += checked(browser, "start-page")
    browser.open(f"{server.url}/seller/")
    problems += checked(browser, "seller-center-shops")
    browser.open(f"{server.url}/seller/shops/{SHOP}")
    problems += checked(browser, "linked-accounts-official")
    browser.click("tab-marketing")
    browser.find("marketing-accounts")
    problems += checked(browser, "linked-accounts-marketing")
    browser.open(f"{server.url}/_sim/")
    browser.find("clock-now")
    problems += checked(browser, "timeline")
    browser.open(f"{server.url}/no/such/page")
    browser.find("error")
    problems += checked(browser, "not-found")

    assert problems == []
