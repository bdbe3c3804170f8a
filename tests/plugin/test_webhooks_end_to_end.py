"""The whole path of a webhook, through the kit: an app authorized in one call, its webhook URL pointed at the
test's receiver, the seller removing it in Seller Center, and the server's delivery loop posting type 6."""

from __future__ import annotations

import re

import pytest
import requests

from linksim import Sandbox
from linksim import WebhookReceiver


def csrf_token(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


def remove_the_app_in_seller_center(sandbox: Sandbox) -> None:
    """The seller signs in to Seller Center and taps Remove on the app, as in a browser."""
    with requests.Session() as browser:
        sign_in = browser.get(f"{sandbox.base_url}/seller/sign-in", timeout=10)
        browser.post(f"{sandbox.base_url}/seller/sign-in", timeout=10, headers={"Referer": sign_in.url}, data={
            "csrf_token": csrf_token(sign_in), "login": "seller@acme.example", "password": "linksim-demo"})
        apps = browser.get(f"{sandbox.base_url}/seller/apps", timeout=10)
        remove = re.search(r'action="([^"]+/remove)"', apps.text)
        assert remove, "the app is not listed in Seller Center"
        answer = browser.post(f"{sandbox.server_url}{remove.group(1)}", timeout=10, headers={"Referer": apps.url},
                              data={"csrf_token": csrf_token(apps)})
        assert answer.ok


@pytest.fixture
def delivering(linksim_sandbox: Sandbox, linksim_webhooks: WebhookReceiver) -> Sandbox:
    """The test's sandbox, its demo Shop app sending its webhooks to the test's receiver."""
    linksim_sandbox.change_shop_app(webhook_url=linksim_webhooks.url)
    return linksim_sandbox


def test_a_seller_removing_the_app_reaches_the_tests_receiver_signed(delivering: Sandbox,
                                                                      linksim_webhooks: WebhookReceiver) -> None:
    delivering.authorize_shop(seller="seller_acme")
    remove_the_app_in_seller_center(delivering)
    first = linksim_webhooks.wait_for(type=6, timeout=10)
    second = linksim_webhooks.wait_for(type=6, timeout=10, where=lambda d: d.json["shop_id"] != first.json["shop_id"])
    assert first.verified and second.verified
    assert {first.json["shop_id"], second.json["shop_id"]} == {"shop_acme_us", "shop_acme_gb"}


def test_a_delivery_the_receiver_refused_comes_again_two_minutes_later(delivering: Sandbox,
                                                                       linksim_webhooks: WebhookReceiver) -> None:
    linksim_webhooks.fail_next(2, status=503)  # the first attempt of each shop's webhook
    delivering.authorize_shop(seller="seller_acme")
    remove_the_app_in_seller_center(delivering)
    linksim_webhooks.wait_for(type=6, timeout=10, after=1)
    assert [d.status for d in linksim_webhooks.deliveries] == [503, 503]
    delivering.clock.advance("2m")
    linksim_webhooks.wait_for(type=6, timeout=10, after=3)
    assert [d.status for d in linksim_webhooks.deliveries] == [503, 503, 200, 200]
    assert all(d.verified for d in linksim_webhooks.deliveries)
