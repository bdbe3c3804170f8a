"""TikTok Shop apps for tests: an app registered at runtime, its settings changed while the world runs, and an
authorization made in one call (/_sim/shop-apps, /_sim/shop-authorizations)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app

APP_KEY, APP_SECRET = "6demo0linksim", "linksim_demo_shop_secret"
RUNTIME_APP = {
    "client_key": "runtime_app", "client_secret": "runtime_secret", "redirect_uris": ["https://runtime.example/cb"],
    "shop": {"app_key": "7runtime0app", "app_secret": "runtime_shop_secret", "service_id": "7310000000000000999",
             "redirect_url": "https://runtime.example/shop/callback", "scopes": ["seller.authorization.info"],
             "markets": ["US"]},
}


class Demo:
    """A sandbox with the demo data, reached through a Flask test client."""

    def __init__(self, http: FlaskClient) -> None:
        self.http = http
        self.prefix = f"/sandboxes/{http.post('/_sim/sandboxes', json={'fixtures': 'demo'}).get_json()['id']}"

    def control(self, method: str, path: str, body: Any = None) -> Any:
        return self.http.open(f"{self.prefix}/_sim/{path}", method=method, json=body)

    def authorize(self, **body: Any) -> Any:
        return self.control("POST", "shop-authorizations", {"app_key": APP_KEY, **body})

    def change(self, app_key: str = APP_KEY, **settings: Any) -> Any:
        return self.control("POST", f"shop-apps/{app_key}", settings)

    def exchange(self, code: str, app_key: str = APP_KEY, app_secret: str = APP_SECRET) -> dict[str, Any]:
        answer = self.http.get(f"{self.prefix}/api/v2/token/get", query_string={
            "app_key": app_key, "app_secret": app_secret, "auth_code": code, "grant_type": "authorized_code"})
        return dict(answer.get_json())


@pytest.fixture
def demo() -> Demo:
    return Demo(create_app().test_client())


def field_of(answer: Any) -> str:
    return str(answer.get_json()["violations"][0]["details"]["field"])


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_shop_app_registered_at_runtime_is_authorized_and_its_code_exchanged(demo: Demo) -> None:
    assert demo.control("POST", "partner-apps", RUNTIME_APP).status_code == 201
    authorization = demo.authorize(app_key="7runtime0app", seller="seller_acme").get_json()
    token = demo.exchange(authorization["code"], "7runtime0app", "runtime_shop_secret")
    assert token["code"] == 0 and token["data"]["user_type"] == 0
    assert token["data"]["granted_scopes"] == ["seller.authorization.info"]


def test_a_sellers_authorization_answers_the_redirect_the_page_would_send(demo: Demo) -> None:
    answer = demo.authorize(seller="seller@acme.example", state="xyz")
    assert answer.status_code == 201
    authorization = answer.get_json()
    assert authorization["redirect_url"].startswith("http://127.0.0.1:8080/tiktok-shop/callback?")
    assert query_of(authorization["redirect_url"]) == {
        "code": [authorization["code"]], "state": ["xyz"], "app_key": [APP_KEY], "locale": ["en"],
        "shop_region": ["US"]}
    assert {shop["id"] for shop in authorization["shops"]} == {"shop_acme_us", "shop_acme_gb"}


def test_a_creators_authorization_sends_only_the_code_and_the_state(demo: Demo) -> None:
    authorization = demo.authorize(creator="cora", state="s1").get_json()
    assert query_of(authorization["redirect_url"]) == {"code": [authorization["code"]], "state": ["s1"]}
    assert demo.exchange(authorization["code"])["data"]["user_type"] == 1


def test_a_partners_authorization_is_exchanged_for_a_partner_token(demo: Demo) -> None:
    authorization = demo.authorize(partner="partner_reach").get_json()
    assert authorization["user_type"] == "partner" and "state" not in query_of(authorization["redirect_url"])
    assert demo.exchange(authorization["code"])["data"]["user_type"] == 3


def test_an_app_that_does_not_serve_creators_is_refused_as_the_page_would(demo: Demo) -> None:
    demo.change(user_types=["seller"])
    answer = demo.authorize(creator="cora")
    assert answer.status_code == 409 and answer.get_json()["code"] == "shop_authorization_refused"
    assert "does not serve creators" in answer.get_json()["message"]


def test_a_seller_with_no_shop_in_the_apps_markets_is_refused(demo: Demo) -> None:
    demo.change(markets=["JP"])
    answer = demo.authorize(seller="seller_acme")
    assert answer.get_json()["code"] == "shop_authorization_refused" and "JP" in answer.get_json()["message"]


def test_an_account_that_is_not_a_creator_is_refused(demo: Demo) -> None:
    answer = demo.authorize(creator="maya")
    assert answer.get_json()["code"] == "shop_authorization_refused" and "not a TikTok Shop creator" in \
        answer.get_json()["message"]


def test_an_unknown_app_is_not_found(demo: Demo) -> None:
    answer = demo.authorize(app_key="no_such_app", seller="seller_acme")
    assert answer.status_code == 404 and answer.get_json()["code"] == "shop_app_not_found"


def test_an_authorization_names_exactly_one_party(demo: Demo) -> None:
    answer = demo.authorize(seller="seller_acme", creator="cora")
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_input"


def test_an_unknown_seller_is_invalid_input_naming_the_field(demo: Demo) -> None:
    answer = demo.authorize(seller="seller_nobody")
    assert answer.status_code == 400 and field_of(answer) == "seller"


def test_a_shop_apps_webhook_url_and_events_change_while_the_world_runs(demo: Demo) -> None:
    changed = demo.change(webhook_url="http://127.0.0.1:9999/hooks", events=["LINK_ACTIVE"]).get_json()
    assert changed["webhook_url"] == "http://127.0.0.1:9999/hooks" and changed["events"] == ["LINK_ACTIVE"]
    assert demo.control("GET", f"shop-apps/{APP_KEY}").get_json()["webhook_url"] == "http://127.0.0.1:9999/hooks"
    assert demo.change(webhook_url=None).get_json()["webhook_url"] is None


def test_the_next_authorization_goes_to_a_changed_redirect_url(demo: Demo) -> None:
    demo.change(redirect_url="https://partner.example/shop/cb")
    assert demo.authorize(seller="seller_acme").get_json()["redirect_url"].startswith("https://partner.example/shop/cb?")


def test_a_changed_authorization_duration_ends_the_next_refresh_token_sooner(demo: Demo) -> None:
    assert demo.change(authorization_duration="90d").get_json()["authorization_duration"] == "90d"
    now = datetime.fromisoformat(demo.http.get(f"{demo.prefix}/_sim/clock").get_json()["now"])
    token = demo.exchange(demo.authorize(seller="seller_acme").get_json()["code"])
    assert token["data"]["refresh_token_expire_in"] == int((now + timedelta(days=90)).timestamp())


def test_a_bad_setting_is_refused_with_its_place_and_changes_nothing(demo: Demo) -> None:
    answer = demo.change(markets=["USA"], webhook_url="http://127.0.0.1:1/x")
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_input"
    assert field_of(answer) == "markets.0"
    assert demo.control("GET", f"shop-apps/{APP_KEY}").get_json()["webhook_url"] is None


def test_an_unknown_setting_is_refused_with_the_list_of_settings(demo: Demo) -> None:
    answer = demo.change(app_secret="a new secret")
    assert field_of(answer) == "app_secret" and "webhook_url" in answer.get_json()["message"]


def test_changing_an_unknown_app_is_not_found(demo: Demo) -> None:
    assert demo.change("no_such_app", events=[]).get_json()["code"] == "shop_app_not_found"


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\ufeff"])
def test_a_redirect_url_holding_a_control_character_is_refused(demo: Demo, character: str) -> None:
    answer = demo.change(redirect_url=f"https://partner.example/cb{character}")
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_input"
