"""Login Kit with QR code (TIKTOK_WIRE.md 2): get_qrcode, the app's scan screen, check_qrcode's statuses,
and the code it hands over, exchanged at /v2/oauth/token/ like any other."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.accounts import hash_secret
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import PartnerApp
from auth_server.web.login_kit_qr import app_path
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of
from tests.login_kit.conftest import exchange

QR_REDIRECT_URI = "https://partner.example/auth/callback"  # the partner app's first URI without a wildcard
TICKET = "desk-ticket_42"
LOG_ID = re.compile(r"^\d{14}[0-9A-F]{20}$")


def get_qrcode(client: FlaskClient, path: str = "/v2/oauth/get_qrcode/", **fields: str) -> dict[str, Any]:
    data = {"client_key": CLIENT_KEY, "scope": "user.info.basic,user.info.profile", "state": "xyz", **fields}
    response = client.post(path, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def check(client: FlaskClient, token: str, path: str = "/v2/oauth/check_qrcode/", **fields: str) -> dict[str, Any]:
    data = {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": token, **fields}
    response = client.post(path, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


class Phone:
    """The holder's TikTok app: opens a scanned aweme:// URL on the app's screen, taps Authorize or Cancel."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.client = browser.client

    @staticmethod
    def path(qr: dict[str, Any], ticket: str = TICKET) -> str:
        # The partner puts its own ticket in before drawing the QR code; the app opens what it scanned.
        return app_path(qr["scan_qrcode_url"].replace("client_ticket=tobefilled", f"client_ticket={ticket}"))

    def scan(self, qr: dict[str, Any], ticket: str = TICKET) -> Any:
        return self.client.get(self.path(qr, ticket))

    def answer(self, qr: dict[str, Any], decision: str = "authorize",
               scopes: tuple[str, ...] = ("user.info.profile",)) -> Any:
        """Scan, then tap ``decision`` with ``scopes`` left on (``user.info.basic`` cannot be turned off)."""
        page = self.scan(qr)
        assert page.status_code == 200, page.get_data(as_text=True)
        form = {"decision": decision, "granted_scope": list(scopes), "csrf_token": csrf_of(page.get_data(as_text=True))}
        return self.client.post(self.path(qr), data=form)


@pytest.fixture
def phone(browser: Browser) -> Phone:
    browser.sign_in()
    return Phone(browser)


def confirmed(client: FlaskClient, phone: Phone, **fields: str) -> dict[str, Any]:
    qr = get_qrcode(client, **fields)
    phone.answer(qr)
    return check(client, qr["token"])


# --- get_qrcode -------------------------------------------------------------------------------------------


def test_get_qrcode_answers_a_scan_url_and_a_token_without_a_client_secret(client: FlaskClient) -> None:
    body = get_qrcode(client)
    assert set(body) == {"scan_qrcode_url", "token"}
    assert re.fullmatch(r"[A-Z2-7]{48}", body["token"])


def test_the_scan_url_is_aweme_authorize_with_client_ticket_tobefilled(client: FlaskClient) -> None:
    body = get_qrcode(client)
    url = urlsplit(body["scan_qrcode_url"])
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc) == ("aweme", "authorize")
    assert "client_ticket=tobefilled" in url.query
    assert query["authType"] == ["100"] and query["client_key"] == [CLIENT_KEY]
    assert query["qr_token"] == [body["token"]]


@pytest.mark.parametrize("path", ["/v2/oauth/get_qrcode/", "/v2/oauth/get_qrcode"])
def test_get_qrcode_answers_with_and_without_the_slash(client: FlaskClient, path: str) -> None:
    assert "token" in get_qrcode(client, path)


@pytest.mark.parametrize("missing", ["client_key", "scope"])
def test_get_qrcode_without_a_required_field_is_invalid_request(client: FlaskClient, missing: str) -> None:
    data = {"client_key": CLIENT_KEY, "scope": "user.info.basic"}
    del data[missing]
    response = client.post("/v2/oauth/get_qrcode/", data=data)
    body = response.get_json()
    assert response.status_code == 200
    assert body["error"] == "invalid_request" and missing in body["error_description"]
    assert LOG_ID.match(body["log_id"])


