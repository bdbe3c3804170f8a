"""Seller Center's QR flow with two real browsers: the seller's, which waits on the QR page, and the phone's."""

from __future__ import annotations

from collections.abc import Callable

from tests.browser.conftest import Chrome


def test_the_seller_links_the_phones_account_by_qr_code_across_two_browsers(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    world.shop("shop_qr", name="QR Shop")
    seller, phone = chrome("seller"), chrome("phone")

    seller.open(f"{live_server}/seller/shops/shop_qr")
    seller.shot("the-shop")
    seller.click("link-official")
    seller.shot("the-two-paths")
    seller.click("link-by-qr")
    seller.find("seller-link", data_state="pending_consent")
    seller.shot("the-qr-code")
    scan_url = seller.find("scan-url").get_attribute("href")
    assert scan_url and scan_url.startswith(f"{live_server}/app/scan?token="), scan_url

    phone.sign_in(live_server)
    phone.open(scan_url)
    assert phone.find("scan-account").text == "@holder"
    phone.shot("the-consent")
    phone.click("authorize")
    phone.find("scan-done", data_state="consented")
    phone.shot("authorized")

    # The seller's page reloads itself every 2 s while it waits: nobody touches it until the terms show.
    seller.find("link-this-account")
    seller.shot("the-terms")
    seller.click("agree")
    seller.click("link-this-account")
    seller.find("seller-link", data_state="active")
    seller.shot("linked")
    seller.open(f"{live_server}/seller/shops/shop_qr")
    assert seller.find("official-username").text == "@qr_shop"  # rule E2: the account took the shop's name
    seller.find("official-bound-at")
    seller.shot("the-linked-accounts")
