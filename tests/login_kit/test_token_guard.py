"""The token guard (auth_server.web.guard): one reading of the bearer token, and each credential kept to its API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask import jsonify

from auth_server.web import guard
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange


@pytest.fixture
def guarded(app: Flask) -> Flask:
    """The app with a route that takes a user token granted ``user.info.stats``, as a future API would."""

    def stats() -> Any:
        token = guard.require_user_token(scope="user.info.stats")
        return jsonify({"open_id": token.open_id})

    app.add_url_rule("/v2/test/stats/", view_func=stats)
    return app


def user_token(browser: Browser, scopes: list[str]) -> str:
    browser.sign_in()
    return str(exchange(browser.client, browser.code(scope=",".join(scopes))).get_json()["access_token"])


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER  abc ", "abc"), ("Bearer ", ""),
    ("Basic abc", None), ("Bearerabc", None), ("", None),
])
def test_the_bearer_scheme_is_read_case_blind_and_the_token_trimmed(app: Flask, header: str,
                                                                     token: str | None) -> None:
    with app.test_request_context(headers={"Authorization": header} if header else {}):
        assert guard.bearer_token() == token


def test_no_blueprint_reads_a_bearer_token_but_the_guard() -> None:
    web = Path(guard.__file__).parent
    readers = [path.relative_to(web).as_posix() for path in sorted(web.rglob("*.py"))
               if re.search(r"""request\.headers(\.get\(|\[)["']Authorization["']""", path.read_text(encoding="utf-8"))]
    assert readers == ["guard.py"]


def test_a_user_token_without_the_scope_a_route_needs_is_refused_in_tiktoks_shape(guarded: Flask,
                                                                                  browser: Browser) -> None:
    token = user_token(browser, ["user.info.basic"])
    response = browser.client.get("/v2/test/stats/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401  # TIKTOK_WIRE 1.5: scope_not_authorized is a 401
    body = response.get_json()
    assert body["data"] == {} and body["error"]["code"] == "scope_not_authorized" and body["error"]["log_id"]


def test_a_user_token_granted_the_scope_passes(guarded: Flask, browser: Browser, holder: Any) -> None:
    token = user_token(browser, ["user.info.basic", "user.info.stats"])
    response = browser.client.get("/v2/test/stats/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json() == {"open_id": holder.open_id}


def test_a_partner_apps_client_token_is_no_user_token(guarded: Flask, browser: Browser) -> None:
    client_token = browser.client.post("/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials",
    }).get_json()["access_token"]
    response = browser.client.get("/v2/test/stats/", headers={"Authorization": f"Bearer {client_token}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "access_token_invalid"
