"""The start page in a real browser: its ways to both screens, and its reset to the demo data."""

from __future__ import annotations

from collections.abc import Callable

from selenium.webdriver.support import expected_conditions

from tests.browser.conftest import Chrome


def test_the_start_page_leads_to_seller_center_and_to_the_app(chrome: Callable[..., Chrome], live_server: str) -> None:
    browser = chrome()
    browser.open(f"{live_server}/")
    browser.find("landing")
    browser.shot("the-start-page")
    browser.click("go-seller-center")
    browser.find("shops")
    assert browser.url == f"{live_server}/seller/"
    browser.shot("seller-center")
    browser.open(f"{live_server}/")
    browser.click("go-app")
    browser.find("sign-in-form")
    assert browser.url == f"{live_server}/app/sign-in"
    browser.shot("the-apps-sign-in")


def test_the_reset_button_starts_the_world_over_from_the_demo_data(
        chrome: Callable[..., Chrome], live_server: str) -> None:
    browser = chrome()
    browser.open(f"{live_server}/")
    browser.find("no-demo-password")
    browser.shot("before-the-reset")
    browser.click("reset")
    browser.wait(expected_conditions.alert_is_present(), "the question whether to start over").accept()
    browser.find("demo-password")
    assert browser.find("account", data_username="maya")
    browser.shot("after-the-reset")


def test_the_reset_button_inside_a_sandbox_resets_that_sandbox(
        chrome: Callable[..., Chrome], live_server: str, client) -> None:  # noqa: ANN001
    sandbox = client.post("/_sim/sandboxes", json={}).get_json()["id"]
    browser = chrome()
    browser.open(f"{live_server}/sandboxes/{sandbox}/")
    browser.find("sandbox")
    browser.click("reset")
    browser.wait(expected_conditions.alert_is_present(), "the question whether to start over").accept()
    browser.find("demo-password")
    browser.shot("the-sandbox-after-the-reset")
    browser.open(f"{live_server}/")
    browser.find("no-demo-password")  # the main world is as it was
