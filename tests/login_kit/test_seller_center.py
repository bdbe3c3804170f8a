"""Seller Center in a browser, with the phone in a second browser: the whole QR flow a developer steps through."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of


@pytest.fixture
def shop(world):  # noqa: ANN001, ANN201
    return world.shop("shop_sc", name="Center Shop")


def test_a_developer_links_an_official_account_through_both_screens(app: Flask, shop, holder) -> None:  # noqa: ANN001
    seller = app.test_client()
    phone = Browser(app.test_client())

    shop_page = seller.get("/seller/shops/shop_sc").get_data(as_text=True)
    started = seller.post("/seller/shops/shop_sc/official-link", data={"csrf_token": csrf_of(shop_page)})
    link_url = started.headers["Location"]
    waiting = seller.get(link_url).get_data(as_text=True)
    assert 'data-consent-status="new"' in waiting and 'http-equiv="refresh"' in waiting
    assert seller.get(link_url + "/qr.svg").mimetype == "image/svg+xml"

    scan_url = urlsplit(re.search(r'href="([^"]+)" data-testid="scan-url"', waiting).group(1))  # type: ignore[union-attr]
    phone.sign_in()
    consent = phone.client.get(f"{scan_url.path}?{scan_url.query}".replace("&amp;", "&"))
    assert 'data-testid="scan-consent"' in consent.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', consent.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    phone.client.post("/app/scan", data={"token": token, "decision": "authorize",
                                         "csrf_token": csrf_of(consent.get_data(as_text=True))})

    terms = seller.get(link_url).get_data(as_text=True)
    assert 'data-testid="link-this-account"' in terms
    seller.post(link_url + "/terms", data={"agree": "yes", "csrf_token": csrf_of(terms)})
    assert 'data-state="active"' in seller.get(link_url).get_data(as_text=True)
    assert 'data-testid="official-username">@center_shop<' in seller.get("/seller/shops/shop_sc").get_data(as_text=True)


def test_link_this_account_without_agreeing_is_refused_on_a_page(app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    seller = app.test_client()
    link = sim.service.start_official_link("shop_sc")
    sim.service.give_consent(link.link_id, holder.open_id)
    page = seller.get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    response = seller.post(f"/seller/links/{link.link_id}/terms", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 403
    assert 'data-code="terms_not_accepted"' in response.get_data(as_text=True)


def test_the_shop_list_shows_every_shop(app: Flask, shop) -> None:  # noqa: ANN001
    page = app.test_client().get("/seller/").get_data(as_text=True)
    assert 'data-shop-id="shop_sc"' in page


def test_an_unknown_shop_is_an_error_page(app: Flask) -> None:
    response = app.test_client().get("/seller/shops/nope")
    assert response.status_code == 404 and 'data-code="shop_not_found"' in response.get_data(as_text=True)
