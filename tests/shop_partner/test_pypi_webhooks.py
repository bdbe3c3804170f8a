"""Webhooks that linksim delivered, verified and parsed by the unmodified PyPI client ``tiktok-shop-api`` 0.1.0 with
its own verifier (``Webhooks.verify_and_parse``, strict about each type's documented shape)."""

from __future__ import annotations

from tiktok_shop_api import Webhooks
from tiktok_shop_api.generated.models import CreatorDeauthorizationWebhook
from tiktok_shop_api.generated.models import SellerDeauthorizationWebhook
from tiktok_shop_api.generated.models import UpcomingAuthorizationExpirationWebhook

from linksim import Sandbox
from linksim import WebhookReceiver
from linksim.webhooks import Delivery

APP_KEY, APP_SECRET = "6demo0linksim", "linksim_demo_shop_secret"


def parsed(delivery: Delivery) -> object:
    return Webhooks.verify_and_parse(app_key=APP_KEY, app_secret=APP_SECRET, raw_body=delivery.body,
                                     signature=delivery.headers["Authorization"])


def receiving(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    sandbox.change_shop_app(webhook_url=receiver.url)


def test_a_seller_deauthorization_verifies_and_parses(linksim_sandbox: Sandbox,
                                                      linksim_webhooks: WebhookReceiver) -> None:
    receiving(linksim_sandbox, linksim_webhooks)
    linksim_sandbox.authorize_shop(seller="seller_acme")
    linksim_sandbox.deauthorize_shop(seller="seller_acme")
    event = parsed(linksim_webhooks.wait_for(type=6, timeout=10))
    assert isinstance(event, SellerDeauthorizationWebhook)
    assert event.shop_id in ("shop_acme_us", "shop_acme_gb") and "deauthorized" in event.data.message


def test_a_creator_deauthorization_verifies_and_parses(linksim_sandbox: Sandbox,
                                                       linksim_webhooks: WebhookReceiver) -> None:
    receiving(linksim_sandbox, linksim_webhooks)
    authorization = linksim_sandbox.authorize_shop(creator="cora", state="s")
    linksim_sandbox.deauthorize_shop(creator="cora")
    event = parsed(linksim_webhooks.wait_for(type=20, timeout=10))
    assert isinstance(event, CreatorDeauthorizationWebhook) and event.creator_open_id == authorization.open_id


def test_an_expiry_warning_verifies_and_parses(linksim_sandbox: Sandbox, linksim_webhooks: WebhookReceiver) -> None:
    receiving(linksim_sandbox, linksim_webhooks)
    linksim_sandbox.authorize_shop(seller="seller_acme")
    linksim_sandbox.clock.advance("336d")  # the default authorization lasts 365 days: 29 days left
    linksim_sandbox.control("POST", "webhooks/deliver", {})
    event = parsed(linksim_webhooks.wait_for(type=7, timeout=10))
    assert isinstance(event, UpcomingAuthorizationExpirationWebhook)
    assert "expiring in 30 days" in event.data.message and event.data.expiration_time.isdigit()
