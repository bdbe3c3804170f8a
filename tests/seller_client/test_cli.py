"""``linksim seller``: exit codes (0 done, 1 refused, 2 usage, 3 unreachable or broken, 4 gave up waiting),
the status line on stderr, and ``--json`` for every outcome; against a fake linksim."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
import requests
import responses
from click.testing import CliRunner
from click.testing import Result

from seller_client.cli import seller
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import FakeTime
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import link_json
from tests.seller_client.conftest import refusal_json

START_URL = f"{BASE}/api/shops/shop_1/official-link"
TOKEN = {"access_token": "act.linked", "expires_in": 86400, "open_id": "oid_1", "token_type": "Bearer",
         "scope": "user.info.basic,user.info.profile"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(seller, ["--url", BASE, *args], env=env)


def consented(link_id: str = "lnk_1") -> dict[str, Any]:
    return link_json(link_id, state="consented", consent_status="confirmed", open_id="oid_1")


def active(**fields: Any) -> dict[str, Any]:
    return link_json(**{"state": "active", "consent_status": "utilised", "open_id": "oid_1",
                        "activated_at": "2026-03-02T09:01:00+00:00", **fields})


def script_qr_link(fake: responses.RequestsMock, *statuses: str, link_id: str = "lnk_1") -> None:
    fake.post(START_URL, status=201, json=link_json(link_id))
    for status in statuses:
        body = consented(link_id) if status == "confirmed" else (
            link_json(link_id, state=status, consent_status=status) if status in ("expired", "refused")
            else link_json(link_id, consent_status=status))
        fake.get(f"{BASE}/api/links/{link_id}", json=body)


@pytest.fixture(autouse=True)
def _fast(fast_cli: FakeTime) -> None:
    """Every command's retries and polls sleep on the fake time."""


# --- link-official -----------------------------------------------------------------------------------------


def test_link_official_shows_the_code_then_new_scanned_confirmed_and_links(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "new", "scanned", "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", json={**active(), "token": TOKEN})
    result = run("link-official", "shop_1", "--interval", "0.01")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["status: new", "status: scanned", "status: confirmed", "status: active"]
    assert "▀" in result.stdout or "▄" in result.stdout  # the QR code, drawn in text
    assert f"open {BASE}/app/scan?token=lnk_1" in result.stdout
    assert "linked: oid_1 is the official account of shop_1 (link lnk_1)" in result.stdout


def test_link_official_json_is_one_document_with_the_token_and_no_status_line(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "new", "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", json={**active(), "token": TOKEN})
    result = run("--json", "link-official", "shop_1")
    assert result.exit_code == 0 and result.stderr == ""
    out = json.loads(result.stdout)
    assert out["state"] == "active" and out["token"]["access_token"] == "act.linked"


