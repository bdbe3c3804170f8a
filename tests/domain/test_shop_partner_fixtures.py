"""Data files give TikTok Shop its parties: apps with their Shop side, sellers' and partners' sign-ins."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from auth_server import fixtures
from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopLogin
from auth_server.shop_partner.models import UserType
from auth_server.simulator import Simulator
from tests.conftest import START
from tests.domain.test_fixtures import MINIMAL
from tests.domain.test_fixtures import load

SHOP_SIDE = {"app_key": "6abc0def", "app_secret": "shop-secret-1", "service_id": "7310000000000000042",
             "redirect_url": "https://my.example/tiktok-shop/callback"}
APP = {"client_key": "my_key", "client_secret": "my_secret_123", "name": "My app",
       "redirect_uris": ["https://my.example/callback"]}


def with_app(**shop: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data["partner_apps"] = [{**APP, "shop": {**SHOP_SIDE, **shop}}]
    return data


def stored(sim: Simulator, cls: type, key: str) -> Any:
    with sim.store.unit_of_work() as repo:
        return repo.get(cls, key)


def test_an_apps_shop_side_loads_with_its_defaults() -> None:
    app = stored(load(with_app()), ShopApp, "6abc0def")
    assert (app.client_key, app.name, app.service_id) == ("my_key", "My app", "7310000000000000042")
    assert app.user_types == [int(UserType.SELLER)] and app.markets == [] and app.webhook_url is None
    assert app.authorization_duration == timedelta(days=365)


def test_an_apps_shop_side_takes_its_markets_user_types_and_duration() -> None:
    app = stored(load(with_app(markets=["us", "GB"], user_types=["creator", "partner"],
                               authorization_duration="90d", events=["LINK_ACTIVE"])), ShopApp, "6abc0def")
    assert app.markets == ["US", "GB"] and app.user_types == [1, 3]
    assert app.authorization_duration == timedelta(days=90) and app.events == ["LINK_ACTIVE"]


@pytest.mark.parametrize(("field", "value"), [
    ("user_types", ["merchant"]), ("events", ["LINK_EXPLODED"]), ("redirect_url", "not a url"),
    ("app_secret", "short"), ("markets", ["USA"]),
])
def test_a_bad_shop_field_is_named_and_nothing_loads(field: str, value: Any) -> None:
    with pytest.raises(fixtures.FixtureError, match=rf"partner_apps\[0\]\.shop\.{field}"):
        fixtures.validate(with_app(**{field: value}))


def test_two_apps_with_one_service_id_are_refused() -> None:
    data = with_app()
    data["partner_apps"].append({**APP, "client_key": "other", "shop": {**SHOP_SIDE, "app_key": "7other"}})
    with pytest.raises(fixtures.FixtureError, match="service_id 7310000000000000042 is used twice"):
        load(data)


def test_a_seller_with_an_email_signs_in_with_the_default_password() -> None:
    data = copy.deepcopy(MINIMAL)
    data["default_password"] = "pw-default"
    data["sellers"][0]["email"] = "Seller@S1.example"
    login = stored(load(data), ShopLogin, "seller@s1.example")
    assert (login.kind, login.party_id, login.name, login.region) == (LoginKind.SELLER, "s1", "S", "US")
    assert login.check_password("pw-default") and not login.check_password("wrong")


def test_a_seller_without_an_email_has_no_sign_in() -> None:
    sim = load(copy.deepcopy(MINIMAL))
    with sim.store.unit_of_work() as repo:
        assert repo.all_where(ShopLogin, order_by="email") == []


def test_a_partner_signs_in_with_its_own_password() -> None:
    data = copy.deepcopy(MINIMAL)
    data["partners"] = [{"id": "p1", "name": "Reach", "email": "p@reach.example", "region": "gb", "password": "pw1"}]
    login = stored(load(data), ShopLogin, "p@reach.example")
    assert (login.kind, login.region) == (LoginKind.PARTNER, "GB") and login.check_password("pw1")


def test_one_email_for_a_seller_and_a_partner_is_refused() -> None:
    data = copy.deepcopy(MINIMAL)
    data["sellers"][0].update(email="same@example.com", password="pw")
    data["partners"] = [{"id": "p1", "name": "Reach", "email": "same@example.com", "region": "US", "password": "pw"}]
    with pytest.raises(fixtures.FixtureError, match="same@example.com signs in twice"):
        load(data)


def test_the_demo_data_has_a_shop_app_and_sellers_who_sign_in() -> None:
    sim = Simulator.in_memory(start=START)
    fixtures.load(sim.service, fixtures.read(fixtures.DEMO), now=START)
    app = stored(sim, ShopApp, "6demo0linksim")
    assert app.client_key == "linksim_demo_key" and "seller.authorization.info" in app.scopes
    assert stored(sim, ShopLogin, "seller@acme.example").party_id == "seller_acme"
    assert stored(sim, ShopLogin, "partner@reach.example").kind is LoginKind.PARTNER


def grants_of(sim: Simulator, seller_id: str) -> list[Grant]:
    with sim.store.unit_of_work() as repo:
        found: list[Grant] = repo.all_where(Grant, order_by="granted_at", party_id=seller_id)
        return found


def test_a_seller_authorizes_an_app_at_start_for_its_shops_in_the_apps_markets() -> None:
    data = with_app()
    data["sellers"][0]["authorized_apps"] = ["6abc0def"]
    (grant,) = grants_of(load(data), "s1")
    assert (grant.app_key, grant.kind, grant.shop_ids, grant.region) == ("6abc0def", UserType.SELLER, ["shop1"], "US")
    assert grant.granted_at == START and grant.expires_at == START + timedelta(days=365)
    assert grant.active(START) and grant.name == "S"


def test_a_seller_authorizes_nothing_unless_the_file_says_so() -> None:
    assert grants_of(load(with_app()), "s1") == []


def test_authorizing_an_app_the_file_does_not_register_fails_the_load() -> None:
    data = with_app()
    data["sellers"][0]["authorized_apps"] = ["6nope"]
    with pytest.raises(fixtures.FixtureError, match="seller s1: authorized_apps names 6nope"):
        load(data)


def test_authorizing_an_app_that_serves_none_of_the_sellers_markets_fails_the_load() -> None:
    data = with_app(markets=["GB"])
    data["sellers"][0]["authorized_apps"] = ["6abc0def"]
    with pytest.raises(fixtures.FixtureError, match="seller s1: cannot authorize 6abc0def: .*serves shops in GB"):
        load(data)


def test_every_demo_seller_authorized_the_demo_app() -> None:
    sim = Simulator.in_memory(start=START)
    data = fixtures.read(fixtures.DEMO)
    fixtures.load(sim.service, data, now=START)
    for seller in data["sellers"]:
        assert [(g.app_key, g.active(START)) for g in grants_of(sim, seller["id"])] == [("6demo0linksim", True)]
