"""TikTok Shop's authorization on the demo data, plus a second app and a seller outside the markets.

In-process (Flask's test client) where HTTP is not the point: :class:`ShopPages` fills the pages' forms as a
browser would (CSRF token included), :class:`ShopApi` calls the token endpoints and the signed API.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from auth_server.worlds import SHARED_TEMPLATES
from tests.conftest import START
from tests.shop_partner.documented_client import AUTHORIZED_SHOPS_PATH
from tests.shop_partner.documented_client import signed_params

APP_KEY = "6demo0linksim"
APP_SECRET = "linksim_demo_shop_secret"
SERVICE_ID = "7310000000000000001"
REDIRECT_URL = "http://127.0.0.1:8080/tiktok-shop/callback"
PASSWORD = "linksim-demo"
SELLER = "seller@acme.example"  # US and GB shops: a US seller, so its codes start TTP_
ROW_SELLER = "seller@nordic.example"  # GB only
PARTNER = "partner@reach.example"

# A second app: sellers only, in the US, without the scope that /authorization/202309/shops needs
OTHER_APP_KEY = "7other0linksim"
OTHER_APP_SECRET = "other_app_shop_secret"
OTHER_SERVICE_ID = "7310000000000000002"
OTHER_REDIRECT_URL = "https://other.example/shop/callback"
OUTSIDE_SELLER = "seller@korea.example"  # one shop, in KR: no market of the apps


def shop_data() -> dict[str, Any]:
    data = fixtures.read(fixtures.DEMO)
    data["partner_apps"].append({
        "client_key": "other_login_key", "client_secret": "other_login_secret", "name": "Other app",
        "redirect_uris": ["https://other.example/callback/"],
        "shop": {"app_key": OTHER_APP_KEY, "app_secret": OTHER_APP_SECRET, "service_id": OTHER_SERVICE_ID,
                 "name": "Other shop app", "redirect_url": OTHER_REDIRECT_URL, "scopes": ["seller.order.info"],
                 "markets": ["US"], "user_types": ["seller"]},
    })
    data["sellers"].append({"id": "seller_korea", "name": "Seoul Goods", "entity": "ENT-KOREA", "email": OUTSIDE_SELLER,
                            "shops": [{"id": "shop_seoul_kr", "name": "Seoul Goods", "region": "KR",
                                       "market": "global"}]})
    return data


def shop_simulator() -> Simulator:
    """A copy of the data's template: loading it once costs half a second, a copy a millisecond."""
    return SHARED_TEMPLATES.simulator(shop_data(), START)


def shop_app(simulator: Simulator, **settings: Any) -> Flask:
    return create_app(simulator, ServerConfig(secret_key="shop-partner-tests", **settings),
                      test_config={"TESTING": True})


@pytest.fixture
def shop_sim() -> Simulator:
    return shop_simulator()


@pytest.fixture
def clock(shop_sim: Simulator) -> ManualClock:
    assert isinstance(shop_sim.clock, ManualClock)
    return shop_sim.clock


@pytest.fixture
def app(shop_sim: Simulator) -> Flask:
    return shop_app(shop_sim)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def redirect_params(response: Any) -> dict[str, str]:
    location = response.headers["Location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def seller_url(service_id: str = SERVICE_ID, **params: str) -> str:
    return "/open/authorize?" + urlencode({"service_id": service_id, **params})


def creator_url(app_key: str = APP_KEY, **params: str) -> str:
    return "/alliance/creator/auth?" + urlencode({"app_key": app_key, **params})


class ShopPages:
    """A person's browser on linksim's pages: Seller Center's sign-in, the app's, the authorization forms.

    ``prefix``: a sandbox's ``/sandboxes/<id>``; ``base_url``: the host the browser asks for.
    """

    def __init__(self, client: FlaskClient, *, prefix: str = "", base_url: str = "http://localhost") -> None:
        self.client = client
        self.prefix = prefix
        self.base_url = base_url

    def get(self, path: str) -> Any:
        return self.client.get(self.prefix + path, base_url=self.base_url)

    def post_form(self, path: str, form: dict[str, str], *, page: str | None = None) -> Any:
        """POST ``form`` with the CSRF token of ``page`` (by default the page at ``path``)."""
        html = self.get(page or path).get_data(as_text=True)
        return self.client.post(self.prefix + path, data={**form, "csrf_token": csrf_of(html)}, base_url=self.base_url)

    def sign_in_seller(self, email: str = SELLER, password: str = PASSWORD, *, kind: str = "seller") -> Any:
        return self.post_form("/seller/sign-in", {"login": email, "password": password, "kind": kind})

    def sign_in_creator(self, username: str = "cora", password: str = PASSWORD) -> Any:
        return self.post_form("/app/sign-in", {"username": username, "password": password})

    def decide(self, url: str, decision: str = "authorize") -> Any:
        page = self.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)
        return self.post_form(url, {"decision": decision}, page=url)

    def seller_code(self, email: str = SELLER, *, url: str | None = None, state: str = "st4te") -> str:
        self.sign_in_seller(email)
        response = self.decide(url or seller_url(state=state))
        assert response.status_code == 302, response.get_data(as_text=True)
        return redirect_params(response)["code"]

    def creator_code(self, username: str = "cora", *, state: str = "cr3ator") -> str:
        self.sign_in_creator(username)
        response = self.decide(creator_url(state=state))
        assert response.status_code == 302, response.get_data(as_text=True)
        return redirect_params(response)["code"]


