"""The whole path of Login Kit's developer webhook (shared/TIKTOK_WIRE.md 1.8): a partner app registered at runtime
with a webhook URL, a holder logging in to it with a QR code, then removing it in the app; the server's delivery
loop posts ``authorization.removed`` to the test's receiver, signed with the app's client secret."""

from __future__ import annotations

import json

import requests

from linksim import Sandbox
from linksim import WebhookReceiver

CLIENT_KEY, CLIENT_SECRET = "hook_app", "hook-app-secret-1"


def test_a_holder_removing_a_login_kit_app_reaches_its_developer_webhook(linksim_sandbox: Sandbox) -> None:
    with WebhookReceiver(client_secret=CLIENT_SECRET) as receiver:
        linksim_sandbox.control("POST", "partner-apps", {
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "name": "Hook app",
            "redirect_uris": ["https://hook.example/callback"], "webhook_url": receiver.url})
        qr = requests.post(f"{linksim_sandbox.base_url}/v2/oauth/get_qrcode/", timeout=10,
                           data={"client_key": CLIENT_KEY, "scope": "user.info.basic"}).json()
        phone = linksim_sandbox.phone("maya")
        phone.authorize(phone.scan(qr["scan_qrcode_url"].replace("tobefilled", "ticket-1")), [])
        confirmed = requests.post(f"{linksim_sandbox.base_url}/v2/oauth/check_qrcode/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": qr["token"]}).json()
        tokens = requests.post(f"{linksim_sandbox.base_url}/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
            "code": confirmed["code"], "redirect_uri": "https://hook.example/callback"})
        tokens.raise_for_status()
        phone.remove_app(CLIENT_KEY)
        delivery = receiver.wait_for(event="authorization.removed", timeout=10)
    assert delivery.verified and delivery.json["client_key"] == CLIENT_KEY
    # the holder as the app knows them: the open id of its token answer, not the account's own id
    assert delivery.json["user_openid"] == tokens.json()["open_id"] != phone.me().open_id
    assert json.loads(delivery.json["content"]) == {"reason": 1}