def test_an_expired_code_is_replaced_by_a_fresh_one_with_retries(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.post(START_URL, status=201, json=link_json("lnk_1"))
    fake.post(START_URL, status=201, json=link_json("lnk_2"))
    fake.get(f"{BASE}/api/links/lnk_1", json=link_json("lnk_1", state="expired", consent_status="expired"))
    fake.get(f"{BASE}/api/links/lnk_2", json=consented("lnk_2"))
    fake.post(f"{BASE}/api/links/lnk_2/terms", json=active())
    result = run("link-official", "shop_1", "--retries", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["status: expired", "the QR code expired; here is a fresh one (1 of 1)",
                                          "status: confirmed", "status: active"]
    assert "open http://linksim.test/app/scan?token=lnk_2" in result.stdout


def test_an_expired_code_without_retries_is_refused_qr_expired(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "new", "expired")
    result = run("link-official", "shop_1")
    assert result.exit_code == 1
    assert "qr_expired: The QR code expired at 2026-03-02T09:05:00+00:00" in result.stderr
    add_token(fake)
    script_qr_link(fake, "expired")
    refused = json.loads(run("--json", "link-official", "shop_1").stdout)["refused"]
    assert refused["code"] == "qr_expired"


def test_the_holder_cancelling_is_refused_with_consent_denied(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.post(START_URL, status=201, json=link_json())
    fake.get(f"{BASE}/api/links/lnk_1", json=link_json(state="refused", consent_status="refused", refusals=[
        {"code": "consent_denied", "message": "The account holder tapped Cancel."}]))
    result = run("link-official", "shop_1")
    assert result.exit_code == 1
    assert "consent_denied: The account holder tapped Cancel." in result.stderr


def test_a_rule_failing_at_the_terms_is_refused(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", status=409, json=refusal_json("region_mismatch", "Wrong region."))
    result = run("link-official", "shop_1")
    assert result.exit_code == 1 and "region_mismatch: Wrong region. [O1]" in result.stderr


def test_no_accept_terms_stops_once_the_holder_consented(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "confirmed")
    result = run("link-official", "shop_1", "--no-accept-terms")
    assert result.exit_code == 0
    assert "consented; link it with: linksim seller terms lnk_1" in result.stdout


def test_the_review_is_followed_until_the_link_is_active(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", json=link_json(
        state="pending_review", consent_status="utilised", review_due_at="2026-03-02T10:00:00+00:00"))
    fake.get(f"{BASE}/api/links/lnk_1", json=link_json(state="pending_review", consent_status="utilised",
                                                       review_due_at="2026-03-02T10:00:00+00:00"))
    fake.get(f"{BASE}/api/links/lnk_1", json=active())
    fake.get(f"{BASE}/api/links/lnk_1/token", json={"access_token": "act.seller", "expires_in": 86400,
                                                     "open_id": "oid_maya", "token_type": "Bearer"})
    result = run("link-official", "shop_1")  # the review made it active: the token is fetched (every mock is used)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-2:] == ["status: pending_review", "status: active"]
    assert result.stderr.count("status: pending_review") == 1  # shown once, however many polls saw it


def test_a_manual_review_ends_the_command_with_what_to_do(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", json=link_json(state="pending_review", consent_status="utilised"))
    result = run("link-official", "shop_1")
    assert result.exit_code == 0
    assert "waits for a manual review: linksim seller review lnk_1 approve|reject" in result.stdout


def test_a_rejected_review_is_refused(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "confirmed")
    fake.post(f"{BASE}/api/links/lnk_1/terms", json=link_json(
        state="refused", consent_status="utilised",
        refusals=[{"code": "review_rejected", "message": "The review rejected the link."}]))
    result = run("link-official", "shop_1")
    assert result.exit_code == 1 and "review_rejected: The review rejected the link." in result.stderr


def test_no_wait_prints_the_link_and_saves_the_images(fake: responses.RequestsMock, tmp_path: Any) -> None:
    add_token(fake)
    fake.post(START_URL, status=201, json=link_json())
    fake.get(f"{BASE}/api/links/lnk_1/qr.png", body=b"\x89PNG\r\n\x1a\nrest", content_type="image/png")
    fake.get(f"{BASE}/api/links/lnk_1/qr.svg", body=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    result = run("--json", "link-official", "shop_1", "--no-wait", "--png", str(png), "--svg", str(svg))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["qr"]["scan_url"] == f"{BASE}/app/scan?token=lnk_1"
    assert png.read_bytes().startswith(b"\x89PNG") and svg.read_bytes().startswith(b"<svg")


def test_the_seller_app_flow_names_the_account(fake: responses.RequestsMock) -> None:
    from responses import matchers

    add_token(fake)
    fake.post(START_URL, status=201, json=link_json(channel="app_toggle"),
              match=[matchers.json_params_matcher({"via": "app", "username": "maya", "agreed": True})])
    fake.get(f"{BASE}/api/links/lnk_1", json={**consented(), "channel": "app_toggle"})
    fake.post(f"{BASE}/api/links/lnk_1/terms", json=active(channel="app_toggle"))
    result = run("link-official", "shop_1", "--via", "app", "--username", "@maya")
    assert result.exit_code == 0, result.output
    assert "the request waits in the named account's app inbox" in result.stdout


def test_giving_up_waiting_exits_4(fake: responses.RequestsMock) -> None:
    add_token(fake)
    script_qr_link(fake, "new")
    result = run("link-official", "shop_1", "--wait-timeout", "0")
    assert result.exit_code == 4 and "gave up after 0s waiting for the holder's consent" in result.stderr


@pytest.mark.parametrize("args", [
    ["link-official", "shop_1", "--via", "app"],
    ["link-official", "shop_1", "--username", "maya"],
    ["link-official", "shop_1", "--via", "app", "--username", "maya", "--png", "x.png"],
    ["link-official", "shop_1", "--via", "sms"],
    ["review", "lnk_1", "maybe"],
    ["--timeout", "0", "link", "lnk_1"],
])
def test_bad_usage_exits_2(args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_a_url_that_is_not_http_exits_2() -> None:
    result = CliRunner().invoke(seller, ["--url", "ftp://x", "link", "lnk_1"])
    assert result.exit_code == 2 and "not a linksim URL" in result.stderr


# --- refusals and failures ---------------------------------------------------------------------------------


def test_a_refusal_prints_each_code_and_message_and_exits_1(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.post(START_URL, status=409, json=refusal_json("shop_not_active", "The shop is pending_approval.",
                                                       "shop_region_not_eligible"))
    result = run("link-official", "shop_1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["refused:", "  shop_not_active: The shop is pending_approval. [O1]",
                                          "  shop_region_not_eligible: shop_region_not_eligible. [O1]"]


def test_a_refusal_in_json_is_wrapped_in_refused(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/nope", status=404, json=refusal_json("link_not_found", "No link."))
    result = run("--json", "link", "nope")
    assert result.exit_code == 1
    refused = json.loads(result.stdout)["refused"]
    assert (refused["code"], refused["status"], refused["violations"][0]["code"]) == ("link_not_found", 404,
                                                                                      "link_not_found")


def test_an_unreachable_server_exits_3_after_the_retries(fake: responses.RequestsMock, fast_cli: FakeTime) -> None:
    for _ in range(4):
        fake.post(f"{BASE}/v2/oauth/token/", body=requests.ConnectionError("[Errno 111] Connection refused"))
    result = run("link", "lnk_1")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: cannot reach linksim at http://linksim.test: connection refused " \
                                    "(tried 4 times)"
    assert fast_cli.sleeps == [0.5, 1.0, 2.0]


def test_an_unreachable_server_in_json(fake: responses.RequestsMock) -> None:
    fake.post(f"{BASE}/v2/oauth/token/", body=requests.ConnectionError("[Errno 111] Connection refused"))
    result = run("--json", "--http-retries", "0", "link", "lnk_1")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["kind"] == "unreachable"


@pytest.mark.parametrize(("status", "body"), [(500, '{"code": "internal_error", "message": "boom"}'),
                                              (200, "<html>not json</html>")])
def test_a_broken_server_exits_3(fake: responses.RequestsMock, status: int, body: str) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/lnk_1", status=status, body=body)
    result = run("--json", "--http-retries", "0", "link", "lnk_1")
    assert result.exit_code == 3 and json.loads(result.stdout)["error"]["kind"] == "server_error"


def test_the_url_and_credentials_come_from_the_environment(fake: responses.RequestsMock) -> None:
    from responses import matchers

    fake.post("http://other.test/v2/oauth/token/", json={"access_token": "clt.x", "expires_in": 60},
              match=[matchers.urlencoded_params_matcher({"client_key": "k", "client_secret": "s",
                                                         "grant_type": "client_credentials"})])
    fake.get("http://other.test/api/links/lnk_1", json=link_json())
    result = CliRunner().invoke(seller, ["link", "lnk_1"], env={
        "LINKSIM_URL": "http://other.test", "LINKSIM_CLIENT_KEY": "k", "LINKSIM_CLIENT_SECRET": "s"})
    assert result.exit_code == 0, result.output


def test_json_is_inherited_from_a_parent_command(fake: responses.RequestsMock) -> None:
    """Once registered as ``linksim seller``, ``linksim --json seller ...`` prints JSON too."""

    class Parent:
        as_json = True

    @click.group()
    @click.pass_context
    def linksim(ctx: click.Context) -> None:
        ctx.obj = Parent()

    linksim.add_command(seller)
    add_token(fake)
    fake.get(f"{BASE}/api/links/lnk_1", json=link_json())
    result = CliRunner().invoke(linksim, ["seller", "--url", BASE, "link", "lnk_1"])
    assert json.loads(result.stdout)["link_id"] == "lnk_1"


# --- the other commands ------------------------------------------------------------------------------------


def test_linked_is_a_table(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/shops/shop_1/linked-accounts", json={"shop_id": "shop_1", "official": {
        "open_id": "oid_1", "username": "maya", "nickname": "Maya", "phone": "+1 *** 42",
        "bound_at": "2026-03-02T09:01:00+00:00", "state": "active", "link_id": "lnk_1"}, "marketing": [
        {"open_id": "oid_2", "username": "mona", "email": "mona@example.com", "bound_at": None,
         "state": "pending_review", "link_id": "lnk_2"}]})
    result = run("linked", "shop_1")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "  role       username  nickname  phone/email       bound at",
        "  ---------  --------  --------  ----------------  -------------------------",
        "  official   @maya     Maya      +1 *** 42         2026-03-02T09:01:00+00:00",
        "  marketing  @mona     -         mona@example.com  pending_review",
    ]


def test_criteria_not_met_lists_the_codes_and_exits_1(fake: responses.RequestsMock) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/accounts/search", json={"accounts": [
        {"open_id": "oid_9", "username": "mona", "nickname": "Mona", "avatar_url": None}]})
    fake.get(f"{BASE}/api/shops/shop_1/marketing-criteria", json={"eligible": False, "violations": [
        {"code": "marketing_slots_full", "message": "Four already.", "rules": ["M1"], "details": {}}]})
    result = run("criteria", "shop_1", "@mona")
    assert result.exit_code == 1
    assert "marketing_slots_full: Four already." in result.stderr
    assert fake.calls[2].request.params == {"open_id": "oid_9"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "method", "path", "answer", "expected"), [
    (["terms", "lnk_1"], "POST", "/api/links/lnk_1/terms", active(), "state: active"),
    (["review", "lnk_1", "approve"], "POST", "/api/links/lnk_1/review", active(), "state: active"),
    (["org-create", "shop_1", "acme_org", "--member", "a@x.test"], "POST", "/api/shops/shop_1/organization-accounts",
     active(channel="organization"), "via organization"),
    (["invite", "shop_1", "oid_2"], "POST", "/api/shops/shop_1/marketing-invitations",
     {"invitation_id": "inv_1", "shop_id": "shop_1", "open_id": "oid_2", "state": "pending",
      "expires_at": "2026-03-09T09:00:00+00:00"}, "expires: 2026-03-09T09:00:00+00:00"),
    (["invitation", "inv_1"], "GET", "/api/invitations/inv_1",
     {"invitation_id": "inv_1", "shop_id": "shop_1", "open_id": "oid_2", "state": "declined",
      "refusal": {"code": "invitation_declined", "message": "Declined."}}, "invitation_declined: Declined."),
    (["unlink", "shop_1", "oid_1"], "POST", "/api/shops/shop_1/unlink",
     active(state="unlinked", ended_at="2026-03-03T10:00:00+00:00"), "unlinked oid_1 from shop_1"),
    (["rename", "shop_1", "New Name"], "POST", "/api/shops/shop_1/name", {"shop_id": "shop_1", "name": "New Name"},
     "shop_1 is now called 'New Name'"),
    (["search", "Maya"], "GET", "/api/accounts/search",
     {"accounts": [{"open_id": "oid_1", "username": "maya", "nickname": "Maya"}]}, "oid_1    @maya     Maya"),
])
def test_each_command_prints_text_or_the_servers_json(fake: responses.RequestsMock, args: list[str], method: str,
                                                      path: str, answer: dict[str, Any], expected: str) -> None:
    add_token(fake)
    fake.add(method, f"{BASE}{path}", json=answer)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    fake.add(method, f"{BASE}{path}", json=answer)
    as_json = json.loads(run("--json", *args).stdout)
    assert as_json == answer
