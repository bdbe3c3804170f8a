"""Scanning in the app: a Seller Center QR code (O9) or a Login Kit QR code, the consent screen, and the answer."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import Verification
from auth_server.web.app_api import CONSENT_SALT
from tests.app_api.conftest import PERMISSIONS
from tests.app_api.conftest import another_holder
from tests.app_api.conftest import refusal
from tests.app_api.conftest import sign_in
from tests.app_api.conftest import start_qr_link
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET

TICKET = "desk-ticket_42"


def scan(client: FlaskClient, phone: dict[str, str], scan_url: str) -> Any:
    return client.post("/api/app/scans", json={"scan_url": scan_url}, headers=phone)


def answer(client: FlaskClient, phone: dict[str, str], consent: dict[str, Any], decision: str = "authorize",
           **body: Any) -> Any:
    return client.post(f"/api/app/consents/{consent['consent_id']}", json={"decision": decision, **body},
                       headers=phone)


def seller_view(client: FlaskClient, seller: dict[str, str], link: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/links/{link['link_id']}", headers=seller)
    assert response.status_code == 200
    return response.get_json()


# --- Seller Center QR codes ----------------------------------------------------------------------------------


def test_the_consent_screen_names_the_shop_the_account_and_the_permissions(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                           shop, holder) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    response = scan(client, phone, link["qr"]["scan_url"])
    assert response.status_code == 200
    consent = response.get_json()
    assert consent["kind"] == "official_link" and consent["link_id"] == link["link_id"]
    assert consent["shop"] == {"shop_id": "shop_app", "name": "App Shop", "region": "US"}
    assert consent["account"]["username"] == "holder" and consent["permissions"] == PERMISSIONS
    assert consent["expires_at"] == link["consent_expires_at"]
    assert seller_view(client, seller, link)["consent_status"] == "scanned"


def test_authorize_consents_and_the_seller_links_the_account(client: FlaskClient, phone, seller, shop,  # noqa: ANN001
                                                             holder) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    response = answer(client, phone, consent)
    assert response.status_code == 200
    body = response.get_json()
    assert body["kind"] == "official_link" and body["decision"] == "authorize"
    assert body["link"]["state"] == "consented" and body["link"]["granted_permissions"] == PERMISSIONS
    assert seller_view(client, seller, link)["consent_status"] == "confirmed"
    linked = client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=seller)
    assert linked.get_json()["state"] == "active" and linked.get_json()["open_id"] == holder.open_id


def test_the_scan_url_of_a_public_host_or_a_bare_path_opens_too(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                shop) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    query = link["qr"]["scan_url"].split("?", 1)[1]
    assert scan(client, phone, f"https://linksim.example/app/scan?{query}").status_code == 200
    assert scan(client, phone, f"/app/scan?{query}").status_code == 200


def test_cancel_refuses_the_link_with_consent_denied(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    body = answer(client, phone, consent, "cancel").get_json()
    assert body["decision"] == "cancel" and body["link"]["state"] == "refused"
    assert [r["code"] for r in seller_view(client, seller, link)["refusals"]] == ["consent_denied"]


def test_a_used_qr_code_is_qr_already_used(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    answer(client, phone, consent)
    refusal(answer(client, phone, consent), 409, "qr_already_used")
    refusal(scan(client, phone, link["qr"]["scan_url"]), 409, "qr_already_used")


def test_an_old_qr_code_is_qr_expired(client: FlaskClient, phone, seller, shop, world: WorldBuilder) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    world.advance("5m1s")
    refusal(answer(client, phone, consent), 410, "qr_expired")
    refusal(scan(client, phone, link["qr"]["scan_url"]), 410, "qr_expired")


def test_a_damaged_or_foreign_code_is_qr_unreadable(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    refusal(scan(client, phone, link["qr"]["scan_url"][:-3] + "xyz"), 400, "qr_unreadable")
    for foreign in ("https://example.com/", "http://127.0.0.1/app/scan", "hello", "http://[::1/app/scan?token=x",
                    "aweme://other?qr_token=x"):
        refusal(scan(client, phone, foreign), 400, "qr_unreadable")


def test_an_unverified_account_is_refused_and_the_seller_sees_why(client: FlaskClient, seller, shop,  # noqa: ANN001
                                                                   world: WorldBuilder) -> None:
    another_holder(world, "unverified", verification=Verification.UNVERIFIED)
    phone = sign_in(client, "unverified")
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    refusal(answer(client, phone, consent), 409, "identity_not_verified")
    seen = seller_view(client, seller, link)
    assert seen["state"] == "refused" and [r["code"] for r in seen["refusals"]] == ["identity_not_verified"]


def test_the_apps_troubleshooting_faults_show(client: FlaskClient, phone, seller, shop, holder,  # noqa: ANN001
                                              world: WorldBuilder) -> None:
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    world.service.set_app_fault(holder.open_id, AppFault.AUTHORIZATION_FAILED)
    refusal(answer(client, phone, consent), 403, "authorization_failed")
    world.service.set_app_fault(holder.open_id, AppFault.QR_UNREADABLE)
    refusal(scan(client, phone, link["qr"]["scan_url"]), 400, "qr_unreadable")


def test_a_consent_id_answers_only_for_the_account_that_scanned(client: FlaskClient, phone, seller, shop,  # noqa: ANN001
                                                                world: WorldBuilder, app: Any) -> None:
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    another_holder(world)
    refusal(answer(client, sign_in(client, "other"), consent), 404, "consent_not_found")
    forged = URLSafeSerializer("another-secret", salt=CONSENT_SALT).dumps({"kind": "official_link"})
    refusal(answer(client, phone, {"consent_id": forged}), 404, "consent_not_found")
    refusal(answer(client, phone, {"consent_id": "garbage"}), 404, "consent_not_found")
    assert seller_view(client, seller, link)["state"] == "pending_consent"


@pytest.mark.parametrize("body", [{}, {"decision": "yes"}, {"decision": ["authorize"]},
                                  {"decision": "authorize", "permissions": "content"},
                                  {"decision": "authorize", "permissions": [1, 2]}])
def test_a_bad_answer_is_invalid_input(client: FlaskClient, phone, seller, shop, body: dict[str, Any]) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    response = client.post(f"/api/app/consents/{consent['consent_id']}", json=body, headers=phone)
    refusal(response, 400, "invalid_input")


# --- Login Kit QR codes --------------------------------------------------------------------------------------


def get_qrcode(client: FlaskClient, scope: str = "user.info.basic,user.info.profile,video.list") -> dict[str, Any]:
    response = client.post("/v2/oauth/get_qrcode/", data={"client_key": CLIENT_KEY, "scope": scope, "state": "xyz"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def scanned_url(qr: dict[str, Any], ticket: str = TICKET) -> str:
    """What the QR code encodes once the partner put its own ticket in."""
    return str(qr["scan_qrcode_url"]).replace("client_ticket=tobefilled", f"client_ticket={ticket}")


def check(client: FlaskClient, qr: dict[str, Any]) -> dict[str, Any]:
    return client.post("/v2/oauth/check_qrcode/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                        "token": qr["token"]}).get_json()


def test_a_login_kit_qr_code_shows_the_app_and_its_scopes(client: FlaskClient, phone, partner_app) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    response = scan(client, phone, scanned_url(qr))
    assert response.status_code == 200
    consent = response.get_json()
    assert consent["kind"] == "login_kit" and consent["app"] == {"client_key": CLIENT_KEY, "name": "Partner App"}
    assert [s["scope"] for s in consent["scopes"]] == ["user.info.basic", "user.info.profile", "video.list"]
    assert [s["required"] for s in consent["scopes"]] == [True, False, False]
    assert consent["scopes"][0]["description"].startswith("Access your profile")
    assert check(client, qr) == {"client_ticket": TICKET, "status": "scanned"}


def test_authorize_confirms_the_qr_code_with_the_scopes_left_on(client: FlaskClient, phone, partner_app) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    consent = scan(client, phone, scanned_url(qr)).get_json()
    body = answer(client, phone, consent, scopes=["video.list"]).get_json()
    assert body == {"kind": "login_kit", "decision": "authorize", "status": "confirmed",
                    "app": {"client_key": CLIENT_KEY, "name": "Partner App"},
                    "scopes": ["user.info.basic", "video.list"]}
    polled = check(client, qr)
    assert polled["status"] == "confirmed" and polled["client_ticket"] == TICKET and polled["code"]


def test_authorize_without_scopes_keeps_every_scope_shown(client: FlaskClient, phone, partner_app) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    body = answer(client, phone, scan(client, phone, scanned_url(qr)).get_json()).get_json()
    assert body["scopes"] == ["user.info.basic", "user.info.profile", "video.list"]


def test_cancel_makes_check_qrcode_answer_access_denied(client: FlaskClient, phone, partner_app) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    body = answer(client, phone, scan(client, phone, scanned_url(qr)).get_json(), "cancel").get_json()
    assert body["status"] == "cancelled" and body["scopes"] == []
    assert check(client, qr)["error"] == "access_denied"


def test_login_kit_qr_refusals_are_json(client: FlaskClient, phone, partner_app, world: WorldBuilder) -> None:  # noqa: ANN001
    qr = get_qrcode(client)
    refusal(scan(client, phone, "aweme://authorize?qr_token=UNKNOWN&client_ticket=t"), 400, "qr_unreadable")
    refusal(scan(client, phone, qr["scan_qrcode_url"].replace("&client_ticket=tobefilled", "")), 400,
            "qr_unreadable")
    consent = scan(client, phone, scanned_url(qr)).get_json()
    answer(client, phone, consent)
    refusal(answer(client, phone, consent), 409, "qr_already_used")
    refusal(scan(client, phone, scanned_url(qr)), 409, "qr_already_used")
    late = get_qrcode(client)
    world.advance("5m")
    refusal(scan(client, phone, scanned_url(late)), 410, "qr_expired")


def test_scan_url_must_be_a_url(client: FlaskClient, phone) -> None:  # noqa: ANN001
    for body in ({}, {"scan_url": ""}, {"scan_url": 42}, {"scan_url": ["x"]}, {"scan_url": "x" * 5000}):
        refusal(client.post("/api/app/scans", json=body, headers=phone), 400, "invalid_input")


@pytest.mark.parametrize("body", [{"scopes": [False]}, {"permissions": [False]}, {"permissions": "all"}])
def test_a_malformed_scope_or_permission_list_is_refused_whatever_the_consent(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                              shop, body: dict) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    consent = scan(client, phone, link["qr"]["scan_url"]).get_json()
    refusal(answer(client, phone, consent, **body), 400, "invalid_input")
