"""The TikTok app's pages for every holder: text with enough contrast (WCAG 2.2, 1.4.3: 4.5:1, 3:1 for large text),
measured in the browser on the colours it computed; every form control with a label; the tab bar by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import Chrome
from tests.browser.test_seller_app import request_app_consent
from tests.login_kit.conftest import CLIENT_KEY

# Every element with text of its own, its colour against the first opaque background behind it, as WCAG computes
# contrast; a disabled control is exempt (1.4.3). Answers the pairs below their threshold.
LOW_CONTRAST = """
function channels(colour) {
  const m = colour.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return {rgb: p.slice(0, 3), alpha: p.length > 3 ? p[3] : 1};
}
function luminance(rgb) {
  const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(element) {
  for (let e = element; e; e = e.parentElement) {
    const c = channels(getComputedStyle(e).backgroundColor);
    if (c && c.alpha === 1) return c.rgb;
  }
  return [255, 255, 255];
}
const low = [];
for (const element of document.body.querySelectorAll("*")) {
  const own = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const style = getComputedStyle(element);
  if (!own || element.disabled || style.visibility === "hidden" || !element.getClientRects().length) continue;
  const fg = channels(style.color).rgb, bg = background(element);
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < needed) {
    low.push({text: element.textContent.trim().slice(0, 40), ratio: ratio.toFixed(2), needed: needed,
              color: style.color, background: "rgb(" + bg.join(", ") + ")"});
  }
}
return low;
"""

# Every visible form control that is not a button: its accessible name from a <label>, aria-label or
# aria-labelledby. Answers those with none.
UNLABELLED = """
return [...document.querySelectorAll("input, select, textarea")]
  .filter(e => e.type !== "hidden" && e.getClientRects().length)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
  .map(e => e.outerHTML.slice(0, 120));
"""


def checked(phone: Chrome, page: str) -> list[Any]:
    phone.shot(page)
    problems = [(page, "contrast", low) for low in phone.driver.execute_script(LOW_CONTRAST)]
    return problems + [(page, "no label", control) for control in phone.driver.execute_script(UNLABELLED)]


def test_every_page_of_the_app_has_text_of_enough_contrast_and_labelled_controls(
        chrome: Callable[..., Chrome], live_server: str, world, holder, sim) -> None:  # noqa: ANN001
    shop = world.shop_for(CLIENT_KEY, "shop_app", name="App Shop")
    sim.service.invite_marketing_account(world.shop("shop_inv", name="Invite Shop").shop_id, holder.open_id)
    link_id = request_app_consent(live_server, shop.shop_id)
    phone = chrome("phone")
    problems: list[Any] = []

    phone.open(f"{live_server}/app/sign-in")
    phone.fill("username", "holder")
    phone.fill("password", "a wrong password")
    phone.click("sign-in")
    phone.find("sign-in-error")
    problems += checked(phone, "sign-in-refused")
    phone.sign_in(live_server)
    problems += checked(phone, "home")
    phone.click("tab-inbox")
    phone.find("inbox")
    problems += checked(phone, "inbox")
    phone.open(f"{live_server}/app/requests/{link_id}")
    phone.click("continue")
    phone.find("toggles-error")
    problems += checked(phone, "switches-refused")
    phone.click("tab-scan")
    phone.find("scanner")
    problems += checked(phone, "scan")
    phone.find("scan-url-input").send_keys("https://example.com/")
    phone.click("open-scan-link")
    phone.find("error")
    problems += checked(phone, "scan-refused")
    phone.click("tab-profile")
    phone.find("profile")
    problems += checked(phone, "profile")
    phone.open(f"{live_server}/app/authorized-apps")
    problems += checked(phone, "authorized-apps")

    assert problems == []


def test_the_tab_bar_is_reached_and_followed_by_keyboard(
        chrome: Callable[..., Chrome], live_server: str, holder) -> None:  # noqa: ANN001
    phone = chrome("phone")
    phone.sign_in(live_server)
    for _ in range(40):
        ActionChains(phone.driver).send_keys(Keys.TAB).perform()
        if phone.driver.switch_to.active_element.get_attribute("data-testid") == "tab-profile":
            break
    else:
        raise AssertionError("Tab never reached the Profile tab")
    outline = phone.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    phone.shot("the-profile-tab-focused")
    ActionChains(phone.driver).send_keys(Keys.ENTER).perform()
    phone.find("profile")
    assert phone.find("tab-profile").get_attribute("aria-current") == "page"
