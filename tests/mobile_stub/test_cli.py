"""``linksim app ...`` against a mocked server: output, the session file, --json, and the exit codes."""

from __future__ import annotations

import functools
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner
from click.testing import Result
from PIL import Image
from responses import matchers

from mobile_stub import TikTokApp
from mobile_stub import cli
from mobile_stub import session
from tests.mobile_stub.conftest import BASE
from tests.mobile_stub.conftest import NoSleep
from tests.mobile_stub.conftest import write_qr_png
from tests.mobile_stub.test_app import CONFIRMED
from tests.mobile_stub.test_app import LINK
from tests.mobile_stub.test_app import LOGIN_KIT
from tests.mobile_stub.test_app import OFFICIAL
from tests.mobile_stub.test_app import SCAN_URL
from tests.mobile_stub.test_transport import ME
from tests.mobile_stub.test_transport import REFUSAL


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state" / "app-session.json"


def run(state: Path, *args: str, url: str | None = BASE, env: dict[str, str] | None = None) -> Result:
    options = ["--state", str(state)] + (["--url", url] if url else [])
    return CliRunner().invoke(cli.app, [*options, *args], env=env)


def signed_in(state: Path, url: str = BASE) -> None:
    session.save(state, session.SavedSession(url, "tok", "maya", "oid_maya"))


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch, no_sleep: NoSleep) -> None:
    """The commands' app waits for nothing between retries (and tells the test how long it would have)."""
    monkeypatch.setattr(cli, "TikTokApp", functools.partial(TikTokApp, sleep=no_sleep))


@responses.activate
def test_sign_in_saves_the_session_for_its_owner_only(state: Path) -> None:
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"token": "tok", "token_type": "Bearer", "account": ME})
    result = run(state, "sign-in", "maya", "--password", "pw")
    assert result.exit_code == 0, result.output
    assert result.output == "signed in as @maya (oid_maya) on http://linksim.test\n"
    assert session.load(state) == session.SavedSession(BASE, "tok", "maya", "oid_maya")
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


@responses.activate
def test_sign_in_asks_for_the_password_when_none_is_given(state: Path) -> None:
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"token": "tok", "token_type": "Bearer", "account": ME},
                   match=[matchers.json_params_matcher({"username": "maya", "password": "secret"})])
    result = CliRunner().invoke(cli.app, ["--state", str(state), "--url", BASE, "sign-in", "maya"], input="secret\n")
    assert result.exit_code == 0, result.output


@responses.activate
def test_a_passcode_sign_in_shows_the_code_the_simulator_sent(state: Path) -> None:
    responses.post(f"{BASE}/api/app/passcodes", status=201, json={"passcode": "654321"})
    responses.post(f"{BASE}/api/app/sessions", status=201, json={"token": "tok", "token_type": "Bearer", "account": ME},
                   match=[matchers.json_params_matcher({"username": "acme", "contact": "ops@acme",
                                                        "passcode": "654321"})])
    result = run(state, "sign-in", "acme", "--contact", "ops@acme")
    assert result.exit_code == 0, result.output
    assert "passcode 654321 sent to ops@acme" in result.output


def test_password_and_contact_together_are_a_usage_error(state: Path) -> None:
    result = run(state, "sign-in", "maya", "--password", "pw", "--contact", "ops@acme")
    assert result.exit_code == 2 and "not both" in result.output