def test_get_qrcode_refuses_an_unknown_client_key(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/get_qrcode/", data={"client_key": "nobody", "scope": "user.info.basic"})
    assert response.get_json()["error"] == "invalid_client"


def test_get_qrcode_refuses_a_scope_the_app_may_not_ask_for(client: FlaskClient) -> None:
    response = client.post("/v2/oauth/get_qrcode/", data={"client_key": CLIENT_KEY,
                                                          "scope": "user.info.basic,video.publish"})
    body = response.get_json()
    assert body["error"] == "invalid_scope" and "video.publish" in body["error_description"]


def test_get_qrcode_refuses_an_app_with_only_wildcard_redirect_uris(client: FlaskClient, world) -> None:  # noqa: ANN001
    world._add(PartnerApp(client_key="desk_only", client_secret_hash=hash_secret("s"), name="Desk",
                          redirect_uris=["http://127.0.0.1:*/callback/"]))
    response = client.post("/v2/oauth/get_qrcode/", data={"client_key": "desk_only", "scope": "user.info.basic"})
    assert response.get_json()["error"] == "unauthorized_client"


def test_errors_take_the_configured_http_status(sim) -> None:  # noqa: ANN001
    client = create_app(sim, ServerConfig(secret_key="t", oauth_error_status=400)).test_client()
    response = client.post("/v2/oauth/check_qrcode/", data={"client_key": CLIENT_KEY})
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "error_description", "log_id"}


# --- check_qrcode: the statuses ---------------------------------------------------------------------------


def test_a_new_qr_code_is_new_with_an_empty_ticket(client: FlaskClient) -> None:
    assert check(client, get_qrcode(client)["token"]) == {"client_ticket": "", "status": "new"}


