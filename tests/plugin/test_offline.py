"""Offline mode: partner code written with plain ``requests`` (or authlib) against TikTok's real hosts runs
against linksim in-process, with no server and no network."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from auth_server.oauth.identifiers import open_id_for
from linksim import offline
from linksim.offline import TIKTOK_HOSTS
from linksim.offline import Offline

CLIENT_KEY = "linksim_demo_key"
CLIENT_SECRET = "linksim_demo_secret"
REDIRECT_URI = "http://127.0.0.1:8080/callback/"  # the demo app's fixed loopback redirect URI


class PartnerBackend:
    """A partner's code as it would be written for TikTok: nothing in it knows about linksim."""

    api = "https://open.tiktokapis.com"

    def __init__(self) -> None:
        self.http = requests.Session()
        self.token = ""

    def sign_in_as_the_app(self) -> None:
        answer = self.http.post(f"{self.api}/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"})
        self.token = answer.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, f"{self.api}{path}", timeout=10,
                                   headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def start_official_link(self, shop_id: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/api/shops/{shop_id}/official-link", json={"via": "qr"}))

    def link(self, link_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/links/{link_id}"))

    def accept_terms(self, link_id: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/api/links/{link_id}/terms", json={"accepted": True}))


def csrf_token(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


def test_partner_code_links_an_official_account_through_tiktoks_hosts() -> None:
    with offline() as tiktok:
        partner = PartnerBackend()
        partner.sign_in_as_the_app()
        assert partner.token.startswith("clt.")
        link = partner.start_official_link("shop_acme_us")
        phone = tiktok.phone("maya")
        phone.authorize(phone.scan(link["qr"]["scan_url"]))
        assert partner.link(link["link_id"])["consent_status"] == "confirmed"
        linked = partner.accept_terms(link["link_id"])
        assert linked["state"] == "active" and linked["open_id"] == phone.me().open_id


def test_the_authorize_redirect_comes_back_with_its_location_intact() -> None:
    query = {"client_key": CLIENT_KEY, "response_type": "code", "scope": "user.info.basic,user.info.profile",
             "redirect_uri": REDIRECT_URI, "state": "a/b c&d"}
    authorize_url = "https://www.tiktok.com/v2/auth/authorize/?" + urlencode(query)
    with offline(), requests.Session() as browser:
        to_sign_in = browser.get(authorize_url, allow_redirects=False)
        assert to_sign_in.status_code == 302
        sign_in_url = urljoin(authorize_url, to_sign_in.headers["Location"])
        back_to = parse_qs(urlsplit(sign_in_url).query)["next"][0]
        assert parse_qs(urlsplit(back_to).query) == {name: [value] for name, value in query.items()}
        page = browser.get(sign_in_url)
        signed_in = browser.post(sign_in_url, allow_redirects=False, headers={"Referer": sign_in_url}, data={
            "csrf_token": csrf_token(page), "next": back_to, "username": "maya", "password": "linksim-demo"})
        consent_url = urljoin(sign_in_url, signed_in.headers["Location"])
        consent = browser.get(consent_url)
        answer = browser.post(consent_url, allow_redirects=False, headers={"Referer": consent_url}, data={
            "csrf_token": csrf_token(consent), "decision": "authorize", "granted_scope": ["user.info.profile"]})
        assert answer.status_code == 302
        location = urlsplit(answer.headers["Location"])
        redirect = parse_qs(location.query)
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
        assert redirect["state"] == ["a/b c&d"] and redirect["scopes"] == ["user.info.basic,user.info.profile"]
        token = requests.post("https://open.tiktokapis.com/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
            "code": redirect["code"][0], "redirect_uri": REDIRECT_URI}).json()
        assert token["open_id"] == open_id_for(CLIENT_KEY, "oid_maya")
        assert token["scope"] == "user.info.basic,user.info.profile"


def test_authlibs_oauth2_session_fetches_a_client_token() -> None:
    with offline(), OAuth2Session(CLIENT_KEY, CLIENT_SECRET, token_endpoint_auth_method="client_secret_post") as oauth:
        token = oauth.fetch_token("https://open.tiktokapis.com/v2/oauth/token/", grant_type="client_credentials",
                                  client_key=CLIENT_KEY)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 7200


@pytest.mark.parametrize("host", TIKTOK_HOSTS)
def test_every_tiktok_host_reaches_linksim(host: str) -> None:
    with offline():
        answer = requests.post(f"https://{host}/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"})
    assert answer.json()["access_token"].startswith("clt.")


def test_a_path_linksim_does_not_serve_answers_linksims_own_404() -> None:
    with offline():
        answer = requests.get("https://open-api.tiktokglobalshop.com/product/202309/products/search", timeout=10)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_any_other_host_is_unreachable() -> None:
    with offline(), pytest.raises(requests.ConnectionError):
        requests.get("https://partner.example/webhooks", timeout=10)


def test_each_block_has_a_sandbox_of_its_own_and_forgets_it() -> None:
    with offline() as first:
        first.clock.advance("1d")
        first_id = first.sandbox_id
    with offline() as second:
        assert second.sandbox_id not in (first_id, "main")
        assert second.clock.now().isoformat() == "2026-03-02T09:00:00+00:00"
        with pytest.raises(Exception, match="sandbox_not_found"):
            second.control("GET", f"/sandboxes/{first_id}")


def test_a_block_can_use_the_main_world_of_an_app_of_its_own() -> None:
    from auth_server.app import create_app

    app = create_app()
    with offline(app, sandbox="main") as tiktok:
        assert isinstance(tiktok, Offline) and tiktok.sandbox_id == "main"
        tiktok.control("POST", "reset", {"fixtures": "demo"})
        assert requests.get("https://www.tiktok.com/_sim/clock", timeout=10).json()["now"].startswith("2026-03-02")
    assert app.extensions["linksim"].clock.now().isoformat() == "2026-03-02T09:00:00+00:00"


def test_a_silent_tiktok_times_out_as_over_a_socket() -> None:
    started = time.monotonic()
    with offline() as tiktok:
        tiktok.inject_fault(path="/v2/oauth/token*", silent=True, delay="30s")
        with pytest.raises(requests.ReadTimeout):
            requests.post("https://open.tiktokapis.com/v2/oauth/token/", timeout=0.2, data={
                "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"})
    # The block's end lifted the fault and let the held request finish before deleting the sandbox.
    assert time.monotonic() - started < 10


def test_offline_works_however_it_is_imported() -> None:
    import linksim
    import linksim.offline as offline_module
    from linksim.offline import offline as offline_function

    for entry in (linksim.offline, offline_module, offline_function):
        with entry(fixtures=None) as tiktok:
            assert tiktok.clock.frozen
