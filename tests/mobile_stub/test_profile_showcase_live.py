"""The app stub's profile, renaming, Affiliate Center, showcase and LIVE, against a real linksim server on a
loopback port (E2, E3, E5, M8, M10)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from mobile_stub import AppRefused
from mobile_stub import MalformedAnswer
from mobile_stub import TikTokApp
from tests.conftest import WorldBuilder
from tests.login_kit.conftest import PASSWORD
from tests.mobile_stub.conftest import BASE
from tests.mobile_stub.conftest import SHOP
from tests.mobile_stub.conftest import holder_with_password
from tests.mobile_stub.test_end_to_end import Terminal


@pytest.fixture
def phone(live_server: str, holder: Any) -> TikTokApp:
    return phone_of(live_server, "holder")


def phone_of(live_server: str, username: str) -> TikTokApp:
    app = TikTokApp(live_server, timeout=10, retries=0)
    app.sign_in(username, PASSWORD)
    return app


def refused(call: Any) -> AppRefused:
    with pytest.raises(AppRefused) as raised:
        call()
    return raised.value


def test_the_profile_shows_the_shop_page_and_its_catalogue_after_an_official_link(
        phone: TikTokApp, shop: Any, holder: Any, world: WorldBuilder) -> None:
    world.product(shop, "prod_a")
    assert phone.profile().storefronts == ()
    world.link_official(shop, holder)
    page = phone.profile().storefront(SHOP)
    assert page is not None and (page.role, page.storefront) == ("official", "shop_page")
    assert page.sales_channels == ("video", "live", "shop_page") and page.catalogue == ("prod_a",)


def test_the_shopping_bag_shows_only_after_the_shops_delay(phone: TikTokApp, holder: Any, world: WorldBuilder) -> None:
    world.link_official(world.shop(SHOP, shopping_bag_delay=timedelta(hours=24)), holder)
    world.advance("23h59m59s")
    [page] = phone.profile().storefronts
    assert page.shopping_bag_visible is False and page.shopping_bag_visible_from == "2026-03-03T09:00:00+00:00"
    world.advance("1s")
    assert phone.profile().storefronts[0].shopping_bag_visible is True


def test_the_holder_renames_the_account(phone: TikTokApp) -> None:
    renamed = phone.rename(nickname="Fresh Nick")
    assert (renamed.username, renamed.nickname) == ("holder", "Fresh Nick")
    assert phone.me().nickname == "Fresh Nick"


def test_renaming_an_official_account_is_official_name_locked(phone: TikTokApp, shop: Any, holder: Any,
                                                               world: WorldBuilder) -> None:
    world.link_official(shop, holder)
    refusal = refused(lambda: phone.rename(username="my_own_name"))
    assert (refusal.code, refusal.status) == ("official_name_locked", 409)
    assert phone.me().username == "e2e_shop"


def test_a_marketplace_product_is_shown_once_signed_up_at_the_affiliate_center(phone: TikTokApp, shop: Any,
                                                                               world: WorldBuilder) -> None:
    world.product(shop, "prod_market", marketplace=True)
    assert refused(lambda: phone.add_to_showcase("prod_market")).code == "affiliate_signup_required"
    assert phone.sign_up_affiliate().affiliate_signed_up is True
    added = phone.add_to_showcase("prod_market")
    assert (added.product_id, added.source) == ("prod_market", "marketplace")
    assert [item.product_id for item in phone.showcase()] == ["prod_market"]


def test_an_official_account_cannot_add_marketplace_products(phone: TikTokApp, shop: Any, holder: Any,
                                                             world: WorldBuilder) -> None:
    world.product(world.shop("shop_other"), "prod_market", marketplace=True)
    world.link_official(shop, holder)
    phone.sign_up_affiliate()
    refusal = refused(lambda: phone.add_to_showcase("prod_market"))
    assert (refusal.code, refusal.status) == ("official_account_no_affiliate_products", 409)
    assert phone.showcase() == ()


def test_going_live_and_ending_it(phone: TikTokApp, holder: Any) -> None:
    started = phone.start_live()
    assert (started.open_id, started.live, started.mirror_of) == (holder.open_id, True, None)
    assert phone.end_live().live is False


def test_a_mirrored_live_of_the_shops_official_account_is_refused_in_tokopedia(live_server: str,
                                                                                world: WorldBuilder) -> None:
    shop = world.shop("shop_toko", market="tokopedia", region="ID")
    official = holder_with_password(world, "official", region="ID")
    marketer = holder_with_password(world, "marketer", region="ID")
    official_phone = phone_of(live_server, "official")
    world.link_official(shop, official)
    world.link_marketing(shop, marketer)
    official_phone.start_live()
    marketer_phone = phone_of(live_server, "marketer")
    refusal = refused(lambda: marketer_phone.start_live(mirror_of=official.open_id))
    assert (refusal.code, refusal.status) == ("live_mirroring_not_allowed", 409)
    assert "M10" in refusal.violations[0].rules
    official_phone.end_live()
    assert marketer_phone.start_live().live is True


@responses.activate
def test_a_showcase_answer_without_items_is_malformed() -> None:
    responses.get(f"{BASE}/api/app/showcase", json={"products": []})
    with pytest.raises(MalformedAnswer, match="no list of items"):
        TikTokApp(BASE, token="tok", retries=0).showcase()


# --- from a terminal (``linksim app``) -------------------------------------------------------------------------


def terminal_of(live_server: str, tmp_path: Path, username: str = "holder") -> Terminal:
    terminal = Terminal(live_server, tmp_path / "app-session.json")
    terminal.ok("sign-in", username, "--password", PASSWORD)
    return terminal


def test_the_profile_from_the_terminal_says_when_the_shopping_bag_shows(live_server: str, holder: Any,
                                                                         world: WorldBuilder, tmp_path: Path) -> None:
    terminal = terminal_of(live_server, tmp_path)
    assert "no shop linked" in terminal.ok("profile")
    world.link_official(world.shop(SHOP, shopping_bag_delay=timedelta(hours=24)), holder)
    assert (f"Shop Page of {SHOP} (official): channels video, live, shop_page; "
            "shopping bag not shown yet (from 2026-03-03T09:00:00+00:00)") in terminal.ok("profile")
    refusal = terminal("rename", "--nickname", "Mine")
    assert refusal.exit_code == 1 and refusal.stderr.startswith("official_name_locked: ")


def test_the_showcase_from_the_terminal(live_server: str, holder: Any, shop: Any, world: WorldBuilder,
                                        tmp_path: Path) -> None:
    world.product(shop, "prod_market", marketplace=True)
    terminal = terminal_of(live_server, tmp_path)
    refusal = terminal("showcase", "--add", "prod_market")
    assert refusal.exit_code == 1 and refusal.stderr.startswith("affiliate_signup_required: ")
    assert terminal.ok("affiliate-sign-up") == "@holder is signed up at the Affiliate Center\n"
    assert terminal.ok("showcase", "--add", "prod_market") == "added prod_market (marketplace)\n"
    assert terminal.ok("showcase") == "prod_market (marketplace)\n"


def test_live_from_the_terminal(live_server: str, holder: Any, tmp_path: Path) -> None:
    terminal = terminal_of(live_server, tmp_path)
    assert terminal.ok("live", "start") == "LIVE since 2026-03-02T09:00:00+00:00\n"
    assert terminal.ok("live", "end") == "not LIVE\n"
    refusal = terminal("live", "start", "--mirror-of", "oid_nobody")
    assert refusal.exit_code == 1 and refusal.stderr.startswith("account_not_found: ")