def test_scanning_makes_it_scanned_and_echoes_the_clients_ticket(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    assert phone.scan(qr).status_code == 200
    assert check(client, qr["token"]) == {"client_ticket": TICKET, "status": "scanned"}


def test_authorize_makes_it_confirmed_with_the_code_in_the_redirect_uri(client: FlaskClient, phone: Phone) -> None:
    body = confirmed(client, phone)
    assert body["status"] == "confirmed" and body["client_ticket"] == TICKET
    redirect = urlsplit(body["redirect_uri"])
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == QR_REDIRECT_URI
    assert parse_qs(redirect.query) == {"code": [body["code"]], "state": ["xyz"]}
    assert body["state"] == "xyz"


def test_confirmed_is_answered_once_then_utilised(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    phone.answer(qr)
    assert check(client, qr["token"])["status"] == "confirmed"
    assert check(client, qr["token"]) == {"client_ticket": TICKET, "status": "utilised"}


def test_the_code_exchanges_for_a_token_with_the_granted_scope(client: FlaskClient, phone: Phone, holder) -> None:  # noqa: ANN001
    body = confirmed(client, phone)
    token = exchange(client, body["code"], redirect_uri=QR_REDIRECT_URI).get_json()
    assert token["access_token"].startswith("act.") and token["open_id"] == open_id_for(CLIENT_KEY, holder.open_id)
    assert token["scope"] == "user.info.basic,user.info.profile"


def test_the_code_stays_valid_after_utilised(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    phone.answer(qr)
    code = check(client, qr["token"])["code"]
    assert check(client, qr["token"])["status"] == "utilised"
    assert "access_token" in exchange(client, code, redirect_uri=QR_REDIRECT_URI).get_json()


def test_a_scope_turned_off_in_the_app_is_not_granted(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    phone.answer(qr, scopes=())
    code = check(client, qr["token"])["code"]
    assert exchange(client, code, redirect_uri=QR_REDIRECT_URI).get_json()["scope"] == "user.info.basic"


def test_without_a_state_the_redirect_uri_carries_only_the_code(client: FlaskClient, phone: Phone) -> None:
    body = confirmed(client, phone, state="")
    assert parse_qs(urlsplit(body["redirect_uri"]).query) == {"code": [body["code"]]}
    assert body["state"] == ""


def test_one_second_before_its_lifetime_the_qr_code_is_still_new(client: FlaskClient, sim) -> None:  # noqa: ANN001
    token = get_qrcode(client)["token"]
    sim.clock.advance("4m59s")
    assert check(client, token)["status"] == "new"


def test_at_its_lifetime_the_qr_code_is_expired(client: FlaskClient, sim) -> None:  # noqa: ANN001
    token = get_qrcode(client)["token"]
    sim.clock.advance("5m")
    assert check(client, token) == {"client_ticket": "", "status": "expired"}


def test_a_scanned_qr_code_expires_with_an_empty_ticket(client: FlaskClient, phone: Phone, sim) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    phone.scan(qr)
    sim.clock.advance("5m")
    assert check(client, qr["token"]) == {"client_ticket": "", "status": "expired"}


def test_an_answer_given_in_time_is_not_turned_into_expired(client: FlaskClient, phone: Phone, sim) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    phone.answer(qr)
    sim.clock.advance("5m")
    assert check(client, qr["token"])["status"] == "confirmed"


def test_cancel_in_the_app_answers_check_qrcode_with_access_denied(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    done = phone.answer(qr, decision="cancel")
    assert 'data-status="cancelled"' in done.get_data(as_text=True)
    for _ in range(2):  # the refusal is final: every later poll says so
        body = check(client, qr["token"])
        assert set(body) == {"error", "error_description", "log_id"} and body["error"] == "access_denied"


# --- check_qrcode: refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v2/oauth/check_qrcode/", "/v2/oauth/check_qrcode"])
def test_check_qrcode_answers_with_and_without_the_slash(client: FlaskClient, path: str) -> None:
    assert check(client, get_qrcode(client)["token"], path)["status"] == "new"


def test_a_wrong_client_secret_is_invalid_client(client: FlaskClient) -> None:
    body = check(client, get_qrcode(client)["token"], client_secret="wrong")
    assert body["error"] == "invalid_client" and LOG_ID.match(body["log_id"])


def test_an_unknown_token_is_invalid_request(client: FlaskClient) -> None:
    body = check(client, "NOSUCHTOKEN")
    assert body["error"] == "invalid_request" and "token" in body["error_description"]


def test_another_apps_token_is_unknown_to_this_app(client: FlaskClient, world) -> None:  # noqa: ANN001
    world._add(PartnerApp(client_key="other", client_secret_hash=hash_secret("other-secret"), name="Other",
                          redirect_uris=["https://other.example/cb"]))
    token = get_qrcode(client)["token"]
    body = check(client, token, client_key="other", client_secret="other-secret")
    assert body["error"] == "invalid_request"


@pytest.mark.parametrize("missing", ["client_key", "client_secret", "token"])
def test_check_qrcode_without_a_required_field_is_invalid_request(client: FlaskClient, missing: str) -> None:
    data = {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": get_qrcode(client)["token"]}
    del data[missing]
    body = client.post("/v2/oauth/check_qrcode/", data=data).get_json()
    assert body["error"] == "invalid_request" and missing in body["error_description"]


# --- the app's screen -------------------------------------------------------------------------------------


def test_the_scan_screen_sends_a_signed_out_holder_to_sign_in_first(client: FlaskClient) -> None:
    qr = get_qrcode(client)
    response = client.get(Phone.path(qr))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/app/sign-in"
    assert parse_qs(location.query)["next"][0].startswith("/app/login-qr?")
    assert check(client, qr["token"])["status"] == "new"


def test_the_scan_screen_shows_the_app_the_account_and_the_scopes(client: FlaskClient, phone: Phone) -> None:
    html = phone.scan(get_qrcode(client)).get_data(as_text=True)
    assert "Partner App" in html and "@holder" in html
    for testid in ("consent-app", "consent-account", "scope-user.info.profile", "authorize", "cancel"):
        assert f'data-testid="{testid}"' in html
    assert 'name="csrf_token"' in html


def test_an_answer_without_the_csrf_token_is_refused(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    phone.scan(qr)
    response = client.post(Phone.path(qr), data={"decision": "authorize"})
    assert response.status_code == 400
    assert check(client, qr["token"])["status"] == "scanned"


def test_scanning_an_expired_qr_code_is_an_error_page(client: FlaskClient, phone: Phone, sim) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    sim.clock.advance("5m")
    response = phone.scan(qr)
    assert response.status_code == 410 and 'data-code="qr_expired"' in response.get_data(as_text=True)


def test_scanning_an_answered_qr_code_is_an_error_page(client: FlaskClient, phone: Phone) -> None:
    qr = get_qrcode(client)
    phone.answer(qr)
    response = phone.scan(qr)
    assert response.status_code == 409 and 'data-code="qr_already_used"' in response.get_data(as_text=True)


def test_scanning_an_unknown_qr_token_is_an_error_page(client: FlaskClient, phone: Phone) -> None:
    response = client.get(f"/app/login-qr?qr_token=NOSUCH&client_ticket={TICKET}")
    assert response.status_code == 400 and 'data-code="qr_unreadable"' in response.get_data(as_text=True)
