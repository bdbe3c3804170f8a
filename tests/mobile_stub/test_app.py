"""The app stub's calls, against a mocked server: what each one sends and how it reads the answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import qrcode
import responses
from PIL import Image
from responses import matchers

from mobile_stub import Consent
from mobile_stub import MalformedAnswer
from mobile_stub import QrCodeNotFound
from mobile_stub import TikTokApp
from mobile_stub import decode_png
from tests.mobile_stub.conftest import BASE
from tests.mobile_stub.conftest import NoSleep
from tests.mobile_stub.conftest import write_qr_png
from tests.mobile_stub.test_transport import ME

SCAN_URL = "http://127.0.0.1:8765/app/scan?token=.eJxNy8EOgkAMhOF3mTPholHYVzGErEubNDQt7ko8"
OFFICIAL = {"consent_id": "c1", "kind": "official_link", "account": {"open_id": "oid_maya", "username": "maya"},
            "shop": {"shop_id": "shop_acme_us", "name": "Acme", "region": "US"}, "link_id": "lnk_1",
            "role": "official", "permissions": ["profile_information", "content", "audience_data"],
            "expires_at": "2026-03-02T09:05:00+00:00"}
LOGIN_KIT = {"consent_id": "c2", "kind": "login_kit", "account": {"open_id": "oid_maya", "username": "maya"},
             "app": {"client_key": "partner_key", "name": "Partner App"}, "expires_at": None,
             "scopes": [{"scope": "user.info.basic", "description": "", "required": True},
                        {"scope": "video.list", "description": "", "required": False}]}
CONFIRMED = {"kind": "login_kit", "decision": "authorize", "status": "confirmed", "app": {},
             "scopes": ["user.info.basic"]}
LINK = {"link_id": "lnk_1", "shop_id": "shop_acme_us", "state": "consented", "open_id": "oid_maya",
        "granted_permissions": ["profile_information"], "refusals": []}


@pytest.fixture
def phone(no_sleep: NoSleep) -> TikTokApp:
    return TikTokApp(BASE, sleep=no_sleep)


def sent(index: int = -1) -> Any:
    return json.loads(responses.calls[index].request.body or b"null")


@responses.activate
def test_sign_in_keeps_the_token_for_the_next_calls(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"token": "tok1", "token_type": "Bearer",
                                                                  "account": ME},
                   match=[matchers.json_params_matcher({"username": "maya", "password": "pw"})])
    responses.get(f"{BASE}/api/app/me", json=ME, match=[matchers.header_matcher({"Authorization": "Bearer tok1"})])
    assert phone.sign_in("maya", "pw").open_id == "oid_maya"
    assert phone.token == "tok1" and phone.me().username == "maya"
    ended = responses.delete(f"{BASE}/api/app/sessions/current", json={"signed_out": True},
                             match=[matchers.header_matcher({"Authorization": "Bearer tok1"})])
    phone.sign_out()  # the server ends the session, so a copy of the token works nowhere
    assert phone.token is None and ended.call_count == 1


@responses.activate
def test_a_passcode_sign_in_asks_for_the_code_then_uses_it(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/passcodes", status=201,
                   json={"username": "acme_org", "contact": "ops@acme", "passcode": "123456"},
                   match=[matchers.json_params_matcher({"username": "acme_org", "contact": "ops@acme"})])
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"token": "tok2", "token_type": "Bearer",
                                                                  "account": {**ME, "account_type": "organization"}},
                   match=[matchers.json_params_matcher({"username": "acme_org", "contact": "ops@acme",
                                                        "passcode": "123456"})])
    assert phone.sign_in_with_passcode("acme_org", "ops@acme").account_type == "organization"
    assert phone.token == "tok2"


@responses.activate
def test_a_sign_in_answer_without_a_token_is_malformed(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"account": ME})
    with pytest.raises(MalformedAnswer, match="no token"):
        phone.sign_in("maya", "pw")
    assert phone.token is None
    responses.post(f"{BASE}/api/app/passcodes", status=201, json={"passcode": 123456})
    with pytest.raises(MalformedAnswer, match="no passcode"):
        phone.request_passcode("acme_org", "ops@acme")


@responses.activate
def test_scan_reads_the_consent_screen_of_a_seller_center_qr_code(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/scans", json=OFFICIAL, match=[matchers.json_params_matcher({"scan_url": SCAN_URL})])
    consent = phone.scan(SCAN_URL)
    assert (consent.kind, consent.name, consent.shop_id, consent.link_id) == ("official_link", "Acme", "shop_acme_us",
                                                                              "lnk_1")
    assert consent.username == "maya" and consent.permissions == ("profile_information", "content", "audience_data")
    assert consent.required == () and consent.raw == OFFICIAL


@responses.activate
def test_scan_reads_the_consent_screen_of_a_login_kit_qr_code(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/scans", json=LOGIN_KIT)
    consent = phone.scan("aweme://authorize?qr_token=X&client_ticket=t")
    assert (consent.kind, consent.name, consent.client_key) == ("login_kit", "Partner App", "partner_key")
    assert consent.permissions == ("user.info.basic", "video.list") and consent.required == ("user.info.basic",)


@pytest.mark.parametrize("answer", [{**OFFICIAL, "kind": "telepathy"}, {**OFFICIAL, "shop": "Acme"},
                                    {**OFFICIAL, "permissions": [1]}, {**LOGIN_KIT, "scopes": ["user.info.basic"]},
                                    {k: v for k, v in OFFICIAL.items() if k != "consent_id"}])
@responses.activate
def test_a_consent_screen_that_is_not_what_the_api_documents_is_malformed(phone: TikTokApp,
                                                                         answer: dict[str, Any]) -> None:
    responses.post(f"{BASE}/api/app/scans", json=answer)
    with pytest.raises(MalformedAnswer):
        phone.scan(SCAN_URL)


@responses.activate
def test_authorize_sends_permissions_for_a_shop_and_scopes_for_an_app(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/consents/c1", json={"kind": "official_link", "decision": "authorize",
                                                        "link": LINK})
    responses.post(f"{BASE}/api/app/consents/c2", json=CONFIRMED)
    answer = phone.authorize(Consent.from_json(OFFICIAL), ["profile_information"])
    assert sent() == {"decision": "authorize", "permissions": ["profile_information"]}
    assert answer.state == "consented" and answer.granted == ("profile_information",) and answer.link is not None
    answer = phone.authorize(Consent.from_json(LOGIN_KIT), [])
    assert sent() == {"decision": "authorize", "scopes": []}
    assert (answer.state, answer.granted, answer.link) == ("confirmed", ("user.info.basic",), None)
    phone.authorize(Consent.from_json(OFFICIAL))
    assert sent() == {"decision": "authorize"}  # every permission shown stays on


@responses.activate
def test_deny_taps_cancel(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/consents/c1", json={"kind": "official_link", "decision": "cancel",
                                                        "link": {**LINK, "state": "refused", "refusals": [
                                                            {"code": "consent_denied", "message": "declined"}]}})
    answer = phone.deny(Consent.from_json(OFFICIAL))
    assert sent() == {"decision": "cancel"}
    assert answer.link is not None and answer.link.refusals[0].code == "consent_denied"


@responses.activate
def test_the_inbox_lists_requests_and_both_kinds_of_invitations(phone: TikTokApp) -> None:
    shop = {"shop_id": "s1", "name": "Acme", "region": "US"}
    responses.get(f"{BASE}/api/app/inbox", json={
        "requests": [{**LINK, "state": "pending_consent", "shop": shop, "permissions": ["content"],
                      "consent_expires_at": "2026-03-03T09:00:00+00:00"}],
        "invitations": [{"invitation_id": "inv_1", "kind": "marketing", "shop_id": "s1", "shop": shop,
                         "state": "pending", "expires_at": "2026-03-09T09:00:00+00:00", "link_id": None}],
        "affiliate_invitations": [{"invitation_id": "aff_1", "kind": "affiliate", "shop_id": "s1", "shop": shop,
                                   "state": "pending", "expires_at": None, "commission_rate": "12.50"}]})
    inbox = phone.inbox()
    assert inbox.requests[0].permissions == ("content",) and inbox.request("lnk_1") is inbox.requests[0]
    assert inbox.request("lnk_2") is None
    assert inbox.invitations[0].shop_name == "Acme" and inbox.affiliate_invitations[0].commission_rate == "12.50"


@responses.activate
def test_answer_request_sends_the_toggles_and_the_decision(phone: TikTokApp) -> None:
    responses.post(f"{BASE}/api/app/requests/lnk_1", json={"decision": "continue", "link": LINK})
    assert phone.answer_request("lnk_1", ["content", "audience_data"]).state == "consented"
    assert sent() == {"decision": "continue", "permissions": ["content", "audience_data"]}
    phone.answer_request("lnk_1", proceed=False)
    assert sent() == {"decision": "cancel", "permissions": []}
    responses.post(f"{BASE}/api/app/requests/lnk_2", json={"decision": "continue"})
    with pytest.raises(MalformedAnswer, match="no link"):
        phone.answer_request("lnk_2")


@responses.activate
def test_accept_and_decline_name_the_invitation_as_one_path_segment(phone: TikTokApp) -> None:
    invitation = {"invitation_id": "inv/1", "kind": "marketing", "shop_id": "s1", "shop": {"name": "Acme"},
                  "state": "accepted", "expires_at": None, "link_id": "lnk_9"}
    responses.post(f"{BASE}/api/app/invitations/inv%2F1", json=invitation,
                   match=[matchers.json_params_matcher({"decision": "accept"})])
    responses.post(f"{BASE}/api/app/invitations/inv%2F1", json={**invitation, "state": "declined", "link_id": None},
                   match=[matchers.json_params_matcher({"decision": "decline"})])
    assert phone.accept("inv/1").link_id == "lnk_9"
    assert phone.decline("inv/1").state == "declined"


# --- reading QR codes from pictures --------------------------------------------------------------------------


@responses.activate
def test_scan_png_scans_what_the_picture_encodes(phone: TikTokApp, tmp_path: Path) -> None:
    responses.post(f"{BASE}/api/app/scans", json=OFFICIAL, match=[matchers.json_params_matcher({"scan_url": SCAN_URL})])
    assert phone.scan_png(write_qr_png(tmp_path / "qr.png", SCAN_URL)).link_id == "lnk_1"


def test_a_photo_like_picture_still_decodes(tmp_path: Path) -> None:
    """A QR code in a corner of a bigger, tinted, RGBA picture, as a screenshot would be."""
    code = qrcode.make("aweme://authorize?qr_token=X", box_size=5, border=4).get_image().convert("RGBA")
    canvas = Image.new("RGBA", (code.width + 300, code.height + 200), (230, 240, 255, 255))
    canvas.paste(code, (250, 150))
    canvas.save(tmp_path / "shot.png")
    assert decode_png(tmp_path / "shot.png") == "aweme://authorize?qr_token=X"


def test_a_picture_without_a_qr_code_is_a_clear_error(phone: TikTokApp, tmp_path: Path) -> None:
    Image.new("RGB", (200, 200), "white").save(tmp_path / "blank.png")
    with pytest.raises(QrCodeNotFound, match="holds no QR code"):
        phone.scan_png(tmp_path / "blank.png")


def test_a_file_that_is_no_picture_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(QrCodeNotFound, match="not an image"):
        decode_png(tmp_path / "notes.png")
    with pytest.raises(QrCodeNotFound, match="no such file"):
        decode_png(tmp_path / "missing.png")


def test_two_different_qr_codes_are_ambiguous(tmp_path: Path) -> None:
    first = qrcode.make("first", box_size=6).get_image().convert("L")
    second = qrcode.make("second", box_size=6).get_image().convert("L")
    canvas = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)), 255)
    canvas.paste(first, (0, 0))
    canvas.paste(second, (first.width + 40, 0))
    canvas.save(tmp_path / "two.png")
    with pytest.raises(QrCodeNotFound, match="2 different QR codes"):
        decode_png(tmp_path / "two.png")


@responses.activate
def test_the_app_closes_its_connections_as_a_context_manager(no_sleep: NoSleep) -> None:
    responses.get(f"{BASE}/api/app/me", json=ME)
    with TikTokApp(BASE, token="tok", sleep=no_sleep) as phone:
        assert phone.me().username == "maya"
        assert phone.base_url == BASE
