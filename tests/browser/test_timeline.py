"""The developer's timeline at /_sim/ in a real browser, next to the seller's and the phone's: a flow's events show
as they happen, a link completed by forcing its next step, and a fault injected from the page."""

from __future__ import annotations

from collections.abc import Callable

import requests
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from auth_server.simulator import Simulator
from linksim.server import LiveServer
from tests.browser.conftest import Chrome
from tests.shop_partner.conftest import PASSWORD
from tests.shop_partner.conftest import shop_app

SHOP = "shop_acme_us"  # Acme Outdoor: no official account yet
TOKEN = "a-control-token-for-the-browser"


def open_timeline(developer: Chrome, base_url: str) -> None:
    """The developer opens the timeline; a mark on the window tells later whether the page was ever reloaded."""
    developer.open(f"{base_url}/_sim/")
    developer.find("live-status", data_state="live")
    developer.driver.execute_script("window.linksimNotReloaded = true;")


def never_reloaded(developer: Chrome) -> bool:
    return developer.driver.execute_script("return window.linksimNotReloaded === true;") is True


def flow_event(developer: Chrome, flow_id: str, kind: str) -> None:
    developer.wait(lambda driver: driver.find_elements(
        "css selector", f'[data-flow-id="{flow_id}"] [data-testid="flow-event"][data-kind="{kind}"]'),
        f"the event {kind} of {flow_id} on the timeline")


