"""Shared pieces of the webhook tests: a real HTTP receiver on loopback, the demo data with a Shop app that
receives webhooks, and an in-process linksim app around it."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import UserType
from auth_server.web import context
from auth_server.worlds import HostedWorld
from tests.worlds.conftest import servers  # noqa: F401  (servers whose sandboxes live in the store)

APP_KEY = "6demo0linksim"
APP_SECRET = "linksim_demo_shop_secret"
SELLER_EMAIL = "seller@acme.example"
PASSWORD = "linksim-demo"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    wall_time: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A partner's webhook endpoint: answers ``status`` (after ``hang`` seconds) and keeps what it was sent."""

    status: int = 200
    hang: float = 0.0
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


def signature(body: bytes, app_key: str = APP_KEY, secret: str = APP_SECRET) -> str:
    """The documented check: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


@pytest.fixture
def other_receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


def serve_receiver() -> Iterator[Receiver]:
    kept = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kept.received.append(Received(self.path, dict(self.headers.items()), body, time.monotonic()))
            if kept.hang:
                time.sleep(kept.hang)
            self.send_response(kept.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    kept.url = f"http://127.0.0.1:{server.server_port}/tiktok/webhooks"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield kept
    server.shutdown()
    server.server_close()


def demo_with_webhooks(url: str, events: list[str] | None = None) -> dict[str, Any]:
    """The demo data, its Shop app sending webhooks to ``url`` (and opted in to ``events``)."""
    data = copy.deepcopy(fixtures.read(fixtures.DEMO))
    shop = data["partner_apps"][0]["shop"]
    shop["webhook_url"] = url
    shop["events"] = list(events or [])
    return data


def second_app(url: str, events: list[str]) -> dict[str, Any]:
    """Another partner with a Shop app of its own, receiving at ``url``."""
    return {"client_key": "other_key", "client_secret": "other_secret", "name": "Other partner",
            "redirect_uris": ["http://127.0.0.1:9/cb"],
            "shop": {"app_key": "7other0app", "app_secret": "other_shop_secret", "service_id": "7310000000000000002",
                     "name": "Other shop app", "redirect_url": "http://127.0.0.1:9/shop-cb",
                     "webhook_url": url, "events": events}}


@dataclass
class Linksim:
    app: Flask
    client: FlaskClient

    @property
    def world(self) -> HostedWorld:
        return main_world(self.app)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.open(path, method=method, json=body if body is not None else {} if method == "POST"
                                    else None)
        assert response.status_code < 400, response.get_data(as_text=True)
        return response.get_json()

    def advance(self, duration: str) -> None:
        self.control("POST", "/_sim/clock", {"advance": duration})

    def deliver(self) -> list[dict[str, Any]]:
        attempted: list[dict[str, Any]] = self.control("POST", "/_sim/webhooks/deliver")["attempted"]
        return attempted


@pytest.fixture
def linksim_app() -> Linksim:
    app = create_app()
    return Linksim(app, app.test_client())


def load(world: HostedWorld, data: dict[str, Any]) -> None:
    world.load(fixtures.validate(data), replace=True)


def main_world(app: Flask) -> HostedWorld:
    main: HostedWorld = app.extensions[context.WORLDS].main
    return main


def authorize_seller(world: HostedWorld, email: str = SELLER_EMAIL, app_key: str = APP_KEY) -> Grant:
    """A seller signs in to Seller Center and authorizes the app for its shops."""
    return authorize_seller_with(world.shop_partner, email, app_key)


def authorize_seller_with(shop_partner: ShopAuthorizations, email: str = SELLER_EMAIL, app_key: str = APP_KEY) -> Grant:
    login = shop_partner.sign_in(email, PASSWORD, LoginKind.SELLER)
    app = shop_partner.app(app_key)
    assert app is not None
    shop_partner.authorize(shop_partner.offer_to_login(app, login), login.party_id, login.region)
    grants = [g for g, a in shop_partner.grants_of(login.party_id, [UserType.SELLER]) if a.app_key == app_key]
    return grants[0]
