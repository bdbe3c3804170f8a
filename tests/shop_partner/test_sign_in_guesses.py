"""Seller Center's and Partner Center's sign-in (which the Shop authorization pages send people to) limits guesses as
the app's does, on the world's clock: five wrong passwords in a row lock it for 15 minutes, the right password
included, and the page says until when (tests/app_api/test_guess_limits.py is the app's)."""

from __future__ import annotations

import pytest

from auth_server.domain.clock import ManualClock
from tests.shop_partner.conftest import PARTNER
from tests.shop_partner.conftest import SELLER
from tests.shop_partner.conftest import ShopPages
from tests.shop_partner.conftest import seller_url

WHO = {"seller": SELLER, "partner": PARTNER}


@pytest.mark.parametrize("kind", sorted(WHO))
def test_five_wrong_passwords_lock_the_right_one_out_for_15_minutes(pages: ShopPages, clock: ManualClock,
                                                                   kind: str) -> None:
    for _ in range(5):
        assert pages.sign_in_seller(WHO[kind], "wrong", kind=kind).status_code == 401
    locked = pages.sign_in_seller(WHO[kind], kind=kind)
    assert locked.status_code == 403 and locked.mimetype == "text/html"
    assert "Too many wrong passwords" in locked.get_data(as_text=True)
    assert "15m from now" in locked.get_data(as_text=True)
    clock.advance("14m59s")
    assert pages.sign_in_seller(WHO[kind], kind=kind).status_code == 403
    clock.advance("1s")
    assert pages.sign_in_seller(WHO[kind], kind=kind).status_code == 302


def test_the_right_password_resets_the_count(pages: ShopPages) -> None:
    for _ in range(4):
        assert pages.sign_in_seller(password="wrong").status_code == 401
    assert pages.sign_in_seller().status_code == 302
    for _ in range(4):
        assert pages.sign_in_seller(password="wrong").status_code == 401
    assert pages.sign_in_seller().status_code == 302


def test_the_authorization_pages_sign_in_is_the_one_that_locks(pages: ShopPages) -> None:
    asked = pages.get(seller_url(state="s"))
    sign_in = asked.headers["Location"].split("?", 1)[0]
    for _ in range(5):
        pages.post_form(sign_in, {"login": SELLER, "password": "wrong", "kind": "seller", "next": seller_url()})
    locked = pages.post_form(sign_in, {"login": SELLER, "password": "linksim-demo", "kind": "seller",
                                       "next": seller_url()})
    assert locked.status_code == 403 and "Too many wrong passwords" in locked.get_data(as_text=True)
