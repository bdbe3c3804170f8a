"""Deauthorization: the seller removes the app in Seller Center, the creator in the app; the tokens stop at once."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import ROW_SELLER
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages


def remove_in_seller_center(pages: ShopPages) -> Any:
    listing = pages.get("/seller/apps").get_data(as_text=True)
    action = re.search(r'action="(/seller/apps/[^"]+/remove)"', listing)
    assert action, listing
    return pages.post_form(action.group(1), {}, page="/seller/apps")


def remove_in_the_app(pages: ShopPages) -> Any:
    listing = pages.get("/app/shop-apps").get_data(as_text=True)
    action = re.search(r'action="(/app/shop-apps/[^"]+/remove)"', listing)
    assert action, listing
    return pages.post_form(action.group(1), {}, page="/app/shop-apps")


def test_seller_center_lists_the_authorized_app(pages: ShopPages, seller_tokens: dict[str, Any]) -> None:
    assert f'data-app-key="{APP_KEY}"' in pages.get("/seller/apps").get_data(as_text=True)


def test_removing_the_app_in_seller_center_stops_its_token_at_once_with_105001(
        pages: ShopPages, api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    removed = remove_in_seller_center(pages)
    assert removed.status_code == 302
    answer = api.shops(seller_tokens["access_token"]).get_json()
    assert answer["code"] == 105001
    assert "deauthorized" in answer["message"]


def test_removing_the_app_in_seller_center_refuses_the_refresh_token(
        pages: ShopPages, api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    remove_in_seller_center(pages)
    assert api.refresh(seller_tokens["refresh_token"])["code"] == 36004004


def test_a_removed_app_leaves_seller_centers_list(pages: ShopPages, seller_tokens: dict[str, Any]) -> None:
    remove_in_seller_center(pages)
    assert f'data-app-key="{APP_KEY}"' not in pages.get("/seller/apps").get_data(as_text=True)


def test_removing_an_app_twice_is_a_clear_error_page(pages: ShopPages, seller_tokens: dict[str, Any]) -> None:
    listing = pages.get("/seller/apps").get_data(as_text=True)
    action = re.search(r'action="(/seller/apps/[^"]+/remove)"', listing)
    assert action
    pages.post_form(action.group(1), {}, page="/seller/apps")
    again = pages.post_form(action.group(1), {}, page="/seller/sign-in")  # the list has no form left
    assert again.status_code == 404


def test_a_code_issued_before_the_removal_is_refused(pages: ShopPages, api: ShopApi,
                                                     seller_tokens: dict[str, Any]) -> None:
    code = pages.seller_code()
    remove_in_seller_center(pages)
    assert api.token(code)["code"] == 36004004


def test_authorizing_again_after_removal_works(pages: ShopPages, api: ShopApi, seller_tokens: dict[str, Any]) -> None:
    remove_in_seller_center(pages)
    renewed = api.token(pages.seller_code())["data"]
    assert api.shops(renewed["access_token"]).get_json()["code"] == 0


def test_a_creator_removing_the_app_stops_its_token_at_once_with_105001(
        pages: ShopPages, api: ShopApi, creator_tokens: dict[str, Any]) -> None:
    removed = remove_in_the_app(pages)
    assert removed.status_code == 302
    assert api.shops(creator_tokens["access_token"]).get_json()["code"] == 105001


def test_a_creator_removing_the_app_refuses_the_refresh_token(
        pages: ShopPages, api: ShopApi, creator_tokens: dict[str, Any]) -> None:
    remove_in_the_app(pages)
    assert api.refresh(creator_tokens["refresh_token"])["code"] == 36004004


def test_another_seller_cannot_remove_the_authorization(pages: ShopPages, api: ShopApi, client: FlaskClient,
                                                       seller_tokens: dict[str, Any]) -> None:
    action = re.search(r'action="(/seller/apps/[^"]+/remove)"', pages.get("/seller/apps").get_data(as_text=True))
    assert action
    intruder = ShopPages(client.application.test_client())
    intruder.sign_in_seller(ROW_SELLER)
    assert intruder.post_form(action.group(1), {}, page="/seller/sign-in").status_code == 404
    assert api.shops(seller_tokens["access_token"]).get_json()["code"] == 0
