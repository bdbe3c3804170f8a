"""A partner's own test file, as written with linksim installed and nothing else: no conftest, no server.

tests/plugin/test_pytest_plugin.py runs it in a fresh pytest process (as test_partner.py), two xdist workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mobile_stub import AppRefused
from seller_client import SellerRefused

TINY_WORLD: dict[str, Any] = {
    "partner_apps": [{"client_key": "tiny_key", "client_secret": "tiny_secret", "name": "Tiny partner",
                      "redirect_uris": ["https://tiny.example/callback"], "scopes": ["user.info.basic"],
                      "shop": {"app_key": "tiny_shop_app", "app_secret": "tiny_shop_secret",
                               "service_id": "7300000000000000007", "redirect_url": "https://tiny.example/shop"}}],
    "sellers": [{"id": "seller_tiny", "name": "Tiny Ltd", "entity": "ENT-TINY", "authorized_apps": ["tiny_shop_app"],
                 "shops": [{"id": "shop_tiny", "name": "Tiny Shop", "region": "US"}]}],
}


def test_a_seller_links_the_official_account_by_qr_code(linksim_seller: Any, linksim_phone: Any) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    linksim_phone.sign_in("maya", "linksim-demo")
    consent = linksim_phone.scan(link.qr.scan_url)
    linksim_phone.authorize(consent)
    assert linksim_seller.wait_for_consent(link.link_id).consent_status == "confirmed"
    linked = linksim_seller.accept_terms(link.link_id)
    assert linked.state == "active" and linked.open_id == linksim_phone.me().open_id


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_every_test_gets_a_sandbox_of_its_own(linksim_sandbox: Any, linksim_server: Any, worker_id: str,
                                              attempt: int) -> None:
    # Each links maya as Acme Outdoor's official account: in a shared world, all but the first would be refused.
    seller, phone = linksim_sandbox.seller(), linksim_sandbox.phone("maya")
    assert seller.linked_accounts("shop_acme_us").official is None
    link = seller.start_official_link("shop_acme_us")
    phone.authorize(phone.scan(link.qr.scan_url))
    assert seller.accept_terms(link.link_id).state == "active"
    # Which server this xdist worker used, for the test that runs this file to compare.
    Path("servers").mkdir(exist_ok=True)
    Path("servers", f"{worker_id}-{attempt}-{os.getpid()}").write_text(linksim_server.url)


def test_a_qr_code_expires_once_the_clock_passes_five_minutes(linksim_seller: Any, linksim_phone: Any,
                                                              linksim_clock: Any) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    linksim_clock.advance("5m1s")
    linksim_phone.sign_in("maya", "linksim-demo")
    with pytest.raises(AppRefused) as refused:
        linksim_phone.scan(link.qr.scan_url)
    assert refused.value.code == "qr_expired"


@pytest.mark.linksim(fixtures=None)
def test_the_marker_can_start_an_empty_sandbox(linksim_seller: Any) -> None:
    with pytest.raises(SellerRefused) as refused:
        linksim_seller.start_official_link("shop_acme_us")
    assert refused.value.code == "invalid_client"  # not even the demo partner app is there


@pytest.mark.linksim(data=TINY_WORLD, start="2030-01-01T00:00:00Z")
def test_the_marker_can_load_data_and_set_the_start(linksim_sandbox: Any, linksim_clock: Any) -> None:
    assert linksim_clock.now().isoformat() == "2030-01-01T00:00:00+00:00"
    assert linksim_sandbox.seller("tiny_key", "tiny_secret").start_official_link("shop_tiny").shop_id == "shop_tiny"


@pytest.mark.linksim(fixture=None)
def test_a_misspelt_marker_option_is_an_error(linksim_sandbox: Any) -> None:
    raise AssertionError("the fixture should have refused the marker")
