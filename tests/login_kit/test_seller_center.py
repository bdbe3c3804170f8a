"""Seller Center in a browser, with the phone in a second browser: the whole QR flow a developer steps through."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of


@pytest.fixture
def shop(world):  # noqa: ANN001, ANN201
    return world.shop("shop_sc", name="Center Shop")


def test_a_developer_links_an_official_account_through_both_screens(app: Flask, shop, holder) -> None:  # noqa: ANN001
    seller = app.test_client()
    phone = Browser(app.test_client())

    assert 'href="/seller/shops/shop_sc/link-official"' in seller.get("/seller/shops/shop_sc").get_data(as_text=True)
    paths = seller.get("/seller/shops/shop_sc/link-official").get_data(as_text=True)
    started = seller.post("/seller/shops/shop_sc/official-link", data={"csrf_token": csrf_of(paths)})
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


def consented_link(sim, holder):  # noqa: ANN001, ANN201
    link = sim.service.start_official_link("shop_sc")
    sim.service.give_consent(link.link_id, holder.open_id)
    return link


def test_link_this_account_is_disabled_until_the_terms_are_ticked(app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    link = consented_link(sim, holder)
    page = app.test_client().get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    button = re.search(r'<button[^>]*data-testid="link-this-account"[^>]*>', page).group(0)  # type: ignore[union-attr]
    box = re.search(r'<input[^>]*data-testid="agree"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert 'data-enabled-by="agree"' in button and 'id="agree"' in box and " required" in box


def test_link_this_account_without_agreeing_shows_the_terms_again_with_the_message(
        app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    seller = app.test_client()
    link = consented_link(sim, holder)
    page = seller.get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    response = seller.post(f"/seller/links/{link.link_id}/terms", data={"csrf_token": csrf_of(page)})
    again = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'data-testid="terms-error" data-code="terms_not_accepted"' in again
    assert 'data-testid="link-this-account"' in again


def test_link_this_account_without_agreeing_leaves_the_link_waiting_for_the_terms(
        app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    seller = app.test_client()
    link = consented_link(sim, holder)
    page = seller.get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    seller.post(f"/seller/links/{link.link_id}/terms", data={"csrf_token": csrf_of(page)})
    assert sim.service.get_link(link.link_id).state.value == "consented"


def expired_qr_page(seller: FlaskClient, sim) -> tuple[str, str]:  # noqa: ANN001
    link = sim.service.start_official_link("shop_sc")
    sim.clock.advance("5m")
    return link.link_id, seller.get(f"/seller/links/{link.link_id}").get_data(as_text=True)


def test_an_expired_qr_code_says_when_it_expired_and_what_to_do(app: Flask, shop, sim) -> None:  # noqa: ANN001
    _, page = expired_qr_page(app.test_client(), sim)
    ended = re.search(r'data-testid="link-ended"[^>]*>(.*?)</div>', page, re.S).group(1)  # type: ignore[union-attr]
    assert 'data-code="qr_expired"' in page
    assert "This QR code expired at 2026-03-02 09:05 UTC" in " ".join(ended.split())
    assert "The link is expired:" not in page


def test_an_expired_qr_code_offers_a_fresh_code_for_the_same_shop(app: Flask, shop, sim) -> None:  # noqa: ANN001
    seller = app.test_client()
    old, page = expired_qr_page(seller, sim)
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testid="refresh-qr-form"', page)
    assert form and form.group(1) == "/seller/shops/shop_sc/official-link"
    fresh = seller.post(form.group(1), data={"csrf_token": csrf_of(page)}).headers["Location"]
    new = sim.service.get_link(fresh.rsplit("/", 1)[1])
    assert new.link_id != old and new.shop_id == "shop_sc" and new.state.value == "pending_consent"


def test_a_refused_link_names_each_reason(app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    link = sim.service.start_official_link("shop_sc")
    sim.service.give_consent(link.link_id, holder.open_id, authorize=False)
    page = app.test_client().get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    assert 'data-testid="link-ended"' in page and 'data-code="consent_denied"' in page


def test_the_shop_list_shows_every_shop(app: Flask, shop) -> None:  # noqa: ANN001
    page = app.test_client().get("/seller/").get_data(as_text=True)
    assert 'data-shop-id="shop_sc"' in page


def test_the_shop_list_shows_two_hundred_shops_at_most_and_finds_any_by_name_or_id(app: Flask, world) -> None:  # noqa: ANN001
    """A world of 10,000 shops has a shop list as quick as the demo's: the rest are found by the search."""
    for n in range(250):
        world.shop(f"shop_bulk_{n:03d}", name=f"Bulk Shop {n:03d}")
    http = app.test_client()

    listed = http.get("/seller/").get_data(as_text=True)
    found = http.get("/seller/?q=bulk shop 249").get_data(as_text=True)
    by_id = http.get("/seller/?q=SHOP_BULK_01").get_data(as_text=True)

    assert len(re.findall(r'data-testid="shop-row"', listed)) == 200
    assert re.search(r'data-testid="more-shops">And 50 more shops', listed)
    assert re.findall(r'data-shop-id="([^"]+)"', found) == ["shop_bulk_249"]
    assert len(re.findall(r'data-shop-id="shop_bulk_01\d"', by_id)) == 10


def test_an_unknown_shop_is_an_error_page(app: Flask) -> None:
    response = app.test_client().get("/seller/shops/nope")
    assert response.status_code == 404 and 'data-code="shop_not_found"' in response.get_data(as_text=True)


def test_a_waiting_link_page_follows_its_state_and_refreshes_without_a_script(app: Flask, shop, sim) -> None:  # noqa: ANN001
    link = sim.service.start_official_link("shop_sc")
    seller = app.test_client()
    page = seller.get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    assert f'data-follow-state="/seller/links/{link.link_id}/state"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page


def test_the_link_state_tells_a_scan_and_then_the_consent(app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    link = sim.service.start_official_link("shop_sc")
    seller = app.test_client()
    sim.service.scan(link.link_id, holder.open_id)
    assert seller.get(f"/seller/links/{link.link_id}/state").get_json() == {"state": "pending_consent",
                                                                            "consent_status": "scanned"}
    sim.service.give_consent(link.link_id, holder.open_id)
    assert seller.get(f"/seller/links/{link.link_id}/state").get_json()["state"] == "consented"


def test_a_link_waiting_for_the_terms_stops_following(app: Flask, shop, holder, sim) -> None:  # noqa: ANN001
    link = consented_link(sim, holder)
    page = app.test_client().get(f"/seller/links/{link.link_id}").get_data(as_text=True)
    assert "data-follow-state" not in page and "http-equiv" not in page
