"""The TikTok app's screens in a real browser: the phone frame and its tab bar, scanning a picture of the QR code
the seller's page shows, the permission switches worked by keyboard, the profile after an official link, signing
in by a one-time passcode, and the pages that refuse a picture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import qrcode
from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.browser.conftest import Chrome
from tests.browser.test_seller_app import request_app_consent
from tests.login_kit.conftest import CLIENT_KEY


def upload_picture(phone: Chrome, picture: Path) -> None:
    """On the Scan tab: choose the picture, tap Scan picture."""
    phone.click("tab-scan")
    phone.find("scanner")
    phone.find("qr-picture").send_keys(str(picture))
    phone.click("scan-picture")


def press(phone: Chrome, *keys: str) -> None:
    ActionChains(phone.driver).send_keys(*keys).perform()


def focused(phone: Chrome) -> WebElement:
    return phone.driver.switch_to.active_element


def tab_to(phone: Chrome, testid: str, most: int = 40) -> WebElement:
    """Press Tab until the element with ``testid`` has the focus, as a keyboard user moves through the page."""
    for _ in range(most):
        press(phone, Keys.TAB)
        if focused(phone).get_attribute("data-testid") == testid:
            return focused(phone)
    raise AssertionError(f"{most} presses of Tab never reached {testid}")


def test_the_phone_scans_a_picture_of_the_qr_code_the_sellers_page_shows(
        chrome: Callable[..., Chrome], live_server: str, world, holder, tmp_path: Path) -> None:  # noqa: ANN001
    world.shop("shop_qr", name="QR Shop")
    seller, phone = chrome("seller"), chrome("phone")
    seller.open(f"{live_server}/seller/shops/shop_qr")
    seller.click("link-official")
    seller.click("link-by-qr")
    seller.find("seller-link", data_state="pending_consent")
    seller.shot("the-qr-code")
    # The phone's camera: a picture of the code as the seller's browser draws it on the screen.
    picture = tmp_path / "qr-from-the-sellers-screen.png"
    picture.write_bytes(seller.find("qr").screenshot_as_png)

    phone.sign_in(live_server)
    phone.click("tab-scan")
    phone.find("scanner")
    phone.shot("the-scan-tab")
    upload_picture(phone, picture)
    assert phone.find("scan-account").text == "@holder"
    assert phone.find("scan-shop").text == "Link your account to QR Shop"
    permissions = phone.find("scan-permissions").text
    assert "Profile information" in permissions and "profile_information" not in permissions
    phone.shot("the-consent-of-the-scanned-picture")
    phone.click("authorize")
    phone.find("scan-done", data_state="consented")
    phone.shot("authorized")

    seller.find("link-this-account")
    seller.click("agree")
    seller.click("link-this-account")
    seller.find("seller-link", data_state="active")
    seller.shot("linked")


def test_the_permission_switches_are_turned_on_by_keyboard(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    world.shop_for(CLIENT_KEY, "shop_app", name="App Shop")
    link_id = request_app_consent(live_server, "shop_app")
    phone = chrome("phone")
    phone.sign_in(live_server)
    phone.open(f"{live_server}/app/requests/{link_id}")
    phone.find("toggles", data_link_id=link_id)
    switches = phone.driver.find_elements(By.CSS_SELECTOR, 'input[data-testid^="toggle-"]')
    assert [(s.aria_role, s.accessible_name) for s in switches] == [
        ("switch", "Profile information"), ("switch", "Content"), ("switch", "Audience data")]
    assert not any(s.is_selected() for s in switches), "000: the holder turns each toggle on"
    phone.shot("every-switch-off")

    first = tab_to(phone, "toggle-profile_information")
    outline = phone.driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)];", first)
    assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on the switch: {outline}"
    press(phone, Keys.SPACE)
    phone.shot("the-first-switch-on-by-keyboard")
    press(phone, Keys.TAB, Keys.SPACE)
    assert [s.is_selected() for s in switches] == [True, True, False]
    tab_to(phone, "continue")
    press(phone, Keys.ENTER)
    error = phone.find("toggles-error", data_code="consent_incomplete")
    assert "Audience data" in error.text and "audience_data" not in error.text
    phone.shot("consent-incomplete-named")

    switches = phone.driver.find_elements(By.CSS_SELECTOR, 'input[data-testid^="toggle-"]')
    assert [s.is_selected() for s in switches] == [True, True, False], "the page keeps the switches turned on"
    tab_to(phone, "toggle-audience_data")
    press(phone, Keys.SPACE)
    tab_to(phone, "continue")
    phone.shot("every-switch-on")
    press(phone, Keys.ENTER)
    phone.find("scan-done", data_state="consented")
    phone.shot("consented")


def test_the_profile_shows_the_business_badge_and_the_shop_page_after_an_official_link(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    phone = chrome("phone")
    phone.sign_in(live_server)
    phone.click("tab-profile")
    assert phone.find("profile", data_account_type="personal")
    assert not phone.find_all("business-badge")
    phone.find("no-storefront")
    phone.shot("a-personal-profile")

    shop = world.shop("shop_official", name="Official Shop")
    world.service.add_product(shop.shop_id, "prod_tent", title="Trail Tent")
    world.link_official(shop, holder)
    renamed = world.service.get_account(holder.open_id).username  # E2: the name follows the shop's
    phone.click("sign-out")
    phone.sign_in(live_server, renamed)
    phone.click("tab-profile")
    phone.find("profile", data_account_type="business")
    assert phone.find("business-badge").text == "Business account"
    assert phone.find("profile-nickname").text == "Official Shop"
    assert phone.find("profile-username").text == f"@{renamed}"
    assert phone.find("profile-followers").text.split() == ["42", "Followers"]
    page = phone.find("shop-page", data_shop_id="shop_official")
    assert "Shop Page · Official Shop" in page.text
    assert "Trail Tent" in phone.find("catalogue").text
    channels = phone.find("sales-channels").find_elements(By.CSS_SELECTOR, "[data-channel]")
    assert [c.text for c in channels] == ["Video", "LIVE", "Shop Page"]
    assert not phone.find_all("showcase")
    phone.shot("the-business-profile-with-its-shop-page")


def test_an_organization_member_signs_in_by_one_time_passcode(
        chrome: Callable[..., Chrome], live_server: str, world) -> None:  # noqa: ANN001
    shop = world.shop("org_shop", seller=world.seller("org_seller", entity="ENT-ORG"))
    link = world.service.create_organization_account(shop.shop_id, username="brand.org", email="admin@brand.example",
                                                     members=["ops@brand.example"])
    username = world.service.get_account(link.open_id).username  # E2: named after the shop it is linked to
    phone = chrome("phone")
    phone.open(f"{live_server}/app/sign-in")
    phone.click("go-passcode")
    phone.shot("the-two-ways-to-log-in")
    phone.fill("org-username", username)
    phone.fill("contact", "ops@brand.example")
    phone.click("get-otp")
    code = phone.find("sent-code").get_attribute("data-code")
    assert code
    phone.shot("the-passcode-sent")
    phone.fill("passcode", code)
    phone.click("verify-passcode")
    assert phone.find("signed-in-as").text == f"@{username}"
    assert phone.find("account-type").text == "Organization account"
    phone.shot("signed-in-by-passcode")


def test_a_picture_the_scan_tab_cannot_take_gets_a_page_that_leads_back(
        chrome: Callable[..., Chrome], live_server: str, holder, tmp_path: Path) -> None:  # noqa: ANN001
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("these are notes, not a picture")
    no_code = tmp_path / "blank.png"
    Image.new("RGB", (300, 300), "white").save(no_code)
    another_site = tmp_path / "menu.png"
    qrcode.make("https://example.com/menu").save(another_site)
    too_large = tmp_path / "huge.jpg"
    too_large.write_bytes(b"\xff\xd8" + b"\0" * (5 * 1024 * 1024))
    phone = chrome("phone")
    phone.sign_in(live_server)

    for picture, code, status in ((not_a_picture, "qr_picture_unreadable", "400"),
                                  (no_code, "qr_code_not_found", "422"),
                                  (another_site, "qr_code_not_linksim", "400"),
                                  (too_large, "qr_picture_too_large", "413")):
        upload_picture(phone, picture)
        phone.find("error", data_code=code, data_status=status)
        assert phone.find("phone-frame")
        phone.shot(f"refused-{code}")
        phone.click("error-try-again")
        phone.find("scanner")
    assert "example.com/menu" not in phone.page_text()


def test_the_app_is_a_phone_on_a_wide_window_and_the_whole_window_on_a_narrow_one(
        chrome: Callable[..., Chrome], live_server: str, holder) -> None:  # noqa: ANN001
    phone = chrome("phone")
    phone.sign_in(live_server)
    frame = phone.find("phone-frame")
    width = phone.driver.execute_script("return document.documentElement.clientWidth")
    assert frame.size["width"] < width / 2, (frame.size, width)
    tabs = phone.find("tab-bar").find_elements(By.TAG_NAME, "a")
    assert [t.text for t in tabs] == ["Home", "Inbox", "Scan", "Profile"]
    assert phone.find("tab-home").get_attribute("aria-current") == "page"
    phone.shot("the-phone-frame")

    phone.driver.set_window_size(390, 800)
    phone.click("tab-inbox")
    phone.find("inbox")
    assert phone.find("tab-inbox").get_attribute("aria-current") == "page"
    width = phone.driver.execute_script("return document.documentElement.clientWidth")
    assert phone.find("phone-frame").size["width"] == width
    phone.shot("the-whole-narrow-window")

