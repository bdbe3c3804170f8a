"""The app stub against a real linksim server on a loopback port: the QR image round trip (the seller writes the
PNG, the app decodes it and authorizes, the seller links), Login Kit QR login, the Seller-app toggles,
invitations, identity verification, and a refusal of each rule group, through the library and the CLI."""

from __future__ import annotations

import functools
import json
import socket
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from click.testing import Result

from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.oauth.identifiers import open_id_for
from mobile_stub import AppRefused
from mobile_stub import TikTokApp
from mobile_stub import cli
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import PASSWORD
from tests.mobile_stub.conftest import SHOP
from tests.mobile_stub.conftest import NoSleep
from tests.mobile_stub.conftest import Seller
from tests.mobile_stub.conftest import holder_with_password
from tests.mobile_stub.conftest import write_qr_png

PERMISSIONS = ["profile_information", "content", "audience_data"]
QR_REDIRECT_URI = "https://partner.example/auth/callback"  # the partner app's first redirect URI without a wildcard


@pytest.fixture
def phone(live_server: str, holder: Any) -> TikTokApp:
    app = TikTokApp(live_server, timeout=10)
    app.sign_in("holder", PASSWORD)
    return app


def phone_of(live_server: str, username: str) -> TikTokApp:
    app = TikTokApp(live_server, timeout=10)
    app.sign_in(username, PASSWORD)
    return app


# --- the QR image round trip ---------------------------------------------------------------------------------


def test_the_seller_writes_the_png_the_app_decodes_and_authorizes_and_the_seller_links(
        seller: Seller, phone: TikTokApp, shop: Any, holder: Any, tmp_path: Path) -> None:
    link = seller.start_qr_link()
    png = seller.save_qr_png(link["link_id"], tmp_path / "qr.png")
    consent = phone.scan_png(png)
    assert (consent.kind, consent.name, consent.link_id) == ("official_link", "E2E Shop", link["link_id"])
    assert consent.username == "holder" and list(consent.permissions) == PERMISSIONS
    assert seller.link(link["link_id"])["consent_status"] == "scanned"
    answer = phone.authorize(consent)
    assert answer.state == "consented" and answer.link is not None and answer.link.open_id == holder.open_id
    assert seller.link(link["link_id"])["consent_status"] == "confirmed"
    linked = seller.accept_terms(link["link_id"])
    assert linked["state"] == "active" and linked["token"]["open_id"] == open_id_for(CLIENT_KEY, holder.open_id)
    official = seller.call("GET", f"/api/shops/{SHOP}/linked-accounts")["official"]
    assert official["open_id"] == holder.open_id and official["nickname"] == "E2E Shop"
    assert phone.me().account_type == "business"  # E1: the link upgraded the account


def test_denying_the_scanned_code_refuses_the_link(seller: Seller, phone: TikTokApp, shop: Any,
                                                  tmp_path: Path) -> None:
    link = seller.start_qr_link()
    answer = phone.deny(phone.scan_png(seller.save_qr_png(link["link_id"], tmp_path / "qr.png")))
    assert answer.state == "refused"
    assert [r["code"] for r in seller.link(link["link_id"])["refusals"]] == ["consent_denied"]


# --- Login Kit QR login --------------------------------------------------------------------------------------


def test_a_login_kit_qr_code_drawn_by_the_partner_is_scanned_authorized_and_confirmed(
        live_server: str, phone: TikTokApp, partner_app: Any, tmp_path: Path) -> None:
    qr = requests.post(f"{live_server}/v2/oauth/get_qrcode/", timeout=10, data={
        "client_key": CLIENT_KEY, "scope": "user.info.basic,user.info.profile,video.list", "state": "xyz"}).json()
    # The partner puts its own ticket in, then draws the QR code on its screen.
    scan_url = qr["scan_qrcode_url"].replace("client_ticket=tobefilled", "client_ticket=tv-ticket-1")
    consent = phone.scan_png(write_qr_png(tmp_path / "login.png", scan_url))
    assert (consent.kind, consent.name) == ("login_kit", "Partner App")
    assert consent.permissions == ("user.info.basic", "user.info.profile", "video.list")
    answer = phone.authorize(consent, ["user.info.profile"])
    assert answer.state == "confirmed" and answer.granted == ("user.info.basic", "user.info.profile")
    polled = requests.post(f"{live_server}/v2/oauth/check_qrcode/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": qr["token"]}).json()
    assert polled["status"] == "confirmed" and polled["client_ticket"] == "tv-ticket-1"
    token = requests.post(f"{live_server}/v2/oauth/token/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": polled["code"], "redirect_uri": QR_REDIRECT_URI}).json()
    assert token["open_id"] == open_id_for(CLIENT_KEY, phone.me().open_id)
    assert token["scope"] == "user.info.basic,user.info.profile"


