"""The holder removes a Login Kit app in the app ("Manage app permissions"): its tokens stop at once, and the app's
developer webhook gets ``authorization.removed`` (shared/TIKTOK_WIRE.md 1.8), signed with the client secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask.testing import FlaskClient

from auth_server.oauth.models import DeveloperWebhook
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.simulator import Simulator
from tests.app_api.conftest import bearer
from tests.app_api.conftest import sign_in
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of
from tests.login_kit.conftest import exchange

WEBHOOK = "https://partner.example/tiktok/webhook"


def tokens_of(client: FlaskClient, browser: Browser) -> dict[str, Any]:
    browser.sign_in()
    answer = exchange(client, browser.code())
    body: dict[str, Any] = answer.get_json()
    return body


def deliveries(sim: Simulator) -> list[WebhookDelivery]:
    with sim.store.unit_of_work() as repo:
        return repo.all_where(WebhookDelivery, order_by="created_at")


def with_webhook(world: WorldBuilder) -> None:
    world._add(DeveloperWebhook(client_key=CLIENT_KEY, url=WEBHOOK, client_secret=CLIENT_SECRET))


def test_the_app_lists_the_apps_that_hold_an_authorization(client: FlaskClient, browser: Browser) -> None:
    tokens_of(client, browser)
    phone = sign_in(client)
    listed = client.get("/api/app/authorized-apps", headers=phone).get_json()
    assert listed == {"apps": [{"client_key": CLIENT_KEY, "name": "Partner App"}]}


def test_removing_the_app_ends_its_access_and_refresh_tokens_at_once(client: FlaskClient, browser: Browser) -> None:
    tokens = tokens_of(client, browser)
    phone = sign_in(client)
    removed = client.post(f"/api/app/authorized-apps/{CLIENT_KEY}/remove", headers=phone)
    assert removed.status_code == 200
    info = client.get("/v2/user/info/?fields=open_id", headers=bearer(tokens["access_token"]))
    assert info.status_code == 401
    refreshed = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                       "grant_type": "refresh_token",
                                                       "refresh_token": tokens["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert client.get("/api/app/authorized-apps", headers=phone).get_json() == {"apps": []}


def test_the_developer_webhook_hears_authorization_removed_signed_with_the_client_secret(
        client: FlaskClient, browser: Browser, world: WorldBuilder, sim: Simulator) -> None:
    with_webhook(world)
    tokens = tokens_of(client, browser)
    client.post(f"/api/app/authorized-apps/{CLIENT_KEY}/remove", headers=sign_in(client))
    [delivery] = deliveries(sim)
    body = json.loads(delivery.body)
    assert body["client_key"] == CLIENT_KEY and body["event"] == "authorization.removed"
    assert body["user_openid"] == tokens["open_id"] and json.loads(body["content"]) == {"reason": 1}
    timestamp, signature = (part.split("=", 1)[1] for part in delivery.headers["TikTok-Signature"].split(","))
    expected = hmac.new(CLIENT_SECRET.encode(), f"{timestamp}.{delivery.body}".encode(), hashlib.sha256).hexdigest()
    assert signature == expected and delivery.url == WEBHOOK and int(timestamp) == body["create_time"]


def test_an_app_without_a_webhook_loses_its_access_all_the_same(
        client: FlaskClient, browser: Browser, sim: Simulator) -> None:
    tokens_of(client, browser)
    client.post(f"/api/app/authorized-apps/{CLIENT_KEY}/remove", headers=sign_in(client))
    assert deliveries(sim) == []


def test_removing_an_app_that_holds_nothing_is_refused_and_sends_nothing(
        client: FlaskClient, world: WorldBuilder, sim: Simulator) -> None:
    with_webhook(world)
    answer = client.post(f"/api/app/authorized-apps/{CLIENT_KEY}/remove", headers=sign_in(client))
    assert answer.status_code == 404 and answer.get_json()["code"] == "app_not_authorized"
    assert deliveries(sim) == []


def test_the_app_screen_removes_an_app(client: FlaskClient, browser: Browser) -> None:
    tokens = tokens_of(client, browser)
    page = client.get("/app/authorized-apps")
    assert "Partner App" in page.get_data(as_text=True)
    removed = client.post(f"/app/authorized-apps/{CLIENT_KEY}/remove",
                          data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert removed.status_code == 302
    info = client.get("/v2/user/info/?fields=open_id", headers=bearer(tokens["access_token"]))
    assert info.status_code == 401
