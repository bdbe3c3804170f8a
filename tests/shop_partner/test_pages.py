"""The authorization pages (shared/TIKTOK_WIRE.md 3.1, 3.2): who gets which form, and the redirect back."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from tests.shop_partner.conftest import APP_KEY
from tests.shop_partner.conftest import OTHER_APP_KEY
from tests.shop_partner.conftest import OUTSIDE_SELLER
from tests.shop_partner.conftest import PARTNER
from tests.shop_partner.conftest import REDIRECT_URL
from tests.shop_partner.conftest import ROW_SELLER
from tests.shop_partner.conftest import SERVICE_ID
from tests.shop_partner.conftest import ShopApi
from tests.shop_partner.conftest import ShopPages
from tests.shop_partner.conftest import creator_url
from tests.shop_partner.conftest import redirect_params
from tests.shop_partner.conftest import seller_url
from tests.shop_partner.conftest import shop_app


def authorized(pages: ShopPages, url: str, decision: str = "authorize") -> Any:
    response = pages.decide(url, decision)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_an_unsigned_seller_is_sent_to_seller_center_sign_in_and_back(pages: ShopPages) -> None:
    response = pages.get(seller_url(state="s"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/seller/sign-in?")
    assert "kind=seller" in response.headers["Location"]
    signed = pages.post_form("/seller/sign-in", {"login": "seller@acme.example", "password": "linksim-demo",
                                                 "next": seller_url(state="s")})
    assert signed.headers["Location"] == seller_url(state="s")


def test_a_wrong_seller_password_is_a_clear_sign_in_refusal(pages: ShopPages) -> None:
    response = pages.sign_in_seller(password="wrong")
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_the_seller_form_names_the_app_the_seller_and_the_shops_it_reaches(pages: ShopPages) -> None:
    pages.sign_in_seller()
    page = pages.get(seller_url(state="s")).get_data(as_text=True)
    assert "linksim demo shop app" in page and "Acme Outdoor Ltd" in page
    assert 'data-shop-id="shop_acme_us"' in page and 'data-shop-id="shop_acme_gb"' in page
    assert "seller.authorization.info" in page


@pytest.mark.parametrize("host", ["services.us.tiktokshop.com", "services.tiktokshops.us", "services.tiktokshop.com"])
def test_the_seller_hosts_give_the_seller_form_on_the_same_path(client: FlaskClient, host: str) -> None:
    pages = ShopPages(client, base_url=f"http://{host}")
    pages.sign_in_seller()
    page = pages.get(seller_url(state="s"))
    assert page.status_code == 200
    assert "TikTok Shop seller data" in page.get_data(as_text=True)


@pytest.mark.parametrize("host", ["partner.tiktokshop.com", "partner.us.tiktokshop.com"])
def test_the_partner_hosts_ask_a_partner_to_sign_in(client: FlaskClient, host: str) -> None:
    pages = ShopPages(client, base_url=f"http://{host}")
    response = pages.get(seller_url(state="s"))
    assert response.status_code == 302
    assert "kind=partner" in response.headers["Location"]


def test_the_partner_host_gives_a_signed_in_partner_the_partner_form(client: FlaskClient) -> None:
    pages = ShopPages(client, base_url="http://partner.tiktokshop.com")
    pages.sign_in_seller(PARTNER, kind="partner")
    page = pages.get(seller_url(state="s"))
    assert page.status_code == 200
    assert "TikTok Shop partner data" in page.get_data(as_text=True)


def test_a_partner_gets_a_code_with_user_type_3(client: FlaskClient, clock: ManualClock) -> None:
    pages = ShopPages(client, base_url="http://partner.tiktokshop.com")
    pages.sign_in_seller(PARTNER, kind="partner")
    code = redirect_params(authorized(pages, seller_url()))["code"]
    assert ShopApi(client, clock).token(code)["data"]["user_type"] == 3


def test_the_seller_redirect_carries_code_state_app_key_locale_and_shop_region(pages: ShopPages) -> None:
    pages.sign_in_seller()
    response = authorized(pages, seller_url(state="s1"))
    assert response.headers["Location"].startswith(REDIRECT_URL + "?")
    params = redirect_params(response)
    assert set(params) == {"code", "state", "app_key", "locale", "shop_region"}
    assert (params["state"], params["app_key"], params["locale"], params["shop_region"]) == ("s1", APP_KEY, "en", "US")


def test_a_us_sellers_code_starts_ttp(pages: ShopPages) -> None:
    assert pages.seller_code().startswith("TTP_")


def test_a_sellers_code_outside_the_us_starts_row(pages: ShopPages) -> None:
    assert pages.seller_code(ROW_SELLER).startswith("ROW_")


def test_an_install_without_state_redirects_without_state(pages: ShopPages) -> None:
    pages.sign_in_seller()
    params = redirect_params(authorized(pages, seller_url()))
    assert "state" not in params and params["code"]


def test_the_legacy_form_by_app_key_authorizes_the_seller(pages: ShopPages) -> None:
    pages.sign_in_seller()
    params = redirect_params(authorized(pages, f"/oauth/authorize?app_key={APP_KEY}&state=legacy"))
    assert params["state"] == "legacy" and params["code"].startswith("TTP_")


def test_a_rejection_redirects_with_error_access_denied_and_code_null(pages: ShopPages) -> None:
    pages.sign_in_seller()
    response = authorized(pages, seller_url(state="no"), decision="reject")
    location = response.headers["Location"]
    assert location == REDIRECT_URL + "?error=access_denied&code=null&state=no"


def test_a_rejection_redirects_with_code_null_and_error_auth_denied_when_so_set(shop_sim: Simulator) -> None:
    pages = ShopPages(shop_app(shop_sim, shop_rejection_error="auth_denied").test_client())
    pages.sign_in_seller()
    response = authorized(pages, seller_url(state="no"), decision="reject")
    assert response.headers["Location"] == REDIRECT_URL + "?code=null&error=auth_denied&state=no"


def test_a_seller_without_a_shop_in_the_apps_markets_gets_a_clear_error_page(pages: ShopPages) -> None:
    pages.sign_in_seller(OUTSIDE_SELLER)
    response = pages.get(seller_url(state="s"))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'data-code="authorization_refused"' in page and "KR" in page


def test_an_unknown_service_id_is_a_clear_error_page(pages: ShopPages) -> None:
    pages.sign_in_seller()
    response = pages.get(seller_url("999", state="s"))
    assert response.status_code == 404
    assert 'data-code="app_not_found"' in response.get_data(as_text=True)


def test_a_form_without_service_id_is_a_clear_error_page(pages: ShopPages) -> None:
    response = pages.get("/open/authorize")
    assert response.status_code == 404
    assert 'data-code="app_not_found"' in response.get_data(as_text=True)


def test_a_seller_posting_without_the_csrf_token_is_refused(pages: ShopPages) -> None:
    pages.sign_in_seller()
    response = pages.client.post(seller_url(state="s"), data={"decision": "authorize"})
    assert response.status_code == 400


def test_re_authorizing_renews_the_one_authorization(pages: ShopPages, api: ShopApi) -> None:
    first = api.token(pages.seller_code())["data"]
    second = api.token(pages.seller_code())["data"]
    assert first["open_id"] == second["open_id"]
    apps = pages.get("/seller/apps").get_data(as_text=True)
    assert apps.count(f'data-app-key="{APP_KEY}"') == 1


def test_the_creator_form_needs_a_state(pages: ShopPages) -> None:
    pages.sign_in_creator()
    response = pages.get(creator_url())
    assert response.status_code == 400
    assert 'data-code="state_required"' in response.get_data(as_text=True)


def test_an_unsigned_creator_is_sent_to_the_apps_sign_in(pages: ShopPages) -> None:
    response = pages.get(creator_url(state="c"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/app/sign-in?")


def test_the_creator_redirect_carries_code_and_state(pages: ShopPages) -> None:
    pages.sign_in_creator()
    response = authorized(pages, creator_url(state="c1"))
    params = redirect_params(response)
    assert set(params) <= {"code", "state", "app_key"}
    assert params["state"] == "c1" and params["code"][:4] in ("ROW_", "TTP_")


def test_a_creator_rejection_redirects_with_the_error(pages: ShopPages) -> None:
    pages.sign_in_creator()
    params = redirect_params(authorized(pages, creator_url(state="c1"), decision="reject"))
    assert (params["error"], params["code"], params["state"]) == ("access_denied", "null", "c1")


def test_an_account_that_is_not_a_creator_gets_a_clear_error_page(pages: ShopPages) -> None:
    pages.sign_in_creator("cal")
    response = pages.get(creator_url(state="c"))
    assert response.status_code == 403
    assert "Affiliate Center" in response.get_data(as_text=True)


def test_an_app_that_does_not_serve_creators_gets_a_clear_error_page(pages: ShopPages) -> None:
    pages.sign_in_creator()
    response = pages.get(creator_url(OTHER_APP_KEY, state="c"))
    assert response.status_code == 403
    assert "does not serve creators" in response.get_data(as_text=True)


def test_an_app_that_does_not_serve_partners_gets_a_clear_error_page(client: FlaskClient) -> None:
    pages = ShopPages(client, base_url="http://partner.tiktokshop.com")
    pages.sign_in_seller(PARTNER, kind="partner")
    response = pages.get(seller_url("7310000000000000002", state="s"))
    assert response.status_code == 403
    assert "does not serve partners" in response.get_data(as_text=True)


def test_an_unknown_app_key_on_the_creator_form_is_a_clear_error_page(pages: ShopPages) -> None:
    response = pages.get(creator_url("nobody", state="c"))
    assert response.status_code == 404


def test_the_pages_work_inside_a_sandbox(client: FlaskClient) -> None:
    sandbox = client.post("/_sim/sandboxes", json={"fixtures": "demo"}).get_json()["id"]
    pages = ShopPages(client, prefix=f"/sandboxes/{sandbox}")
    response = pages.get(seller_url(state="s"))
    assert response.headers["Location"].startswith(f"/sandboxes/{sandbox}/seller/sign-in?")
    assert pages.seller_code().startswith("TTP_")


def test_the_service_id_is_not_the_app_key(pages: ShopPages) -> None:
    pages.sign_in_seller()
    assert pages.get(seller_url(APP_KEY, state="s")).status_code == 404
    assert pages.get(f"/oauth/authorize?app_key={SERVICE_ID}").status_code == 404