def test_a_login_kit_cancel_makes_the_partner_see_access_denied(live_server: str, phone: TikTokApp,
                                                               partner_app: Any, tmp_path: Path) -> None:
    qr = requests.post(f"{live_server}/v2/oauth/get_qrcode/", timeout=10,
                       data={"client_key": CLIENT_KEY, "scope": "user.info.basic"}).json()
    scan_url = qr["scan_qrcode_url"].replace("client_ticket=tobefilled", "client_ticket=t")
    assert phone.deny(phone.scan_png(write_qr_png(tmp_path / "login.png", scan_url))).state == "cancelled"
    polled = requests.post(f"{live_server}/v2/oauth/check_qrcode/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": qr["token"]}).json()
    assert polled["error"] == "access_denied"


def test_the_app_lists_a_login_kit_app_and_removing_it_ends_the_partners_token(
        live_server: str, phone: TikTokApp, partner_app: Any, tmp_path: Path) -> None:
    qr = requests.post(f"{live_server}/v2/oauth/get_qrcode/", timeout=10,
                       data={"client_key": CLIENT_KEY, "scope": "user.info.basic"}).json()
    scan_url = qr["scan_qrcode_url"].replace("client_ticket=tobefilled", "client_ticket=t")
    phone.authorize(phone.scan_png(write_qr_png(tmp_path / "login.png", scan_url)), [])
    polled = requests.post(f"{live_server}/v2/oauth/check_qrcode/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": qr["token"]}).json()
    token = requests.post(f"{live_server}/v2/oauth/token/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": polled["code"], "redirect_uri": QR_REDIRECT_URI}).json()
    assert phone.authorized_apps() == [{"client_key": CLIENT_KEY, "name": "Partner App"}]
    phone.remove_app(CLIENT_KEY)
    info = requests.get(f"{live_server}/v2/user/info/?fields=open_id", timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.status_code == 401 and phone.authorized_apps() == []
    with pytest.raises(AppRefused) as refused:
        phone.remove_app(CLIENT_KEY)
    assert refused.value.code == "app_not_authorized"


# --- the Seller-app toggles, invitations, verification -------------------------------------------------------


def test_the_seller_app_request_is_answered_with_every_toggle_on(seller: Seller, phone: TikTokApp, shop: Any,
                                                                 holder: Any) -> None:
    link = seller.call("POST", f"/api/shops/{SHOP}/official-link",
                       json={"via": "app", "username": "holder", "agreed": True})
    request = phone.inbox().request(link["link_id"])
    assert request is not None and request.shop_name == "E2E Shop" and list(request.permissions) == PERMISSIONS
    answered = phone.answer_request(link["link_id"], request.permissions)
    assert answered.state == "consented" and answered.open_id == holder.open_id
    assert phone.inbox().requests == ()
    assert seller.accept_terms(link["link_id"])["state"] == "active"


def test_invitations_are_accepted_and_declined_in_the_inbox(seller: Seller, phone: TikTokApp, shop: Any,
                                                            holder: Any, world: WorldBuilder, live_server: str) -> None:
    sent = seller.call("POST", f"/api/shops/{SHOP}/marketing-invitations", json={"open_id": holder.open_id})
    [waiting] = phone.inbox().invitations
    assert waiting.invitation_id == sent["invitation_id"] and waiting.kind == "marketing"
    accepted = phone.accept(sent["invitation_id"])
    assert accepted.state == "accepted" and accepted.link_id
    marketing = seller.call("GET", f"/api/shops/{SHOP}/linked-accounts")["marketing"]
    assert [m["open_id"] for m in marketing] == [holder.open_id]
    other = holder_with_password(world, "other")
    declined_id = seller.call("POST", f"/api/shops/{SHOP}/marketing-invitations",
                              json={"open_id": other.open_id})["invitation_id"]
    assert phone_of(live_server, "other").decline(declined_id).state == "declined"
    assert seller.call("GET", f"/api/invitations/{declined_id}")["refusal"]["code"] == "invitation_declined"


def test_an_affiliate_invitation_is_accepted_in_the_inbox(phone: TikTokApp, shop: Any, holder: Any,
                                                          world: WorldBuilder) -> None:
    offer = world.service.invite_affiliate(SHOP, holder.open_id, "15")
    [waiting] = phone.inbox().affiliate_invitations
    assert waiting.commission_rate == "15.00"
    assert phone.accept(offer.invitation_id).state == "accepted"


def test_verification_started_in_the_app_ends_as_the_account_is_set_to(live_server: str, seller: Seller,
                                                                        shop: Any, world: WorldBuilder,
                                                                        tmp_path: Path) -> None:
    account = holder_with_password(world, "newbie", verification=Verification.UNVERIFIED)
    world.service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=timedelta(hours=1))
    app = phone_of(live_server, "newbie")
    started = app.start_verification()
    assert started.verification == "pending" and started.verification_due_at
    world.advance("1h")
    assert app.me().verification == "verified"
    link = seller.start_qr_link()
    assert app.authorize(app.scan_png(seller.save_qr_png(link["link_id"], tmp_path / "qr.png"))).state == "consented"


