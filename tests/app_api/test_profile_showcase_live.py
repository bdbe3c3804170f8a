"""The holder's profile (E3), renaming (E2), the Affiliate Center and the showcase (M8, E5), and LIVE (M10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.app_api.conftest import SHOP
from tests.app_api.conftest import another_holder
from tests.app_api.conftest import refusal
from tests.app_api.conftest import sign_in
from tests.conftest import WorldBuilder

BAG_DELAY = timedelta(hours=24)


def profile(client: FlaskClient, phone: dict[str, str]) -> dict[str, Any]:
    response = client.get("/api/app/profile", headers=phone)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def add(client: FlaskClient, phone: dict[str, str], product_id: Any) -> Any:
    return client.post("/api/app/showcase", json={"product_id": product_id}, headers=phone)


def go_live(client: FlaskClient, phone: dict[str, str], **body: Any) -> Any:
    return client.post("/api/app/live", json=body, headers=phone)


# --- the profile (E3) ----------------------------------------------------------------------------------------


def test_an_unlinked_account_has_no_storefront(client: FlaskClient, phone) -> None:  # noqa: ANN001
    body = profile(client, phone)
    assert body["username"] == "holder" and body["storefronts"] == [] and body["showcase"] == []


def test_an_official_link_gives_a_shop_page_with_the_catalogue_and_every_sales_channel(
        client: FlaskClient, phone, shop, holder, world: WorldBuilder) -> None:  # noqa: ANN001
    world.product(shop, "prod_b", marketplace=True)
    world.product(shop, "prod_a")
    world.link_official(shop, holder)
    [page] = profile(client, phone)["storefronts"]
    assert (page["shop_id"], page["role"], page["storefront"]) == (SHOP, "official", "shop_page")
    assert page["sales_channels"] == ["video", "live", "shop_page"]
    assert page["shop_design"] is True and page["products_synced_automatically"] is True
    assert [p["product_id"] for p in page["catalogue"]] == ["prod_a", "prod_b"]  # in the order of their ids


def test_a_marketing_link_gives_a_showcase_without_the_catalogue(client: FlaskClient, phone, shop, holder,  # noqa: ANN001
                                                                 world: WorldBuilder) -> None:
    world.product(shop, "prod_a")
    world.link_marketing(shop, holder)
    [showcase] = profile(client, phone)["storefronts"]
    assert (showcase["storefront"], showcase["sales_channels"]) == ("showcase", ["video", "live", "showcase"])
    assert showcase["catalogue"] == [] and showcase["products_synced_automatically"] is False


def test_the_shopping_bag_is_hidden_one_second_before_the_shops_delay(client: FlaskClient, phone, holder,  # noqa: ANN001
                                                                      world: WorldBuilder) -> None:
    world.link_official(world.shop(SHOP, shopping_bag_delay=BAG_DELAY), holder)
    world.advance("23h59m59s")
    [page] = profile(client, phone)["storefronts"]
    assert page["shopping_bag_visible"] is False
    assert page["shopping_bag_visible_from"] == "2026-03-03T09:00:00+00:00"


def test_the_shopping_bag_shows_once_the_shops_delay_has_passed(client: FlaskClient, phone, holder,  # noqa: ANN001
                                                                world: WorldBuilder) -> None:
    world.link_official(world.shop(SHOP, shopping_bag_delay=BAG_DELAY), holder)
    world.advance("24h")
    [page] = profile(client, phone)["storefronts"]
    assert page["shopping_bag_visible"] is True


def test_an_unlink_removes_the_shop_page(client: FlaskClient, phone, shop, holder, world: WorldBuilder) -> None:  # noqa: ANN001
    world.link_official(shop, holder)
    world.advance("24h")
    world.service.unlink(SHOP, holder.open_id)
    body = profile(client, phone)
    assert body["storefronts"] == [] and body["account_type"] == "business"


# --- renaming (E2) -------------------------------------------------------------------------------------------


def test_the_holder_renames_the_account(client: FlaskClient, phone) -> None:  # noqa: ANN001
    response = client.patch("/api/app/me", json={"username": "@New.Name", "nickname": "New Nick"}, headers=phone)
    assert response.status_code == 200
    assert (response.get_json()["username"], response.get_json()["nickname"]) == ("new.name", "New Nick")
    assert client.get("/api/app/me", headers=phone).get_json()["nickname"] == "New Nick"


def test_an_official_accounts_name_is_locked(client: FlaskClient, phone, shop, holder, world: WorldBuilder) -> None:  # noqa: ANN001
    world.link_official(shop, holder)
    body = refusal(client.patch("/api/app/me", json={"nickname": "My Own Name"}, headers=phone), 409,
                   "official_name_locked")
    assert "E2" in body["violations"][0]["rules"]
    assert client.get("/api/app/me", headers=phone).get_json()["nickname"] == "App Shop"


def test_a_username_someone_has_is_username_taken(client: FlaskClient, phone, world: WorldBuilder) -> None:  # noqa: ANN001
    another_holder(world, "taken")
    refusal(client.patch("/api/app/me", json={"username": "taken"}, headers=phone), 409, "username_taken")


@pytest.mark.parametrize("body", [{}, {"username": None}, {"username": "x"}, {"username": 42}, {"nickname": " "},
                                  {"nickname": ["a"]}])
def test_a_rename_without_a_good_name_is_invalid_input(client: FlaskClient, phone, body: dict[str, Any]) -> None:  # noqa: ANN001
    refusal(client.patch("/api/app/me", json=body, headers=phone), 400, "invalid_input")


# --- the Affiliate Center and the showcase (M8, E5) ----------------------------------------------------------


def test_signing_up_at_the_affiliate_center_shows_on_the_account(client: FlaskClient, phone) -> None:  # noqa: ANN001
    assert client.get("/api/app/me", headers=phone).get_json()["affiliate_signed_up"] is False
    response = client.post("/api/app/affiliate", headers=phone)
    assert response.status_code == 200 and response.get_json()["affiliate_signed_up"] is True


def test_a_marketplace_product_needs_the_affiliate_center_sign_up(client: FlaskClient, phone, shop,  # noqa: ANN001
                                                                  world: WorldBuilder) -> None:
    world.product(shop, "prod_market", marketplace=True)
    refusal(add(client, phone, "prod_market"), 409, "affiliate_signup_required")
    client.post("/api/app/affiliate", headers=phone)
    response = add(client, phone, "prod_market")
    assert response.status_code == 201
    assert response.get_json() == {"product_id": "prod_market", "source": "marketplace",
                                   "added_at": "2026-03-02T09:00:00+00:00"}


def test_a_product_outside_the_marketplace_of_a_shop_not_linked_is_product_not_available(
        client: FlaskClient, phone, shop, world: WorldBuilder) -> None:  # noqa: ANN001
    world.product(shop, "prod_private")
    client.post("/api/app/affiliate", headers=phone)
    refusal(add(client, phone, "prod_private"), 409, "product_not_available")


def test_a_marketing_account_adds_its_shops_product_by_hand(client: FlaskClient, phone, shop, holder,  # noqa: ANN001
                                                            world: WorldBuilder) -> None:
    world.product(shop, "prod_own")
    world.link_marketing(shop, holder)
    assert add(client, phone, "prod_own").get_json()["source"] == "own_shop"
    listed = client.get("/api/app/showcase", headers=phone).get_json()
    assert [(i["product_id"], i["source"]) for i in listed["items"]] == [("prod_own", "own_shop")]
    assert profile(client, phone)["showcase"] == ["prod_own"]


def test_an_accepted_affiliate_invitation_lets_the_account_show_that_shops_products(
        client: FlaskClient, phone, shop, holder, world: WorldBuilder) -> None:  # noqa: ANN001
    world.product(shop, "prod_offered")
    offer = world.service.invite_affiliate(SHOP, holder.open_id, "10")
    client.post(f"/api/app/invitations/{offer.invitation_id}", json={"decision": "accept"}, headers=phone)
    assert add(client, phone, "prod_offered").get_json()["source"] == "affiliate_invitation"


def test_an_official_account_cannot_show_marketplace_products(client: FlaskClient, phone, shop, holder,  # noqa: ANN001
                                                              world: WorldBuilder) -> None:
    elsewhere = world.shop("shop_elsewhere")
    world.product(elsewhere, "prod_market", marketplace=True)
    world.link_official(shop, holder)
    client.post("/api/app/affiliate", headers=phone)
    refusal(add(client, phone, "prod_market"), 409, "official_account_no_affiliate_products")
    assert client.get("/api/app/showcase", headers=phone).get_json() == {"items": []}


def test_a_product_added_twice_is_shown_once(client: FlaskClient, phone, shop, holder, world: WorldBuilder) -> None:  # noqa: ANN001
    world.product(shop, "prod_own")
    world.link_marketing(shop, holder)
    add(client, phone, "prod_own")
    assert add(client, phone, "prod_own").status_code == 201
    assert len(client.get("/api/app/showcase", headers=phone).get_json()["items"]) == 1


def test_an_unknown_product_is_product_not_found(client: FlaskClient, phone) -> None:  # noqa: ANN001
    refusal(add(client, phone, "prod_nope"), 404, "product_not_found")


@pytest.mark.parametrize("product_id", [None, "", 7, ["prod"], "../prod", "p" * 65])
def test_a_bad_product_id_is_invalid_input(client: FlaskClient, phone, product_id: Any) -> None:  # noqa: ANN001
    refusal(add(client, phone, product_id), 400, "invalid_input")


# --- LIVE (M10) ----------------------------------------------------------------------------------------------


def test_the_holder_goes_live_and_ends_it(client: FlaskClient, phone, holder) -> None:  # noqa: ANN001
    started = go_live(client, phone)
    assert started.status_code == 201
    assert started.get_json() == {"open_id": holder.open_id, "live": True, "started_at": "2026-03-02T09:00:00+00:00",
                                  "mirror_of": None}
    ended = client.delete("/api/app/live", headers=phone)
    assert ended.status_code == 200 and ended.get_json() == {"open_id": holder.open_id, "live": False}


def _owned_accounts_live(world: WorldBuilder, client: FlaskClient, *, market: str, region: str) -> dict[str, str]:
    """A shop's official account LIVE; answers the phone of the shop's marketing account."""
    shop = world.shop("shop_live", market=market, region=region)
    official = another_holder(world, "official", region=region)
    marketing = another_holder(world, "marketer", region=region)
    official_phone = sign_in(client, "official")  # before the link renames the account after the shop (E2)
    world.link_official(shop, official)
    world.link_marketing(shop, marketing)
    assert go_live(client, official_phone).status_code == 201
    return sign_in(client, "marketer")


def test_mirroring_the_official_accounts_live_is_refused_in_tokopedia(client: FlaskClient,  # noqa: ANN001
                                                                      world: WorldBuilder) -> None:
    marketer = _owned_accounts_live(world, client, market="tokopedia", region="ID")
    body = refusal(go_live(client, marketer, mirror_of="oid_official"), 409, "live_mirroring_not_allowed")
    assert "M10" in body["violations"][0]["rules"]
    assert go_live(client, marketer).get_json()["mirror_of"] is None  # a LIVE of its own is allowed


def test_mirroring_the_official_accounts_live_is_allowed_in_the_global_market(client: FlaskClient,  # noqa: ANN001
                                                                              world: WorldBuilder) -> None:
    marketer = _owned_accounts_live(world, client, market="global", region="US")
    started = go_live(client, marketer, mirror_of="oid_official")
    assert started.status_code == 201 and started.get_json()["mirror_of"] == "oid_official"


def test_mirroring_an_unknown_account_is_account_not_found(client: FlaskClient, phone) -> None:  # noqa: ANN001
    refusal(go_live(client, phone, mirror_of="oid_nobody"), 404, "account_not_found")


@pytest.mark.parametrize("mirror_of", ["", 42, {"open_id": "oid_x"}, "oid_holder"])
def test_a_bad_or_own_mirror_of_is_invalid_input(client: FlaskClient, phone, mirror_of: Any) -> None:  # noqa: ANN001
    refusal(go_live(client, phone, mirror_of=mirror_of), 400, "invalid_input")


# --- sessions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/app/profile"), ("PATCH", "/api/app/me"),
                                              ("POST", "/api/app/affiliate"), ("GET", "/api/app/showcase"),
                                              ("POST", "/api/app/showcase"), ("POST", "/api/app/live"),
                                              ("DELETE", "/api/app/live")])
def test_every_route_needs_a_session(client: FlaskClient, method: str, path: str) -> None:
    refusal(client.open(path, method=method, json={}), 401, "app_session_invalid")
