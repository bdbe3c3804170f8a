"""The failure paths of the screens in a real browser: none is a dead end."""

from __future__ import annotations

from collections.abc import Callable

from tests.browser.conftest import Chrome
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import account_with_password


def consented_link_page(chrome: Callable[..., Chrome], live_server: str, world, holder) -> Chrome:  # noqa: ANN001
    """The seller's browser on a link the holder authorized: the terms and "Link This Account" show."""
    world.shop("shop_terms", name="Terms Shop")
    link = world.service.start_official_link("shop_terms")
    world.service.give_consent(link.link_id, holder.open_id)
    seller = chrome("seller")
    seller.open(f"{live_server}/seller/links/{link.link_id}")
    seller.find("seller-link", data_state="consented")
    return seller


def test_link_this_account_is_disabled_until_the_terms_box_is_ticked(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    seller = consented_link_page(chrome, live_server, world, holder)
    assert not seller.find("link-this-account").is_enabled()
    seller.shot("the-terms-not-ticked")
    seller.click("agree")
    assert seller.find("link-this-account").is_enabled()
    assert not seller.find("terms-hint").is_displayed()
    seller.shot("the-terms-ticked")
    seller.click("link-this-account")
    seller.find("seller-link", data_state="active")
    seller.shot("linked")


def test_unticking_the_terms_box_disables_link_this_account_again(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    seller = consented_link_page(chrome, live_server, world, holder)
    seller.click("agree")
    seller.click("agree")
    assert not seller.find("link-this-account").is_enabled()
    seller.shot("the-terms-unticked")


def test_an_expired_qr_code_is_refreshed_for_the_same_shop(
        chrome: Callable[..., Chrome], live_server: str, world, sim) -> None:  # noqa: ANN001
    world.shop("shop_qr", name="QR Shop")
    seller = chrome("seller")
    seller.open(f"{live_server}/seller/shops/shop_qr")
    seller.click("link-official")
    seller.click("link-by-qr")
    expiring = seller.find("seller-link", data_state="pending_consent")
    old_url = seller.url
    seller.shot("the-qr-code")

    sim.clock.advance("5m")  # the page reloads itself every 2 s: it shows the code expired by itself

    ended = seller.find("link-ended", data_code="qr_expired")
    assert "This QR code expired at" in ended.text and expiring
    seller.shot("the-qr-code-expired")
    seller.click("refresh-qr")
    seller.find("seller-link", data_state="pending_consent")
    seller.find("qr")
    assert seller.url != old_url and "/seller/links/" in seller.url
    seller.shot("a-fresh-qr-code")


def test_signing_in_by_a_name_rule_e2_changed_says_the_accounts_name_now(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    world.link_official(world.shop("shop_named", name="Center Shop"), holder)
    phone = chrome("phone")
    phone.open(f"{live_server}/app/sign-in")
    phone.fill("username", "holder")
    phone.fill("password", PASSWORD)
    phone.click("sign-in")
    error = phone.find("sign-in-error", data_code="account_renamed")
    assert "@holder is now called @center_shop" in error.text
    assert phone.find("username").get_attribute("value") == "center_shop"
    phone.shot("told-the-new-name")
    phone.fill("password", PASSWORD)
    phone.click("sign-in")
    assert phone.find("signed-in-as").text == "@center_shop"
    phone.shot("signed-in-by-the-new-name")


def test_an_unknown_address_shows_an_error_page_with_a_way_back(
        chrome: Callable[..., Chrome], live_server: str) -> None:
    browser = chrome()
    browser.open(f"{live_server}/app/")
    browser.open(f"{live_server}/no-such-page")
    browser.find("error", data_status="404")
    browser.shot("the-error-page")
    browser.click("error-back")
    browser.wait_for_url(f"{live_server}/app/")
    browser.open(f"{live_server}/no-such-page")
    browser.click("error-home")
    browser.find("landing")
    browser.shot("the-start-page")


def test_the_holder_verifies_their_identity_from_the_apps_home(
        chrome: Callable[..., Chrome], live_server: str, world) -> None:  # noqa: ANN001
    account_with_password(world, world.account("una", verification="unverified"))
    phone = chrome("phone")
    phone.sign_in(live_server, "una")
    phone.find("verification", data_state="unverified")
    phone.shot("the-home-unverified")
    phone.click("start-verification")
    phone.find("verification", data_state="verified")
    phone.shot("the-home-verified")


def test_the_holder_accepts_an_invitation_from_the_apps_home(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    world.service.invite_marketing_account(world.shop("shop_inv", name="Invite Shop").shop_id, holder.open_id)
    phone = chrome("phone")
    phone.sign_in(live_server)
    phone.find("invitation")
    phone.shot("the-home-with-an-invitation")
    phone.click("accept")
    phone.find("invitation-done", data_state="accepted")
    phone.shot("the-invitation-accepted")
    phone.click("back-home")
    phone.find("inbox-empty")
    phone.shot("the-home-with-nothing-waiting")