# --- a refusal of each rule group ----------------------------------------------------------------------------


def refused(call: Any) -> AppRefused:
    with pytest.raises(AppRefused) as raised:
        call()
    return raised.value


@pytest.mark.parametrize(("fields", "code", "rule"), [
    ({"verification": Verification.UNVERIFIED}, "identity_not_verified", "O5"),
    ({"region": "GB"}, "region_mismatch", "O4"),
    ({"birth_date": date(2010, 1, 1)}, "underage", "O7"),
])
def test_an_account_a_rule_forbids_is_refused_at_authorize(live_server: str, seller: Seller, shop: Any,
                                                           world: WorldBuilder, tmp_path: Path, fields: dict[str, Any],
                                                           code: str, rule: str) -> None:
    holder_with_password(world, "misfit", **fields)
    app = phone_of(live_server, "misfit")
    link = seller.start_qr_link()
    consent = app.scan_png(seller.save_qr_png(link["link_id"], tmp_path / "qr.png"))
    refusal = refused(lambda: app.authorize(consent))
    assert (refusal.code, refusal.status) == (code, 409) and rule in refusal.violations[0].rules
    assert [r["code"] for r in seller.link(link["link_id"])["refusals"]] == [code]


def test_an_old_qr_code_is_qr_expired(seller: Seller, phone: TikTokApp, shop: Any, world: WorldBuilder,
                                      tmp_path: Path) -> None:
    link = seller.start_qr_link()
    png = seller.save_qr_png(link["link_id"], tmp_path / "qr.png")
    world.advance("5m1s")
    refusal = refused(lambda: phone.scan_png(png))
    assert (refusal.code, refusal.status) == ("qr_expired", 410)


def test_a_used_qr_code_is_qr_already_used(seller: Seller, phone: TikTokApp, shop: Any, tmp_path: Path) -> None:
    link = seller.start_qr_link()
    png = seller.save_qr_png(link["link_id"], tmp_path / "qr.png")
    phone.authorize(phone.scan_png(png))
    assert refused(lambda: phone.scan_png(png)).code == "qr_already_used"


def test_the_seller_app_refusals(seller: Seller, phone: TikTokApp, shop: Any, world: WorldBuilder,
                                 live_server: str) -> None:
    link = seller.call("POST", f"/api/shops/{SHOP}/official-link",
                       json={"via": "app", "username": "holder", "agreed": True})
    refusal = refused(lambda: phone.answer_request(link["link_id"], PERMISSIONS[:2]))
    assert (refusal.code, refusal.status) == ("consent_incomplete", 409)
    holder_with_password(world, "other")
    refusal = refused(lambda: phone_of(live_server, "other").answer_request(link["link_id"], PERMISSIONS))
    assert (refusal.code, refusal.status) == ("account_mismatch", 403)
    assert seller.link(link["link_id"])["state"] == "pending_consent"  # still open for the named account


