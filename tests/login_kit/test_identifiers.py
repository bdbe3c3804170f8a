"""Login Kit's identifiers as TikTok mints them: ``open_id`` opaque and per partner app, ``union_id`` per developer,
authorization codes with ``*`` and ``!`` (TIKTOK_WIRE 1.2, 1.3, 1.5)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.accounts import hash_secret
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.identifiers import union_id_for
from auth_server.oauth.models import PartnerApp
from auth_server.simulator import Simulator
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange
from tests.login_kit.conftest import redirect_params

SIBLING_KEY = "sibling_key"  # the same developer's second app
STRANGER_KEY = "stranger_key"  # another developer's app
DEVELOPER = "dev_partner"
UUID_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def apps(world: WorldBuilder, partner_app: PartnerApp) -> None:
    """The partner's app and a sibling, both of developer ``dev_partner``, and a stranger's app."""
    with world.sim.store.unit_of_work() as repo:
        repo.get(PartnerApp, CLIENT_KEY).developer = DEVELOPER
    for key, developer in ((SIBLING_KEY, DEVELOPER), (STRANGER_KEY, None)):
        world._add(PartnerApp(client_key=key, client_secret_hash=hash_secret(CLIENT_SECRET), name=key,
                              redirect_uris=[CALLBACK], developer=developer))


def tokens_of(browser: Browser, client_key: str) -> dict[str, Any]:
    code = browser.code(client_key=client_key, scope="user.info.basic")
    answer = browser.client.post("/v2/oauth/token/", data={
        "client_key": client_key, "client_secret": CLIENT_SECRET, "code": code,
        "grant_type": "authorization_code", "redirect_uri": CALLBACK}).get_json()
    assert "access_token" in answer, answer
    return dict(answer)


def ids_of(browser: Browser, access_token: str) -> dict[str, str]:
    response = browser.client.get("/v2/user/info/?fields=open_id,union_id",
                                  headers={"Authorization": f"Bearer {access_token}"})
    return dict(response.get_json()["data"]["user"])


def test_the_open_id_is_opaque_and_not_the_accounts_id(browser: Browser, holder: Any) -> None:
    browser.sign_in()
    open_id = tokens_of(browser, CLIENT_KEY)["open_id"]
    assert open_id != holder.open_id and holder.open_id not in open_id and UUID_SHAPE.match(open_id)


@pytest.mark.usefixtures("apps")
def test_each_partner_app_sees_its_own_open_id_of_the_same_account(browser: Browser, holder: Any) -> None:
    browser.sign_in()
    mine, sibling = tokens_of(browser, CLIENT_KEY), tokens_of(browser, SIBLING_KEY)
    assert mine["open_id"] != sibling["open_id"]
    assert mine["open_id"] == open_id_for(CLIENT_KEY, holder.open_id)


@pytest.mark.usefixtures("apps")
def test_the_union_id_is_one_per_developer(browser: Browser, holder: Any) -> None:
    browser.sign_in()
    mine = ids_of(browser, tokens_of(browser, CLIENT_KEY)["access_token"])
    sibling = ids_of(browser, tokens_of(browser, SIBLING_KEY)["access_token"])
    stranger = ids_of(browser, tokens_of(browser, STRANGER_KEY)["access_token"])
    assert mine["union_id"] == sibling["union_id"] == union_id_for(DEVELOPER, holder.open_id)
    assert stranger["union_id"] == union_id_for(STRANGER_KEY, holder.open_id) != mine["union_id"]
    assert mine["open_id"] != mine["union_id"]


def test_user_info_names_the_holder_by_the_open_id_of_the_token_answer(browser: Browser) -> None:
    browser.sign_in()
    answer = tokens_of(browser, CLIENT_KEY)
    assert ids_of(browser, answer["access_token"])["open_id"] == answer["open_id"]


def test_the_open_id_is_the_same_after_a_restart_with_another_secret_key(sim: Simulator, browser: Browser,
                                                                          holder: Any) -> None:
    browser.sign_in()
    before = tokens_of(browser, CLIENT_KEY)["open_id"]
    restarted = Browser(create_app(sim, ServerConfig(secret_key="another-key"), test_config={"TESTING": True})
                        .test_client())
    restarted.sign_in()
    assert tokens_of(restarted, CLIENT_KEY)["open_id"] == before


def test_an_authorization_code_holds_a_star_and_a_bang_percent_encoded_in_the_redirect(browser: Browser) -> None:
    browser.sign_in()
    response = browser.consent()
    code = redirect_params(response)["code"]
    assert "*" in code and "!" in code
    assert f"code={quote(code, safe='')}" in response.headers["Location"]


def test_the_token_endpoint_takes_the_decoded_code(browser: Browser) -> None:
    browser.sign_in()
    assert "access_token" in exchange(browser.client, browser.code()).get_json()


def test_a_code_sent_still_percent_encoded_is_refused_as_tiktok_would(browser: Browser) -> None:
    browser.sign_in()
    encoded = quote(browser.code(), safe="")
    body = exchange(browser.client, encoded).get_json()
    assert body["error"] == "invalid_grant"


def test_a_qr_login_code_holds_a_star_and_a_bang_percent_encoded_in_the_redirect_uri(
        client: FlaskClient, browser: Browser) -> None:
    from tests.login_kit.test_login_qr import Phone
    from tests.login_kit.test_login_qr import confirmed

    browser.sign_in()
    body = confirmed(client, Phone(browser))
    assert "*" in body["code"] and "!" in body["code"]
    assert f"code={quote(body['code'], safe='')}" in body["redirect_uri"]
