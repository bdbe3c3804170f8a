"""The kit's TikTok Shop helpers on the plugin's own server: an app authorized in one call, its settings changed,
and its webhook URL pointed at the test's receiver."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests

from linksim import ControlRefused
from linksim import LinksimError
from linksim import Sandbox
from linksim import ShopAuthorization
from linksim import WebhookReceiver

APP_KEY, APP_SECRET = "6demo0linksim", "linksim_demo_shop_secret"


def exchange(sandbox: Sandbox, code: str) -> dict[str, object]:
    answer = requests.get(f"{sandbox.base_url}/api/v2/token/get", timeout=10, params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": code, "grant_type": "authorized_code"})
    return dict(answer.json())


def test_authorize_shop_gives_the_demo_sellers_code_and_redirect(linksim_sandbox: Sandbox) -> None:
    authorization = linksim_sandbox.authorize_shop(state="abc")
    assert isinstance(authorization, ShopAuthorization) and authorization.user_type == "seller"
    assert parse_qs(urlsplit(authorization.redirect_url).query)["code"] == [authorization.code]
    assert exchange(linksim_sandbox, authorization.code)["code"] == 0


def test_authorize_shop_takes_a_creator(linksim_sandbox: Sandbox) -> None:
    authorization = linksim_sandbox.authorize_shop(creator="cora", state="s")
    assert authorization.user_type == "creator" and authorization.shops == []


def test_authorize_shop_takes_one_party(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(LinksimError, match="one party"):
        linksim_sandbox.authorize_shop(seller="seller_acme", partner="partner_reach")


def test_a_refusal_of_the_page_is_a_control_refusal(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.authorize_shop(creator="maya")
    assert refused.value.code == "shop_authorization_refused"


def test_change_shop_app_points_the_webhooks_at_the_tests_receiver(linksim_sandbox: Sandbox,
                                                                    linksim_webhooks: WebhookReceiver) -> None:
    assert linksim_sandbox.change_shop_app(webhook_url=linksim_webhooks.url)["webhook_url"] == linksim_webhooks.url
    assert linksim_sandbox.shop_app()["webhook_url"] == linksim_webhooks.url


def test_deauthorize_shop_stops_the_sellers_tokens_and_tells_the_app(linksim_sandbox: Sandbox,
                                                                      linksim_webhooks: WebhookReceiver) -> None:
    linksim_sandbox.change_shop_app(webhook_url=linksim_webhooks.url)
    tokens = exchange(linksim_sandbox, linksim_sandbox.authorize_shop().code)["data"]
    removed = linksim_sandbox.deauthorize_shop()
    assert removed["user_type"] == "seller" and set(removed["shop_ids"]) == {"shop_acme_us", "shop_acme_gb"}
    refreshed = requests.get(f"{linksim_sandbox.base_url}/api/v2/token/refresh", timeout=10, params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"]})
    assert refreshed.json()["code"] == 36004004
    assert linksim_webhooks.wait_for(type=6, timeout=10).verified


def test_deauthorize_shop_takes_a_creator_and_sends_type_20(linksim_sandbox: Sandbox,
                                                             linksim_webhooks: WebhookReceiver) -> None:
    linksim_sandbox.change_shop_app(webhook_url=linksim_webhooks.url)
    authorization = linksim_sandbox.authorize_shop(creator="cora", state="s")
    linksim_sandbox.deauthorize_shop(creator="cora")
    delivery = linksim_webhooks.wait_for(type=20, timeout=10)
    assert delivery.verified and delivery.json["creator_open_id"] == authorization.open_id


def test_deauthorizing_what_was_never_authorized_is_refused(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.deauthorize_shop(creator="cora")  # the demo sellers authorized the demo app; she did not
    assert refused.value.code == "shop_authorization_not_found"