class ShopApi:
    """The app's calls: the token endpoints, and signed calls to /authorization/202309/shops."""

    def __init__(self, client: FlaskClient, clock: ManualClock, *, prefix: str = "") -> None:
        self.client = client
        self.clock = clock
        self.prefix = prefix

    def token(self, code: str, **overrides: str) -> dict[str, Any]:
        params = {"app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": code, "grant_type": "authorized_code",
                  **overrides}
        return self._json(self.client.get(self.prefix + "/api/v2/token/get", query_string=params))

    def refresh(self, refresh_token: str, **overrides: str) -> dict[str, Any]:
        params = {"app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": refresh_token,
                  "grant_type": "refresh_token", **overrides}
        return self._json(self.client.get(self.prefix + "/api/v2/token/refresh", query_string=params))

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def shops(self, access_token: str | None, *, app_key: str = APP_KEY, secret: str = APP_SECRET,
              timestamp: int | str | None = None, body: bytes = b"", signed_body: bytes | None = None,
              signed_path: str | None = None, extra: dict[str, str] | None = None,
              without: tuple[str, ...] = ()) -> Any:
        """A signed call; ``signed_body``/``signed_path`` sign something else than what is sent, ``without``
        drops parameters after signing."""
        path = self.prefix + AUTHORIZED_SHOPS_PATH
        params = signed_params(signed_path or path, app_key, secret, self.now() if timestamp is None else timestamp,
                               body if signed_body is None else signed_body, **(extra or {}))
        query = {key: value for key, value in params.items() if key not in without}
        headers = {"content-type": "application/json"}
        if access_token is not None:
            headers["x-tts-access-token"] = access_token
        return self.client.get(path, query_string=query, data=body, headers=headers)

    @staticmethod
    def _json(response: Any) -> dict[str, Any]:
        assert response.is_json, response.get_data(as_text=True)
        answer: dict[str, Any] = response.get_json()
        return answer


@pytest.fixture
def pages(client: FlaskClient) -> ShopPages:
    return ShopPages(client)


@pytest.fixture
def api(client: FlaskClient, clock: ManualClock) -> ShopApi:
    return ShopApi(client, clock)


@pytest.fixture
def seller_tokens(pages: ShopPages, api: ShopApi) -> dict[str, Any]:
    """The demo seller authorized the demo app, and the app traded the code: the token answer's ``data``."""
    answer = api.token(pages.seller_code())
    assert answer["code"] == 0, answer
    data: dict[str, Any] = answer["data"]
    return data


@pytest.fixture
def creator_tokens(pages: ShopPages, api: ShopApi) -> dict[str, Any]:
    answer = api.token(pages.creator_code())
    assert answer["code"] == 0, answer
    data: dict[str, Any] = answer["data"]
    return data


# --- over real HTTP ---------------------------------------------------------------------------------------------

def authorize_over_http(session: requests.Session, base_url: str, authorize_path: str, *, email: str = SELLER,
                        password: str = PASSWORD, decision: str = "authorize") -> dict[str, str]:
    """A seller signs in to Seller Center and answers the authorization form: the redirect's parameters."""
    sign_in_page = session.get(f"{base_url}/seller/sign-in", timeout=10)
    signed = session.post(f"{base_url}/seller/sign-in", timeout=10, allow_redirects=False,
                          data={"login": email, "password": password, "kind": "seller",
                                "csrf_token": csrf_of(sign_in_page.text)})
    assert signed.status_code == 302, signed.text
    form = session.get(base_url + authorize_path, timeout=10)
    assert form.status_code == 200, form.text
    answer = session.post(base_url + authorize_path, timeout=10, allow_redirects=False,
                          data={"decision": decision, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 302, answer.text
    return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
