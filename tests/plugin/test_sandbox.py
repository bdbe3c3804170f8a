"""The testing kit's sandbox client against the plugin's own server (these tests use the linksim_* fixtures that
the installed plugin gives every pytest run): controls, the clock, the clients it makes, refusals."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from linksim import ControlRefused
from linksim import LinksimError
from linksim import Sandbox
from linksim import SandboxClock
from linksim import World
from linksim.server import LiveServer
from linksim.server import Server
from mobile_stub import AppRefused
from mobile_stub import TikTokApp
from seller_client import SellerClient
from seller_client import SellerRefused
from seller_client import WaitTimeout

DEMO_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TINY_WORLD: dict[str, Any] = {
    "default_password": "pw-tiny",
    "partner_apps": [{"client_key": "tiny_key", "client_secret": "tiny_secret", "name": "Tiny partner",
                      "redirect_uris": ["https://tiny.example/callback"], "scopes": ["user.info.basic"],
                      "shop": {"app_key": "tiny_shop_app", "app_secret": "tiny_shop_secret",
                               "service_id": "7300000000000000007", "redirect_url": "https://tiny.example/shop"}}],
    "sellers": [{"id": "seller_tiny", "name": "Tiny Ltd", "entity": "ENT-TINY", "authorized_apps": ["tiny_shop_app"],
                 "shops": [{"id": "shop_tiny", "name": "Tiny Shop", "region": "US"}]}],
    "accounts": [{"username": "tina", "region": "US", "age": 30, "verification": "verified"}],
}


def qr_link(seller: SellerClient, phone: TikTokApp, shop_id: str = "shop_acme_us") -> str:
    link = seller.start_official_link(shop_id)
    phone.authorize(phone.scan(link.qr.scan_url if link.qr else ""))
    seller.wait_for_consent(link.link_id)
    return seller.accept_terms(link.link_id).state


# --- the sandbox the fixture makes ---------------------------------------------------------------------------


def test_the_sandbox_holds_the_demo_data_with_its_clock_frozen_at_the_demo_start(linksim_sandbox: Sandbox) -> None:
    assert linksim_sandbox.clock.now() == DEMO_START and linksim_sandbox.clock.frozen
    assert linksim_sandbox.base_url == f"{linksim_sandbox.server_url}/sandboxes/{linksim_sandbox.id}"


def test_a_whole_qr_link_runs_through_the_fixtures(linksim_seller: SellerClient, linksim_phone: TikTokApp) -> None:
    linksim_phone.sign_in("maya", "linksim-demo")
    assert qr_link(linksim_seller, linksim_phone) == "active"
    official = linksim_seller.linked_accounts("shop_acme_us").official
    assert official is not None and official.open_id == linksim_phone.me().open_id


def test_a_sandbox_used_in_a_with_block_is_deleted_at_its_end(linksim_server: Server) -> None:
    with linksim_server.sandbox(fixtures=None) as sandbox:
        sandbox.clock.now()
    with World(sandbox.base_url) as probe, pytest.raises(ControlRefused) as refused:
        probe.clock.now()
    assert (refused.value.code, refused.value.status) == ("sandbox_not_found", 404)


def test_a_sandbox_with_data_starts_at_the_start_it_is_given(linksim_server: Server) -> None:
    with linksim_server.sandbox(data=TINY_WORLD, start="2030-01-01T00:00:00Z") as sandbox:
        assert sandbox.clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
        assert sandbox.seller("tiny_key", "tiny_secret").start_official_link("shop_tiny").state == "pending_consent"


def test_a_start_the_data_would_override_is_an_error_not_a_surprise(linksim_server: Server) -> None:
    with pytest.raises(LinksimError, match="names its own start"):
        linksim_server.sandbox(start="2030-01-01T00:00:00Z")


# --- the controls ------------------------------------------------------------------------------------------


def test_the_clock_moves_forward_jumps_and_runs(linksim_clock: SandboxClock) -> None:
    assert linksim_clock.advance("25h") == DEMO_START + timedelta(hours=25)
    assert linksim_clock.advance(timedelta(minutes=90)) == DEMO_START + timedelta(hours=26, minutes=30)
    assert linksim_clock.set(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)  # no zone: UTC
    running_from = linksim_clock.unfreeze()
    assert not linksim_clock.frozen and linksim_clock.now() >= running_from
    linksim_clock.freeze()
    assert linksim_clock.frozen


def test_a_refused_control_raises_the_servers_code(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.clock.advance("a while")
    assert (refused.value.code, refused.value.status) == ("invalid_input", 400)
    assert "not a duration" in refused.value.message


def test_control_reaches_any_control_of_the_sandbox(linksim_sandbox: Sandbox) -> None:
    assert linksim_sandbox.control("POST", "/_sim/clock", {"advance": "1h"})["now"] == "2026-03-02T10:00:00+00:00"
    assert linksim_sandbox.control("GET", "clock")["now"] == "2026-03-02T10:00:00+00:00"


def test_reset_starts_the_sandbox_over(linksim_sandbox: Sandbox, linksim_seller: SellerClient) -> None:
    linksim_sandbox.clock.advance("3d")
    loaded = linksim_sandbox.reset(fixtures=None, data=TINY_WORLD)
    assert loaded["shops"] == 1
    with pytest.raises(SellerRefused) as refused:
        linksim_seller.start_official_link("shop_acme_us")  # the demo partner app is gone with the demo data
    assert refused.value.code == "invalid_client"


@pytest.mark.linksim(fixtures=None)
def test_parties_are_added_to_an_empty_sandbox(linksim_sandbox: Sandbox) -> None:
    assert linksim_sandbox.add_parties(TINY_WORLD)["accounts"] == 1
    phone = linksim_sandbox.phone("tina", "pw-tiny")
    assert phone.me().username == "tina"


# --- the clients never wait ----------------------------------------------------------------------------------


def test_the_sellers_wait_for_consent_counts_its_seconds_without_waiting_them(linksim_seller: SellerClient) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    started = time.monotonic()
    with pytest.raises(WaitTimeout):
        linksim_seller.wait_for_consent(link.link_id, interval=5, timeout=60)
    assert time.monotonic() - started < 5


def test_a_phone_signs_in_as_the_account_it_is_asked_for(linksim_sandbox: Sandbox) -> None:
    assert linksim_sandbox.phone("nora").me().username == "nora"
    with pytest.raises(AppRefused) as refused:
        linksim_sandbox.phone("nora", "wrong password")
    assert refused.value.code == "invalid_credentials"


# --- the server ------------------------------------------------------------------------------------------------


def test_a_live_server_answers_at_once_and_stops() -> None:
    server = LiveServer()
    with server:
        with server.sandbox(fixtures=None) as sandbox:
            assert sandbox.clock.frozen
    with pytest.raises(LinksimError, match="cannot reach linksim"):
        Sandbox.create(server.url, timeout=2)


# --- faults and the journal ------------------------------------------------------------------------------------


def test_an_injected_fault_hits_the_sandbox_until_its_times_are_used_up(linksim_sandbox: Sandbox,
                                                                        linksim_seller: SellerClient) -> None:
    rule = linksim_sandbox.inject_fault(method="POST", path="/api/shops/*/official-link",
                                        code="official_slot_taken", details={"holder": "@maya"}, times=1)
    with pytest.raises(SellerRefused) as refused:
        linksim_seller.start_official_link("shop_acme_us")
    assert refused.value.code == "official_slot_taken" and "@maya" in refused.value.message
    assert linksim_seller.start_official_link("shop_acme_us").state == "pending_consent"
    [listed] = linksim_sandbox.faults()
    assert (listed["id"], listed["hits"], listed["active"]) == (rule["id"], 1, False)


def test_a_retried_503_costs_the_seller_no_waiting(linksim_sandbox: Sandbox, linksim_seller: SellerClient) -> None:
    linksim_sandbox.inject_fault(path="/api/links/*", status=503, retry_after=30, times=2)
    link = linksim_seller.start_official_link("shop_acme_us")
    started = time.monotonic()
    assert linksim_seller.get_link(link.link_id).link_id == link.link_id  # the third try gets through
    assert time.monotonic() - started < 5


def test_clear_faults_lifts_every_rule(linksim_sandbox: Sandbox, linksim_seller: SellerClient) -> None:
    linksim_sandbox.inject_fault(path="*", status=500)
    linksim_sandbox.inject_fault(preset="app_silent")
    assert linksim_sandbox.clear_faults() == 2
    assert linksim_seller.start_official_link("shop_acme_us").state == "pending_consent"


def test_a_malformed_fault_rule_is_refused_with_the_field_it_names(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.inject_fault(path="*", statu=503)
    assert refused.value.code == "invalid_input" and "statu" in refused.value.message


def test_the_journal_shows_a_links_flow(linksim_sandbox: Sandbox, linksim_seller: SellerClient) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    entries = linksim_sandbox.journal(flow=link.link_id, kind="request")
    assert [(e["method"], e["path"]) for e in entries] == [("POST", "/api/shops/shop_acme_us/official-link")]


def test_force_takes_a_link_through_its_steps_as_the_holder(linksim_sandbox: Sandbox,
                                                              linksim_seller: SellerClient) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    steps = [linksim_sandbox.force(link.link_id, as_="maya")["action"] for _ in range(3)]
    assert steps == ["scan", "authorize", "accept_terms"]
    assert linksim_seller.get_link(link.link_id).state == "active"


def test_force_expire_ends_a_qr_code_now(linksim_sandbox: Sandbox, linksim_seller: SellerClient) -> None:
    link = linksim_seller.start_official_link("shop_acme_us")
    assert linksim_sandbox.force(link.link_id, "expire")["state"] == "expired"
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.force(link.link_id, "next", as_="maya")
    assert refused.value.code == "link_not_awaiting"


def test_settings_reproduce_a_troubleshooting_case_on_demand(linksim_sandbox: Sandbox,
                                                              linksim_seller: SellerClient) -> None:
    linksim_sandbox.account_settings("maya", app_fault="authorization_failed")
    phone = linksim_sandbox.phone("maya")
    consent = phone.scan(linksim_seller.start_official_link("shop_acme_us").qr.scan_url)  # type: ignore[union-attr]
    with pytest.raises(AppRefused) as refused:
        phone.authorize(consent)
    assert refused.value.code == "authorization_failed"


def test_a_shop_set_to_manual_review_keeps_its_link_pending(linksim_sandbox: Sandbox,
                                                            linksim_seller: SellerClient) -> None:
    assert linksim_sandbox.shop_settings("shop_acme_us", review="manual")["review_mode"] == "manual"
    phone = linksim_sandbox.phone("maya")
    assert qr_link(linksim_seller, phone) == "pending_review"


def test_parties_are_added_from_a_data_file(linksim_sandbox: Sandbox, tmp_path: Any) -> None:
    data_file = tmp_path / "more.yaml"
    data_file.write_text("accounts:\n  - {username: yuki, region: US, age: 30, password: yuki-pass}\n")
    assert linksim_sandbox.add_parties(data_file)["accounts"] == 1
    assert linksim_sandbox.phone("yuki", password="yuki-pass").me().username == "yuki"


def test_a_sandbox_starts_from_a_data_file(linksim_server: Server, tmp_path: Any) -> None:
    data_file = tmp_path / "tiny.json"
    data_file.write_text(__import__("json").dumps(TINY_WORLD))
    with linksim_server.sandbox(data=str(data_file)) as sandbox:
        assert sandbox.phone("tina", password="pw-tiny").me().username == "tina"


def test_a_broken_data_file_is_named_before_anything_is_sent(linksim_sandbox: Sandbox, tmp_path: Any) -> None:
    data_file = tmp_path / "broken.yaml"
    data_file.write_text("accounts: [{username: x}\n")
    with pytest.raises(LinksimError, match="broken.yaml"):
        linksim_sandbox.add_parties(data_file)
