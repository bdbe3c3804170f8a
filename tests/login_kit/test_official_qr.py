"""The Seller Center QR flow over HTTP (O9): the seller starts a link, the holder scans the signed QR code
in the app and taps Authorize, the seller accepts the terms; tampered, expired and reused codes are refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from auth_server.oauth.identifiers import open_id_for
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of


@pytest.fixture
def shop(world):  # noqa: ANN001, ANN201
    """A shop whose seller authorized the partner app, which then acts for it."""
    shop = world.shop("shop_qr", name="QR Shop")
    world.authorize_partner_app(CLIENT_KEY, shop)
    return shop


@pytest.fixture
def seller(client: FlaskClient) -> dict[str, str]:
    token = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                  "grant_type": "client_credentials"}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def start(client: FlaskClient, seller: dict[str, str], shop_id: str = "shop_qr") -> dict[str, Any]:
    response = client.post(f"/api/shops/{shop_id}/official-link", json={}, headers=seller)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def scan_path(link: dict[str, Any]) -> str:
    url = urlsplit(link["qr"]["scan_url"])
    return f"{url.path}?{url.query}"


def scan_and_answer(browser: Browser, link: dict[str, Any], decision: str = "authorize") -> Any:
    page = browser.client.get(scan_path(link))
    assert page.status_code == 200, page.get_data(as_text=True)
    token = parse_qs(urlsplit(link["qr"]["scan_url"]).query)["token"][0]
    return browser.client.post("/app/scan", data={"token": token, "decision": decision,
                                                  "csrf_token": csrf_of(page.get_data(as_text=True))})


def test_the_whole_qr_flow_links_the_account_that_scanned(browser: Browser, seller, shop, holder) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    assert link["state"] == "pending_consent" and link["consent_status"] == "new"
    browser.sign_in()
    done = scan_and_answer(browser, link)
    assert 'data-state="consented"' in done.get_data(as_text=True)
    polled = browser.client.get(f"/api/links/{link['link_id']}", headers=seller).get_json()
    assert polled["consent_status"] == "confirmed" and polled["open_id"] == holder.open_id
    linked = browser.client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=seller)
    assert linked.get_json()["state"] == "active"
    token = linked.get_json()["token"]  # the consent, exchanged: a token scoped to what the seller may see
    assert token["open_id"] == open_id_for(CLIENT_KEY, holder.open_id)  # Login Kit's token names the app's open id
    assert token["scope"] == "user.info.basic,user.info.profile"
    profile = browser.client.get("/v2/user/info/?fields=username,display_name",
                                 headers={"Authorization": f"Bearer {token['access_token']}"}).get_json()
    assert profile["data"]["user"] == {"username": "qr_shop", "display_name": "QR Shop"}
    view = browser.client.get("/api/shops/shop_qr/linked-accounts", headers=seller).get_json()
    assert view["official"]["open_id"] == holder.open_id and view["official"]["nickname"] == "QR Shop"


def test_scanning_shows_scanned_to_the_seller(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    browser.client.get(scan_path(link))
    assert browser.client.get(f"/api/links/{link['link_id']}", headers=seller).get_json()["consent_status"] == (
        "scanned")


def test_cancel_in_the_app_refuses_the_link_with_consent_denied(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    scan_and_answer(browser, link, decision="cancel")
    polled = browser.client.get(f"/api/links/{link['link_id']}", headers=seller).get_json()
    assert polled["state"] == "refused" and [r["code"] for r in polled["refusals"]] == ["consent_denied"]


def test_a_tampered_qr_token_is_qr_unreadable(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    response = browser.client.get(scan_path(link)[:-3] + "xyz")
    assert response.status_code == 400
    assert 'data-code="qr_unreadable"' in response.get_data(as_text=True)


def test_an_expired_qr_code_is_refused_on_the_simulated_clock(browser: Browser, seller, shop, sim) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    sim.clock.advance("5m")
    response = browser.client.get(scan_path(link))
    assert response.status_code == 410
    assert 'data-code="qr_expired"' in response.get_data(as_text=True)


def test_a_used_qr_code_cannot_be_used_again(browser: Browser, seller, shop, world) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    scan_and_answer(browser, link)
    response = browser.client.get(scan_path(link))
    assert response.status_code == 409
    assert 'data-code="qr_already_used"' in response.get_data(as_text=True)


def test_the_qr_code_is_served_as_png_and_svg(client: FlaskClient, seller, shop) -> None:  # noqa: ANN001
    link = start(client, seller)
    png = client.get(f"/api/links/{link['link_id']}/qr.png", headers=seller)
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/api/links/{link['link_id']}/qr.svg", headers=seller)
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_the_linking_api_needs_a_partner_token(client: FlaskClient, shop) -> None:  # noqa: ANN001
    response = client.post("/api/shops/shop_qr/official-link", json={})
    assert response.status_code == 401
    assert response.get_json()["code"] == "partner_token_invalid"


def test_a_rule_refusal_is_json_with_its_code_and_status(client: FlaskClient, seller, world) -> None:  # noqa: ANN001
    from auth_server.domain.shops import ShopStatus

    world.authorize_partner_app(CLIENT_KEY, world.shop("pending", status=ShopStatus.PENDING_APPROVAL))
    response = client.post("/api/shops/pending/official-link", json={}, headers=seller)
    assert response.status_code == 409
    assert response.get_json()["code"] == "shop_not_active"


def test_invalid_json_is_a_400_with_a_clear_message(client: FlaskClient, seller, shop) -> None:  # noqa: ANN001
    response = client.post("/api/shops/shop_qr/official-link", data="{oops", content_type="application/json",
                           headers=seller)
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input"


def test_another_partner_app_cannot_see_or_finish_the_link(browser: Browser, seller, shop, holder,  # noqa: ANN001
                                                           world) -> None:
    from auth_server.domain.accounts import hash_secret
    from auth_server.oauth.models import PartnerApp

    world._add(PartnerApp(client_key="app_b", client_secret_hash=hash_secret("secret_b_123"), name="B",
                          redirect_uris=["https://b.example/cb"]))
    world.authorize_partner_app("app_b", shop)  # the same seller's other app: still only its own links
    other = browser.client.post("/v2/oauth/token/", data={"client_key": "app_b", "client_secret": "secret_b_123",
                                                          "grant_type": "client_credentials"}).get_json()
    b = {"Authorization": f"Bearer {other['access_token']}"}
    link = start(browser.client, seller)
    browser.sign_in()
    scan_and_answer(browser, link)
    assert browser.client.get(f"/api/links/{link['link_id']}", headers=b).status_code == 404
    finished = browser.client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=b)
    assert finished.status_code == 404 and "token" not in finished.get_json()


def test_a_holders_user_token_does_not_authenticate_a_partner(browser: Browser, shop) -> None:  # noqa: ANN001
    from tests.login_kit.conftest import exchange

    browser.sign_in()
    user_token = exchange(browser.client, browser.code()).get_json()["access_token"]
    response = browser.client.post("/api/shops/shop_qr/official-link", json={},
                                   headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 401 and response.get_json()["code"] == "partner_token_invalid"


def test_a_qr_link_cannot_be_answered_on_the_toggle_screen(browser: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(browser.client, seller)
    browser.sign_in()
    response = browser.client.get(f"/app/requests/{link['link_id']}")
    assert response.status_code == 404 and 'data-code="link_not_found"' in response.get_data(as_text=True)


def test_the_seller_is_told_how_often_to_poll(client: FlaskClient, seller, shop) -> None:  # noqa: ANN001
    link = start(client, seller)
    assert client.get(f"/api/links/{link['link_id']}", headers=seller).headers["Retry-After"] == "2"
