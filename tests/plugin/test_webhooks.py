"""The kit's webhook receiver: a real HTTP server that keeps what it gets, checks TikTok Shop's and Login Kit's
signatures, answers what the test says, and lets a test wait for a delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading

import pytest
import requests
from tiktok_shop_api import Webhooks

from linksim import LinksimError
from linksim import WebhookReceiver
from linksim.webhooks import login_kit_signature_valid

APP_KEY, APP_SECRET = "6demo0linksim", "linksim_demo_shop_secret"
CLIENT_SECRET = "linksim_demo_secret"
DEAUTHORIZED = {"type": 6, "tts_notification_id": "7000000000000000001", "shop_id": "shop_acme_us",
                "timestamp": 1772442000, "data": {"message": "Shop_id shop_acme_us is deauthorized from your APP."}}


def shop_signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    """Signed as TikTok Shop signs a webhook (shared/TIKTOK_WIRE.md 3.7), written here from the documentation."""
    signature = hmac.new(secret.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Authorization": signature}


def login_kit_signed(body: bytes, timestamp: int = 1772442000) -> dict[str, str]:
    digest = hmac.new(CLIENT_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "TikTok-Signature": f"t={timestamp},s={digest}"}


def post(receiver: WebhookReceiver, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(receiver.url, data=body, headers=headers, timeout=10)


def compact(event: dict[str, object]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def test_a_signed_shop_webhook_is_kept_verified_with_its_raw_body(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    assert post(linksim_webhooks, body, shop_signed(body)).status_code == 200
    delivery = linksim_webhooks.wait_for(type=6, timeout=5)
    assert delivery.verified and delivery.body == body and delivery.json["shop_id"] == "shop_acme_us"
    assert delivery.headers["Authorization"] == shop_signed(body)["Authorization"]


def test_the_receivers_verdict_agrees_with_the_tiktok_shop_clients_verifier(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    post(linksim_webhooks, body, shop_signed(body))
    delivery = linksim_webhooks.wait_for(type=6)
    assert Webhooks.verify(app_key=APP_KEY, app_secret=APP_SECRET, raw_body=delivery.body,
                           signature=delivery.headers["Authorization"])


def test_a_webhook_signed_with_another_secret_is_kept_unverified(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    post(linksim_webhooks, body, shop_signed(body, secret="not the app's secret"))
    assert linksim_webhooks.wait_for(type=6).verified is False


def test_a_body_changed_after_signing_is_unverified(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    post(linksim_webhooks, json.dumps(DEAUTHORIZED).encode(), shop_signed(body))  # re-serialized: other bytes
    assert linksim_webhooks.wait_for(type=6).verified is False


def test_a_login_kit_webhook_is_verified_by_its_tiktok_signature(linksim_webhooks: WebhookReceiver) -> None:
    body = compact({"client_key": "linksim_demo_key", "event": "authorization.removed", "create_time": 1772442000,
                    "user_openid": "oid_maya", "content": "{\"reason\": 1}"})
    post(linksim_webhooks, body, login_kit_signed(body))
    assert linksim_webhooks.wait_for(event="authorization.removed").verified


def test_a_malformed_login_kit_signature_does_not_verify() -> None:
    assert not login_kit_signature_valid(CLIENT_SECRET, b"{}", "s=abc")
    assert not login_kit_signature_valid(CLIENT_SECRET, b"{}", "t=now,s=abc")


def test_the_receiver_answers_the_status_the_test_sets(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    linksim_webhooks.fail_next(2, status=503)
    statuses = [post(linksim_webhooks, body, shop_signed(body)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [delivery.status for delivery in linksim_webhooks.deliveries] == [503, 503, 200]


def test_wait_for_returns_a_delivery_that_arrives_while_it_waits(linksim_webhooks: WebhookReceiver) -> None:
    body = compact({**DEAUTHORIZED, "type": 20})
    later = threading.Timer(0.2, post, (linksim_webhooks, body, shop_signed(body)))
    later.start()
    try:
        assert linksim_webhooks.wait_for(type=20, timeout=5).type == 20
    finally:
        later.join()


def test_wait_for_says_what_it_received_when_nothing_matches(linksim_webhooks: WebhookReceiver) -> None:
    body = compact(DEAUTHORIZED)
    post(linksim_webhooks, body, shop_signed(body))
    with pytest.raises(LinksimError, match=r"no webhook \(type=7\).*received: \[6\]"):
        linksim_webhooks.wait_for(type=7, timeout=0.2)


def test_a_receiver_checks_the_keys_it_is_given() -> None:
    body = compact(DEAUTHORIZED)
    with WebhookReceiver(app_key=APP_KEY, app_secret="partner_own_secret") as receiver:
        post(receiver, body, shop_signed(body, secret="partner_own_secret"))
        assert receiver.wait_for(type=6).verified


def test_the_receiver_stops_listening_when_stopped() -> None:
    receiver = WebhookReceiver()
    receiver.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(receiver.url, data=b"{}", timeout=2)
