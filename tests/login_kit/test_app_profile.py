"""The app's Profile tab over HTTP: what the rules leave on an account (E1 the Business badge, E3 the Shop Page or
the Showcase with their sales channels, M8 and E5 the showcase and the Affiliate Center, M10 LIVE), and the
holder's own actions there, whose refusals show on the profile with their message."""

from __future__ import annotations

from typing import Any

import pytest

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of


def profile_of(browser: Browser) -> str:
    answer = browser.client.get("/app/profile")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def post_on_profile(browser: Browser, path: str, **form: str) -> Any:
    """Tap a button of the profile: the answer leads back to the profile, or is it, with a refusal."""
    return browser.client.post(path, data={"csrf_token": csrf_of(profile_of(browser)), **form})


@pytest.fixture
def signed_in(browser: Browser) -> Browser:
    browser.sign_in()
    return browser


def test_a_personal_account_shows_no_badge_and_no_storefront(signed_in: Browser) -> None:
    page = profile_of(signed_in)
    assert 'data-testid="profile" data-account-type="personal"' in page
    assert 'data-testid="business-badge"' not in page
    assert 'data-testid="no-storefront"' in page
    assert 'data-testid="profile-nickname">Holder Nick<' in page


def test_an_official_link_shows_the_business_badge_since_the_upgrade_and_the_shop_page(
        browser: Browser, world, holder) -> None:  # noqa: ANN001
    shop = world.shop("shop_off", name="Off Shop")
    world.service.add_product(shop.shop_id, "prod_1", title="Camp Stove")
    world.link_official(shop, holder)
    browser.sign_in(world.service.get_account(holder.open_id).username)
    page = profile_of(browser)
    assert 'data-testid="business-badge">Business account<' in page
    assert 'data-testid="business-since">Upgraded to a Business account on 2 Mar 2026, 09:00 UTC' in page
    assert 'data-testid="shop-page"' in page and 'data-shop-id="shop_off"' in page
    assert 'data-product-id="prod_1">Camp Stove<' in page
    assert [c for c in ("video", "live", "shop_page") if f'data-channel="{c}"' in page] == ["video", "live",
                                                                                             "shop_page"]
    assert 'data-testid="showcase"' not in page


def test_a_marketing_link_shows_a_showcase_filled_by_hand(signed_in: Browser, world, holder) -> None:  # noqa: ANN001
    shop = world.shop("shop_mkt", name="Mkt Shop")
    world.service.add_product(shop.shop_id, "prod_m", title="Mug")
    world.link_marketing(shop, holder)
    page = profile_of(signed_in)
    assert 'data-testid="showcase"' in page and 'data-testid="shop-page"' not in page
    assert 'data-channel="showcase"' in page
    assert 'data-testid="showcase-products"' not in page  # nothing added yet (M8: by hand)
    assert post_on_profile(signed_in, "/app/showcase", product_id="prod_m").status_code == 302
    assert 'data-product-id="prod_m"><code>prod_m</code>' in profile_of(signed_in)


def test_an_official_account_adding_another_shops_product_is_refused_on_the_profile(
        browser: Browser, world, holder) -> None:  # noqa: ANN001
    world.link_official(world.shop("shop_off", name="Off Shop"), holder)
    other = world.shop("shop_other")
    world.service.add_product(other.shop_id, "prod_x", title="Other", in_marketplace=True)
    browser.sign_in(world.service.get_account(holder.open_id).username)
    answer = post_on_profile(browser, "/app/showcase", product_id="prod_x")
    assert answer.status_code == 409
    assert 'data-testid="profile-error" data-code="official_account_no_affiliate_products"' in \
        answer.get_data(as_text=True)


def test_signing_up_at_the_affiliate_center_shows_on_the_profile(signed_in: Browser) -> None:
    assert 'data-testid="affiliate" data-signed-up="false"' in profile_of(signed_in)
    assert post_on_profile(signed_in, "/app/affiliate").status_code == 302
    assert 'data-testid="affiliate" data-signed-up="true"' in profile_of(signed_in)


def test_the_holder_goes_live_and_ends_it(signed_in: Browser) -> None:
    assert post_on_profile(signed_in, "/app/live").status_code == 302
    assert 'data-testid="live" data-live="true"' in profile_of(signed_in)
    assert post_on_profile(signed_in, "/app/live/end").status_code == 302
    assert 'data-testid="live" data-live="false"' in profile_of(signed_in)


def test_mirroring_the_official_accounts_live_is_refused_in_the_tokopedia_market(
        signed_in: Browser, world, holder) -> None:  # noqa: ANN001
    shop = world.shop("shop_tk", name="Kopi", market="tokopedia", region="ID")
    official = world.account("sari", region="ID")
    world.link_official(shop, official)
    world.service.start_live(official.open_id)
    world.link_marketing(shop, holder)
    mirrored = world.service.get_account(official.open_id).username
    answer = post_on_profile(signed_in, "/app/live", mirror_of=f"@{mirrored}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409, page
    assert 'data-testid="profile-error" data-code="live_mirroring_not_allowed"' in page
    assert 'data-testid="live" data-live="false"' in page


def test_mirroring_an_unknown_account_is_account_not_found_on_the_profile(signed_in: Browser) -> None:
    answer = post_on_profile(signed_in, "/app/live", mirror_of="nobody_here")
    assert answer.status_code == 404
    assert 'data-code="account_not_found"' in answer.get_data(as_text=True)


def test_an_affiliate_invitation_is_accepted_from_the_inbox(signed_in: Browser, world, holder, sim) -> None:  # noqa: ANN001
    invitation = sim.service.invite_affiliate(world.shop("shop_aff", name="Aff Shop").shop_id, holder.open_id, 12)
    inbox = signed_in.client.get("/app/inbox").get_data(as_text=True)
    assert f'data-testid="affiliate-invitation" data-invitation-id="{invitation.invitation_id}"' in inbox
    done = signed_in.client.post(f"/app/affiliate-invitations/{invitation.invitation_id}",
                                 data={"decision": "accept", "csrf_token": csrf_of(inbox)})
    assert 'data-testid="invitation-done" data-state="accepted"' in done.get_data(as_text=True)
    assert "at 12.00% commission" in done.get_data(as_text=True)


def test_a_signed_out_profile_asks_to_sign_in_first(browser: Browser) -> None:
    answer = browser.client.get("/app/profile")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/app/sign-in?next=/app/profile")