def test_a_flows_events_show_on_the_timeline_as_they_happen(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    developer, seller, phone = chrome("developer"), chrome("seller"), chrome("phone")
    open_timeline(developer, server.url)
    developer.shot("the-timeline-before")

    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.click("link-official")
    seller.click("link-by-qr")
    seller.find("seller-link", data_state="pending_consent")
    link_id = seller.wait_for_url(f"{server.url}/seller/links/").rsplit("/", 1)[-1]
    flow_event(developer, link_id, "link.started")
    developer.find("flow", data_flow_id=link_id, data_state="pending_consent")
    developer.shot("the-link-started")

    phone.sign_in(server.url, "maya", PASSWORD)
    phone.open(seller.find("scan-url").get_attribute("href") or "")
    phone.find("scan-account")
    flow_event(developer, link_id, "link.scanned")
    developer.shot("the-qr-code-scanned")

    phone.click("authorize")
    phone.find("scan-done", data_state="consented")
    flow_event(developer, link_id, "link.consented")
    developer.find("flow", data_flow_id=link_id, data_state="consented")
    developer.shot("maya-authorized")

    seller.click("agree")
    seller.click("link-this-account")
    seller.find("seller-link", data_state="active")
    flow_event(developer, link_id, "link.active")
    developer.find("flow", data_flow_id=link_id, data_state="active")
    developer.shot("linked")
    assert never_reloaded(developer)


def test_forcing_the_next_step_from_the_timeline_completes_a_link(
        chrome: Callable[..., Chrome], demo: Simulator, server: LiveServer) -> None:
    link = demo.service.start_official_link(SHOP)
    developer = chrome("developer")
    open_timeline(developer, server.url)
    card = f'[data-flow-id="{link.link_id}"]'
    developer.find("flow", data_flow_id=link.link_id, data_state="pending_consent")
    Select(developer.driver.find_element("css selector", f'{card} [data-testid="holder"]')).select_by_value("maya")
    developer.shot("the-holder-chosen")

    # Each press forces the step the link waits for: the holder scans, authorizes, the seller accepts the terms,
    # and the review (automatic and immediate in the US) activates the link.
    for step in ("scan", "authorize", "accept terms"):
        developer.wait(lambda driver: driver.find_elements("css selector", f'{card} [data-testid="force-next"]'),
                       "the next step's button")
        developer.driver.find_element("css selector", f'{card} [data-testid="force-next"]').click()
        developer.wait(lambda _, step=step: developer.find("last-action").text.startswith(f"Forced {step} "),
                       f"the step {step} forced")
        developer.shot(f"forced-{step.replace(' ', '-')}")
    developer.find("flow", data_flow_id=link.link_id, data_state="active")
    developer.find("flow-event", data_kind="link.active")
    assert demo.service.get_link(link.link_id).state.value == "active"


def test_a_fault_injected_from_the_timeline_fails_the_next_request(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    developer, seller = chrome("developer"), chrome("seller")
    open_timeline(developer, server.url)
    developer.fill("fault-path", f"/seller/shops/{SHOP}")
    Select(developer.find("fault-status")).select_by_value("503")
    developer.fill("fault-times", "1")
    developer.shot("the-fault-form")
    developer.click("add-fault")
    developer.find("fault", data_active="true")
    developer.shot("the-fault-active")

    seller.open(f"{server.url}/seller/shops/{SHOP}")
    failed = seller.find("error", data_status="503")
    assert "fault" in failed.text
    seller.shot("the-request-failed")
    developer.find("fault", data_active="false")
    developer.shot("the-fault-retired")

    seller.open(f"{server.url}/seller/shops/{SHOP}")
    seller.find("link-official")
    seller.shot("the-next-request-goes-through")


def test_a_refusal_of_a_control_is_shown_on_the_timeline_with_its_message(
        chrome: Callable[..., Chrome], demo: Simulator, server: LiveServer) -> None:
    link = demo.service.start_official_link(SHOP)
    developer = chrome("developer")
    open_timeline(developer, server.url)
    card = f'[data-flow-id="{link.link_id}"]'
    developer.find("flow", data_flow_id=link.link_id)
    developer.driver.find_element("css selector", f'{card} [data-testid="force-next"]').click()  # no holder chosen
    refusal = developer.find("refusal", data_code="invalid_input")
    assert "nobody has scanned this QR code yet: name the holder" in refusal.text
    developer.shot("the-refusal")


def test_the_clock_moves_by_an_amount_typed_with_the_keyboard(
        chrome: Callable[..., Chrome], server: LiveServer) -> None:
    developer = chrome("developer")
    open_timeline(developer, server.url)
    developer.find("advance-amount").send_keys("3d2h", Keys.ENTER)
    developer.wait(lambda _: developer.find("clock-now").text == "Thursday 5 March 2026, 11:00:00 UTC",
                   "the clock 3 days 2 hours later")
    developer.shot("moved-3-days-2-hours")


def test_a_fault_rule_is_removed_from_the_timeline(chrome: Callable[..., Chrome], server: LiveServer) -> None:
    developer = chrome("developer")
    open_timeline(developer, server.url)
    developer.fill("fault-path", "/app/*")
    Select(developer.find("fault-kind")).select_by_value("code")
    Select(developer.find("fault-code")).select_by_value("official_slot_taken")
    developer.find("fault-times").clear()  # every matching request
    developer.click("add-fault")
    developer.find("fault", data_fault_id="flt_1", data_active="true")
    developer.shot("the-fault-added")
    developer.click("remove-fault")
    developer.wait(lambda driver: not developer.find_all("fault"), "no fault rule left")
    assert developer.find("last-action").text == "The fault flt_1 is lifted."
    developer.shot("the-fault-removed")


def test_with_a_control_token_the_timeline_asks_for_it_first(chrome: Callable[..., Chrome], demo: Simulator) -> None:
    with LiveServer(shop_app(demo, control_token=TOKEN)) as guarded:
        developer = chrome("developer")
        developer.open(f"{guarded.url}/_sim/")
        developer.find("token-section")
        assert developer.driver.switch_to.active_element.get_attribute("data-testid") == "control-token"
        developer.shot("asked-for-the-token")
        developer.find("control-token").send_keys("not-the-token-at-all", Keys.ENTER)
        assert "control token" in developer.find("refusal", data_code="control_token_invalid").text.lower()
        developer.shot("a-wrong-token-refused")
        developer.find("control-token").send_keys(TOKEN, Keys.ENTER)
        developer.find("live-status", data_state="live")
        developer.find("shop", data_shop_id=SHOP)
        developer.shot("the-world-with-the-token")


def test_a_step_forced_with_the_keyboard_keeps_the_focus_on_its_flow(
        chrome: Callable[..., Chrome], demo: Simulator, server: LiveServer) -> None:
    link = demo.service.start_official_link(SHOP)
    developer = chrome("developer")
    open_timeline(developer, server.url)
    card = f'[data-flow-id="{link.link_id}"]'
    developer.find("flow", data_flow_id=link.link_id)
    holder = developer.driver.find_element("css selector", f'{card} [data-testid="holder"]')
    holder.send_keys("@maya")  # a select takes the typed option's text
    holder.send_keys(Keys.TAB)  # to "Next step"
    focused = developer.driver.switch_to.active_element
    assert focused.get_attribute("data-testid") == "force-next"
    focused.send_keys(Keys.ENTER)
    flow_event(developer, link.link_id, "link.scanned")  # the card was drawn again with the new event
    focused = developer.driver.switch_to.active_element
    assert (focused.get_attribute("data-testid"), focused.text) == ("force-next", "Next step: the holder authorizes")
    developer.shot("the-focus-stays-on-next-step")


def test_the_world_picker_opens_a_sandboxs_timeline(chrome: Callable[..., Chrome], server: LiveServer) -> None:
    made = requests.post(f"{server.url}/_sim/sandboxes", json={"id": "qa", "fixtures": "demo"}, timeout=10)
    assert made.status_code == 201, made.text
    developer = chrome("developer")
    open_timeline(developer, server.url)
    developer.wait(lambda driver: driver.find_elements("css selector", '#world-picker option[value="qa"]'),
                   "the sandbox qa in the world picker")
    Select(developer.find("world-picker")).select_by_value("qa")
    developer.click("open-world")
    developer.wait_for_url(f"{server.url}/sandboxes/qa/_sim/")
    developer.find("live-status", data_state="live")
    assert developer.find("timeline").get_attribute("data-world") == "qa"
    developer.shot("the-sandboxs-timeline")
