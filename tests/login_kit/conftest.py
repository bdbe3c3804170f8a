"""A Login Kit server on the simulator, a partner app, two account holders, and a browser-like client."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.accounts import hash_secret
from auth_server.oauth.models import PartnerApp
from auth_server.simulator import Simulator
from tests.conftest import WorldBuilder

CLIENT_KEY = "partner_key"
CLIENT_SECRET = "partner_secret_123"
REDIRECT_URI = "http://127.0.0.1:*/callback/"
CALLBACK = "http://127.0.0.1:5555/callback/"
PASSWORD = "holder-password"
ALL_SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]


@pytest.fixture
def partner_app(world: WorldBuilder) -> PartnerApp:
    app = PartnerApp(client_key=CLIENT_KEY, client_secret_hash=hash_secret(CLIENT_SECRET), name="Partner App",
                     redirect_uris=[REDIRECT_URI, "https://partner.example/auth/callback"], scopes=ALL_SCOPES)
    world._add(app)
    return app


@pytest.fixture
def holder(world: WorldBuilder):  # noqa: ANN201
    account = world.account("holder", nickname="Holder Nick", followers=42)
    account_with_password(world, account)
    return account


def account_with_password(world: WorldBuilder, account: Any) -> None:
    with world.sim.store.unit_of_work() as repo:
        repo.account(account.open_id).set_password(PASSWORD)


@pytest.fixture
def app(sim: Simulator, partner_app: PartnerApp, holder: Any) -> Flask:
    return create_app(sim, ServerConfig(secret_key="test-secret"), test_config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def pkce_pair(encoding: str = "base64url") -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = digest.hex() if encoding == "hex" else base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return verifier, challenge


class Browser:
    """The account holder's browser: signs in, opens the consent screen, taps Authorize or Cancel."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, username: str = "holder", password: str = PASSWORD) -> Any:
        page = self.client.get("/app/sign-in").get_data(as_text=True)
        return self.client.post("/app/sign-in", data={"username": username, "password": password,
                                                      "csrf_token": csrf_of(page)})

    def authorize_url(self, **params: str) -> str:
        query = {"client_key": CLIENT_KEY, "response_type": "code", "scope": "user.info.basic,user.info.profile",
                 "redirect_uri": CALLBACK, "state": "xyz", **params}
        return "/v2/auth/authorize/?" + "&".join(f"{k}={v}" for k, v in query.items())

    def consent(self, decision: str = "authorize", scopes: list[str] | None = None, **params: str) -> Any:
        url = self.authorize_url(**params)
        page = self.client.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)
        html = page.get_data(as_text=True)
        boxes = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="granted_scope"' in tag]
        checked = [re.search(r'value="([^"]+)"', tag).group(1) for tag in boxes  # type: ignore[union-attr]
                   if " checked" in tag and " disabled" not in tag]
        form: dict[str, Any] = {"decision": decision, "csrf_token": csrf_of(html),
                                "granted_scope": checked if scopes is None else scopes}
        return self.client.post(url, data=form)

    def code(self, **params: str) -> str:
        response = self.consent(**params)
        assert response.status_code == 302, response.get_data(as_text=True)
        return redirect_params(response)["code"]


def redirect_params(response: Any) -> dict[str, str]:
    location = response.headers["Location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


def exchange(client: FlaskClient, code: str, **extra: str) -> Any:
    return client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                  "code": code, "grant_type": "authorization_code",
                                                  "redirect_uri": CALLBACK, **extra})


@pytest.fixture
def live_server(app: Flask):  # noqa: ANN201
    """The app on a real HTTP server on a random loopback port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
