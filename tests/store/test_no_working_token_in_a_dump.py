"""A copy of the database is no set of working credentials: it keeps a SHA-256 digest of every token and code, never
the token itself (issue 13). A Login Kit flow (on the web and by QR code), a client token, the seller's token of a
link, TikTok Shop's code and tokens, and an app sign-in leave none of their strings in a dump, and every one of
them still works."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from auth_server.simulator import Simulator
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages
from tests.shop_partner.conftest import csrf_of
from tests.shop_partner.conftest import shop_app
from tests.shop_partner.conftest import shop_simulator

CLIENT_KEY, CLIENT_SECRET = "linksim_demo_key", "linksim_demo_secret"
CALLBACK = "http://127.0.0.1:8080/callback/"
PASSWORD = "linksim-demo"


def dump(sim: Simulator) -> str:
    """Every row of the world's database, as SQL (SQLite's own dump)."""
    with sim.store.unit_of_work() as repo:
        sqlite = repo.session.connection().connection.driver_connection
        return "\n".join(sqlite.iterdump())


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token_call(client: FlaskClient, **form: str) -> dict[str, Any]:
    answer = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, **form})
    assert answer.status_code == 200 and "access_token" in answer.get_json(), answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    return body


class Issued:
    """Every secret the flows below were given, by what it is."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}

    def __setitem__(self, name: str, value: str) -> None:
        assert value, name
        self.secrets[name] = value

    def __getitem__(self, name: str) -> str:
        return self.secrets[name]


def login_kit_on_the_web(client: FlaskClient, issued: Issued) -> None:
    pages = ShopPages(client)
    assert pages.sign_in_creator("maya", PASSWORD).status_code == 302
    authorize = (f"/v2/auth/authorize/?client_key={CLIENT_KEY}&response_type=code&scope=user.info.basic"
                 f"&redirect_uri={CALLBACK}&state=s")
    answer = pages.post_form(authorize, {"decision": "authorize", "granted_scope": "user.info.basic"})
    issued["web code"] = query_of(answer.headers["Location"])["code"]
    first = token_call(client, grant_type="authorization_code", code=issued["web code"], redirect_uri=CALLBACK)
    issued["spent access token"], issued["spent refresh token"] = first["access_token"], first["refresh_token"]
    second = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    issued["access token"], issued["refresh token"] = second["access_token"], second["refresh_token"]


def login_kit_by_qr_code(client: FlaskClient, issued: Issued) -> None:
    qr = client.post("/v2/oauth/get_qrcode/", data={"client_key": CLIENT_KEY, "scope": "user.info.basic"}).get_json()
    issued["qr token"] = qr["token"]
    scanned = "/app/login-qr?" + urlsplit(qr["scan_qrcode_url"]).query.replace("tobefilled", "ticket")
    page = client.get(scanned)
    assert page.status_code == 200, page.get_data(as_text=True)
    client.post(scanned, data={"decision": "authorize", "csrf_token": csrf_of(page.get_data(as_text=True))})
    polled = client.post("/v2/oauth/check_qrcode/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                          "token": qr["token"]}).get_json()
    assert polled["status"] == "confirmed", polled
    issued["qr code"] = polled["code"]
    answer = token_call(client, grant_type="authorization_code", code=polled["code"], redirect_uri=CALLBACK)
    issued["qr access token"], issued["qr refresh token"] = answer["access_token"], answer["refresh_token"]


def the_sellers_link_token(client: FlaskClient, sim: Simulator, issued: Issued) -> str:
    issued["client token"] = token_call(client, grant_type="client_credentials")["access_token"]
    bearer = {"Authorization": f"Bearer {issued['client token']}"}
    link = client.post("/api/shops/shop_acme_us/official-link", json={}, headers=bearer).get_json()
    nora = sim.service.get_account_by_username("nora")
    sim.service.scan(link["link_id"], nora.open_id)
    sim.service.give_consent(link["link_id"], nora.open_id)
    linked = client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=bearer).get_json()
    assert linked["state"] == "active", linked
    issued["link access token"] = linked["token"]["access_token"]
    issued["link refresh token"] = linked["token"]["refresh_token"]
    return str(link["link_id"])


def tiktok_shop(client: FlaskClient, sim: Simulator, issued: Issued) -> ShopApi:
    api = ShopApi(client, sim.clock)  # type: ignore[arg-type]
    issued["shop code"] = ShopPages(client).seller_code()
    first = api.token(issued["shop code"])["data"]
    issued["spent shop refresh token"] = first["refresh_token"]
    second = api.refresh(first["refresh_token"])["data"]
    issued["shop access token"], issued["shop refresh token"] = second["access_token"], second["refresh_token"]
    return api


@pytest.fixture
def sim() -> Simulator:
    return shop_simulator()


@pytest.fixture
def client(sim: Simulator) -> FlaskClient:
    return shop_app(sim).test_client()


def test_a_dump_holds_no_token_or_code_and_every_token_still_works(sim: Simulator, client: FlaskClient) -> None:
    issued = Issued()
    login_kit_on_the_web(client, issued)
    login_kit_by_qr_code(client, issued)
    link_id = the_sellers_link_token(client, sim, issued)
    api = tiktok_shop(client, sim, issued)
    session = client.post("/api/app/sessions", json={"username": "maya", "password": PASSWORD}).get_json()
    issued["app session token"] = session["token"]

    copy = dump(sim)

    found = [name for name, secret in issued.secrets.items() if secret in copy]
    assert found == [], ", ".join(found)
    for name in ("access token", "qr access token", "link access token"):
        user = client.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {issued[name]}"})
        assert user.status_code == 200, (name, user.get_data(as_text=True))
    client_token = {"Authorization": f"Bearer {issued['client token']}"}
    assert client.get(f"/api/links/{link_id}/token", headers=client_token).get_json()["access_token"] == \
        issued["link access token"]
    assert client.get("/api/app/me", headers={"Authorization": f"Bearer {issued['app session token']}"}).status_code \
        == 200
    assert api.shops(issued["shop access token"]).get_json()["code"] == 0
    assert api.refresh(issued["shop refresh token"])["code"] == 0
    token_call(client, grant_type="refresh_token", refresh_token=issued["refresh token"])
