"""A client written only from the documents (``documented_client``, plain ``requests``) against a live linksim.

The sandbox's clock is set to real time and left running (the ``sandbox`` fixture, ``POST /_sim/clock``): the
client signs with the wall clock's timestamp, as an app does.
"""

from __future__ import annotations

import http.server
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from linksim.sandbox import Sandbox
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import APP_SECRET
from tests.shop_partner.conftest import SERVICE_ID
from tests.shop_partner.conftest import authorize_over_http
from tests.shop_partner.documented_client import AUTHORIZED_SHOPS_PATH
from tests.shop_partner.documented_client import DocumentedShopClient
from tests.shop_partner.documented_client import webhook_verified
from tests.shop_partner.live import live_server  # noqa: F401  (the fixtures)
from tests.shop_partner.live import sandbox  # noqa: F401


@pytest.fixture
def shop_client(sandbox: Sandbox) -> Iterator[DocumentedShopClient]:  # noqa: F811
    with requests.Session() as session:
        yield DocumentedShopClient(sandbox.base_url, APP_KEY, APP_SECRET, session=session)


@pytest.fixture
def code(sandbox: Sandbox) -> str:  # noqa: F811
    with requests.Session() as browser:
        params = authorize_over_http(browser, sandbox.base_url, f"/open/authorize?service_id={SERVICE_ID}&state=doc")
    assert params["state"] == "doc" and params["app_key"] == APP_KEY
    return params["code"]


def test_a_get_exchanges_the_code(shop_client: DocumentedShopClient, code: str) -> None:
    answer = shop_client.get_token(code)
    assert (answer["code"], answer["message"]) == (0, "success")
    assert answer["data"]["access_token_expire_in"] > time.time()


def test_a_post_with_a_json_body_exchanges_the_code(shop_client: DocumentedShopClient, code: str) -> None:
    answer = shop_client.get_token(code, json_body=True)
    assert answer["code"] == 0, answer


def test_a_get_refreshes(shop_client: DocumentedShopClient, code: str) -> None:
    tokens = shop_client.get_token(code)["data"]
    assert shop_client.refresh_token(tokens["refresh_token"])["code"] == 0


def test_a_post_with_a_json_body_refreshes(shop_client: DocumentedShopClient, code: str) -> None:
    tokens = shop_client.get_token(code)["data"]
    answer = shop_client.refresh_token(tokens["refresh_token"], json_body=True)
    assert answer["code"] == 0, answer
    assert shop_client.refresh_token(tokens["refresh_token"], json_body=True)["code"] == 36004004


def access_token(shop_client: DocumentedShopClient, code: str) -> str:
    token: str = shop_client.get_token(code)["data"]["access_token"]
    return token


def test_a_call_signed_over_the_sandbox_path_lists_the_shops(shop_client: DocumentedShopClient, code: str) -> None:
    response = shop_client.authorized_shops(access_token(shop_client, code), int(time.time()))
    answer: dict[str, Any] = response.json()
    assert (answer["code"], answer["message"]) == (0, "Success")
    assert {shop["id"] for shop in answer["data"]["shops"]} == {"shop_acme_us", "shop_acme_gb"}


def test_a_call_signed_over_tiktoks_path_lists_the_shops(shop_client: DocumentedShopClient, code: str) -> None:
    response = shop_client.authorized_shops(access_token(shop_client, code), int(time.time()),
                                            signed_path=AUTHORIZED_SHOPS_PATH)
    assert response.json()["code"] == 0


def test_a_call_signed_with_its_json_body_lists_the_shops(shop_client: DocumentedShopClient, code: str) -> None:
    response = shop_client.authorized_shops(access_token(shop_client, code), int(time.time()),
                                            body={"page_size": 20})
    assert response.json()["code"] == 0, response.json()


def test_a_wrong_signature_is_http_401_with_106001(shop_client: DocumentedShopClient, code: str) -> None:
    token = access_token(shop_client, code)
    shop_client.app_secret = "not-the-secret"
    response = shop_client.authorized_shops(token, int(time.time()))
    assert response.status_code == 401 and response.json()["code"] == 106001



class _Receiver(http.server.BaseHTTPRequestHandler):
    """A partner's webhook endpoint, from the standard library: keeps each POST's raw body and headers."""

    received: queue.Queue[tuple[bytes, dict[str, str]]]

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.put((body, dict(self.headers.items())))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def test_a_delivered_webhook_verifies_as_the_documents_say(sandbox: Sandbox) -> None:  # noqa: F811
    handler = type("Receiver", (_Receiver,), {"received": queue.Queue()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sandbox.change_shop_app(webhook_url=f"http://127.0.0.1:{server.server_port}/tiktok-shop/webhooks")
        sandbox.authorize_shop(seller="seller_acme")
        sandbox.deauthorize_shop(seller="seller_acme")
        body, headers = handler.received.get(timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert webhook_verified(APP_KEY, APP_SECRET, body, headers["Authorization"])
    assert json.loads(body)["type"] == 6
