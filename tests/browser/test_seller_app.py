"""The Seller-app toggle flow in a real browser: the seller's tool asks through the linking API, the phone
answers in the app's inbox, one toggle at a time."""

from __future__ import annotations

from collections.abc import Callable

import requests
from selenium.webdriver.common.by import By

from tests.browser.conftest import Chrome
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET


def request_app_consent(base_url: str, shop_id: str) -> str:
    """The seller's tool: a client token, then "link holder as the official account, via the app"."""
    token = requests.post(f"{base_url}/v2/oauth/token/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}).json()
    assert "access_token" in token, token
    started = requests.post(f"{base_url}/api/shops/{shop_id}/official-link", timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"},
                            json={"via": "app", "username": "holder", "agreed": True})
    assert started.status_code == 201, started.text
    link = started.json()
    assert link["state"] == "pending_consent", link
    return link["link_id"]


def test_two_toggles_are_consent_incomplete_and_all_of_them_consent(
        chrome: Callable[..., Chrome], live_server: str, world, holder) -> None:  # noqa: ANN001
    world.shop_for(CLIENT_KEY, "shop_app", name="App Shop")
    link_id = request_app_consent(live_server, "shop_app")
    phone = chrome("phone")

    phone.sign_in(live_server)
    phone.open(f"{live_server}/app/inbox")
    request = phone.find("request", data_link_id=link_id)
    assert "App Shop" in request.text
    request.find_element(By.CSS_SELECTOR, '[data-testid="open-request"]').click()
    phone.find("toggles", data_link_id=link_id)

    toggles = toggles_of(phone)
    assert len(toggles) > 2, [t.get_attribute("data-testid") for t in toggles]
    for toggle in toggles[:2]:
        toggle.click()
    assert [t.is_selected() for t in toggles] == [True, True] + [False] * (len(toggles) - 2)
    phone.click("continue")
    phone.find("toggles-error", data_code="consent_incomplete")

    for toggle in toggles_of(phone):  # the page asks again, every toggle off
        if not toggle.is_selected():
            toggle.click()
    assert all(t.is_selected() for t in toggles_of(phone))
    phone.click("continue")
    phone.find("scan-done", data_state="consented")


def toggles_of(phone: Chrome) -> list:
    return phone.driver.find_elements(By.CSS_SELECTOR, 'input[data-testid^="toggle-"]')
