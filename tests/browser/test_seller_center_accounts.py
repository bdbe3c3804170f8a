"""Seller Center's accounts and apps in a real browser, on the demo data: a marketing invitation sent in Seller
Center and accepted in the app, the Seller-app request answered with the toggles, an unlink refused for its cooldown
and then allowed once the world's clock moved on the developer's timeline, and an authorized app removed."""

from __future__ import annotations

from collections.abc import Callable

from selenium.webdriver.common.by import By

from auth_server.simulator import Simulator
from linksim.server import LiveServer
from tests.browser.conftest import Chrome
from tests.shop_partner.conftest import PASSWORD
from tests.shop_partner.conftest import SELLER

SHOP = "shop_acme_us"  # Acme Outdoor: three marketing accounts of four, no official account yet
DEMO_APP_KEY = "6demo0linksim"  # the demo's Shop app, which every demo seller authorized


def test_a_marketing_invitation_sent_in_seller_center_is_accepted_in_the_app(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    seller, phone = chrome("seller"), chrome("phone")
    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.click("tab-marketing")
    seller.find("marketing-accounts")
    seller.shot("the-marketing-tab")
    seller.fill("search-query", "Nora")
    seller.click("search")
    seller.find("candidate", data_username="nora", data_eligible="true")
    seller.shot("nora-meets-the-criteria")
    seller.click("send-invitation")
    assert seller.find("notice").text.startswith("Invitation sent to @nora")
    seller.find("invitation", data_state="pending")
    seller.shot("the-invitation-pending")

    phone.sign_in(server.url, "nora", PASSWORD)
    phone.open(f"{server.url}/app/inbox")
    assert "Acme Outdoor" in phone.find("invitation").text
    phone.shot("the-invitation-in-the-inbox")
    phone.click("accept")
    phone.find("invitation-done")
    phone.shot("accepted")

    seller.driver.refresh()
    seller.find("invitation", data_state="accepted")
    seller.find("marketing-row", data_username="nora")
    seller.shot("nora-is-a-marketing-account")


def test_a_seller_app_request_sent_in_seller_center_is_answered_with_the_toggles(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    seller, phone = chrome("seller"), chrome("phone")
    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.click("link-official")
    seller.shot("the-two-paths")
    seller.fill("app-username", "maya")
    button = seller.find("send-app-request")
    assert not button.is_enabled()  # the terms first
    seller.click("app-agree")
    seller.click("send-app-request")
    seller.find("app-request-waiting")
    seller.shot("the-request-waits-in-the-app")

    phone.sign_in(server.url, "maya", PASSWORD)
    phone.open(f"{server.url}/app/inbox")
    phone.click("open-request")
    for toggle in phone.driver.find_elements(By.CSS_SELECTOR, 'input[data-testid^="toggle-"]'):
        toggle.click()
    phone.shot("every-toggle-on")
    phone.click("continue")
    phone.find("scan-done", data_state="consented")

    # The seller's page reloads itself while it waits; the terms, agreed with the request, come ticked.
    seller.find("terms-agreed-with-request")
    assert seller.find("agree").is_selected()
    seller.shot("the-terms-ticked")
    seller.click("link-this-account")
    seller.find("seller-link", data_state="active")
    seller.shot("linked")
    seller.click("back-to-shop")
    assert seller.find("official-username").text == "@acme_outdoor"
    seller.shot("the-official-card")


def link_maya_officially(demo: Simulator) -> None:
    """The official QR flow, done on the simulator: maya scans, authorizes, the seller accepts the terms."""
    maya = demo.service.get_account_by_username("maya")
    link = demo.service.start_official_link(SHOP)
    demo.service.scan(link.link_id, maya.open_id)
    demo.service.give_consent(link.link_id, maya.open_id)
    demo.service.accept_terms(link.link_id)


def test_an_unlink_refused_for_the_cooldown_is_allowed_after_the_timelines_clock_moves(
        chrome: Callable[..., Chrome], demo: Simulator, server: LiveServer) -> None:
    link_maya_officially(demo)
    seller = chrome("seller")
    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.find("official-card")
    seller.shot("the-official-card")
    seller.click("unlink-official")
    seller.find("unlink-confirmation", data_role="official")
    seller.shot("the-confirmation")
    seller.click("confirm-unlink")
    refusal = seller.find("refusal", data_code="unlink_too_early")
    assert "Wait 1 day" in refusal.text
    seller.shot("too-early")

    developer = chrome("developer")  # moves the world's clock on the timeline, in another browser
    developer.open(f"{server.url}/_sim/")
    developer.find("live-status", data_state="live")
    before = developer.find("clock-now").get_attribute("datetime")
    developer.click("advance-24h")
    developer.wait(lambda _: developer.find("clock-now").get_attribute("datetime") != before, "the clock moved")
    assert developer.find("clock-now").text == "Tuesday 3 March 2026, 09:00:00 UTC"
    developer.shot("the-clock-moved-a-day")

    seller.click("confirm-unlink")
    assert seller.find("notice").text == "@acme_outdoor is unlinked from this shop."
    seller.find("link-official")
    seller.shot("unlinked")


def test_a_seller_removes_an_authorized_app(chrome: Callable[..., Chrome], server: LiveServer) -> None:
    seller = chrome("seller")
    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.click("nav-authorized-apps")
    seller.fill("login", SELLER)
    seller.fill("password", PASSWORD)
    seller.click("sign-in")
    row = f'[data-app-key="{DEMO_APP_KEY}"]'
    seller.find("authorized-apps")
    assert seller.driver.find_elements(By.CSS_SELECTOR, row)
    seller.shot("the-authorized-apps")
    seller.driver.find_element(By.CSS_SELECTOR, f'{row} [data-testid="remove-app"]').click()
    seller.find("app-removed")
    assert not seller.driver.find_elements(By.CSS_SELECTOR, row)
    seller.shot("the-app-removed")