@responses.activate
def test_a_refusal_prints_each_code_and_message_and_exits_1(state: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/verification", status=409, json=REFUSAL)
    result = run(state, "verify")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["identity_not_verified: The account has not passed identity verification.",
                                          "region_mismatch: The account's region is not the shop's."]


@responses.activate
def test_a_refusal_in_json_is_printed_whole(state: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/verification", status=409, json=REFUSAL)
    result = run(state, "--json", "verify")
    assert result.exit_code == 1
    refused = json.loads(result.stdout)["refused"]
    assert refused["code"] == "identity_not_verified" and refused["status"] == 409
    assert refused["violations"][0]["rules"] == ["O5", "M6"]


@responses.activate
def test_without_a_session_the_server_says_so_and_the_cli_says_what_to_do(state: Path) -> None:
    responses.get(f"{BASE}/api/app/me", status=401, json={"code": "app_session_invalid", "message": "Sign in."},
                  match=[matchers.header_matcher({"Accept": "application/json"})])
    result = run(state, "whoami")
    assert result.exit_code == 1
    assert "Authorization" not in responses.calls[0].request.headers
    assert result.stderr == "app_session_invalid: Sign in.\nSign in first: linksim app sign-in USERNAME\n"


@responses.activate
def test_an_unreachable_server_exits_3(state: Path, no_sleep: NoSleep) -> None:
    signed_in(state)
    responses.get(f"{BASE}/api/app/me", body=requests.ConnectionError("refused"))
    result = run(state, "whoami")
    assert result.exit_code == 3 and "cannot reach the server at http://linksim.test" in result.stderr
    assert len(responses.calls) == 4 and no_sleep.waits == [0.5, 1.0, 2.0]  # tried again, then gave up


@responses.activate
def test_a_malformed_answer_exits_3(state: Path) -> None:
    signed_in(state)
    responses.get(f"{BASE}/api/app/me", body="<html>a captive portal</html>")
    result = run(state, "whoami")
    assert result.exit_code == 3 and "not JSON" in result.stderr


@responses.activate
def test_whoami_and_json(state: Path) -> None:
    signed_in(state)
    responses.get(f"{BASE}/api/app/me", json={**ME, "verification": "pending",
                                              "verification_due_at": "2026-03-02T11:00:00+00:00"})
    result = run(state, "whoami")
    assert result.output == ("@maya (oid_maya): Maya, personal account, identity pending "
                             "(decided at 2026-03-02T11:00:00+00:00)\n")
    assert json.loads(run(state, "--json", "whoami").output)["username"] == "maya"


@responses.activate
def test_later_commands_go_to_the_server_signed_in_to(state: Path) -> None:
    signed_in(state, "http://elsewhere.test:9000")
    responses.get("http://elsewhere.test:9000/api/app/me", json=ME,
                  match=[matchers.header_matcher({"Authorization": "Bearer tok"})])
    assert run(state, "whoami", url=None).exit_code == 0
    # Another server named on purpose gets no token of the first one's.
    responses.get(f"{BASE}/api/app/me", status=401, json={"code": "app_session_invalid", "message": "Sign in."})
    assert run(state, "whoami").exit_code == 1
    assert "Authorization" not in responses.calls[-1].request.headers


@responses.activate
def test_the_server_comes_from_linksim_url(state: Path) -> None:
    responses.get("http://env.test/api/app/me", json=ME)
    assert run(state, "whoami", url=None, env={"LINKSIM_URL": "http://env.test"}).exit_code == 0


def test_sign_out_forgets_the_session(state: Path) -> None:
    signed_in(state)
    assert run(state, "sign-out").output == "signed out\n"
    assert not state.exists()
    assert run(state, "sign-out").output == "not signed in\n"


def test_a_damaged_session_file_counts_as_signed_out(state: Path) -> None:
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    assert session.load(state) is None
    state.write_text(json.dumps({"url": BASE}))
    assert session.load(state) is None


def test_the_session_file_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(session.STATE_ENV, str(tmp_path / "env.json"))
    assert session.state_path() == tmp_path / "env.json"
    assert session.state_path(tmp_path / "flag.json") == tmp_path / "flag.json"
    monkeypatch.delenv(session.STATE_ENV)
    assert session.state_path() == Path.home() / ".linksim" / "app-session.json"


# --- scanning ------------------------------------------------------------------------------------------------


@responses.activate
def test_scan_shows_the_consent_screen_by_default(state: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/scans", json=OFFICIAL)
    result = run(state, "scan", "--url", SCAN_URL)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Acme (shop_acme_us) wants to link @maya as its official account",
        "  permissions: profile_information, content, audience_data",
        "  expires at 2026-03-02T09:05:00+00:00",
    ]


@responses.activate
def test_scan_a_png_and_authorize_with_chosen_scopes(state: Path, tmp_path: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/scans", json=LOGIN_KIT,
                   match=[matchers.json_params_matcher({"scan_url": "aweme://authorize?qr_token=X"})])
    responses.post(f"{BASE}/api/app/consents/c2", json=CONFIRMED,
                   match=[matchers.json_params_matcher({"decision": "authorize", "scopes": ["user.info.basic"]})])
    png = write_qr_png(tmp_path / "qr.png", "aweme://authorize?qr_token=X")
    result = run(state, "scan", "--png", str(png), "--authorize", "--permission", "user.info.basic")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Partner App (partner_key) asks to sign in with @maya"
    assert result.output.splitlines()[-1] == "authorized: Partner App's QR code is confirmed, granted user.info.basic"


@responses.activate
def test_scan_and_deny_in_json(state: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/scans", json=OFFICIAL)
    refused_link = {**LINK, "state": "refused", "granted_permissions": []}
    responses.post(f"{BASE}/api/app/consents/c1", json={"kind": "official_link", "decision": "cancel",
                                                        "link": refused_link},
                   match=[matchers.json_params_matcher({"decision": "cancel"})])
    result = run(state, "--json", "scan", "--url", SCAN_URL, "--deny")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answer"]["link"]["state"] == "refused"


@pytest.mark.parametrize("args", [[], ["--url", "x", "--png", "y.png"]])
def test_scan_needs_one_qr_code(state: Path, args: list[str]) -> None:
    result = run(state, "scan", *args)
    assert result.exit_code == 2 and "--png FILE or as --url URL" in result.output


def test_a_picture_without_a_qr_code_exits_2(state: Path, tmp_path: Path) -> None:
    signed_in(state)
    Image.new("RGB", (120, 120), "white").save(tmp_path / "blank.png")
    result = run(state, "scan", "--png", str(tmp_path / "blank.png"))
    assert result.exit_code == 2 and "holds no QR code" in result.stderr
    result = run(state, "scan", "--png", str(tmp_path / "missing.png"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_a_server_url_that_is_no_url_exits_2(state: Path) -> None:
    result = run(state, "whoami", url="localhost:8765")
    assert result.exit_code == 2 and "http://" in result.stderr


# --- the inbox -----------------------------------------------------------------------------------------------


def inbox_answer() -> dict[str, Any]:
    shop = {"shop_id": "s1", "name": "Acme", "region": "US"}
    return {"requests": [{**LINK, "shop_id": "s1", "state": "pending_consent", "shop": shop,
                          "permissions": ["content", "audience_data"], "consent_expires_at": None}],
            "invitations": [{"invitation_id": "inv_1", "kind": "marketing", "shop_id": "s1", "shop": shop,
                             "state": "pending", "expires_at": "2026-03-09T09:00:00+00:00", "link_id": None}],
            "affiliate_invitations": [{"invitation_id": "aff_1", "kind": "affiliate", "shop_id": "s1", "shop": shop,
                                       "state": "pending", "expires_at": None, "commission_rate": "12.50"}]}


@responses.activate
def test_inbox_lists_everything_waiting(state: Path) -> None:
    signed_in(state)
    responses.get(f"{BASE}/api/app/inbox", json=inbox_answer())
    assert run(state, "inbox").output.splitlines() == [
        "request lnk_1: Acme (s1) asks to link this account as its official account; turn on content, audience_data",
        "invitation inv_1: Acme (s1), marketing account invitation: pending (until 2026-03-09T09:00:00+00:00)",
        "invitation aff_1: Acme (s1), affiliate invitation at 12.50% commission: pending",
    ]
    responses.get(f"{BASE}/api/app/inbox", json={"requests": [], "invitations": [], "affiliate_invitations": []})
    assert run(state, "inbox").output == "the inbox is empty\n"


@responses.activate
def test_request_with_all_turns_on_every_toggle_shown(state: Path) -> None:
    signed_in(state)
    responses.get(f"{BASE}/api/app/inbox", json=inbox_answer())
    responses.post(f"{BASE}/api/app/requests/lnk_1", json={"decision": "continue", "link": LINK},
                   match=[matchers.json_params_matcher({"decision": "continue",
                                                        "permissions": ["content", "audience_data"]})])
    result = run(state, "request", "lnk_1", "--permission", "content", "--all")
    assert result.exit_code == 0, result.output
    assert result.output == "link lnk_1: consented (granted profile_information)\n"


@responses.activate
def test_request_cancel(state: Path) -> None:
    signed_in(state)
    responses.post(f"{BASE}/api/app/requests/lnk_1", json={"decision": "cancel", "link": {**LINK, "state": "refused"}},
                   match=[matchers.json_params_matcher({"decision": "cancel", "permissions": []})])
    assert run(state, "request", "lnk_1", "--cancel").exit_code == 0


@responses.activate
def test_accept_and_decline(state: Path) -> None:
    signed_in(state)
    invitation = {"invitation_id": "inv_1", "kind": "marketing", "shop_id": "s1", "shop": {"name": "Acme"},
                  "state": "accepted", "expires_at": None, "link_id": "lnk_7"}
    responses.post(f"{BASE}/api/app/invitations/inv_1", json=invitation,
                   match=[matchers.json_params_matcher({"decision": "accept"})])
    responses.post(f"{BASE}/api/app/invitations/inv_2", json={**invitation, "invitation_id": "inv_2",
                                                              "state": "declined", "link_id": None},
                   match=[matchers.json_params_matcher({"decision": "decline"})])
    assert run(state, "accept", "inv_1").output == (
        "invitation inv_1: Acme (s1), marketing account invitation: accepted, link lnk_7\n")
    assert run(state, "decline", "inv_2").output == (
        "invitation inv_2: Acme (s1), marketing account invitation: declined\n")
