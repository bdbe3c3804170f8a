"""Redaction: whatever the journal keeps has its secrets masked, wherever they sit, and tokens stay tellable apart."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from auth_server.control.redaction import MASK
from auth_server.control.redaction import hint
from auth_server.control.redaction import is_secret_name
from auth_server.control.redaction import redact
from auth_server.control.redaction import secrets_in

ACCESS_TOKEN = "act.3f9a1c2e4b5d6f708192a3b4c5d6e7f8AbCdEfGhIjKlMnOpQrStUvWx!1234"
REFRESH_TOKEN = "rft.0a1b2c3d4e5f60718293a4b5c6d7e8f9ZyXwVuTsRqPoNmLkJiHgFeDc!5678"
CLIENT_SECRET = "linksim_demo_secret"
OAUTH_CODE = "Xk3LmQ9pRt7VwZ2yB5nC8dF1gH4jK6sA0eU"
QR_TOKEN = "KJ3HGF56DS7A2QWE4RTY5UIO6PLK7JHG8FDS9A2Z"


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_hint_keeps_four_characters_and_a_fingerprint_anyone_holding_the_token_can_compute() -> None:
    fingerprint = hashlib.sha256(ACCESS_TOKEN.encode()).hexdigest()[:8]
    assert hint(ACCESS_TOKEN) == f"act.…#{fingerprint}"


def test_two_tokens_with_the_same_prefix_stay_tellable_apart() -> None:
    assert hint(ACCESS_TOKEN) != hint(ACCESS_TOKEN[:-1] + "9")


@pytest.mark.parametrize("secret", ["linksim-demo-password", "123456", "short"])
def test_what_people_choose_and_short_values_are_masked_whole(secret: str) -> None:
    assert redact({"password": secret, "passcode": secret}) == {"password": MASK, "passcode": MASK}


@pytest.mark.parametrize("name", ["client_secret", "code_verifier", "secret", "app_secret", "new_password",
                                  "X-Linksim-Control-Token", "control_token"])
def test_a_secret_someone_chose_is_masked_whole_with_no_hint_to_guess_it_from(name: str) -> None:
    assert redact({name: "a-long-but-weak-secret-2024"}) == {name: MASK}
    assert redact(f"{name}=a-long-but-weak-secret-2024&state=s1") == f"{name}={MASK}&state=s1"


@pytest.mark.parametrize("name", ["access_token", "refresh_token", "code", "qr_token", "t", "consent_id",
                                  "client_ticket", "token", "auth_code", "x-tts-access-token"])
def test_a_secret_linksim_mints_keeps_its_hint(name: str) -> None:
    assert redact({name: OAUTH_CODE}) == {name: hint(OAUTH_CODE)}


def test_basic_credentials_are_masked_whole_keeping_the_scheme() -> None:
    basic = "Basic " + base64.b64encode(f"linksim_demo_key:{CLIENT_SECRET}".encode()).decode()
    assert redact({"Authorization": basic}) == {"Authorization": f"Basic {MASK}"}


def test_a_chosen_value_is_masked_whole_under_a_name_that_would_keep_a_hint() -> None:
    control_token = "abcd-my-control-token"
    masked = redact({"Authorization": f"Bearer {control_token}", "token": control_token,
                     "note": f"sent {control_token} twice"}, chosen={control_token})
    assert masked == {"Authorization": f"Bearer {MASK}", "token": MASK, "note": f"sent {MASK} twice"}


@pytest.mark.parametrize("name", ["client_secret", "password", "passcode", "code", "code_verifier", "access_token",
                                  "refresh_token", "token", "client_ticket", "Authorization", "Cookie", "t",
                                  "qr_token", "X-Linksim-Control-Token", "new_password", "consent_id"])
def test_these_names_hold_secrets(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["client_key", "open_id", "link_id", "shop_id", "state", "token_type", "scope",
                                  "expires_in", "username"])
def test_these_names_do_not(name: str) -> None:
    assert not is_secret_name(name)


def test_secrets_are_masked_at_any_depth_of_json() -> None:
    body = {"outer": [{"inner": {"access_token": ACCESS_TOKEN, "open_id": "oid_maya"}}],
            "refresh_token": REFRESH_TOKEN}
    masked = redact(body)
    assert masked["outer"][0]["inner"] == {"access_token": hint(ACCESS_TOKEN), "open_id": "oid_maya"}
    assert masked["refresh_token"] == hint(REFRESH_TOKEN)
    assert ACCESS_TOKEN not in dump(masked) and REFRESH_TOKEN not in dump(masked)


def test_an_object_under_a_secret_name_is_read_by_its_own_keys() -> None:
    # A link's answer carries "token": {access_token, open_id, scope, ...}: only the secrets in it are masked.
    masked = redact({"token": {"access_token": ACCESS_TOKEN, "open_id": "oid_maya", "expires_in": 86400}})
    assert masked == {"token": {"access_token": hint(ACCESS_TOKEN), "open_id": "oid_maya", "expires_in": 86400}}


def test_a_form_body_is_masked_field_by_field() -> None:
    form = {"client_key": "linksim_demo_key", "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
            "code": OAUTH_CODE, "code_verifier": "v" * 43, "redirect_uri": "http://127.0.0.1:8080/callback/"}
    masked = redact(form)
    assert masked["client_key"] == "linksim_demo_key" and masked["grant_type"] == "authorization_code"
    assert masked["redirect_uri"] == form["redirect_uri"]
    assert masked["code"] == hint(OAUTH_CODE)
    assert masked["client_secret"] == masked["code_verifier"] == MASK


def test_a_query_string_is_masked_parameter_by_parameter() -> None:
    query = f"client_key=linksim_demo_key&qr_token={QR_TOKEN}&client_ticket=desk-ticket_42_long&state=xyz"
    assert redact(query) == (f"client_key=linksim_demo_key&qr_token={hint(QR_TOKEN)}"
                             f"&client_ticket={hint('desk-ticket_42_long')}&state=xyz")


def test_a_url_anywhere_in_text_has_its_secret_parameters_masked() -> None:
    masked = redact({"scan_url": f"http://localhost/app/scan?token={QR_TOKEN}",
                     "redirect_uri": f"http://127.0.0.1:8080/callback/?code={OAUTH_CODE}&state=s1",
                     "note": f"open aweme://authorize?client_key=k&qr_token={QR_TOKEN} in the app",
                     "qr": f"http://localhost/q?t={QR_TOKEN}"})
    assert QR_TOKEN not in dump(masked) and OAUTH_CODE not in dump(masked)
    assert masked["redirect_uri"] == f"http://127.0.0.1:8080/callback/?code={hint(OAUTH_CODE)}&state=s1"
    assert masked["note"].startswith("open aweme://authorize?client_key=k&qr_token=KJ3H…#")


def test_a_parameter_whose_name_only_ends_like_a_secret_name_is_kept() -> None:
    assert redact("scan_url=https://x.example/&shortcode=abc") == "scan_url=https://x.example/&shortcode=abc"


def test_headers_keep_their_scheme_and_each_cookies_name() -> None:
    masked = redact({"Authorization": f"Bearer {ACCESS_TOKEN}", "Content-Type": "application/json",
                     "Cookie": "session=abcdefghijklmnopqrstuvwxyz; theme=dark"})
    assert masked["Authorization"] == f"Bearer {hint(ACCESS_TOKEN)}"
    assert masked["Cookie"] == f"session={hint('abcdefghijklmnopqrstuvwxyz')}; theme={MASK}"
    assert masked["Content-Type"] == "application/json"


def test_a_refusal_code_is_no_secret_but_an_oauth_code_is() -> None:
    refusal = {"code": "qr_unreadable", "message": "...", "violations": [{"code": "qr_unreadable"}]}
    assert redact(refusal) == refusal
    assert redact({"status": "confirmed", "code": OAUTH_CODE})["code"] == hint(OAUTH_CODE)


def test_a_known_secret_is_masked_wherever_it_is_echoed() -> None:
    request_body = {"client_key": "k", "client_secret": CLIENT_SECRET}
    answer = {"error": "invalid_client", "error_description": f"no app has the secret {CLIENT_SECRET}"}
    known = secrets_in(request_body, answer)
    assert redact(answer, known=known)["error_description"] == f"no app has the secret {MASK}"


def test_the_secrets_in_a_request_include_the_credential_of_a_header_and_of_a_query() -> None:
    found = secrets_in({"Authorization": f"Bearer {ACCESS_TOKEN}"}, f"state=1&code={OAUTH_CODE}")
    assert {ACCESS_TOKEN, OAUTH_CODE} <= found and "state" not in found and "1" not in found


def test_masking_twice_changes_nothing() -> None:
    once = redact({"token": QR_TOKEN, "url": f"http://h/?token={QR_TOKEN}", "password": "pw-pw-pw"})
    assert redact(once) == once


def test_values_that_are_not_secrets_pass_through_untouched() -> None:
    body = {"open_id": "oid_maya", "count": 3, "ok": True, "token": None, "items": ["a", 1, None],
            "message": "a=b and c=d"}
    assert redact(body) == body