def test_an_invitation_accepted_after_seven_days_is_invitation_expired(seller: Seller, phone: TikTokApp,
                                                                       shop: Any, holder: Any,
                                                                       world: WorldBuilder) -> None:
    sent = seller.call("POST", f"/api/shops/{SHOP}/marketing-invitations", json={"open_id": holder.open_id})
    world.advance("7d")
    refusal = refused(lambda: phone.accept(sent["invitation_id"]))
    assert (refusal.code, refusal.status) == ("invitation_expired", 410) and "M5" in refusal.violations[0].rules


def test_without_signing_in_the_app_is_app_session_invalid(live_server: str) -> None:
    refusal = refused(TikTokApp(live_server).inbox)
    assert (refusal.code, refusal.status) == ("app_session_invalid", 401)


# --- the CLI, as a user runs it ------------------------------------------------------------------------------


class Terminal:
    """``linksim app ...`` commands, one session file, against the live server."""

    def __init__(self, base_url: str, state: Path) -> None:
        self.base_url = base_url
        self.state = state

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli.app, ["--url", self.base_url, "--state", str(self.state), *args])

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.output


def test_two_terminals_link_an_official_account_by_qr(live_server: str, seller: Seller, shop: Any, holder: Any,
                                                      tmp_path: Path) -> None:
    terminal = Terminal(live_server, tmp_path / "app-session.json")
    assert terminal.ok("sign-in", "holder", "--password", PASSWORD).startswith("signed in as @holder")
    assert terminal.ok("whoami").startswith("@holder (oid_holder): Holder Nick, personal account")
    link = seller.start_qr_link()
    png = seller.save_qr_png(link["link_id"], tmp_path / "qr.png")
    shown = terminal.ok("scan", "--png", str(png))
    assert shown.startswith("E2E Shop (shop_e2e) wants to link @holder as its official account")
    authorized = terminal.ok("scan", "--png", str(png), "--authorize")
    assert authorized.splitlines()[-1] == f"authorized: link {link['link_id']} is consented"
    assert seller.accept_terms(link["link_id"])["state"] == "active"
    assert terminal.ok("sign-out") == "signed out\n"
    assert terminal("whoami").exit_code == 1


def test_the_inbox_from_the_terminal(live_server: str, seller: Seller, shop: Any, holder: Any,
                                     tmp_path: Path) -> None:
    terminal = Terminal(live_server, tmp_path / "app-session.json")
    terminal.ok("sign-in", "holder", "--password", PASSWORD)
    assert terminal.ok("inbox") == "the inbox is empty\n"
    link = seller.call("POST", f"/api/shops/{SHOP}/official-link",
                       json={"via": "app", "username": "holder", "agreed": True})
    assert f"request {link['link_id']}: E2E Shop (shop_e2e)" in terminal.ok("inbox")
    refusal = terminal("request", link["link_id"], "--permission", "content")
    assert refusal.exit_code == 1 and refusal.stderr.startswith("consent_incomplete: ")
    assert terminal.ok("request", link["link_id"], "--all").startswith(f"link {link['link_id']}: consented")
    sent = seller.call("POST", f"/api/shops/{SHOP}/marketing-invitations", json={"open_id": holder.open_id})
    assert terminal.ok("--json", "inbox").count(sent["invitation_id"]) == 1
    assert "accepted, link lnk_" in terminal.ok("accept", sent["invitation_id"])
    refusal = terminal("decline", sent["invitation_id"])
    assert refusal.exit_code == 1 and "invitation_already_answered" in refusal.stderr


def test_verify_and_json_from_the_terminal(live_server: str, world: WorldBuilder, tmp_path: Path) -> None:
    holder_with_password(world, "newbie", verification=Verification.UNVERIFIED)
    terminal = Terminal(live_server, tmp_path / "app-session.json")
    terminal.ok("sign-in", "newbie", "--password", PASSWORD)
    assert json.loads(terminal.ok("--json", "verify"))["verification"] == "verified"


def test_a_server_that_is_not_there_exits_3(tmp_path: Path, no_sleep: NoSleep,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "TikTokApp", functools.partial(TikTokApp, sleep=no_sleep))
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(cli.app, ["--url", f"http://127.0.0.1:{port}", "--state", str(tmp_path / "s.json"),
                                          "--timeout", "2", "sign-in", "holder", "--password", "x"])
    assert result.exit_code == 3 and "cannot reach the server" in result.stderr
    assert no_sleep.waits == [0.5, 1.0, 2.0]  # tried again before giving up
